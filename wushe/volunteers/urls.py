from django.urls import path

from . import views

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
]
