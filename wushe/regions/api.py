from datetime import date

from django.shortcuts import get_object_or_404
from ninja import Router, Schema
from ninja.pagination import paginate

from wushe.accounts.policy import Resource, get_object_for

from .models import Region
from .selectors import region_list

router = Router(tags=["regions"])


class RegionOut(Schema):
    code: str
    name: str
    level: int
    parent_code: str | None
    urban_rural_class: str
    revoked_on: date | None

    @staticmethod
    def resolve_parent_code(obj):
        return obj.parent.code if obj.parent_id else None


@router.get("/", response=list[RegionOut], summary="List regions")
@paginate
def list_regions(request, q: str = "", level: int | None = None, within: str | None = None,
                 include_revoked: bool = False):
    root = get_object_or_404(Region, code=within) if within else None
    return region_list(request.user, query=q, level=level, within=root, include_revoked=include_revoked)


@router.get("/{code}", response=RegionOut, summary="One region")
def get_region(request, code: str):
    return get_object_for(request.user, Resource.REGION, Region.objects.select_related("parent"), code=code)
