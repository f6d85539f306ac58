"""The projects API (tag `projects`), one router per area, mounted at /api/v1/projects/."""

from ninja import Router

from . import applications, archive, execution, public, review, rounds

router = Router()
router.add_router("", rounds.router)
router.add_router("", applications.router)
router.add_router("", review.router)
router.add_router("", execution.router)
router.add_router("", archive.router)
router.add_router("/public", public.router)
