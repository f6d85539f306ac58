"""The one place that decides who may do what (docs/permissions.md is generated from MATRIX).

Scope has three sources:
- region roles: an assignment to a region node covers that node's subtree (a code range);
- object roles: an assignment to one object (an organization for its leader, a social worker for a
  supervisor) covers that object and what hangs from it;
- self: a volunteer or resident sees their own record.

Lists, counts, exports and API reads filter with `scope_q`; single objects are checked by the same
filter (`can`), so a list and a detail page can never disagree.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum

from django.core.exceptions import PermissionDenied
from django.db.models import Model, Q, QuerySet
from django.http import Http404

from .roles import Role

ADMIN = Role.PLATFORM_ADMIN
CIVIL = Role.CIVIL_AFFAIRS_OFFICER
STREET = Role.STREET_OFFICER
STATION = Role.STATION_STAFF
COMMUNITY = Role.COMMUNITY_STAFF
WORKER = Role.SOCIAL_WORKER
LEADER = Role.ORG_LEADER
SUPERVISOR = Role.SUPERVISOR
VOLUNTEER = Role.VOLUNTEER
RESIDENT = Role.RESIDENT
EXPERT = Role.EXPERT_REVIEWER


class Resource(StrEnum):
    REGION = "region"
    RESIDENT = "resident"
    HOUSEHOLD = "household"
    ORGANIZATION = "organization"
    SOCIAL_WORKER = "social_worker"
    VOLUNTEER = "volunteer"
    TEAM = "team"
    FUNDING_ROUND = "funding_round"
    PROJECT = "project"
    ACTIVITY = "activity"  # activities, their sessions and attendance, group work
    SERVICE_RECORD = "service_record"  # volunteer service-record extracts and the national export
    CASE = "case"  # case work: sensitive, object scope only
    SURVEY = "survey"  # questionnaires, quotas, responses and their analysis
    NEED = "need"  # the needs register (需求清单), focus groups and interviews


class Action(StrEnum):
    VIEW = "view"
    CHANGE = "change"  # create, edit, void
    VIEW_IDENTITY = "view_identity"  # unmasked ID numbers and phones
    EXPORT = "export"
    IMPORT = "import"
    HISTORY = "history"
    MANAGE = "manage"  # run a round or a project's money and decisions: rules, reviewers, decisions, tranches
    MONITOR = "monitor"  # monitoring visits and evaluations
    REVIEW = "review"  # score as an assigned expert


_ALL_STAFF = {ADMIN, CIVIL, STREET, STATION, COMMUNITY, WORKER}

# Which role may take which action on which resource, within its scope.
MATRIX: dict[Resource, dict[Action, set[Role]]] = {
    Resource.REGION: {
        Action.VIEW: set(Role),
        Action.CHANGE: {ADMIN},
        Action.IMPORT: {ADMIN},
        Action.EXPORT: {ADMIN, CIVIL, STREET},
        Action.HISTORY: {ADMIN, CIVIL},
    },
    Resource.RESIDENT: {
        Action.VIEW: _ALL_STAFF | {RESIDENT},
        Action.CHANGE: {ADMIN, STREET, COMMUNITY, WORKER},
        Action.VIEW_IDENTITY: {ADMIN, COMMUNITY, WORKER},
        Action.EXPORT: {ADMIN, CIVIL, STREET, COMMUNITY},
        Action.IMPORT: {ADMIN, STREET, COMMUNITY},
        Action.HISTORY: {ADMIN, STREET, COMMUNITY, WORKER},
    },
    Resource.HOUSEHOLD: {
        Action.VIEW: set(_ALL_STAFF),
        Action.CHANGE: {ADMIN, STREET, COMMUNITY, WORKER},
        Action.HISTORY: {ADMIN, STREET, COMMUNITY, WORKER},
    },
    Resource.ORGANIZATION: {
        Action.VIEW: _ALL_STAFF | {LEADER},
        Action.CHANGE: {ADMIN, CIVIL, STREET, COMMUNITY, LEADER},
        Action.VIEW_IDENTITY: {ADMIN, CIVIL, STREET, STATION, COMMUNITY, WORKER, LEADER},
        Action.EXPORT: {ADMIN, CIVIL, STREET, STATION, COMMUNITY},
        Action.IMPORT: {ADMIN, CIVIL, STREET},
        Action.HISTORY: {ADMIN, CIVIL, STREET, STATION, COMMUNITY, LEADER},
    },
    Resource.SOCIAL_WORKER: {
        Action.VIEW: {ADMIN, CIVIL, STREET, STATION, COMMUNITY, SUPERVISOR, WORKER},
        Action.CHANGE: {ADMIN, CIVIL, STREET, STATION},
        Action.VIEW_IDENTITY: {ADMIN, STREET, STATION},
        Action.EXPORT: {ADMIN, CIVIL, STREET, STATION},
        Action.IMPORT: {ADMIN, CIVIL, STREET, STATION},
        Action.HISTORY: {ADMIN, CIVIL, STREET, STATION},
    },
    Resource.VOLUNTEER: {
        Action.VIEW: _ALL_STAFF | {LEADER, VOLUNTEER},
        Action.CHANGE: {ADMIN, STREET, STATION, COMMUNITY, WORKER},
        Action.VIEW_IDENTITY: {ADMIN, STREET, STATION, COMMUNITY, VOLUNTEER},
        Action.EXPORT: {ADMIN, CIVIL, STREET, STATION, COMMUNITY},
        Action.IMPORT: {ADMIN, STREET, STATION, COMMUNITY},
        Action.HISTORY: {ADMIN, STREET, STATION, COMMUNITY},
    },
    Resource.TEAM: {
        Action.VIEW: _ALL_STAFF | {LEADER, VOLUNTEER},
        Action.CHANGE: {ADMIN, STREET, STATION, COMMUNITY, WORKER, LEADER},
        Action.HISTORY: {ADMIN, STREET, STATION, COMMUNITY, WORKER, LEADER},
    },
    Resource.FUNDING_ROUND: {
        # Open rounds are public information; selectors hide drafts from those who cannot manage them.
        Action.VIEW: set(Role),
        Action.CHANGE: {ADMIN, CIVIL, STREET},
        Action.MANAGE: {ADMIN, CIVIL, STREET},
        Action.EXPORT: {ADMIN, CIVIL, STREET, STATION},
        Action.HISTORY: {ADMIN, CIVIL, STREET, STATION},
    },
    Resource.PROJECT: {
        Action.VIEW: _ALL_STAFF | {LEADER, EXPERT, SUPERVISOR},
        Action.CHANGE: {ADMIN, COMMUNITY, WORKER, LEADER},  # the application, ledger, reports, answers
        Action.MANAGE: {ADMIN, CIVIL, STREET},  # decisions, agreement, tranches, budget adjustments, closing
        Action.MONITOR: {ADMIN, STREET, STATION},  # monitoring visits, evaluations
        Action.REVIEW: {EXPERT},
        Action.VIEW_IDENTITY: {ADMIN, CIVIL, STREET, STATION, COMMUNITY, WORKER, LEADER},
        Action.EXPORT: {ADMIN, CIVIL, STREET, STATION, COMMUNITY, WORKER, LEADER},
        Action.HISTORY: _ALL_STAFF | {LEADER},
    },
    Resource.ACTIVITY: {
        # Residents and volunteers see open activities (to sign up) and those they took part in.
        Action.VIEW: _ALL_STAFF | {LEADER, SUPERVISOR, VOLUNTEER, RESIDENT},
        # Plan, open sign-up, attendance, photos, confirm volunteer hours, answer corrections (the organizer).
        Action.CHANGE: {ADMIN, STREET, STATION, COMMUNITY, WORKER, LEADER},
        Action.VIEW_IDENTITY: {ADMIN, COMMUNITY, WORKER, LEADER},
        Action.EXPORT: {ADMIN, CIVIL, STREET, STATION, COMMUNITY, WORKER, LEADER},
        Action.HISTORY: {ADMIN, STREET, STATION, COMMUNITY, WORKER, LEADER},
    },
    Resource.SERVICE_RECORD: {
        Action.VIEW: {ADMIN, CIVIL, STREET, STATION, COMMUNITY, WORKER, LEADER, VOLUNTEER},
        Action.CHANGE: {ADMIN, STATION, COMMUNITY, WORKER, LEADER},  # issue and void extracts (谁记录谁证明)
        Action.EXPORT: {ADMIN, CIVIL, STREET, STATION, COMMUNITY, LEADER},  # national-system export
        Action.HISTORY: {ADMIN, STATION, COMMUNITY, WORKER, LEADER},
    },
    # Case records: no region role reaches them (OBJECT_ONLY below); the platform admin neither.
    Resource.CASE: {
        Action.VIEW: {WORKER, SUPERVISOR},
        Action.CHANGE: {WORKER},  # intake, step records, goals, referrals, closing, follow-up
        Action.REVIEW: {SUPERVISOR},  # review and sign off any step, grant access
        Action.HISTORY: {SUPERVISOR},  # the read log
    },
    Resource.SURVEY: {
        # Staff also see the surveys of the areas above theirs (a district survey, to collect in their community).
        Action.VIEW: _ALL_STAFF | {LEADER},
        # Upload the form, open and close, quotas, interview respondents, void responses.
        Action.CHANGE: {ADMIN, CIVIL, STREET, STATION, COMMUNITY, WORKER, LEADER},
        Action.VIEW_IDENTITY: {ADMIN, COMMUNITY, WORKER, LEADER},  # who answered an identified response
        Action.EXPORT: {ADMIN, CIVIL, STREET, STATION, COMMUNITY, WORKER, LEADER},
        Action.HISTORY: {ADMIN, CIVIL, STREET, STATION, COMMUNITY, WORKER, LEADER},
    },
    Resource.NEED: {
        # Organization leaders see the needs of their communities, to answer them in applications.
        Action.VIEW: _ALL_STAFF | {LEADER},
        Action.CHANGE: {ADMIN, STREET, STATION, COMMUNITY, WORKER},  # register needs, focus groups, mark met
        Action.EXPORT: {ADMIN, CIVIL, STREET, STATION, COMMUNITY},
        Action.HISTORY: {ADMIN, CIVIL, STREET, STATION, COMMUNITY, WORKER},
    },
}

# Roles that reach a resource only through their object rule, never through their region assignments
# (a social worker changes only the projects they lead, not every project of their community).
OBJECT_ONLY: dict[Resource, dict[Action, set[Role]]] = {
    Resource.PROJECT: {Action.CHANGE: {WORKER}, Action.EXPORT: {WORKER}},
    # A worker of the same community who is not on the case gets 404.
    Resource.CASE: {action: {WORKER, SUPERVISOR} for action in Action},
}


# Records every role allowed to VIEW the resource may see, whatever its scope (public information).
PUBLIC_RECORDS: dict[Resource, Q] = {
    Resource.FUNDING_ROUND: ~Q(status="draft") & Q(voided_at__isnull=True),
}


def _assignments(user) -> list:
    """Active role assignments, read once per request and cached on the user object."""
    cached = getattr(user, "_wushe_assignments", None)
    if cached is None:
        cached = list(user.role_assignments.active().select_related("region", "object_type"))
        user._wushe_assignments = cached
    return cached


def roles_of(user) -> set[Role]:
    if not getattr(user, "is_authenticated", False):
        return set()
    roles = {Role(a.role) for a in _assignments(user)}
    if user.is_superuser:
        roles.add(ADMIN)
    return roles


def is_platform_admin(user) -> bool:
    return ADMIN in roles_of(user)


def allowed_roles(resource: Resource, action: Action) -> set[Role]:
    return MATRIX.get(resource, {}).get(action, set())


def may_ever(user, resource: Resource, action: Action = Action.VIEW) -> bool:
    """Whether the user holds any role that may take this action somewhere (menus, buttons)."""
    return bool(roles_of(user) & allowed_roles(resource, action))


def region_ranges(user, roles: set[Role]) -> list[tuple[str, str]]:
    return [a.region.code_range for a in _assignments(user) if a.region_id and a.role in roles]


def _object_ids(user, role: Role, model_label: str) -> list[int]:
    return [a.object_id for a in _assignments(user)
            if a.role == role and a.object_type_id and a.object_type.model == model_label]


def _ranges_q(ranges: list[tuple[str, str]], field: str) -> Q:
    query = Q(pk__in=[])
    for low, high in ranges:
        prefix = f"{field}__" if field else ""
        query |= Q(**{f"{prefix}code__gte": low, f"{prefix}code__lte": high})
    return query


def _serving_workers_q(user, roles: set[Role]) -> Q:
    """Workers based at a street or station count as in scope of the communities they serve."""
    from wushe.workforce.models import SocialWorker

    ranges = region_ranges(user, roles)
    if not ranges:
        return Q(pk__in=[])
    links = SocialWorker.communities.through.objects.filter(_ranges_q(ranges, "region"))
    return Q(pk__in=links.values("socialworker_id"))


# Extra region-based scope per resource, beyond the record's own `region`.
REGION_EXTRAS: dict[Resource, Callable[[object, set[Role]], Q]] = {
    Resource.SOCIAL_WORKER: _serving_workers_q,
}

def _covering_q(user, roles: set[Role]) -> Q:
    """Records owned by a region above one of the user's regions (a district survey covers its communities)."""
    from wushe.regions.models import LEVEL_DIGITS, Region

    codes = set()
    for assignment in _assignments(user):
        if assignment.region_id and assignment.role in roles:
            region: Region = assignment.region
            codes.update(region.code[:digits].ljust(12, "0") for level, digits in LEVEL_DIGITS.items()
                         if level < region.level)
    return Q(region__code__in=sorted(codes)) if codes else Q(pk__in=[])


