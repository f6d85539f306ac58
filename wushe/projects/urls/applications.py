from django.urls import path

from ..views import applications as views

urlpatterns = [
    path("", views.project_list, name="project_list"),
    path("rounds/<uuid:round_id>/apply/", views.application_create, name="application_create"),
    path("<uuid:public_id>/", views.project_detail, name="project_detail"),
    path("<uuid:public_id>/edit/", views.application_edit, name="application_edit"),
    path("<uuid:public_id>/edit/<slug:section>/", views.application_section, name="application_section"),
    path("<uuid:public_id>/submit/", views.application_submit, name="application_submit"),
    path("<uuid:public_id>/withdraw/", views.application_withdraw, name="application_withdraw"),
    path("<uuid:public_id>/void/", views.application_void, name="application_void"),
]
