from django.urls import path

from . import views

app_name = "orgs"
urlpatterns = [
    path("", views.organization_list, name="organization_list"),
    path("new/", views.organization_create, name="organization_create"),
    path("<uuid:public_id>/", views.organization_detail, name="organization_detail"),
    path("<uuid:public_id>/edit/", views.organization_update, name="organization_update"),
    path("<uuid:public_id>/void/", views.organization_void, name="organization_void"),
    path("<uuid:public_id>/board/new/", views.board_member_create, name="board_member_create"),
    path("<uuid:public_id>/board/<uuid:record_id>/edit/", views.board_member_update, name="board_member_update"),
    path("<uuid:public_id>/board/<uuid:record_id>/void/", views.board_member_void, name="board_member_void"),
    path("<uuid:public_id>/members/new/", views.member_create, name="member_create"),
    path("<uuid:public_id>/members/<uuid:record_id>/edit/", views.member_update, name="member_update"),
    path("<uuid:public_id>/members/<uuid:record_id>/void/", views.member_void, name="member_void"),
    path("<uuid:public_id>/growth/new/", views.growth_record_create, name="growth_record_create"),
    path("<uuid:public_id>/growth/<uuid:record_id>/edit/", views.growth_record_update, name="growth_record_update"),
    path("<uuid:public_id>/growth/<uuid:record_id>/void/", views.growth_record_void, name="growth_record_void"),
    path("<uuid:public_id>/growth/<uuid:record_id>/evidence/", views.growth_evidence_download,
         name="growth_evidence_download"),
]