# Extra region-based scope for VIEW only.
VIEW_EXTRAS: dict[Resource, Callable[[object, set[Role]], Q]] = {
    Resource.SURVEY: _covering_q,
}


def _organization_regions(user):
    from wushe.orgs.models import Organization

    return Organization.objects.filter(pk__in=_object_ids(user, LEADER, "organization")).values("region_id")


def _review_assignments(user):
    from wushe.projects.models import ReviewerAssignment

    return ReviewerAssignment.objects.filter(reviewer=user, voided_at__isnull=True)


def _case_assignments():
    from wushe.cases.models import CaseWorker

    return CaseWorker.objects.filter(ended_at__isnull=True)


def _activity_people(user):
    """Activities the user signed up for or attended, as a resident or as a volunteer."""
    from wushe.activities.models import Attendance, GroupMember, Registration

    registered = Registration.objects.filter(Q(resident__user=user) | Q(volunteer__user=user),
                                             status="registered").values("activity_id")
    attended = Attendance.objects.filter(Q(resident__user=user) | Q(volunteer__user=user),
                                         voided_at__isnull=True).values("session__activity_id")
    member = GroupMember.objects.filter(resident__user=user, voided_at__isnull=True).values("group__activity_id")
    return Q(status="open") | Q(pk__in=registered) | Q(pk__in=attended) | Q(pk__in=member)


