"""Survey URLs, one module per area; `public` is mounted separately at /s/ (link and QR filling)."""

import importlib

from django.urls import include, path

app_name = "surveys"


def _patterns(name):  # DEV-ONLY tolerance while modules land; replaced by plain imports before commit
    try:
        return importlib.import_module(f"{__name__}.{name}").urlpatterns
    except ImportError:
        return []


urlpatterns = [
    *_patterns("surveys"),
    *_patterns("collect"),
    *_patterns("analysis"),
    path("needs/", include(_patterns("needs"))),
    path("engagements/", include(_patterns("engagements"))),
]
