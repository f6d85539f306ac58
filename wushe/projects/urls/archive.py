"""The archive tab, its files, generated documents and the whole-archive export (URL names in `projects:`)."""

from django.urls import path

from ..views import archive as views

urlpatterns = [
    path("<uuid:public_id>/archive/", views.project_archive, name="project_archive"),
    path("<uuid:public_id>/archive/export/", views.project_archive_export, name="project_archive_export"),
    path("<uuid:public_id>/archive/documents/new/", views.archive_document_create, name="archive_document_create"),
    path("<uuid:public_id>/archive/documents/<uuid:document_id>/", views.archive_document_detail,
         name="archive_document_detail"),
    path("<uuid:public_id>/archive/documents/<uuid:document_id>/versions/new/", views.archive_version_create,
         name="archive_version_create"),
    path("<uuid:public_id>/archive/documents/<uuid:document_id>/void/", views.archive_document_void,
         name="archive_document_void"),
    path("<uuid:public_id>/archive/versions/<uuid:version_id>/", views.archive_version_download,
         name="archive_version_download"),
    path("<uuid:public_id>/archive/photos/new/", views.archive_photo_create, name="archive_photo_create"),
    path("<uuid:public_id>/archive/photos/<uuid:photo_id>/", views.archive_photo_download,
         name="archive_photo_download"),
    path("<uuid:public_id>/archive/photos/<uuid:photo_id>/void/", views.archive_photo_void,
         name="archive_photo_void"),
    path("<uuid:public_id>/documents/application.docx", views.document_application, name="document_application"),
    path("<uuid:public_id>/documents/plan.docx", views.document_plan, name="document_plan"),
    path("<uuid:public_id>/documents/final-report.docx", views.document_final_report,
         name="document_final_report"),
    path("<uuid:public_id>/documents/ledger.xlsx", views.document_ledger, name="document_ledger"),
    path("<uuid:public_id>/documents/reports/<uuid:report_id>.docx", views.document_report, name="document_report"),
    path("<uuid:public_id>/documents/<str:which>/save/", views.document_save, name="document_save"),
]
