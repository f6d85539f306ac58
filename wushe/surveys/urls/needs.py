"""The needs register under /surveys/needs/ (URL names in the app namespace "surveys")."""

from django.urls import path

from ..views import needs as views

urlpatterns = [
    path("", views.need_list, name="need_list"),
    path("new/", views.need_create, name="need_create"),
    path("uncovered/", views.need_uncovered, name="need_uncovered"),
    path("<uuid:public_id>/", views.need_detail, name="need_detail"),
    path("<uuid:public_id>/edit/", views.need_edit, name="need_edit"),
    path("<uuid:public_id>/met/", views.need_mark_met, name="need_mark_met"),
    path("<uuid:public_id>/reopen/", views.need_reopen, name="need_reopen"),
    path("<uuid:public_id>/void/", views.need_void, name="need_void"),
    path("<uuid:public_id>/projects/link/", views.need_link_project, name="need_link_project"),
    path("<uuid:public_id>/projects/<uuid:project_id>/unlink/", views.need_unlink_project,
         name="need_unlink_project"),
    path("export.xlsx", views.need_export, name="need_export"),
    path("for-project/<uuid:project_id>/link/", views.project_need_link, name="project_need_link"),
]
