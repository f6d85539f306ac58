"""Reads for volunteer hours, corrections and extracts; every read takes the viewer."""

from __future__ import annotations

import datetime

from django.db.models import Case, Exists, IntegerField, OuterRef, Q, QuerySet, Sum, Value, When

from wushe.accounts.policy import Action, Resource, get_object_for, restrict
from wushe.activities.models import Activity, Attendance, HoursStatus, ParticipantRole
from wushe.regions.models import Region

from ..models import CorrectionStatus, HoursCorrection, ServiceRecordExtract, Volunteer
from .units import Unit, unit_scope_q


def _volunteer_attendance() -> QuerySet:
    return Attendance.objects.filter(role=ParticipantRole.VOLUNTEER, volunteer__isnull=False,
                                     voided_at__isnull=True, session__voided_at__isnull=True,
                                     session__activity__voided_at__isnull=True)


def confirmed_attendance() -> QuerySet:
    """Rows that count as volunteer hours: the organizer confirmed them."""
    return _volunteer_attendance().filter(hours_status=HoursStatus.CONFIRMED)


def total_minutes(volunteer: Volunteer) -> int:
    """A volunteer's hours: the sum of confirmed minutes (unconfirmed rows do not count)."""
    return confirmed_attendance().filter(volunteer=volunteer).aggregate(total=Sum("service_minutes"))["total"] or 0


def hours(minutes: int | None):
    from decimal import Decimal

    return (Decimal(minutes or 0) / 60).quantize(Decimal("0.1"))


# A volunteer's own records ------------------------------------------------------------------------------

def own_volunteer(user) -> Volunteer | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return Volunteer.objects.active().filter(user=user).first()


def records_of(volunteer: Volunteer) -> QuerySet:
    """All the volunteer's service rows (confirmed or not), newest first, with a flag for a pending request."""
    pending = HoursCorrection.objects.filter(attendance=OuterRef("pk"), status=CorrectionStatus.PENDING)
    return (_volunteer_attendance().filter(volunteer=volunteer)
            .select_related("session__activity__organization", "session__activity__region",
                            "session__activity__organizer")
            .annotate(has_pending=Exists(pending))
            .order_by("-session__starts_at", "-id"))


def corrections_of(volunteer: Volunteer) -> QuerySet:
    return (HoursCorrection.objects.filter(volunteer=volunteer)
            .select_related("attendance__session__activity", "answered_by").order_by("-created_at"))


def own_attendance(user, public_id) -> Attendance | None:
    own = own_volunteer(user)
    if own is None:
        return None
    return _volunteer_attendance().filter(volunteer=own, public_id=public_id).select_related(
        "session__activity").first()


# The organizer ------------------------------------------------------------------------------------------

def activity_for_hours(user, public_id, action: Action = Action.CHANGE) -> Activity:
    return get_object_for(user, Resource.ACTIVITY, Activity.objects.select_related("organization", "region"),
                          action=action, public_id=public_id)


def activity_volunteer_rows(activity: Activity) -> QuerySet:
    return (_volunteer_attendance().filter(session__activity=activity)
            .select_related("session", "volunteer", "hours_confirmed_by")
            .order_by("session__sequence", "volunteer__volunteer_number", "id"))


def organized_activities(user) -> QuerySet:
    """Activities the viewer organizes (may change): whose hours they confirm and corrections they answer."""
    return restrict(user, Resource.ACTIVITY, Activity.objects.all(), Action.CHANGE)


def corrections_inbox(user, *, status: str = "") -> QuerySet:
    """Correction requests on activities the viewer organizes, pending first."""
    corrections = HoursCorrection.objects.filter(attendance__session__activity__in=organized_activities(user))
    if status:
        corrections = corrections.filter(status=status)
    pending_first = Case(When(status=CorrectionStatus.PENDING, then=Value(0)), default=Value(1),
                         output_field=IntegerField())
    return (corrections.select_related("attendance__session__activity", "volunteer", "answered_by")
            .annotate(pending_first=pending_first).order_by("pending_first", "-created_at", "-id"))


def correction_for(user, public_id) -> HoursCorrection | None:
    return corrections_inbox(user).filter(public_id=public_id).first()


# Extracts -----------------------------------------------------------------------------------------------

def extracts_visible_to(user, action: Action = Action.VIEW) -> QuerySet:
    return restrict(user, Resource.SERVICE_RECORD, ServiceRecordExtract.objects.all(), action)


