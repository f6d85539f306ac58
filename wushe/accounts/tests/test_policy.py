import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from wushe.accounts.policy import Action, Resource, can, get_object_for, regions_for, restrict
from wushe.audit.models import AuditEvent
from wushe.people.models import Resident

pytestmark = pytest.mark.django_db


def test_street_officer_sees_residents_of_whole_street_only(world):
    inside = Resident.objects.create(region=world.community2, name="甲")
    outside = Resident.objects.create(region=world.other_community, name="乙")
    visible = set(restrict(world.street_officer, Resource.RESIDENT, Resident.objects.all()))
    assert inside in visible and outside not in visible


def test_community_staff_does_not_see_neighbouring_community(world):
    neighbour = Resident.objects.create(region=world.community2, name="丙")
    assert not can(world.community_staff, Action.VIEW, Resource.RESIDENT, neighbour)


def test_outsider_gets_404_and_denial_is_logged(world):
    resident = world.objects["resident"]
    with pytest.raises(Http404):
        get_object_for(world.outsider, Resource.RESIDENT, Resident.objects.all(), public_id=resident.public_id)
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.DENIED, actor=world.outsider).exists()


def test_read_only_role_gets_403_on_change(world):
    resident = world.objects["resident"]
    with pytest.raises(PermissionDenied):
        get_object_for(world.district_officer, Resource.RESIDENT, Resident.objects.all(),
                       action=Action.CHANGE, public_id=resident.public_id)


def test_resident_sees_only_self(world):
    Resident.objects.create(region=world.community, name="邻居")
    assert list(restrict(world.resident, Resource.RESIDENT, Resident.objects.all())) == [world.objects["resident"]]


def test_regions_for_picker_is_the_subtree(world):
    codes = set(regions_for(world.street_officer, Resource.RESIDENT).values_list("code", flat=True))
    assert world.community.code in codes and world.other_community.code not in codes
    assert world.district.code not in codes


def test_platform_admin_is_unrestricted(world):
    Resident.objects.create(region=world.other_community, name="丁")
    assert restrict(world.admin, Resource.RESIDENT, Resident.objects.all()).count() == 2
