"""Funding rounds: defaults per type, rule validation, scope, status moves and voiding (services and
selectors)."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from wushe.core.services import MSG_VOID_REASON_REQUIRED
from wushe.projects import states
from wushe.projects.models import (
    ApplicantType,
    ContentCategory,
    FundingRound,
    ProjectStatus,
    ProjectType,
    RoundStatus,
    RoundType,
    ScopeCategory,
)
from wushe.projects.models.rounds import DEFAULT_CRITERIA, DEFAULT_GRADE_BANDS, DEFAULT_TRANCHES
from wushe.projects.selectors.rounds import application_counts, round_rules, rounds_visible_to
from wushe.projects.services import rounds as services

from .factories import make_project, make_round

pytestmark = pytest.mark.django_db

TODAY = datetime.date.today()


def open_round_dates() -> dict:
    """Application dates around today, so "within dates" holds whenever the suite runs."""
    return {"opens_on": TODAY - datetime.timedelta(days=30), "closes_on": TODAY + datetime.timedelta(days=30)}


def create(actor, region, round_type=RoundType.MICRO_PROJECT, **fields):
    fields.setdefault("title", "2026年东风社区公益金微小项目")
    return services.round_create(actor=actor, region=region, round_type=round_type, **fields)


def field_messages(exc_info, field) -> list[str]:
    return [str(m) for m in exc_info.value.message_dict[field]]


# Defaults -----------------------------------------------------------------------------------------------


def test_micro_project_defaults_are_the_dongfeng_rules():
    defaults = services.round_defaults(RoundType.MICRO_PROJECT)
    assert defaults["amount_cap"] == Decimal("10000")
    assert defaults["duration_cap_months"] == 6
    assert defaults["allowed_applicant_types"] == [
        ApplicantType.RESIDENT_LED_ORG, ApplicantType.COMMITTEE_WORKING_GROUP, ApplicantType.SOCIAL_WORKER_GROUP,
        ApplicantType.OWNERS_COMMITTEE, ApplicantType.PROPERTY_MANAGEMENT, ApplicantType.CONVENIENCE_BUSINESS]
    assert defaults["scopes"] == list(ScopeCategory.values)
    assert defaults["contents"] == list(ContentCategory.values)
    assert defaults["review_criteria"] == DEFAULT_CRITERIA
    assert defaults["grade_bands"] == DEFAULT_GRADE_BANDS
    assert defaults["tranche_plan"] == DEFAULT_TRANCHES


def test_pairing_competition_defaults_require_the_three_party_pairing():
    defaults = services.round_defaults(RoundType.PAIRING_COMPETITION)
    assert defaults["require_community_org_implementer"] is True
    assert defaults["require_social_worker_lead"] is True
    assert defaults["project_types"] == list(ProjectType.values)


def test_defaults_are_copies_not_the_shared_module_lists():
    defaults = services.round_defaults(RoundType.VENTURE)
    defaults["review_criteria"][0]["max"] = 99
    assert DEFAULT_CRITERIA[0]["max"] == 20


def test_street_officer_creates_a_draft_with_the_type_defaults(world):
    funding_round = create(world.street_officer, world.street)
    assert funding_round.status == RoundStatus.DRAFT
    assert funding_round.created_by == world.street_officer
    assert funding_round.allowed_applicant_types == services.round_defaults(RoundType.MICRO_PROJECT)[
        "allowed_applicant_types"]
    assert funding_round.history.first().history_user == world.street_officer


def test_given_rules_override_the_defaults(world):
    funding_round = create(world.district_officer, world.district, amount_cap=Decimal("30000"),
                           self_raised_min_percent=Decimal("10"))
    assert funding_round.amount_cap == Decimal("30000")
    assert funding_round.self_raised_min_percent == Decimal("10")


# Scope --------------------------------------------------------------------------------------------------


def test_officer_cannot_create_a_round_outside_their_region(world):
    with pytest.raises(PermissionDenied):
        create(world.street_officer, world.other_street)


@pytest.mark.parametrize("persona", ["station_staff", "community_staff", "org_leader", "expert_reviewer"])
def test_roles_without_manage_cannot_create_rounds(world, persona):
    with pytest.raises(PermissionDenied):
        create(world.users[persona], world.street)


def test_a_community_cannot_own_a_round(world):
    with pytest.raises(ValidationError) as exc_info:
        create(world.street_officer, world.community)
    assert field_messages(exc_info, "region") == [str(services.MSG_REGION_LEVEL)]


def test_street_officer_cannot_edit_a_district_round(world):
    funding_round = make_round(world, region=world.district, status=RoundStatus.DRAFT)
    with pytest.raises(PermissionDenied):
        services.round_update(actor=world.street_officer, funding_round=funding_round, title="改名")


# Rule validation ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(("field", "value", "message"), [
    ("tranche_plan", [{"percent": 50, "condition": "agreement"}, {"percent": 40, "condition": "midterm"}],
     services.MSG_TRANCHES_SUM % {"total": "90"}),
    ("tranche_plan", [{"percent": 100, "condition": "whenever"}], services.MSG_TRANCHES_ROW),
    ("tranche_plan", [], services.MSG_TRANCHES_REQUIRED),
    ("review_criteria", [{"label": "回应社区需求", "max": 60}, {"label": "可行性", "max": 30}],
     services.MSG_CRITERIA_SUM % {"total": 90}),
    ("review_criteria", [{"label": "可行性", "max": 50}, {"label": "可行性", "max": 50}],
     services.MSG_CRITERIA_DUPLICATE % {"label": "可行性"}),
    ("review_criteria", [{"label": "", "max": 100}], services.MSG_CRITERIA_ROW),
    ("grade_bands", [{"grade": "B", "min": 60}, {"grade": "A", "min": 85}, {"grade": "C", "min": 0}],
     services.MSG_GRADE_BANDS_ORDER),
    ("grade_bands", [{"grade": "A", "min": 85}, {"grade": "B", "min": 60}], services.MSG_GRADE_BANDS_LAST_ZERO),
    ("grade_bands", [{"grade": "优秀等级之上", "min": 90}, {"grade": "C", "min": 0}], services.MSG_GRADE_BANDS_ROW),
    ("allowed_applicant_types", ["resident_led_org", "aliens"], services.MSG_UNKNOWN_CHOICE % {"values": "aliens"}),
    ("self_raised_min_percent", Decimal("120"), services.MSG_PERCENT_RANGE),
    ("amount_cap", Decimal("0"), services.MSG_AMOUNT_CAP_POSITIVE),
])
def test_invalid_rules_are_refused_with_their_message(world, field, value, message):
    with pytest.raises(ValidationError) as exc_info:
        create(world.street_officer, world.street, **{field: value})
    assert field_messages(exc_info, field) == [str(message)]
    assert not FundingRound.objects.exists()


def test_expert_and_resident_weights_must_add_up_to_100(world):
    with pytest.raises(ValidationError) as exc_info:
        create(world.street_officer, world.street, expert_weight=60, resident_weight=30)
    assert field_messages(exc_info, "resident_weight") == [str(services.MSG_WEIGHTS_SUM)]


def test_closing_date_cannot_precede_the_opening_date(world):
    with pytest.raises(ValidationError) as exc_info:
        create(world.street_officer, world.street, opens_on=TODAY, closes_on=TODAY - datetime.timedelta(days=1))
    assert field_messages(exc_info, "closes_on") == [str(services.MSG_CLOSES_BEFORE_OPENS)]


def test_new_criteria_get_a_pinyin_key_and_known_ones_keep_theirs(world):
    funding_round = create(world.street_officer, world.street, review_criteria=[
        {"key": "need", "label": "回应社区需求", "max": 40}, {"label": "扎根社区", "max": 30},
        {"label": "创新性", "max": 30}])
    assert [c["key"] for c in funding_round.review_criteria] == ["need", "zha_gen_she_qu", "chuang_xin_xing"]


def test_choice_lists_are_kept_in_canonical_order_without_repeats(world):
    funding_round = create(world.street_officer, world.street,
                           scopes=["convenience_extension", "community_public_interest", "convenience_extension"])
    assert funding_round.scopes == ["community_public_interest", "convenience_extension"]


# Editing ------------------------------------------------------------------------------------------------


def test_rules_can_change_while_the_call_is_open(world):
    funding_round = make_round(world)
    services.round_update(actor=world.street_officer, funding_round=funding_round, amount_cap=Decimal("8000"))
    funding_round.refresh_from_db()
    assert funding_round.amount_cap == Decimal("8000")


def test_type_and_owner_are_fixed_once_the_call_is_open(world):
    funding_round = make_round(world)
    with pytest.raises(ValidationError) as exc_info:
        services.round_update(actor=world.district_officer, funding_round=funding_round,
                              round_type=RoundType.VENTURE)
    assert exc_info.value.messages == [str(services.MSG_TYPE_LOCKED)]


def test_rules_are_locked_once_review_starts_but_the_title_is_not(world):
    funding_round = make_round(world, status=RoundStatus.REVIEW)
    with pytest.raises(ValidationError) as exc_info:
        services.round_update(actor=world.street_officer, funding_round=funding_round, amount_cap=Decimal("5000"))
    assert exc_info.value.messages == [str(services.MSG_RULES_LOCKED)]
    funding_round.refresh_from_db()
    assert funding_round.amount_cap == Decimal("10000")
    services.round_update(actor=world.street_officer, funding_round=funding_round, title="改名后的轮次",
                          amount_cap=Decimal("10000"))
    funding_round.refresh_from_db()
    assert funding_round.title == "改名后的轮次"


def test_a_refused_update_leaves_the_object_unchanged(world):
    funding_round = make_round(world)
    with pytest.raises(ValidationError):
        services.round_update(actor=world.street_officer, funding_round=funding_round, expert_weight=10)
    assert funding_round.expert_weight == 70


# Status moves -------------------------------------------------------------------------------------------


def test_a_round_cannot_open_without_application_dates(world):
    funding_round = create(world.street_officer, world.street)
    with pytest.raises(ValidationError) as exc_info:
        services.round_advance(actor=world.street_officer, funding_round=funding_round)
    assert exc_info.value.messages == [str(services.MSG_DATES_REQUIRED_TO_OPEN)]


def test_moving_to_review_puts_every_submitted_application_under_review(world):
    funding_round = make_round(world)
    submitted = make_project(world, funding_round, status=ProjectStatus.SUBMITTED)
    draft = make_project(world, funding_round, title="未提交的草稿")
    services.round_advance(actor=world.street_officer, funding_round=funding_round)
    submitted.refresh_from_db()
    draft.refresh_from_db()
    assert funding_round.status == RoundStatus.REVIEW
    assert submitted.status == ProjectStatus.UNDER_REVIEW
    assert submitted.history.first().history_user == world.street_officer
    assert draft.status == ProjectStatus.DRAFT


def test_advance_walks_the_round_to_the_end(world):
    funding_round = create(world.street_officer, world.street, **open_round_dates())
    seen = []
    while services.next_status(funding_round):
        services.round_advance(actor=world.street_officer, funding_round=funding_round)
        seen.append(funding_round.status)
        if funding_round.status == RoundStatus.PUBLICITY:
            # Publishing the decisions dates the period; agreements wait until it is over (states.py).
            assert funding_round.publicity_starts_on == TODAY
            assert funding_round.publicity_ends_on == TODAY + datetime.timedelta(days=funding_round.publicity_days)
            FundingRound.objects.filter(pk=funding_round.pk).update(
                publicity_starts_on=TODAY - datetime.timedelta(days=10),
                publicity_ends_on=TODAY - datetime.timedelta(days=4))
            funding_round.refresh_from_db()
    assert seen == [RoundStatus.OPEN, RoundStatus.REVIEW, RoundStatus.PUBLICITY, RoundStatus.CONTRACTING,
                    RoundStatus.FINISHED]
    with pytest.raises(ValidationError) as exc_info:
        services.round_advance(actor=world.street_officer, funding_round=funding_round)
    assert exc_info.value.messages == [str(services.MSG_ROUND_FINISHED)]


def test_advance_refuses_a_jump(world):
    funding_round = make_round(world)
    with pytest.raises(ValidationError) as exc_info:
        services.round_advance(actor=world.street_officer, funding_round=funding_round, to=RoundStatus.PUBLICITY)
    assert exc_info.value.messages == [str(states.MSG_ILLEGAL_ROUND_TRANSITION % {
        "current": "征集中", "target": "公示中"})]


def test_station_staff_cannot_advance_a_round(world):
    with pytest.raises(PermissionDenied):
        services.round_advance(actor=world.station_staff, funding_round=make_round(world))


# Voiding ------------------------------------------------------------------------------------------------


def test_a_round_with_submitted_applications_cannot_be_voided(world):
    funding_round = make_round(world)
    make_project(world, funding_round, status=ProjectStatus.SUBMITTED)
    with pytest.raises(ValidationError) as exc_info:
        services.round_void(actor=world.street_officer, funding_round=funding_round, reason="重复发布")
    assert exc_info.value.messages == [str(services.MSG_ROUND_HAS_APPLICATIONS)]


def test_voiding_needs_a_reason_and_hides_the_round(world):
    funding_round = make_round(world)
    with pytest.raises(ValidationError) as exc_info:
        services.round_void(actor=world.street_officer, funding_round=funding_round, reason=" ")
    assert field_messages(exc_info, "reason") == [str(MSG_VOID_REASON_REQUIRED)]
    services.round_void(actor=world.street_officer, funding_round=funding_round, reason="重复发布")
    assert not rounds_visible_to(world.station_staff).exists()
    assert rounds_visible_to(world.street_officer, include_voided=True).get() == funding_round
    with pytest.raises(ValidationError):
        services.round_update(actor=world.street_officer, funding_round=funding_round, title="再改")


# Selectors ----------------------------------------------------------------------------------------------


def test_drafts_are_visible_only_to_those_who_may_manage_them(world):
    draft = make_round(world, status=RoundStatus.DRAFT)
    open_round = make_round(world, title="已开放的轮次")
    for persona in ("admin", "district_officer", "street_officer"):
        assert set(rounds_visible_to(world.users[persona])) == {draft, open_round}, persona
    for persona in ("station_staff", "community_staff", "org_leader", "resident", "outsider"):
        assert list(rounds_visible_to(world.users[persona])) == [open_round], persona


def test_application_counts_are_over_what_the_viewer_sees(world):
    funding_round = make_round(world)
    make_project(world, funding_round, status=ProjectStatus.SUBMITTED)
    other_org = world.objects["organization"].__class__.objects.create(
        region=world.community2, name="丽都睦邻会", kind="community_social_org")
    make_project(world, funding_round, applicant=other_org, implementer=other_org, region=world.community2,
                 status=ProjectStatus.SUBMITTED)
    assert application_counts(world.street_officer, funding_round) == [
        {"status": "submitted", "label": ProjectStatus.SUBMITTED.label, "count": 2}]
    assert application_counts(world.org_leader, funding_round)[0]["count"] == 1


def test_rules_read_as_plain_chinese(world):
    funding_round = make_round(world, self_raised_min_percent=Decimal("10"), operator=world.objects["organization"])
    texts = [str(rule["text"]) for rule in round_rules(funding_round)]
    assert "单个项目申请资助不超过 10,000 元。" in texts
    assert "项目实施周期不超过 6 个月。" in texts
    assert "自筹资金不少于项目总预算（申请资助＋自筹）的 10%。" in texts
    assert "本轮运营方（将台银龄互助队）不得申报或实施项目。" in texts
    assert "A：85 分及以上；B：60–84 分；C：0–59 分。" in texts
    assert "签约后拨付 50%；中期评估通过后拨付 50%。" in texts
