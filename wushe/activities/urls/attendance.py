from django.urls import path

from ..views import attendance as views

urlpatterns = [
    path("<uuid:public_id>/sessions/<uuid:session_id>/mark/", views.attendance_mark, name="attendance_mark"),
    path("<uuid:public_id>/sessions/<uuid:session_id>/qr/", views.signin_qr, name="signin_qr"),
    path("<uuid:public_id>/sessions/<uuid:session_id>/qr/rotate/", views.signin_rotate, name="signin_rotate"),
    path("<uuid:public_id>/attendance/batch/", views.attendance_batch, name="attendance_batch"),
    path("<uuid:public_id>/attendance/<uuid:attendance_id>/unmark/", views.attendance_unmark,
         name="attendance_unmark"),
    path("<uuid:public_id>/attendance/<uuid:attendance_id>/sign-out/", views.attendance_sign_out,
         name="attendance_sign_out"),
    path("<uuid:public_id>/attendance/<uuid:attendance_id>/review/", views.pending_resolve,
         name="pending_resolve"),
]
