"""The importable kinds, one spec each (see base.py for how a spec is driven)."""

from django.http import Http404

from wushe.imports.models import ImportKind

from .base import ImportSpec
from .organizations import OrganizationSpec
from .regions import RegionSpec
from .residents import ResidentSpec
from .social_workers import SocialWorkerSpec
from .volunteers import VolunteerSpec

SPECS: dict[str, ImportSpec] = {
    spec.kind: spec for spec in (ResidentSpec(), OrganizationSpec(), SocialWorkerSpec(), VolunteerSpec(),
                                 RegionSpec())
}
assert set(SPECS) == set(ImportKind.values)


def spec_for(kind: str) -> ImportSpec:
    """The spec of a kind named in a URL or form; unknown kinds are 404."""
    try:
        return SPECS[ImportKind(kind)]
    except (KeyError, ValueError):
        raise Http404


__all__ = ["SPECS", "ImportSpec", "spec_for"]
