"""Application pages: permissions over every persona, the section-by-section form (HTMX saves, examples,
progress), submit refused with every broken rule then accepted, and list query counts."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from wushe.projects.models import Project, ProjectStatus, ReviewerAssignment
from wushe.projects.services import applications as services
from wushe.projects.views.applications import EXAMPLES
from wushe.testing.personas import ALL_PERSONAS

from .factories import make_org, make_project, make_round
from .test_rounds_services import open_round_dates

pytestmark = pytest.mark.django_db

# Who may do what with an application of 将台银龄互助队 in 将台社区, led by 李社工 (the world's worker).
VIEWERS = {"admin", "district_officer", "street_officer", "station_staff", "community_staff", "social_worker",
           "supervisor", "org_leader"}
CHANGERS = {"admin", "community_staff", "social_worker", "org_leader"}
# Hold a role that may list projects somewhere (an unassigned expert and the outsider see an empty list).
LISTERS = VIEWERS | {"expert_reviewer", "outsider"}
# May start an application: an organization to act for and a community of the round to coordinate it.
CREATORS = {"admin", "community_staff", "org_leader"}


def expected(persona, *, change=False, ok=200):
    if persona in (CHANGERS if change else VIEWERS):
        return ok
    return 403 if persona in VIEWERS else 404


@pytest.fixture
def funding_round(world):
    return make_round(world, **open_round_dates())


@pytest.fixture
def project(world, funding_round):
    return make_project(world, funding_round, contact_phone="13912345678")


def url(name, project, *extra):
    return reverse(f"projects:{name}", args=[project.public_id, *extra])


# Permissions over every persona -----------------------------------------------------------------------------


def test_list_permissions(client_for, project):
    for persona in ALL_PERSONAS:
        response = client_for(persona).get(reverse("projects:project_list"))
        assert response.status_code == (200 if persona in LISTERS else 403), persona
        if response.status_code == 200:
            assert (project.title in response.content.decode()) == (persona in VIEWERS), persona


def test_detail_and_edit_permissions(client_for, project):
    for persona in ALL_PERSONAS:
        client = client_for(persona)
        assert client.get(url("project_detail", project)).status_code == expected(persona), persona
        assert client.get(url("application_edit", project)).status_code == expected(persona, change=True), persona
        assert client.get(url("application_section", project, "basic")).status_code == expected(
            persona, change=True), persona


def test_section_save_permissions(client_for, world, funding_round):
    for persona in ALL_PERSONAS:
        project = make_project(world, funding_round)
        response = client_for(persona).post(url("application_section", project, "plan"),
                                            {"objectives": "每周探访43位老人", "save": "1"})
        assert response.status_code == expected(persona, change=True, ok=302), persona
        project.refresh_from_db()
        assert (project.objectives == "每周探访43位老人") == (persona in CHANGERS), persona


def test_submit_permissions(client_for, world, funding_round):
    for persona in ALL_PERSONAS:
        project = make_project(world, funding_round, title=f"{persona}的申报")
        response = client_for(persona).post(url("application_submit", project))
        assert response.status_code == expected(persona, change=True, ok=302), persona
        project.refresh_from_db()
        assert (project.status == ProjectStatus.SUBMITTED) == (persona in CHANGERS), persona


def test_withdraw_permissions(client_for, world, funding_round):
    for persona in ALL_PERSONAS:
        project = make_project(world, funding_round, status=ProjectStatus.SUBMITTED)
        response = client_for(persona).post(url("application_withdraw", project), {"reason": "补充材料"})
        assert response.status_code == expected(persona, change=True, ok=302), persona
        project.refresh_from_db()
        assert (project.status == ProjectStatus.DRAFT) == (persona in CHANGERS), persona


def test_void_permissions(client_for, world, funding_round):
    for persona in ALL_PERSONAS:
        project = make_project(world, funding_round)
        response = client_for(persona).post(url("application_void", project), {"reason": "重复创建"})
        assert response.status_code == expected(persona, change=True, ok=302), persona
        project.refresh_from_db()
        assert project.is_voided == (persona in CHANGERS), persona


def test_create_permissions(client_for, funding_round):
    for persona in ALL_PERSONAS:
        response = client_for(persona).get(reverse("projects:application_create", args=[funding_round.public_id]))
        assert response.status_code == (200 if persona in CREATORS else 403), persona


def test_outsider_gets_404_on_a_project_of_another_street(client_for, world):
    other_round = make_round(world, region=world.other_street, **open_round_dates())
    other_org = make_org(world, "枣营书画社", region=world.other_community)
    project = make_project(world, other_round, applicant=other_org, implementer=other_org,
                           region=world.other_community, lead_worker=None)
    assert client_for("outsider").get(url("project_detail", project)).status_code == 200
    assert client_for("community_staff").get(url("project_detail", project)).status_code == 404
    assert client_for("org_leader").get(url("application_edit", project)).status_code == 404


def test_expert_reviewer_sees_only_assigned_projects(client_for, world, funding_round, project):
    other = make_project(world, funding_round, title="没有分给这位专家的项目")
    ReviewerAssignment.objects.create(project=project, reviewer=world.expert_reviewer)
    client = client_for("expert_reviewer")
    assert client.get(url("project_detail", project)).status_code == 200
    assert client.get(url("project_detail", other)).status_code == 404
    assert client.get(url("application_edit", project)).status_code == 403
    body = client.get(reverse("projects:project_list")).content.decode()
    assert project.title in body and other.title not in body


def test_a_closed_round_redirects_the_apply_link_with_a_message(client_for, world):
    funding_round = make_round(world, status="review")
    response = client_for("org_leader").get(reverse("projects:application_create", args=[funding_round.public_id]),
                                            follow=True)
    assert str(services.MSG_ROUND_NOT_ACCEPTING) in response.content.decode()


# The read view ----------------------------------------------------------------------------------------------


def test_detail_puts_the_three_party_pairing_first_with_the_eligibility_panel(client_for, project):
    body = client_for("station_staff").get(url("project_detail", project)).content.decode()
    pairing = body[body.index('data-testid="pairing"'):]
    for text in ("将台银龄互助队", "李社工", "助理社会工作师", "将台社区"):
        assert text in pairing[:2000]
    assert body.count('data-rule="') == 12
    assert 'data-passed="0"' not in body
    assert "修改记录" in body
    assert "13912345678" in body  # station staff may see identity on projects


def test_contact_phone_is_masked_for_the_supervisor(client_for, project):
    body = client_for("supervisor").get(url("project_detail", project)).content.decode()
    assert "139****5678" in body and "13912345678" not in body
    assert "修改记录" not in body  # no HISTORY for supervisors
    assert "13912345678" in client_for("org_leader").get(url("project_detail", project)).content.decode()


def test_read_only_viewers_get_no_edit_buttons(client_for, project):
    assert 'data-testid="edit"' not in client_for("station_staff").get(url("project_detail", project)).content.decode()
    assert 'data-testid="edit"' in client_for("org_leader").get(url("project_detail", project)).content.decode()


# Filling in on a phone ----------------------------------------------------------------------------------------


def test_org_leader_starts_a_draft_and_lands_on_the_first_section(client_for, world, funding_round):
    organization = world.objects["organization"]
    response = client_for("org_leader").post(
        reverse("projects:application_create", args=[funding_round.public_id]),
        {"title": "楼道花园 · 居民自管", "applicant": organization.public_id, "applicant_type": "",
         "region": world.community.code})
    project = Project.objects.get(title="楼道花园 · 居民自管")
    assert response.status_code == 302
    assert response.url == url("application_section", project, "basic")
    assert project.applicant_type == "resident_led_org"


@pytest.mark.parametrize("section", services.SECTION_KEYS)
def test_every_field_shows_a_worked_example(client_for, project, section):
    body = client_for("org_leader").get(url("application_section", project, section)).content.decode()
    for name in services.section_for(section).fields:
        assert f'data-testid="example-{name}"' in body, name
        assert str(EXAMPLES[name])[:12] in body, name


def test_need_example_is_concrete(client_for, project):
    body = client_for("org_leader").get(url("application_section", project, "indicators")).content.decode()
    assert "社区现有80岁以上独居老人43位，问卷显示六成希望每周有人上门探访" in body


def test_htmx_save_updates_the_section_and_the_progress_in_place(client_for, world, funding_round):
    project = make_project(world, funding_round, need_statement="", org_growth="", worker_capacity="")
    response = client_for("org_leader").post(
        url("application_section", project, "indicators"),
        {"need_statement": "社区现有80岁以上独居老人43位。", "org_growth": "建立理事会。", "worker_capacity": "练习督导。",
         "save": "1"}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="saved"' in body
    assert 'id="progress" hx-swap-oob="true"' in body
    assert "<html" not in body
    project.refresh_from_db()
    assert project.need_statement == "社区现有80岁以上独居老人43位。"


def test_htmx_save_and_continue_goes_to_the_next_section(client_for, project):
    response = client_for("org_leader").post(url("application_section", project, "basic"), {
        "title": project.title, "applicant": project.applicant.public_id, "applicant_type": project.applicant_type,
        "implementer": project.implementer.public_id, "lead_worker": project.lead_worker.public_id,
        "region": project.region.code, "contact_name": "薛阿姨", "contact_phone": "13800001234",
        "project_type": project.project_type, "scope": project.scope, "content": project.content,
        "summary": project.summary, "next": "1"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert response["HX-Redirect"] == url("application_section", project, "indicators")
    project.refresh_from_db()
    assert project.contact_phone == "13800001234"


def test_plain_post_of_the_last_section_goes_to_the_hub(client_for, project):
    response = client_for("org_leader").post(url("application_section", project, "budget"), {
        "requested_amount": "9000", "self_raised_amount": "900", "duration_months": "6",
        "starts_on": "2026-03-01", "ends_on": "2026-08-31", "other_funding": "无", "next": "1"})
    assert response.status_code == 302 and response.url == url("application_edit", project)
    project.refresh_from_db()
    assert str(project.requested_amount) == "9000.00"


def test_a_service_error_is_shown_on_its_field(client_for, project):
    response = client_for("org_leader").post(url("application_section", project, "budget"), {
        "starts_on": "2026-05-01", "ends_on": "2026-04-01", "save": "1"})
    assert response.status_code == 200
    assert str(services.MSG_DATES_ORDER) in response.content.decode()


def test_unknown_section_is_404(client_for, project):
    assert client_for("org_leader").get(url("application_section", project, "appendix")).status_code == 404


def test_the_hub_shows_progress_and_eligibility(client_for, world, funding_round):
    project = make_project(world, funding_round, requested_amount=None)
    body = client_for("org_leader").get(url("application_edit", project)).content.decode()
    assert 'data-testid="progress"' in body
    assert "已完成 1 / 5 部分" in body  # only the three indicators are all there
    assert str(services.MSG_ELIG_AMOUNT_MISSING) in body
    assert url("application_section", project, "budget") in body


def test_submit_is_refused_with_every_broken_rule_then_accepted(client_for, world, funding_round):
    project = make_project(world, funding_round, requested_amount=None, summary="")
    client = client_for("org_leader")
    response = client.post(url("application_submit", project), follow=True)
    body = response.content.decode()
    assert response.redirect_chain[-1][0] == url("application_edit", project)
    assert str(services.MSG_SUBMIT_REFUSED) in body
    assert "申报书尚未填写：项目概述。" in body
    assert str(services.MSG_ELIG_AMOUNT_MISSING) in body
    project.refresh_from_db()
    assert project.status == ProjectStatus.DRAFT
    client.post(url("application_section", project, "basic") + "", {
        "title": project.title, "applicant": project.applicant.public_id, "applicant_type": project.applicant_type,
        "implementer": project.implementer.public_id, "lead_worker": project.lead_worker.public_id,
        "region": project.region.code, "contact_name": "薛阿姨", "project_type": project.project_type,
        "scope": project.scope, "content": project.content, "summary": "骨干志愿者结对探访高龄独居老人。"})
    client.post(url("application_section", project, "budget"), {
        "requested_amount": "8000", "self_raised_amount": "800", "duration_months": "6",
        "starts_on": "2026-03-01", "ends_on": "2026-08-31"})
    response = client.post(url("application_submit", project))
    assert response.status_code == 302 and response.url == url("project_detail", project)
    project.refresh_from_db()
    assert project.status == ProjectStatus.SUBMITTED


def test_a_submitted_application_sends_editors_to_the_read_view(client_for, world, funding_round):
    project = make_project(world, funding_round, status=ProjectStatus.SUBMITTED)
    response = client_for("org_leader").get(url("application_section", project, "basic"))
    assert response.status_code == 302 and response.url == url("project_detail", project)


# Lists ------------------------------------------------------------------------------------------------------


def test_list_filters_by_round_status_community_type_and_search(client_for, world, funding_round, project):
    other_round = make_round(world, title="2026年公益创投", **open_round_dates())
    neighbours = make_org(world, "丽都睦邻会", region=world.community2)
    make_project(world, other_round, title="楼道花园", project_type="self_governance", region=world.community2,
                 applicant=neighbours, implementer=neighbours, status=ProjectStatus.SUBMITTED)
    client = client_for("street_officer")

    def titles(**params):
        body = client.get(reverse("projects:project_list"), params, HTTP_HX_REQUEST="true").content.decode()
        return {t for t in ("高龄老人探访", "楼道花园") if t in body}

    assert titles() == {"高龄老人探访", "楼道花园"}
    assert titles(round=other_round.public_id) == {"楼道花园"}
    assert titles(status="submitted") == {"楼道花园"}
    assert titles(community=world.community.code) == {"高龄老人探访"}
    assert titles(type="community_care") == {"高龄老人探访"}
    assert titles(q="ldhy") == {"楼道花园"}
    assert titles(q="将台银龄") == {"高龄老人探访"}  # the applicant's name


def _list_queries(client, path) -> int:
    with CaptureQueriesContext(connection) as context:
        assert client.get(path).status_code == 200
    return len(context)


@pytest.mark.parametrize("persona", ["community_staff", "org_leader"])
def test_list_query_count_does_not_grow_with_rows(client_for, world, funding_round, persona,
                                                  django_assert_max_num_queries):
    client = client_for(persona)
    path = reverse("projects:project_list")
    for i in range(3):
        make_project(world, funding_round, title=f"项目{i}")
    few = _list_queries(client, path)
    for i in range(3, 30):
        make_project(world, funding_round, title=f"项目{i}")
    with django_assert_max_num_queries(few):
        client.get(path)
    with django_assert_max_num_queries(14):
        client.get(path)
