"""Project URLs, one module per area (rounds, applications, review, execution, archive); `public` is
mounted separately under /public/ (no login)."""

from . import applications, archive, execution, review, rounds

app_name = "projects"
urlpatterns = [
    *rounds.urlpatterns,
    *applications.urlpatterns,
    *review.urlpatterns,
    *execution.urlpatterns,
    *archive.urlpatterns,
]
