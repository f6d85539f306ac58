"""The read log (未成年人网络保护条例 art. 36, PIPL art. 51): every read of a case or a record."""

from ..models import Case, CaseReadLog

# `what` values; the read-log page shows their labels.
READ_CASE = "case"
READ_RECORDS = "records"
READ_RECORD = "record"
READ_REPORTS = "mandatory_reports"
READ_REFERRAL = "referral"


def case_read_log(*, actor, case: Case, what: str, channel: str = "page", target: str = "") -> CaseReadLog:
    """One row per read. `target` names the one record read (its public id), if any."""
    what = f"{what}:{target}" if target else what
    return CaseReadLog.objects.create(case=case, reader=actor, what=what[:80], channel=channel)
