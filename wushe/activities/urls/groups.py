"""Group work (小组) under /activities/groups/; a group is addressed by its activity's public id."""

from django.urls import path

from ..views import groups as views

urlpatterns = [
    path("groups/", views.group_list, name="group_list"),
    path("groups/new/", views.group_create, name="group_create"),
    path("groups/<uuid:public_id>/", views.group_detail, name="group_detail"),
    path("groups/<uuid:public_id>/edit/", views.group_edit, name="group_edit"),
    path("groups/<uuid:public_id>/stage/", views.group_stage_advance, name="group_stage_advance"),
    path("groups/<uuid:public_id>/members/", views.group_members, name="group_members"),
    path("groups/<uuid:public_id>/members/add/", views.group_member_add, name="group_member_add"),
    path("groups/<uuid:public_id>/members/<uuid:member_id>/leave/", views.group_member_leave,
         name="group_member_leave"),
    path("groups/<uuid:public_id>/sessions/", views.group_sessions, name="group_sessions"),
    path("groups/<uuid:public_id>/sessions/new/", views.group_session_plan, name="group_session_plan"),
    path("groups/<uuid:public_id>/sessions/<uuid:session_id>/", views.group_session, name="group_session"),
    path("groups/<uuid:public_id>/sessions/<uuid:session_id>/record/", views.group_session_record,
         name="group_session_record"),
    path("groups/<uuid:public_id>/sessions/<uuid:session_id>/attendance/", views.group_attendance_save,
         name="group_attendance_save"),
    path("groups/<uuid:public_id>/attendance/", views.group_attendance, name="group_attendance"),
]
