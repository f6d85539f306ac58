"""Reads for case work. The one access path to a case is `get_case_for`; `read_case` also writes the
read log, and every page or endpoint that shows a case's narrative goes through it."""

from uuid import UUID

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404

from wushe.accounts.models import User
from wushe.accounts.policy import Action, Resource, get_object_for, region_ranges, restrict
from wushe.accounts.roles import Role
from wushe.core.search import apply_search
from wushe.people.models import Resident
from wushe.workforce.models import SocialWorker
from wushe.workforce.selectors import socialworkers_visible_to

from .models import (
    OPEN_STATUSES,
    Case,
    CaseAccessGrant,
    CaseFollowUp,
    CaseGoal,
    CaseReadLog,
    CaseRecord,
    CaseReferral,
    CaseWorker,
    MandatoryReport,
    MandatoryReportStatus,
    ReferralStatus,
)
from .services.reads import READ_CASE, case_read_log

CLIENT_CHOICES_LIMIT = 20


def masked_name(name: str) -> str:
    """The client's surname + 某, for lists and inboxes that must not identify the client."""
    return f"{name[:1]}某" if name else "—"


def _active_assignments() -> Prefetch:
    return Prefetch("assignments", queryset=CaseWorker.objects.filter(ended_at__isnull=True)
                    .select_related("worker").order_by("started_at", "id"), to_attr="active_assignments")


def case_queryset() -> QuerySet:
    """What `get_case_for` reads one case from (voided ones too)."""
    return Case.objects.select_related("client", "client__region", "region", "created_by").prefetch_related(
        _active_assignments())


def get_case_for(user, public_id: UUID | str, action: Action = Action.VIEW) -> Case:
    """404 when the user may not see the case, 403 when they may see it but not take `action`."""
    return get_object_for(user, Resource.CASE, case_queryset(), action=action, public_id=public_id)


def read_case(user, public_id: UUID | str, *, channel: str = "page", what: str = READ_CASE,
              target: str = "") -> Case:
    """`get_case_for` for a read, written to the case's read log."""
    case = get_case_for(user, public_id)
    case_read_log(actor=user, case=case, what=what, channel=channel, target=target)
    return case


def cases_visible_to(user, action: Action = Action.VIEW) -> QuerySet:
    return restrict(user, Resource.CASE, Case.objects.filter(voided_at__isnull=True), action)


def case_list(user, *, status: str = "", query: str = "") -> QuerySet:
    """The viewer's cases (as worker, supervisor or grant holder) — no narrative is read here."""
    cases = cases_visible_to(user)
    if status == "open":
        cases = cases.filter(status__in=OPEN_STATUSES)
    elif status:
        cases = cases.filter(status=status)
    cases = apply_search(cases, query)
    pending = CaseReferral.objects.filter(case=OuterRef("pk"), status=ReferralStatus.PENDING)
    to_report = MandatoryReport.objects.filter(case=OuterRef("pk"), status=MandatoryReportStatus.TO_REPORT)
    return (cases.select_related("client", "region").prefetch_related(_active_assignments())
            .annotate(has_pending_referral=Exists(pending), has_report_due=Exists(to_report))
            .order_by("-intake_on", "-id"))


def case_records(case: Case) -> QuerySet:
    return (case.records.filter(voided_at__isnull=True).select_related("author", "reviewed_by")
            .order_by("recorded_on", "created_at", "id"))


def case_record_for(case: Case, public_id: UUID | str) -> CaseRecord:
    record = case_records(case).filter(public_id=public_id).first()
    if record is None:
        raise Http404
    return record


def case_goals(case: Case) -> QuerySet:
    return case.goals.filter(voided_at__isnull=True).order_by("created_at", "id")


def case_goal_for(case: Case, public_id: UUID | str) -> CaseGoal:
    goal = case_goals(case).filter(public_id=public_id).first()
    if goal is None:
        raise Http404
    return goal


def case_referrals(case: Case) -> QuerySet:
    return case.referrals.select_related("to_worker", "referred_by", "answered_by").order_by("-created_at")


def case_referral_for(case: Case, public_id: UUID | str) -> CaseReferral:
    referral = case_referrals(case).filter(public_id=public_id).first()
    if referral is None:
        raise Http404
    return referral


def case_follow_ups(case: Case) -> QuerySet:
    return case.follow_ups.filter(voided_at__isnull=True).select_related("record", "scheduled_by")


