"""Needs register pages: the register, a need, linking, the uncovered view, the project card, permissions."""

import pytest
from django.urls import reverse

from wushe.projects.models import ProjectStatus
from wushe.projects.tests.factories import make_project
from wushe.surveys.models import Need, NeedProjectLink, NeedStatus
from wushe.surveys.services import needs as services

from .needs_factories import DAY, make_need

pytestmark = pytest.mark.django_db


@pytest.fixture
def project(world):
    return make_project(world, status=ProjectStatus.IN_PROGRESS)


@pytest.fixture
def need(world):
    return make_need(world, evidence="问卷中 62.5% 的老年受访者选择此项")


def detail_url(need):
    return reverse("surveys:need_detail", args=[need.public_id])


def record_urls(need, project):
    return [reverse(name, args=[need.public_id]) for name in (
        "surveys:need_detail", "surveys:need_edit", "surveys:need_mark_met", "surveys:need_reopen",
        "surveys:need_void", "surveys:need_link_project")] + [
        reverse("surveys:need_unlink_project", args=[need.public_id, project.public_id])]


@pytest.mark.parametrize("persona", ["outsider", "resident", "volunteer", "expert_reviewer"])
def test_record_pages_are_404_for_who_may_not_see_the_need(world, client_for, need, project, persona):
    services.need_link_project(actor=world.street_officer, need=need, project=project)
    client = client_for(persona)
    for url in record_urls(need, project):
        response = client.post(url, {"reason": "x", "project": str(project.public_id)}) if "detail" not in url \
            else client.get(url)
        assert response.status_code == 404, url
    assert NeedProjectLink.objects.active().filter(need=need).count() == 1


@pytest.mark.parametrize("persona", ["resident", "volunteer", "expert_reviewer"])
def test_list_pages_are_403_for_residents_and_volunteers(client_for, persona):
    client = client_for(persona)
    for name in ("surveys:need_list", "surveys:need_create", "surveys:need_uncovered"):
        assert client.get(reverse(name)).status_code == 403


def test_outsider_gets_404_for_the_uncovered_view_of_another_street(world, client_for):
    response = client_for("outsider").get(reverse("surveys:need_uncovered"), {"region": world.street.code})
    assert response.status_code == 404


def test_leader_sees_the_need_but_may_not_edit_it(world, client_for, need):
    client = client_for("org_leader")
    assert client.get(detail_url(need)).status_code == 200
    assert client.get(reverse("surveys:need_edit", args=[need.public_id])).status_code == 403
    assert client.post(reverse("surveys:need_void", args=[need.public_id]), {"reason": "x"}).status_code == 403
    assert client.get(reverse("surveys:need_create")).status_code == 403


def test_leader_sees_only_their_communities(world, client_for, need):
    make_need(world, region=world.community2, title="丽都社区慢病随访")
    response = client_for("org_leader").get(reverse("surveys:need_list"))
    assert response.status_code == 200
    assert need.title in response.content.decode()
    assert "丽都社区慢病随访" not in response.content.decode()