def _memberships():
    from wushe.volunteers.models import TeamMembership

    return TeamMembership.objects.filter(voided_at__isnull=True)


# Object and self rules: resource -> role -> function(user) -> Q over that resource's model.
ObjectRule = Callable[[object], Q]
OBJECT_RULES: dict[Resource, dict[Role, ObjectRule]] = {
    Resource.RESIDENT: {RESIDENT: lambda user: Q(user=user)},
    Resource.ORGANIZATION: {LEADER: lambda user: Q(pk__in=_object_ids(user, LEADER, "organization"))},
    Resource.SOCIAL_WORKER: {
        SUPERVISOR: lambda user: Q(pk__in=_object_ids(user, SUPERVISOR, "socialworker")),
        WORKER: lambda user: Q(user=user),
    },
    Resource.VOLUNTEER: {
        VOLUNTEER: lambda user: Q(user=user),
        LEADER: lambda user: Q(pk__in=_memberships().filter(
            team__organization__in=_object_ids(user, LEADER, "organization")).values("volunteer_id")),
    },
    Resource.PROJECT: {
        LEADER: lambda user: Q(applicant__in=_object_ids(user, LEADER, "organization"))
        | Q(implementer__in=_object_ids(user, LEADER, "organization")),
        WORKER: lambda user: Q(lead_worker__user=user),
        EXPERT: lambda user: Q(pk__in=_review_assignments(user).values("project_id")),
        SUPERVISOR: lambda user: Q(lead_worker__in=_object_ids(user, SUPERVISOR, "socialworker")),
    },
    Resource.TEAM: {
        LEADER: lambda user: Q(organization__in=_object_ids(user, LEADER, "organization")),
        VOLUNTEER: lambda user: Q(pk__in=_memberships().filter(volunteer__user=user).values("team_id")),
    },
    Resource.ACTIVITY: {
        LEADER: lambda user: Q(organization__in=_object_ids(user, LEADER, "organization")),
        VOLUNTEER: _activity_people,
        RESIDENT: _activity_people,
    },
    Resource.SERVICE_RECORD: {
        LEADER: lambda user: Q(issuer_organization__in=_object_ids(user, LEADER, "organization")),
        VOLUNTEER: lambda user: Q(volunteer__user=user),
    },
    Resource.SURVEY: {
        LEADER: lambda user: Q(organization__in=_object_ids(user, LEADER, "organization")),
    },
    Resource.NEED: {
        LEADER: lambda user: Q(region__in=_organization_regions(user)),
    },
    Resource.CASE: {
        WORKER: lambda user: Q(pk__in=_case_assignments().filter(worker__user=user).values("case_id")),
        SUPERVISOR: lambda user: Q(pk__in=_case_assignments().filter(
            worker__in=_object_ids(user, SUPERVISOR, "socialworker")).values("case_id")),
    },
}


