"""/api/v1/services/cases/ (tag `services`): case work over the same selectors, services and policy as
the pages. Every GET that returns a case's content writes the read log."""

from ninja import Router

from . import actions, cases, supervision

router = Router(tags=["services"])
router.add_router("", supervision.router)
router.add_router("", actions.router)
router.add_router("", cases.router)
