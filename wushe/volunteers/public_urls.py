"""Public verification of volunteer service-record extracts, mounted at /public/volunteer-records/ (no login)."""

from django.urls import path

from .records import views_extracts as views

app_name = "volunteer_records"
urlpatterns = [
    path("", views.verify, name="verify"),
    path("<str:number>/", views.verify_number, name="verify_number"),
]
