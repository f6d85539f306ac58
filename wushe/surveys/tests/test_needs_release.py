"""A project that is not approved or is terminated stops answering its needs."""

import pytest

from wushe.projects.models import ProjectStatus
from wushe.projects.states import project_transition
from wushe.projects.tests.factories import make_project
from wushe.surveys.models import NeedStatus
from wushe.surveys.services import needs as services

from .needs_factories import make_need

pytestmark = pytest.mark.django_db


def test_terminated_project_releases_its_needs(world):
    project = make_project(world, status=ProjectStatus.IN_PROGRESS)
    other = make_project(world, status=ProjectStatus.IN_PROGRESS, title="另一个项目")
    alone, shared = make_need(world, title="助餐"), make_need(world, title="课后托管")
    services.need_link_project(actor=world.street_officer, need=alone, project=project)
    services.need_link_project(actor=world.street_officer, need=shared, project=project)
    services.need_link_project(actor=world.street_officer, need=shared, project=other)
    project_transition(actor=world.street_officer, project=project, to=ProjectStatus.TERMINATED, reason="实施方解散")
    alone.refresh_from_db()
    shared.refresh_from_db()
    assert alone.status == NeedStatus.OPEN  # uncovered again
    assert shared.status == NeedStatus.ANSWERED  # the other project still answers it
    link = alone.project_links.get()
    assert link.voided_at is not None and link.void_reason == "实施方解散"
    assert not project.need_links.active().exists()


def test_other_transitions_keep_the_links(world):
    project = make_project(world, status=ProjectStatus.IN_PROGRESS)
    need = make_need(world)
    services.need_link_project(actor=world.street_officer, need=need, project=project)
    project_transition(actor=world.street_officer, project=project, to=ProjectStatus.FINAL_REVIEW)
    need.refresh_from_db()
    assert need.status == NeedStatus.ANSWERED and project.need_links.active().count() == 1
