from django.urls import path

from . import views
from .records import views as records_views
from .records import views_extracts as extract_views

app_name = "volunteers"
urlpatterns = [
    path("", views.volunteer_list, name="volunteer_list"),
    path("new/", views.volunteer_create, name="volunteer_create"),
    path("me/", views.volunteer_me, name="volunteer_me"),
    path("<uuid:public_id>/", views.volunteer_detail, name="volunteer_detail"),
    path("<uuid:public_id>/edit/", views.volunteer_edit, name="volunteer_edit"),
    path("<uuid:public_id>/void/", views.volunteer_void, name="volunteer_void"),
    path("teams/", views.team_list, name="team_list"),
    path("teams/new/", views.team_create, name="team_create"),
    path("teams/<uuid:public_id>/", views.team_detail, name="team_detail"),
    path("teams/<uuid:public_id>/edit/", views.team_edit, name="team_edit"),
    path("teams/<uuid:public_id>/void/", views.team_void, name="team_void"),
    path("teams/<uuid:public_id>/members/add/", views.membership_add, name="membership_add"),
    path("teams/<uuid:public_id>/members/<uuid:membership_id>/void/", views.membership_void,
         name="membership_void"),
    # Volunteer hours, corrections, record extracts and the national export (wushe.volunteers.records).
    path("records/mine/", records_views.hours_mine, name="hours_mine"),
    path("records/attendance/<uuid:public_id>/correction/", records_views.hours_correction_request,
         name="hours_correction_request"),
    path("records/activity/<uuid:public_id>/confirm/", records_views.hours_confirm, name="hours_confirm"),
    path("records/corrections/", records_views.records_corrections, name="records_corrections"),
    path("records/corrections/<uuid:public_id>/", records_views.records_correction_answer,
         name="records_correction_answer"),
    path("records/extracts/", extract_views.records_extract_list, name="records_extract_list"),
    path("records/extracts/new/", extract_views.records_extract_issue, name="records_extract_issue"),
    path("records/extracts/<uuid:public_id>/", extract_views.records_extract_detail, name="records_extract_detail"),
    path("records/extracts/<uuid:public_id>/docx/", extract_views.records_extract_docx, name="records_extract_docx"),
    path("records/extracts/<uuid:public_id>/void/", extract_views.records_extract_void, name="records_extract_void"),
    path("records/export/", extract_views.records_export, name="records_export"),
]
