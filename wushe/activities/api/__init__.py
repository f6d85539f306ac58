"""The activities API (tag `services`), one router per area, mounted at /api/v1/services/activities/ and
/api/v1/services/groups/."""

from ninja import Router

from . import activities, attendance, groups

router = Router()
router.add_router("", activities.router)
router.add_router("", attendance.router)

groups_router = groups.router
