"""Public disclosure pages, mounted at /public/ with app_name "public" (no login). The review area's
resident-vote and objection pages (`urls/voting.py`) are included here too."""

from django.urls import path

from ..views import public as views

try:
    from .voting import voting_urlpatterns
except ImportError:  # the review area has not written its public pages yet
    voting_urlpatterns = []

urlpatterns = [
    path("", views.round_list, name="round_list"),
    path("rounds/<uuid:public_id>/", views.round_detail, name="round_detail"),
    path("projects/<uuid:public_id>/", views.project_detail, name="project_detail"),
    *voting_urlpatterns,
]
