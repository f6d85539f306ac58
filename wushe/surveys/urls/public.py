"""Filling a survey through its signed public link or QR code, mounted at /s/ without login."""

from django.urls import path

from ..views import public as views

app_name = "surveys_public"
urlpatterns = [
    path("<str:token>/", views.start, name="start"),
    path("<str:token>/r/<str:code>/", views.fill, name="fill"),
]