def _case_grants(user) -> Q:
    import datetime

    from wushe.cases.models import CaseAccessGrant

    grants = CaseAccessGrant.objects.filter(user=user, revoked_at__isnull=True,
                                            expires_on__gte=datetime.date.today())
    return Q(pk__in=grants.values("case_id"))


# Explicit per-user grants, whatever the user's roles: resource -> (actions granted, rule).
GRANT_RULES: dict[Resource, tuple[set[Action], ObjectRule]] = {
    Resource.CASE: ({Action.VIEW}, _case_grants),
}

def scope_q(user, resource: Resource, action: Action = Action.VIEW) -> Q | None:
    """A filter selecting what `user` may `action` on `resource`; None means unrestricted."""
    roles = roles_of(user) & allowed_roles(resource, action)
    if ADMIN in roles:
        return None
    if resource == Resource.REGION:
        return None if roles else Q(pk__in=[])
    region_roles = roles - OBJECT_ONLY.get(resource, {}).get(action, set())
    query = _ranges_q(region_ranges(user, region_roles), "region")
    if resource in REGION_EXTRAS:
        query |= REGION_EXTRAS[resource](user, region_roles)
    if action == Action.VIEW and resource in VIEW_EXTRAS:
        query |= VIEW_EXTRAS[resource](user, region_roles)
    for role, rule in OBJECT_RULES.get(resource, {}).items():
        if role in roles:
            query |= rule(user)
    if action == Action.VIEW and roles and resource in PUBLIC_RECORDS:
        query |= PUBLIC_RECORDS[resource]
    if resource in GRANT_RULES and action in GRANT_RULES[resource][0] and getattr(user, "is_authenticated", False):
        query |= GRANT_RULES[resource][1](user)
    return query


