"""Public verification of volunteer service-record extracts, mounted at /public/volunteer-records/."""

from django.urls import path  # noqa: F401

app_name = "volunteer_records"
urlpatterns: list = []
