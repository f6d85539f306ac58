"""A resident who is a member of a group sees it before attending any session; others do not."""

import pytest

from wushe.accounts.policy import Resource, restrict
from wushe.activities.models import Activity

from .group_factories import add_member, make_group

pytestmark = pytest.mark.django_db


def test_member_resident_sees_their_group_and_a_non_member_does_not(world):
    group = make_group(world)
    visible = lambda: restrict(world.resident, Resource.ACTIVITY, Activity.objects.all())  # noqa: E731
    assert group.activity not in visible()
    add_member(group, world.objects["resident"])
    assert group.activity in visible()
