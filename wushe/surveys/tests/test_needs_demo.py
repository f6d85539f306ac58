"""The demo needs register (`wushe.surveys.demo_needs`) on the demo district."""

import random

import pytest
from django.core.management import call_command
from django.db.models import Count

from wushe.core import demo as core_demo
from wushe.surveys import demo_needs
from wushe.surveys.models import Engagement, Need, NeedProjectLink
from wushe.surveys.selectors.needs import uncovered_q

pytestmark = pytest.mark.django_db


def test_seed_needs_builds_a_register_per_community_once_and_purges():
    call_command("seed_demo", "--residents", "120")
    if not Engagement.objects.filter(title=demo_needs.MARKER_TITLE).exists():  # until core.demo calls it
        assert demo_needs.seed_needs(rng=random.Random(7)) is not None
    assert demo_needs.seed_needs() is None

    per_community = dict(Need.objects.values_list("region__code").annotate(n=Count("pk")))
    assert len(per_community) >= 20
    assert all(8 <= n <= 15 for n in per_community.values())
    assert Need.objects.values("category").distinct().count() >= 10
    assert Need.objects.filter(status="met").exists()
    assert NeedProjectLink.objects.active().exists()
    assert Need.objects.filter(uncovered_q()).count() > len(per_community)
    for engagement in Engagement.objects.all():
        assert engagement.needs.exists()
        assert set(engagement.needs.values_list("source", flat=True)) == {engagement.kind}
    home = Engagement.objects.get(title=demo_needs.MARKER_TITLE).region
    assert NeedProjectLink.objects.filter(need__region=home).count() >= 2

    demo_needs.purge_needs(core_demo.FRINGE[0], core_demo.CENTRE[0][:9] + "999")
    assert not Need.objects.exists() and not Engagement.objects.exists()
    assert not NeedProjectLink.objects.exists() and not Need.history.exists() and not Engagement.history.exists()
