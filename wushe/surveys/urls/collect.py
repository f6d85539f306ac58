"""Staff collection pages: interviews, the response list, filling and voiding one response."""

from django.urls import path

from ..views import collect as views

urlpatterns = [
    path("<uuid:survey_id>/collect/", views.survey_collect, name="survey_collect"),
    path("<uuid:survey_id>/responses/", views.response_list, name="response_list"),
    path("responses/<uuid:response_id>/", views.response_fill, name="response_fill"),
    path("responses/<uuid:response_id>/void/", views.response_void, name="response_void"),
]
