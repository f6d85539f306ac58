"""Survey URLs, one module per area; `public` is mounted separately at /s/ (link and QR filling)."""

from django.urls import include, path

from . import analysis, collect, engagements, needs, surveys

app_name = "surveys"
urlpatterns = [
    *surveys.urlpatterns,
    *collect.urlpatterns,
    *analysis.urlpatterns,
    path("needs/", include(needs.urlpatterns)),
    path("engagements/", include(engagements.urlpatterns)),
]
