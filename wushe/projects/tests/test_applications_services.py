"""Applications: creating a draft, saving it section by section, submitting (refused, then accepted),
withdrawing and voiding — through the services the pages and the API use."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from wushe.accounts.policy import Action, Resource, can
from wushe.core.identity import MSG_PHONE_INVALID
from wushe.projects.models import ApplicantType, Project, ProjectStatus, ReviewerAssignment, RoundStatus
from wushe.projects.selectors import projects as selectors
from wushe.projects.services import applications as services
from wushe.projects.services import rounds as round_services
from wushe.volunteers.models import Volunteer
from wushe.workforce.models import SocialWorker

from .factories import make_org, make_project, make_round
from .test_rounds_services import open_round_dates

pytestmark = pytest.mark.django_db


@pytest.fixture
def funding_round(world):
    return make_round(world, **open_round_dates())


def start(world, funding_round, actor="org_leader", **fields):
    fields.setdefault("title", "银龄互助 · 高龄独居老人每周探访")
    fields.setdefault("applicant", world.objects["organization"])
    fields.setdefault("region", world.community)
    return services.application_create(actor=world.users[actor], funding_round=funding_round, **fields)


def fill_everything(world, project, actor="org_leader"):
    """What an applicant enters over several sittings (the factory's complete application)."""
    complete = make_project(world, project.funding_round, title="参照")
    fields = {name: getattr(complete, name) for name in services.APPLICATION_FIELDS
              if name not in ("volunteers", "applicant", "region", "title")}
    fields["contact_phone"] = "13800001234"
    return services.application_update(actor=world.users[actor], project=project, **fields)


# Creating a draft -------------------------------------------------------------------------------------------


def test_org_leader_starts_a_draft_for_their_organization(world, funding_round):
    project = start(world, funding_round)
    assert project.status == ProjectStatus.DRAFT
    assert project.implementer == world.objects["organization"]  # the applicant implements unless told otherwise
    assert project.applicant_type == ApplicantType.RESIDENT_LED_ORG  # guessed from the organization's kind
    assert project.created_by == world.org_leader
    assert "yinling" in project.search_text
    assert project.history.first().history_user == world.org_leader


def test_community_staff_start_a_draft_for_an_organization_of_their_community(world, funding_round):
    project = start(world, funding_round, actor="community_staff")
    assert can(world.community_staff, Action.CHANGE, Resource.PROJECT, project)


def test_org_leader_cannot_apply_for_another_organization(world, funding_round):
    other = make_org(world, "丽都睦邻会", region=world.community2)
    with pytest.raises(PermissionDenied):
        start(world, funding_round, applicant=other)


def test_community_staff_cannot_coordinate_from_another_community(world, funding_round):
    with pytest.raises(PermissionDenied):
        start(world, funding_round, actor="community_staff", region=world.community2)
    assert not Project.objects.exists()


@pytest.mark.parametrize("persona", ["street_officer", "station_staff", "social_worker", "expert_reviewer",
                                     "resident", "outsider"])
def test_others_cannot_start_an_application_for_the_organization(world, funding_round, persona):
    with pytest.raises(PermissionDenied):
        start(world, funding_round, actor=persona)


def test_a_closed_round_takes_no_new_drafts(world):
    funding_round = make_round(world, status=RoundStatus.REVIEW)
    with pytest.raises(ValidationError) as exc_info:
        start(world, funding_round)
    assert exc_info.value.messages == [str(services.MSG_ROUND_NOT_ACCEPTING)]


def test_the_community_must_belong_to_the_round(world):
    funding_round = make_round(world, region=world.other_street, **open_round_dates())
    with pytest.raises(ValidationError) as exc_info:
        start(world, funding_round)
    assert exc_info.value.message_dict["region"] == [str(services.MSG_COMMUNITY_OUTSIDE_ROUND)]


# Saving section by section ----------------------------------------------------------------------------------


def test_a_draft_is_saved_in_parts_and_resumed(world, funding_round):
    project = start(world, funding_round)
    services.application_update(actor=world.org_leader, project=project,
                                need_statement="社区现有80岁以上独居老人43位，六成希望每周有人上门探访。")
    resumed = Project.objects.get(pk=project.pk)
    assert resumed.need_statement.startswith("社区现有80岁以上独居老人43位")
    assert resumed.title == "银龄互助 · 高龄独居老人每周探访"
    services.application_update(actor=world.org_leader, project=resumed, requested_amount=Decimal("8000"))
    resumed = Project.objects.get(pk=project.pk)
    assert resumed.requested_amount == Decimal("8000")
    assert resumed.need_statement.startswith("社区现有80岁以上独居老人43位")
    assert [h.history_user for h in resumed.history.all()[:2]] == [world.org_leader, world.org_leader]


def test_progress_counts_the_completed_sections(world, funding_round):
    project = start(world, funding_round)
    progress = {s["key"]: s["complete"] for s in services.section_progress(project)}
    assert progress == {"basic": False, "indicators": False, "plan": False, "volunteers": False, "budget": False}
    fill_everything(world, project)
    services.application_update(actor=world.org_leader, project=project, beneficiaries="43位高龄独居老人",
                                resources_plan="卫生服务站上门体检", volunteers_plan="两人一组结对")
    assert all(s["complete"] for s in services.section_progress(project))


def test_a_submitted_application_cannot_be_edited(world, funding_round):
    project = make_project(world, funding_round, status=ProjectStatus.SUBMITTED)
    with pytest.raises(ValidationError) as exc_info:
        services.application_update(actor=world.org_leader, project=project, title="改名")
    assert exc_info.value.messages == [str(services.MSG_NOT_EDITABLE)]


@pytest.mark.parametrize("persona", ["station_staff", "street_officer", "supervisor"])
def test_read_only_roles_cannot_save(world, funding_round, persona):
    project = make_project(world, funding_round)
    with pytest.raises(PermissionDenied):
        services.application_update(actor=world.users[persona], project=project, title="改名")


@pytest.mark.parametrize(("fields", "field", "message"), [
    ({"contact_phone": "12345"}, "contact_phone", MSG_PHONE_INVALID),
    ({"requested_amount": Decimal("-1")}, "requested_amount", services.MSG_AMOUNT_NEGATIVE),
    ({"duration_months": 0}, "duration_months", services.MSG_DURATION_POSITIVE),
    ({"starts_on": datetime.date(2026, 5, 1), "ends_on": datetime.date(2026, 4, 1)}, "ends_on",
     services.MSG_DATES_ORDER),
    ({"title": " "}, "title", services.MSG_TITLE_REQUIRED),
    ({"region": None}, "region", services.MSG_COMMUNITY_REQUIRED),
])
def test_input_errors_are_refused_and_nothing_half_saved(world, funding_round, fields, field, message):
    project = make_project(world, funding_round)
    with pytest.raises(ValidationError) as exc_info:
        services.application_update(actor=world.org_leader, project=project, **fields)
    assert exc_info.value.message_dict[field] == [str(message)]
    project.refresh_from_db()
    assert project.title == "银龄互助 · 高龄老人探访"


def test_the_lead_worker_must_serve_the_community(world, funding_round):
    stranger = SocialWorker.objects.create(region=world.other_street, name="周社工", certificate_level="assistant")
    project = make_project(world, funding_round, lead_worker=None)
    with pytest.raises(ValidationError) as exc_info:
        services.application_update(actor=world.org_leader, project=project, lead_worker=stranger)
    assert exc_info.value.message_dict["lead_worker"] == [str(services.MSG_LEAD_WORKER_NOT_AVAILABLE)]
    services.application_update(actor=world.org_leader, project=project, lead_worker=world.objects["worker"])
    assert project.lead_worker == world.objects["worker"]


def test_the_implementer_may_be_any_organization_of_the_community(world, funding_round):
    neighbour = make_org(world, "将台睦邻议事会")
    far = make_org(world, "枣营书画社", region=world.other_community)
    project = make_project(world, funding_round)
    services.application_update(actor=world.org_leader, project=project, implementer=neighbour)
    assert project.implementer == neighbour
    with pytest.raises(ValidationError) as exc_info:
        services.application_update(actor=world.org_leader, project=project, implementer=far)
    assert exc_info.value.message_dict["implementer"] == [str(services.MSG_IMPLEMENTER_NOT_AVAILABLE)]


def test_volunteers_come_from_the_registry_the_actor_may_see(world, funding_round):
    volunteer = world.objects["volunteer"]
    project = make_project(world, funding_round)
    with pytest.raises(ValidationError) as exc_info:  # not in a team of the leader's organization
        services.application_update(actor=world.org_leader, project=project, volunteers=[volunteer])
    assert exc_info.value.message_dict["volunteers"] == [str(services.MSG_VOLUNTEER_NOT_AVAILABLE)]
    services.application_update(actor=world.community_staff, project=project, volunteers=[volunteer])
    assert list(project.volunteers.all()) == [volunteer]
    # The leader saving the section again keeps the volunteer they cannot see.
    services.application_update(actor=world.org_leader, project=project, volunteers=[])
    assert list(project.volunteers.all()) == [volunteer]
    other = Volunteer.objects.create(region=world.community, volunteer_number="V110105001002", name="钱志愿")
    services.application_update(actor=world.community_staff, project=project, volunteers=[other])
    assert list(project.volunteers.all()) == [other]


# Submitting -------------------------------------------------------------------------------------------------


def test_submit_is_refused_with_every_broken_rule_then_accepted_after_fixing(world, funding_round):
    project = start(world, funding_round)
    with pytest.raises(ValidationError) as exc_info:
        services.application_submit(actor=world.org_leader, project=project)
    codes = [error.code for error in exc_info.value.error_list]
    assert codes == ["required_fields", "scope", "content", "project_type", "amount_cap", "duration_cap",
                     "dates_consistent"]
    assert "请填写申请金额。" in exc_info.value.messages
    project.refresh_from_db()
    assert project.status == ProjectStatus.DRAFT
    fill_everything(world, project)
    services.application_submit(actor=world.org_leader, project=project)
    project.refresh_from_db()
    assert project.status == ProjectStatus.SUBMITTED
    assert project.submitted_at is not None
    assert project.history.first().history_change_reason == "提交申报书"


def test_submitting_twice_is_refused(world, funding_round):
    project = make_project(world, funding_round)
    services.application_submit(actor=world.org_leader, project=project)
    with pytest.raises(ValidationError) as exc_info:
        services.application_submit(actor=world.org_leader, project=project)
    assert exc_info.value.messages == [str(services.MSG_NOT_EDITABLE)]


def test_the_lead_social_worker_may_submit_the_project_they_lead(world, funding_round):
    project = make_project(world, funding_round)
    services.application_submit(actor=world.social_worker, project=project)
    assert project.status == ProjectStatus.SUBMITTED


def test_withdraw_returns_a_submitted_application_to_draft_before_review(world, funding_round):
    project = make_project(world, funding_round)
    services.application_submit(actor=world.org_leader, project=project)
    services.application_withdraw(actor=world.org_leader, project=project, reason="补充预算")
    project.refresh_from_db()
    assert project.status == ProjectStatus.DRAFT
    assert project.submitted_at is None
    assert project.history.first().history_change_reason == "补充预算"
    services.application_update(actor=world.org_leader, project=project, title="银龄互助（修改后）")
    services.application_submit(actor=world.org_leader, project=project)
    round_services.round_advance(actor=world.street_officer, funding_round=funding_round)
    project.refresh_from_db()
    with pytest.raises(ValidationError) as exc_info:
        services.application_withdraw(actor=world.org_leader, project=project)
    assert exc_info.value.messages == [str(services.MSG_NOT_SUBMITTED)]


def test_only_a_draft_can_be_voided(world, funding_round):
    project = make_project(world, funding_round, status=ProjectStatus.SUBMITTED)
    with pytest.raises(ValidationError) as exc_info:
        services.application_void(actor=world.org_leader, project=project, reason="不做了")
    assert exc_info.value.messages == [str(services.MSG_ONLY_DRAFT_VOID)]
    draft = make_project(world, funding_round, title="重复创建的草稿")
    services.application_void(actor=world.org_leader, project=draft, reason="重复创建")
    assert draft.is_voided
    assert draft not in selectors.projects_visible_to(world.org_leader)
    with pytest.raises(ValidationError):
        services.application_update(actor=world.org_leader, project=draft, title="再改")


# Selectors ----------------------------------------------------------------------------------------------


def test_pickers_offer_what_the_viewer_may_act_for(world, funding_round):
    organization = world.objects["organization"]
    assert list(selectors.applicant_choices(world.org_leader)) == [organization]
    assert list(selectors.applicant_choices(world.community_staff)) == [organization]
    assert not selectors.applicant_choices(world.social_worker).exists()
    assert list(selectors.community_choices(world.community_staff, funding_round)) == [world.community]
    assert set(selectors.community_choices(world.org_leader, funding_round)) == {
        world.community, world.community2, world.village}
    assert list(selectors.lead_worker_choices(world.community)) == [world.objects["worker"]]
    assert not selectors.lead_worker_choices(world.other_community).exists()
    assert selectors.may_apply(world.org_leader, funding_round)
    assert not selectors.may_apply(world.station_staff, funding_round)


def test_expert_reviewers_see_only_their_assigned_projects(world, funding_round):
    assigned = make_project(world, funding_round, status=ProjectStatus.UNDER_REVIEW)
    make_project(world, funding_round, title="未分配的项目", status=ProjectStatus.UNDER_REVIEW)
    ReviewerAssignment.objects.create(project=assigned, reviewer=world.expert_reviewer)
    assert list(selectors.projects_visible_to(world.expert_reviewer)) == [assigned]


def test_contact_phone_is_masked_for_viewers_without_identity_access(world, funding_round):
    project = make_project(world, funding_round, contact_phone="13912345678")
    assert selectors.display_contact_phone(world.org_leader, project) == "13912345678"
    assert selectors.display_contact_phone(world.supervisor, Project.objects.get(pk=project.pk)) == "139****5678"
