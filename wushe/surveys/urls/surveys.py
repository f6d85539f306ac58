from django.urls import path

from ..views import surveys as views

urlpatterns = [
    path("", views.survey_list, name="survey_list"),
    path("new/", views.survey_create, name="survey_create"),
    path("samples/<slug:name>.xlsx", views.survey_sample, name="survey_sample"),
    path("<uuid:survey_id>/", views.survey_detail, name="survey_detail"),
    path("<uuid:survey_id>/edit/", views.survey_edit, name="survey_edit"),
    path("<uuid:survey_id>/form/", views.survey_form_replace, name="survey_form"),
    path("<uuid:survey_id>/form.xlsx", views.survey_form_download, name="survey_form_download"),
    path("<uuid:survey_id>/quotas/", views.survey_quotas, name="survey_quotas"),
    path("<uuid:survey_id>/status/<str:transition>/", views.survey_transition, name="survey_transition"),
    path("<uuid:survey_id>/copy/", views.survey_copy, name="survey_copy"),
    path("<uuid:survey_id>/preview/", views.survey_preview, name="survey_preview"),
    path("<uuid:survey_id>/link/rotate/", views.survey_rotate_link, name="survey_rotate_link"),
    path("<uuid:survey_id>/qr.svg", views.survey_qr, name="survey_qr"),
    path("<uuid:survey_id>/void/", views.survey_void, name="survey_void"),
]
