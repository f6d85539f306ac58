"""Organizing units (谁组织谁记录): an activity's unit is its organization, or its community when it has none.

A unit is what issues record extracts and what the national export is filtered by. Who may act for a unit
follows `Resource.SERVICE_RECORD`: region roles for units located in their regions (an organization is
located in its own region), organization leaders for their organizations.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q

from wushe.accounts.policy import Action, Resource, _object_ids, allowed_roles, region_ranges, roles_of
from wushe.accounts.roles import Role


@dataclass(frozen=True)
class Unit:
    """The organizing unit: `organization` when set (its region is `region`), else the community `region`."""

    region: object
    organization: object | None = None

    @property
    def key(self) -> str:
        if self.organization is not None:
            return f"org:{self.organization.public_id}"
        return f"region:{self.region.code}"

    @property
    def name(self) -> str:
        return self.organization.name if self.organization is not None else self.region.name

    def activity_q(self, prefix: str = "") -> Q:
        """Activities organized by this unit."""
        if self.organization is not None:
            return Q(**{f"{prefix}organization": self.organization})
        return Q(**{f"{prefix}organization__isnull": True, f"{prefix}region": self.region})


def unit_of(activity) -> Unit:
    if activity.organization_id:
        return Unit(region=activity.organization.region, organization=activity.organization)
    return Unit(region=activity.region)


def unit_scope_q(user, action: Action, prefix: str = "") -> Q | None:
    """Activities whose unit `user` may take `action` for on service records; None means all of them."""
    roles = roles_of(user) & allowed_roles(Resource.SERVICE_RECORD, action)
    if Role.PLATFORM_ADMIN in roles:
        return None
    query = Q(pk__in=[]) if not prefix else Q(**{f"{prefix}pk__in": []})
    for low, high in region_ranges(user, roles):
        query |= Q(**{f"{prefix}organization__isnull": True, f"{prefix}region__code__gte": low,
                      f"{prefix}region__code__lte": high})
        query |= Q(**{f"{prefix}organization__region__code__gte": low, f"{prefix}organization__region__code__lte": high})
    if Role.ORG_LEADER in roles:
        query |= Q(**{f"{prefix}organization__in": _object_ids(user, Role.ORG_LEADER, "organization")})
    return query


def may_act_for_unit(user, action: Action, unit: Unit) -> bool:
    """The same rule as `unit_scope_q`, for one unit (checked before an extract exists)."""
    roles = roles_of(user) & allowed_roles(Resource.SERVICE_RECORD, action)
    if Role.PLATFORM_ADMIN in roles:
        return True
    if any(low <= unit.region.code <= high for low, high in region_ranges(user, roles)):
        return True
    return (unit.organization is not None and Role.ORG_LEADER in roles
            and unit.organization.pk in _object_ids(user, Role.ORG_LEADER, "organization"))
