from django.urls import path

from . import views

app_name = "workforce"
urlpatterns = [
    path("", views.socialworker_list, name="socialworker_list"),
    path("new/", views.socialworker_create, name="socialworker_create"),
    path("<uuid:public_id>/", views.socialworker_detail, name="socialworker_detail"),
    path("<uuid:public_id>/edit/", views.socialworker_edit, name="socialworker_edit"),
    path("<uuid:public_id>/void/", views.socialworker_void, name="socialworker_void"),
]
