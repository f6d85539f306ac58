from django.urls import path

from . import views

app_name = "imports"
urlpatterns = [
    path("", views.hub, name="hub"),
    path("jobs/<uuid:public_id>/", views.job_detail, name="job_detail"),
    path("jobs/<uuid:public_id>/errors.xlsx", views.job_errors, name="job_errors"),
    path("jobs/<uuid:public_id>/commit/", views.job_commit, name="job_commit"),
    path("<slug:kind>/template.xlsx", views.template_download, name="template"),
    path("<slug:kind>/upload/", views.upload, name="upload"),
    path("<slug:kind>/export.xlsx", views.export, name="export"),
]
