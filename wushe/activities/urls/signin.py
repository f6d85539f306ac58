"""The phone sign-in pages behind an activity's QR code, mounted at /signin/ without login."""

from django.urls import path

from ..views import signin as views

app_name = "signin"
urlpatterns = [
    path("<str:token>/", views.signin_page, name="page"),
    path("<str:token>/sign-out/", views.signout, name="signout"),
]