def test_register_lists_filters_and_htmx_rows(world, client_for, need, django_assert_max_num_queries):
    make_need(world, region=world.community2, title="社区慢病随访", category="health")
    client = client_for("street_officer")
    page = client.get(reverse("surveys:need_list"), {"category": "health"}).content.decode()
    assert "社区慢病随访" in page and need.title not in page
    for index in range(5):
        make_need(world, title=f"需求{index}")
    client.get(reverse("surveys:need_list"))
    with django_assert_max_num_queries(9):
        response = client.get(reverse("surveys:need_list"), HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert "<html" not in body and body.count('data-testid="need-row"') == 7


def test_create_and_edit_through_the_pages(world, client_for):
    client = client_for("community_staff")
    response = client.post(reverse("surveys:need_create"), {
        "region": world.community.code, "title": "流动儿童课后托管", "category": "children", "source": "meeting",
        "priority": "high", "identified_on": "2026-03-01", "population_group": "migrant_children",
        "evidence": "家长会上 12 位家长提出"})
    need = Need.objects.get(title="流动儿童课后托管")
    assert response.status_code == 302 and response["Location"] == detail_url(need)
    assert need.population_group.code == "migrant_children" and need.created_by == world.community_staff
    response = client.post(reverse("surveys:need_edit", args=[need.public_id]), {
        "region": world.community.code, "title": "流动儿童暑期托管", "category": "children", "source": "meeting",
        "priority": "medium", "identified_on": "2026-03-01"})
    need.refresh_from_db()
    assert response.status_code == 302 and need.title == "流动儿童暑期托管" and need.population_group is None


def test_create_in_another_community_shows_the_error(world, client_for):
    response = client_for("community_staff").post(reverse("surveys:need_create"), {
        "region": world.community2.code, "title": "x", "category": "children", "source": "meeting",
        "priority": "high", "identified_on": "2026-03-01"})
    assert response.status_code == 200 and not Need.objects.exists()


def test_detail_shows_evidence_links_and_history(world, client_for, need, project):
    services.need_link_project(actor=world.street_officer, need=need, project=project, note="主要内容")
    page = client_for("community_staff").get(detail_url(need)).content.decode()
    assert "62.5%" in page and project.title in page and 'data-testid="met-form"' in page
    assert "修改记录" in page
    leader_page = client_for("org_leader").get(detail_url(need)).content.decode()
    assert "修改记录" not in leader_page  # organization leaders have no HISTORY on needs
    assert 'data-testid="met-form"' not in leader_page


def test_link_mark_met_reopen_unlink_through_the_pages(world, client_for, need, project):
    client = client_for("social_worker")
    page = client.get(detail_url(need)).content.decode()
    assert 'data-testid="link-form"' in page and str(project.public_id) in page
    response = client.post(reverse("surveys:need_link_project", args=[need.public_id]),
                           {"project": str(project.public_id), "note": "回应"})
    assert response.status_code == 302
    need.refresh_from_db()
    assert need.status == NeedStatus.ANSWERED
    # The same project again: refused with the message.
    response = client.post(reverse("surveys:need_link_project", args=[need.public_id]),
                           {"project": str(project.public_id)}, follow=True)
    assert str(services.MSG_LINK_DUPLICATE) in response.content.decode()
    client.post(reverse("surveys:need_mark_met", args=[need.public_id]), {"met_on": DAY.isoformat(), "note": "已满足"})
    need.refresh_from_db()
    assert need.status == NeedStatus.MET
    client.post(reverse("surveys:need_reopen", args=[need.public_id]), {"reason": "复查"})
    need.refresh_from_db()
    assert need.status == NeedStatus.ANSWERED
    client.post(reverse("surveys:need_unlink_project", args=[need.public_id, project.public_id]), {"reason": "调整"})
    need.refresh_from_db()
    assert need.status == NeedStatus.OPEN


def test_leader_link_form_offers_only_own_projects_and_links_them(world, client_for, need, project):
    make_project(world, status=ProjectStatus.IN_PROGRESS, region=world.community2, title="丽都项目")
    client = client_for("org_leader")
    page = client.get(detail_url(need)).content.decode()
    assert project.title in page and "丽都项目" not in page
    client.post(reverse("surveys:need_link_project", args=[need.public_id]), {"project": str(project.public_id)})
    assert NeedProjectLink.objects.active().filter(need=need, project=project).exists()


def test_void_through_the_page(world, client_for, need):
    client_for("street_officer").post(reverse("surveys:need_void", args=[need.public_id]), {"reason": "重复"})
    need.refresh_from_db()
    assert need.is_voided


def test_uncovered_page_for_street_and_community(world, client_for, need, project):
    linked = make_need(world, title="已有项目回应的需求")
    services.need_link_project(actor=world.street_officer, need=linked, project=project)
    make_need(world, region=world.community2, title="丽都社区老年餐桌", priority="high")
    page = client_for("street_officer").get(reverse("surveys:need_uncovered"),
                                            {"region": world.street.code}).content.decode()
    assert page.count('data-testid="community-row"') == 3
    assert page.count('data-testid="uncovered-need"') == 2
    assert "丽都社区老年餐桌" in page and "已有项目回应的需求" not in page.split('id="list-title"')[1]
    page = client_for("community_staff").get(reverse("surveys:need_uncovered")).content.decode()
    assert page.count('data-testid="community-row"') == 1 and "丽都社区老年餐桌" not in page


def test_project_page_shows_the_needs_it_answers(world, client_for, need, project):
    services.need_link_project(actor=world.street_officer, need=need, project=project)
    url = reverse("projects:project_detail", args=[project.public_id])
    page = client_for("org_leader").get(url).content.decode()
    assert 'data-testid="project-needs"' in page and need.title in page
    unlinked = make_project(world, status=ProjectStatus.IN_PROGRESS, title="没有关联需求的项目")
    page = client_for("street_officer").get(
        reverse("projects:project_detail", args=[unlinked.public_id])).content.decode()
    assert 'data-testid="project-needs"' in page and 'data-testid="project-need"' not in page


def test_project_card_is_hidden_from_who_never_sees_needs(world, client_for, need):
    # The supervisor sees the worker's projects, not the needs register.
    project = make_project(world, status=ProjectStatus.UNDER_REVIEW)
    services.need_link_project(actor=world.street_officer, need=need, project=project)
    page = client_for("supervisor").get(reverse("projects:project_detail", args=[project.public_id]))
    assert page.status_code == 200
    assert 'data-testid="project-needs"' not in page.content.decode()


def test_project_page_links_a_need_of_its_area(world, client_for, need, project):
    """The applicant (org leader) answers a need of the community from the project page itself."""
    elsewhere = make_need(world, actor=world.street_officer, region=world.community2, title="丽都社区的需求")
    client = client_for("org_leader")
    page = client.get(reverse("projects:project_detail", args=[project.public_id])).content.decode()
    assert 'data-testid="project-need-link"' in page and need.title in page
    assert elsewhere.title not in page  # another community's need is not offered
    url = reverse("surveys:project_need_link", args=[project.public_id])
    response = client.post(url, {"need": str(need.public_id), "note": "项目为高龄老人每周送餐三次"})
    assert response.status_code == 302 and response["Location"].endswith("#project-needs")
    need.refresh_from_db()
    assert need.status == NeedStatus.ANSWERED
    assert NeedProjectLink.objects.active().get(need=need).note == "项目为高龄老人每周送餐三次"
    # not offered any more, and a need of another community is refused
    page = client.get(reverse("projects:project_detail", args=[project.public_id])).content.decode()
    assert 'data-testid="project-need-link"' not in page
    client.post(url, {"need": str(elsewhere.public_id)})
    assert not NeedProjectLink.objects.filter(need=elsewhere).exists()


def test_project_need_link_is_404_for_who_may_not_see_the_project(world, client_for, need, project):
    url = reverse("surveys:project_need_link", args=[project.public_id])
    assert client_for("outsider").post(url, {"need": str(need.public_id)}).status_code == 404
    assert not NeedProjectLink.objects.exists()