def case_follow_up_for(case: Case, public_id: UUID | str) -> CaseFollowUp:
    follow_up = case_follow_ups(case).filter(public_id=public_id).first()
    if follow_up is None:
        raise Http404
    return follow_up


def case_grants(case: Case) -> QuerySet:
    return case.grants.select_related("user", "granted_by").order_by("-created_at")


def case_grant_for(case: Case, public_id: UUID | str) -> CaseAccessGrant:
    grant = case_grants(case).filter(public_id=public_id).first()
    if grant is None:
        raise Http404
    return grant


def case_reports(case: Case) -> QuerySet:
    return case.mandatory_reports.select_related("flagged_by", "reported_by").order_by("-created_at")


def case_report_for(case: Case, public_id: UUID | str) -> MandatoryReport:
    report = case_reports(case).filter(public_id=public_id).first()
    if report is None:
        raise Http404
    return report


def case_read_log_rows(case: Case) -> QuerySet:
    return case.read_log.select_related("reader").order_by("-at", "-id")


def read_log_for_supervisor(user) -> QuerySet:
    """Read-log rows of every case whose log the viewer may see (their supervisees' cases)."""
    cases = restrict(user, Resource.CASE, Case.objects.all(), Action.HISTORY)
    return (CaseReadLog.objects.filter(case__in=cases.values("pk")).select_related("reader", "case")
            .order_by("-at", "-id"))


# Referrals to the viewer ------------------------------------------------------------------------------

def incoming_referrals(user) -> QuerySet:
    """Pending referrals to the viewer as a worker; only what is needed to decide is shown with them."""
    if not getattr(user, "is_authenticated", False):
        return CaseReferral.objects.none()
    return (CaseReferral.objects.filter(to_worker__user=user, to_worker__voided_at__isnull=True,
                                        status=ReferralStatus.PENDING)
            .select_related("case", "case__region", "case__client", "referred_by").order_by("-created_at"))


def incoming_referral_for(user, public_id: UUID | str) -> CaseReferral:
    referral = incoming_referrals(user).filter(public_id=public_id).first()
    if referral is None:
        raise Http404
    return referral


def answerable_referral_for(user, public_id: UUID | str) -> CaseReferral:
    """A pending referral the viewer may answer: one to them, or one to an agency on a case they work on."""
    referral = incoming_referrals(user).filter(public_id=public_id).first()
    if referral is not None:
        return referral
    cases = restrict(user, Resource.CASE, Case.objects.all(), Action.VIEW)
    referral = (CaseReferral.objects.filter(public_id=public_id, case__in=cases.values("pk"))
                .select_related("case", "to_worker").first())
    if referral is None:
        raise Http404
    get_case_for(user, referral.case.public_id, Action.CHANGE)  # 403 for grant holders and supervisors
    return referral


# Choices ------------------------------------------------------------------------------------------------

def client_choices(user) -> QuerySet:
    """Residents a worker may take as clients: those of the communities they serve or are assigned to."""
    worker = getattr(user, "social_worker", None) if getattr(user, "is_authenticated", False) else None
    if worker is None or worker.is_voided:
        return Resident.objects.none()
    query = Q(region__in=worker.communities.values("pk"))
    for low, high in region_ranges(user, {Role.SOCIAL_WORKER}):
        query |= Q(region__code__gte=low, region__code__lte=high)
    return Resident.objects.active().filter(query).select_related("region")


def client_search(user, query: str) -> list[Resident]:
    query = (query or "").strip()
    if not query:
        return []
    return list(apply_search(client_choices(user), query).order_by("name", "id")[:CLIENT_CHOICES_LIMIT])


def referral_worker_choices(user, case: Case) -> QuerySet:
    """Workers with an account the viewer may see, not already on the case."""
    on_case = CaseWorker.objects.filter(case=case, ended_at__isnull=True).values("worker_id")
    return (socialworkers_visible_to(user).filter(user__isnull=False).exclude(pk__in=on_case)
            .order_by("name", "id"))


def referral_worker_for(user, case: Case, public_id: UUID | str) -> SocialWorker | None:
    return referral_worker_choices(user, case).filter(public_id=public_id).first()


def user_by_account(account: str) -> User | None:
    account = (account or "").strip()
    if not account:
        return None
    return User.objects.filter(Q(username=account) | Q(phone=account), is_active=True).first()