def restrict(user, resource: Resource, queryset: QuerySet, action: Action = Action.VIEW) -> QuerySet:
    query = scope_q(user, resource, action)
    if query is None:
        return queryset
    # Rules use subqueries rather than joins, so rows never repeat and no DISTINCT is needed.
    return queryset.filter(query)


def can(user, action: Action, resource: Resource, obj: Model) -> bool:
    """Decide for one object with the same filter the lists use."""
    query = scope_q(user, resource, action)
    if query is None:
        return True
    return type(obj)._base_manager.filter(pk=obj.pk).filter(query).exists()


def can_in_region(user, action: Action, resource: Resource, region) -> bool:
    """May the user create or import records of `resource` owned by `region`?"""
    roles = roles_of(user) & allowed_roles(resource, action)
    if ADMIN in roles:
        return True
    return any(low <= region.code <= high for low, high in region_ranges(user, roles))


def regions_for(user, resource: Resource, action: Action = Action.CHANGE):
    """Current regions in which the user may take `action` (choices for region pickers)."""
    from wushe.regions.models import Region

    roles = roles_of(user) & allowed_roles(resource, action)
    regions = Region.objects.current()
    if ADMIN in roles:
        return regions
    return regions.filter(_ranges_q(region_ranges(user, roles), ""))


def get_object_for(user, resource: Resource, queryset: QuerySet, *, action: Action = Action.VIEW, **lookup):
    """The one access path for a single object: 404 if the user may not see it, 403 if they may see it
    but not take `action` on it. Denials are written to the audit log."""
    obj = restrict(user, resource, queryset, Action.VIEW).filter(**lookup).first()
    if obj is None:
        _log_denial(user, resource, action, lookup, status=404)
        raise Http404
    if action != Action.VIEW and not can(user, action, resource, obj):
        _log_denial(user, resource, action, lookup, status=403)
        raise PermissionDenied
    return obj


def require(user, resource: Resource, action: Action) -> None:
    """403 unless the user holds some role allowed to take `action` on `resource`."""
    if not may_ever(user, resource, action):
        _log_denial(user, resource, action, {}, status=403)
        raise PermissionDenied


def _log_denial(user, resource, action, lookup, *, status: int) -> None:
    from wushe.audit.models import AuditEvent
    from wushe.audit.services import audit_record

    audit_record(actor=user, kind=AuditEvent.Kind.DENIED, target=f"{resource}:{lookup}",
                 action=str(action), status=status)
