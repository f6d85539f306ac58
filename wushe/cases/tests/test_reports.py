"""强制报告: flagging suspected harm to a minor opens a tracked report: to_report → reported → closed."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from wushe.cases.models import MandatoryReport, MandatoryReportStatus
from wushe.cases.services import reports
from wushe.people.models import ConsentBasis

from .factories import intake, make_client

pytestmark = pytest.mark.django_db


def child_case(world, **overrides):
    child = make_client(world, "林小测", age=12)
    return intake(world, client=child, consent_basis=ConsentBasis.STATUTORY_DUTY, consent_recorded_on=None,
                  **overrides)


def test_flag_at_intake_opens_a_report_to_file(world):
    case = child_case(world, suspected_minor_harm=True, harm_concern="身上多处淤青，称被家人打。")
    report = MandatoryReport.objects.get(case=case)
    assert case.suspected_minor_harm and report.status == MandatoryReportStatus.TO_REPORT
    assert report.concern == "身上多处淤青，称被家人打。" and report.flagged_by == world.social_worker


def test_flag_at_intake_needs_a_minor_and_a_concern(world):
    with pytest.raises(ValidationError) as error:
        intake(world, suspected_minor_harm=True)
    fields = error.value.message_dict
    assert str(reports.MSG_HARM_NOT_MINOR) in fields["suspected_minor_harm"]
    assert str(reports.MSG_HARM_CONCERN_REQUIRED) in fields["harm_concern"]
    with pytest.raises(ValidationError, match=str(reports.MSG_HARM_NOT_MINOR)):
        intake(world, client=make_client(world, "无生日", age=None), suspected_minor_harm=True, harm_concern="x")
    assert not MandatoryReport.objects.exists()


def test_report_flow_flag_file_close(world):
    case = intake(world, client=make_client(world, "林中测", age=16))
    report = reports.case_flag_minor_harm(actor=world.social_worker, case=case, concern="长期未上学，疑似被迫劳动。")
    case.refresh_from_db()
    assert case.suspected_minor_harm
    with pytest.raises(ValidationError, match=str(reports.MSG_REPORT_PENDING)):
        reports.case_flag_minor_harm(actor=world.social_worker, case=case, concern="又一条")
    with pytest.raises(ValidationError, match=str(reports.MSG_REPORT_NOT_REPORTED)):
        reports.mandatory_report_close(actor=world.social_worker, report=report, outcome="x")
    with pytest.raises(ValidationError) as error:
        reports.mandatory_report_file(actor=world.social_worker, report=report, authority="",
                                      reported_at=timezone.now() + datetime.timedelta(days=1))
    assert str(reports.MSG_AUTHORITY_REQUIRED) in error.value.message_dict["authority"]
    assert str(reports.MSG_REPORTED_AT_FUTURE) in error.value.message_dict["reported_at"]
    with pytest.raises(PermissionDenied):
        reports.mandatory_report_file(actor=world.community_staff, report=report, authority="police")
    reports.mandatory_report_file(actor=world.social_worker, report=report, authority="police",
                                  receipt_reference="京公（朝）受字2026-001")
    report.refresh_from_db()
    assert report.status == MandatoryReportStatus.REPORTED and report.reported_by == world.social_worker
    assert report.reported_at is not None
    with pytest.raises(ValidationError, match=str(reports.MSG_REPORT_NOT_PENDING)):
        reports.mandatory_report_file(actor=world.social_worker, report=report, authority="police")
    with pytest.raises(ValidationError, match=str(reports.MSG_OUTCOME_REQUIRED)):
        reports.mandatory_report_close(actor=world.social_worker, report=report, outcome=" ")
    reports.mandatory_report_close(actor=world.social_worker, report=report, outcome="公安已立案，民政临时监护。")
    report.refresh_from_db()
    assert report.status == MandatoryReportStatus.CLOSED and report.closed_at is not None
    assert [h.status for h in report.history.order_by("history_date")] == ["to_report", "reported", "closed"]


def test_adult_client_cannot_be_flagged(world):
    case = intake(world)
    with pytest.raises(ValidationError, match=str(reports.MSG_HARM_NOT_MINOR)):
        reports.case_flag_minor_harm(actor=world.social_worker, case=case, concern="x")
