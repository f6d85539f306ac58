from django.urls import path

from .views import cases, followups, referrals, supervision

app_name = "cases"
case = "<uuid:public_id>/"
urlpatterns = [
    path("", cases.case_list, name="case_list"),
    path("new/", cases.case_intake, name="case_intake"),
    path("referrals/", referrals.referral_inbox, name="referral_inbox"),
    path("referrals/<uuid:public_id>/", referrals.referral_decide, name="referral_decide"),
    path("read-log/", supervision.read_log_all, name="read_log_all"),
    path(case, cases.case_detail, name="case_detail"),
    path(f"{case}advance/", cases.case_advance, name="case_advance"),
    path(f"{case}records/add/", cases.record_add, name="record_add"),
    path(f"{case}records/<uuid:record_id>/", cases.record_detail, name="record_detail"),
    path(f"{case}records/<uuid:record_id>/review/", supervision.record_review, name="record_review"),
    path(f"{case}goals/add/", cases.goal_add, name="goal_add"),
    path(f"{case}goals/<uuid:goal_id>/", cases.goal_update, name="goal_update"),
    path(f"{case}refer/", referrals.case_refer, name="case_refer"),
    path(f"{case}referrals/<uuid:referral_id>/answer/", referrals.referral_agency_answer,
         name="referral_agency_answer"),
    path(f"{case}referrals/<uuid:referral_id>/withdraw/", referrals.referral_withdraw, name="referral_withdraw"),
    path(f"{case}follow-ups/add/", followups.follow_up_add, name="follow_up_add"),
    path(f"{case}follow-ups/<uuid:follow_up_id>/record/", followups.follow_up_record, name="follow_up_record"),
    path(f"{case}harm/", followups.harm_flag, name="harm_flag"),
    path(f"{case}reports/<uuid:report_id>/file/", followups.report_file, name="report_file"),
    path(f"{case}reports/<uuid:report_id>/close/", followups.report_close, name="report_close"),
    path(f"{case}grants/add/", supervision.grant_add, name="grant_add"),
    path(f"{case}grants/<uuid:grant_id>/revoke/", supervision.grant_revoke, name="grant_revoke"),
    path(f"{case}read-log/", supervision.case_read_log, name="case_read_log"),
]
