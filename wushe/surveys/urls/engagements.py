"""Focus groups and interviews under /surveys/engagements/ (URL names in the app namespace "surveys")."""

from django.urls import path

from ..views import engagements as views

urlpatterns = [
    path("", views.engagement_list, name="engagement_list"),
    path("new/", views.engagement_create, name="engagement_create"),
    path("<uuid:public_id>/", views.engagement_detail, name="engagement_detail"),
    path("<uuid:public_id>/edit/", views.engagement_edit, name="engagement_edit"),
    path("<uuid:public_id>/void/", views.engagement_void, name="engagement_void"),
    path("<uuid:public_id>/needs/", views.engagement_raise_need, name="engagement_raise_need"),
]
