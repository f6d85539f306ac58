from django.urls import path

from . import views

app_name = "people"
urlpatterns = [
    path("", views.resident_list, name="resident_list"),
    path("new/", views.resident_create, name="resident_create"),
    path("<uuid:public_id>/", views.resident_detail, name="resident_detail"),
    path("<uuid:public_id>/edit/", views.resident_edit, name="resident_edit"),
    path("<uuid:public_id>/void/", views.resident_void, name="resident_void"),
    path("households/", views.household_list, name="household_list"),
    path("households/new/", views.household_create, name="household_create"),
    path("households/<uuid:public_id>/", views.household_detail, name="household_detail"),
    path("households/<uuid:public_id>/edit/", views.household_edit, name="household_edit"),
    path("households/<uuid:public_id>/void/", views.household_void, name="household_void"),
    path("households/<uuid:public_id>/members/add/", views.household_member_add, name="household_member_add"),
    path("households/<uuid:public_id>/members/<uuid:resident_id>/remove/", views.household_member_remove,
         name="household_member_remove"),
]