def extract_register(user, *, query: str = "", status: str = "", issued_from=None, issued_to=None,
                     volunteer: Volunteer | None = None) -> QuerySet:
    """The register of issued extracts (出具登记), voided ones included."""
    extracts = extracts_visible_to(user)
    query = (query or "").strip()
    if query:
        extracts = extracts.filter(Q(number__icontains=query) | Q(volunteer__name__icontains=query)
                                   | Q(volunteer__volunteer_number__iexact=query) | Q(issuer_name__icontains=query))
    if status == "valid":
        extracts = extracts.filter(voided_at__isnull=True)
    elif status == "voided":
        extracts = extracts.filter(voided_at__isnull=False)
    if issued_from:
        extracts = extracts.filter(issued_on__gte=issued_from)
    if issued_to:
        extracts = extracts.filter(issued_on__lte=issued_to)
    if volunteer is not None:
        extracts = extracts.filter(volunteer=volunteer)
    return extracts.select_related("volunteer", "issuer_organization", "region", "issued_by").order_by(
        "-issued_on", "-id")


def extract_for(user, public_id, action: Action = Action.VIEW) -> ServiceRecordExtract:
    return get_object_for(user, Resource.SERVICE_RECORD,
                          ServiceRecordExtract.objects.select_related("volunteer", "issuer_organization", "region",
                                                                      "issued_by", "voided_by"),
                          action=action, public_id=public_id)


def extract_lines(extract: ServiceRecordExtract) -> QuerySet:
    return extract.attendances.select_related("session__activity").order_by("session__starts_at", "id")


def public_extract(number: str) -> ServiceRecordExtract | None:
    """The public verification (no login): by number only; the caller shows no ID number and no phone."""
    number = (number or "").strip().upper()
    if not number or len(number) > 40:
        return None
    return ServiceRecordExtract.objects.select_related("volunteer").filter(number=number).first()


def _issuable_activities(user) -> QuerySet:
    activities = organized_activities(user).filter(voided_at__isnull=True)
    scope = unit_scope_q(user, Action.CHANGE)
    return activities if scope is None else activities.filter(scope)


def issuer_units(user) -> list[Unit]:
    """Units the viewer may issue extracts for that have confirmed hours in activities they organize."""
    from wushe.orgs.models import Organization

    with_hours = Exists(confirmed_attendance().filter(session__activity=OuterRef("pk")))
    pairs = set(_issuable_activities(user).filter(with_hours).values_list("organization_id", "region_id"))
    organizations = Organization.objects.select_related("region").in_bulk(
        {org for org, _region in pairs if org is not None})
    regions = Region.objects.in_bulk({region for org, region in pairs if org is None})
    units = [Unit(region=o.region, organization=o) for o in organizations.values()]
    units += [Unit(region=r) for r in regions.values()]
    return sorted(units, key=lambda unit: (unit.organization is None, unit.name))


def issuable_volunteers(user) -> QuerySet:
    """Volunteers with confirmed hours in activities the viewer organizes for a unit they may certify."""
    rows = confirmed_attendance().filter(volunteer=OuterRef("pk"), session__activity__in=_issuable_activities(user))
    return Volunteer.objects.active().filter(Exists(rows)).order_by("volunteer_number")


def default_period(today: datetime.date) -> tuple[datetime.date, datetime.date]:
    return today.replace(month=1, day=1), today


# The national export ------------------------------------------------------------------------------------

def export_rows(user, *, period_start=None, period_end=None, within: Region | None = None,
                organization=None) -> QuerySet:
    """Confirmed rows of units the viewer may export, for the national-system upload."""
    rows = confirmed_attendance().filter(service_minutes__gt=0)
    scope = unit_scope_q(user, Action.EXPORT, prefix="session__activity__")
    if scope is not None:
        rows = rows.filter(scope)
    if period_start:
        rows = rows.filter(session__starts_at__date__gte=period_start)
    if period_end:
        rows = rows.filter(session__starts_at__date__lte=period_end)
    if within is not None:
        low, high = within.code_range
        rows = rows.filter(session__activity__region__code__gte=low, session__activity__region__code__lte=high)
    if organization is not None:
        rows = rows.filter(session__activity__organization=organization)
    return (rows.select_related("volunteer", "session__activity__organization", "session__activity__region",
                                "session__activity__organizer", "recorded_by", "hours_confirmed_by")
            .prefetch_related("session__activity__target_groups")
            .order_by("session__starts_at", "session__activity_id", "volunteer__volunteer_number", "id"))


def export_region(user, code: str) -> Region | None:
    """The region filter of the export, by code (the rows themselves are scoped by `export_rows`)."""
    code = (code or "").strip()
    if not code:
        return None
    return Region.objects.filter(code=code).first()


def export_organizations(user) -> QuerySet:
    from wushe.orgs.models import Organization

    scope = unit_scope_q(user, Action.EXPORT)
    activities = Activity.objects.filter(organization__isnull=False)
    if scope is not None:
        activities = activities.filter(scope)
    return Organization.objects.filter(pk__in=activities.values("organization_id")).order_by("name", "id")
