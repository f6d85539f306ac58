"""Execution area: the budget, monitoring and reports tabs of a project and their actions."""

from django.urls import path

from ..views import execution as views
from ..views import monitoring

P = "<uuid:public_id>"

urlpatterns = [
    # Budget tab: agreement, tranches, budget lines, ledger, adjustments.
    path(f"{P}/budget/", views.project_budget, name="project_budget"),
    path(f"{P}/budget/agreement/", views.agreement_sign, name="agreement_sign"),
    path(f"{P}/budget/agreement/file/", views.agreement_file, name="agreement_file"),
    path(f"{P}/budget/lines/new/", views.budget_line_create, name="budget_line_create"),
    path(f"{P}/budget/lines/<uuid:line_id>/edit/", views.budget_line_update, name="budget_line_update"),
    path(f"{P}/budget/lines/<uuid:line_id>/void/", views.budget_line_void, name="budget_line_void"),
    path(f"{P}/budget/expenses/new/", views.expense_create, name="expense_create"),
    path(f"{P}/budget/expenses/<uuid:expense_id>/", views.expense_detail, name="expense_detail"),
    path(f"{P}/budget/expenses/<uuid:expense_id>/receipt/", views.expense_receipt, name="expense_receipt"),
    path(f"{P}/budget/expenses/<uuid:expense_id>/void/", views.expense_void, name="expense_void"),
    path(f"{P}/budget/adjustments/new/", views.adjustment_request, name="adjustment_request"),
    path(f"{P}/budget/adjustments/<uuid:adjustment_id>/decide/", views.adjustment_decide, name="adjustment_decide"),
    path(f"{P}/budget/tranches/<uuid:tranche_id>/release/", views.tranche_release, name="tranche_release"),
    # Monitoring tab.
    path("monitoring/unanswered/", monitoring.monitoring_unanswered, name="monitoring_unanswered"),
    path(f"{P}/monitoring/", monitoring.project_monitoring, name="project_monitoring"),
    path(f"{P}/monitoring/new/", monitoring.monitoring_visit_create, name="monitoring_visit_create"),
    path(f"{P}/monitoring/<uuid:visit_id>/", monitoring.monitoring_visit_detail, name="monitoring_visit_detail"),
    path(f"{P}/monitoring/<uuid:visit_id>/answer/", monitoring.monitoring_visit_answer,
         name="monitoring_visit_answer"),
    path(f"{P}/monitoring/<uuid:visit_id>/void/", monitoring.monitoring_visit_void, name="monitoring_visit_void"),
    # Reports tab: periodic reports, evaluations, closing, archiving, termination.
    path(f"{P}/reports/", monitoring.project_reports, name="project_reports"),
    path(f"{P}/reports/new/", monitoring.report_create, name="report_create"),
    path(f"{P}/reports/<uuid:report_id>/", monitoring.report_detail, name="report_detail"),
    path(f"{P}/reports/<uuid:report_id>/edit/", monitoring.report_update, name="report_update"),
    path(f"{P}/reports/<uuid:report_id>/submit/", monitoring.report_submit, name="report_submit"),
    path(f"{P}/reports/<uuid:report_id>/void/", monitoring.report_void, name="report_void"),
    path(f"{P}/evaluations/new/", monitoring.evaluation_create, name="evaluation_create"),
    path(f"{P}/close/", monitoring.project_close, name="project_close"),
    path(f"{P}/mark-archived/", monitoring.project_mark_archived, name="project_mark_archived"),
    path(f"{P}/terminate/", monitoring.project_terminate, name="project_terminate"),
]
