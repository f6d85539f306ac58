"""强制报告 (未成年人保护法 art. 11): a suspected-harm-to-a-minor flag opens a tracked report, which is
filed with an authority and closed when its handling is recorded."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wushe.accounts.policy import Action
from wushe.core.services import save_with_history

from ..models import Case, MandatoryReport, MandatoryReportStatus, ReportAuthority
from ._common import add_error, clean_text, raise_if, require_case, require_writable

MSG_HARM_NOT_MINOR = _("只有未满18周岁的服务对象才能标记疑似未成年人受侵害；出生日期未登记时请先补全居民档案。")
MSG_HARM_CONCERN_REQUIRED = _("请填写疑似侵害的情况。")
MSG_REPORT_PENDING = _("该个案已有待报告的强制报告，请先完成报告。")
MSG_REPORT_NOT_PENDING = _("该强制报告不是待报告状态。")
MSG_REPORT_NOT_REPORTED = _("该强制报告尚未报告或已办结。")
MSG_AUTHORITY_REQUIRED = _("请选择报告对象（公安、民政或教育部门）。")
MSG_REPORTED_AT_FUTURE = _("报告时间不能晚于现在。")
MSG_OUTCOME_REQUIRED = _("请填写处理结果。")

MINOR_AGE = 18


def validate_minor_harm(errors: dict, *, client, concern: str, field: str = "harm_concern") -> None:
    age = client.age
    if age is None or age >= MINOR_AGE:
        add_error(errors, "suspected_minor_harm", MSG_HARM_NOT_MINOR)
    if not clean_text(concern):
        add_error(errors, field, MSG_HARM_CONCERN_REQUIRED)


def open_mandatory_report(*, actor, case: Case, concern: str) -> MandatoryReport:
    report = MandatoryReport(case=case, concern=clean_text(concern), flagged_by=actor)
    save_with_history(report, actor=actor)
    return report


@transaction.atomic
def case_flag_minor_harm(*, actor, case: Case, concern: str) -> MandatoryReport:
    """Flag a case after intake; the report starts in `to_report`."""
    require_case(actor, Action.CHANGE, case)
    require_writable(case)
    errors: dict = {}
    validate_minor_harm(errors, client=case.client, concern=concern, field="concern")
    if case.mandatory_reports.filter(status=MandatoryReportStatus.TO_REPORT).exists():
        add_error(errors, "concern", MSG_REPORT_PENDING)
    raise_if(errors)
    if not case.suspected_minor_harm:
        case.suspected_minor_harm = True
        save_with_history(case, actor=actor, reason=str(MandatoryReport._meta.verbose_name))
    return open_mandatory_report(actor=actor, case=case, concern=concern)


@transaction.atomic
def mandatory_report_file(*, actor, report: MandatoryReport, authority: str,
                          reported_at: datetime.datetime | None = None, receipt_reference: str = "") -> MandatoryReport:
    require_case(actor, Action.CHANGE, report.case)
    errors: dict = {}
    if report.status != MandatoryReportStatus.TO_REPORT:
        raise ValidationError(MSG_REPORT_NOT_PENDING, code="report_not_pending")
    if authority not in ReportAuthority.values:
        add_error(errors, "authority", MSG_AUTHORITY_REQUIRED)
    reported_at = reported_at or timezone.now()
    if timezone.is_naive(reported_at):
        reported_at = timezone.make_aware(reported_at)
    if reported_at > timezone.now() + datetime.timedelta(minutes=5):
        add_error(errors, "reported_at", MSG_REPORTED_AT_FUTURE)
    raise_if(errors)
    report.status, report.authority, report.reported_at = MandatoryReportStatus.REPORTED, authority, reported_at
    report.receipt_reference, report.reported_by = clean_text(receipt_reference), actor
    save_with_history(report, actor=actor)
    return report


@transaction.atomic
def mandatory_report_close(*, actor, report: MandatoryReport, outcome: str) -> MandatoryReport:
    require_case(actor, Action.CHANGE, report.case)
    if report.status != MandatoryReportStatus.REPORTED:
        raise ValidationError(MSG_REPORT_NOT_REPORTED, code="report_not_reported")
    outcome = clean_text(outcome)
    if not outcome:
        raise ValidationError({"outcome": [MSG_OUTCOME_REQUIRED]})
    report.status, report.outcome, report.closed_at = MandatoryReportStatus.CLOSED, outcome, timezone.now()
    save_with_history(report, actor=actor)
    return report
