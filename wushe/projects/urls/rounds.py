from django.urls import path

from ..views import rounds as views

urlpatterns = [
    path("rounds/", views.round_list, name="round_list"),
    path("rounds/new/", views.round_create, name="round_create"),
    path("rounds/<uuid:public_id>/", views.round_detail, name="round_detail"),
    path("rounds/<uuid:public_id>/edit/", views.round_update, name="round_update"),
    path("rounds/<uuid:public_id>/advance/", views.round_advance, name="round_advance"),
    path("rounds/<uuid:public_id>/void/", views.round_void, name="round_void"),
]
