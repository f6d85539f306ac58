from django.urls import path

from ..views import activities as views

urlpatterns = [
    path("", views.activity_list, name="activity_list"),
    path("new/", views.activity_create, name="activity_create"),
    path("<uuid:public_id>/", views.activity_detail, name="activity_detail"),
    path("<uuid:public_id>/edit/", views.activity_edit, name="activity_edit"),
    path("<uuid:public_id>/status/<str:transition>/", views.activity_transition, name="activity_transition"),
    path("<uuid:public_id>/void/", views.activity_void, name="activity_void"),
    path("<uuid:public_id>/summary/", views.activity_summary, name="activity_summary"),
    path("<uuid:public_id>/sessions/new/", views.session_add, name="session_add"),
    path("<uuid:public_id>/signup/", views.signup_self, name="signup_self"),
    path("<uuid:public_id>/registrations/add/", views.registration_add, name="registration_add"),
    path("<uuid:public_id>/registrations/volunteer/", views.volunteer_recruit, name="volunteer_recruit"),
    path("<uuid:public_id>/registrations/<uuid:registration_id>/cancel/", views.registration_cancel,
         name="registration_cancel"),
    path("<uuid:public_id>/photos/add/", views.photo_add, name="photo_add"),
    path("<uuid:public_id>/photos/<uuid:photo_id>/void/", views.photo_void, name="photo_void"),
    path("<uuid:public_id>/feedback/", views.feedback_add, name="feedback_add"),
]
