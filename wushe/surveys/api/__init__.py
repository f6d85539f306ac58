"""The surveys API (tag `surveys`), mounted at /api/v1/surveys/: questionnaires and quotas, responses,
analysis and export, the needs register, focus groups and interviews."""

from ninja import Router

from . import analysis, engagements, needs, responses, surveys

router = Router(tags=["surveys"])
router.add_router("/needs", needs.router)
router.add_router("/engagements", engagements.router)
router.add_router("", surveys.router)
router.add_router("", responses.router)
router.add_router("", analysis.router)
