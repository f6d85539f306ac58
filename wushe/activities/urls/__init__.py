"""Activity URLs, one module per area; `signin` is mounted separately at /signin/ (no login needed)."""

from . import activities, attendance, groups

app_name = "activities"
urlpatterns = [
    *activities.urlpatterns,
    *attendance.urlpatterns,
    *groups.urlpatterns,
]
