"""XLSForm import and the server-side form engine (no models: pure Python + Django translation)."""

from .engine import EvalResult, evaluate, iter_questions, label, message, ui_language
from .importer import ImportResult, RowProblem, import_xlsform

__all__ = ["EvalResult", "ImportResult", "RowProblem", "evaluate", "import_xlsform", "iter_questions", "label",
           "message", "ui_language"]
