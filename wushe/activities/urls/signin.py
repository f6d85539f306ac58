"""The phone sign-in pages behind an activity's QR code, mounted at /signin/ without login."""

from django.urls import path  # noqa: F401

app_name = "signin"
urlpatterns: list = []
