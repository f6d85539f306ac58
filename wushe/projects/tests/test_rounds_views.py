"""Funding-round pages: permissions over every persona, creating with the type's defaults, editing the
rules in the form (checkbox groups, validated textareas), advancing, voiding, and list query counts."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

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
from wushe.projects.services import rounds as services
from wushe.projects.views.rounds import MSG_ROWS_FORMAT, criteria_text, grade_bands_text, tranches_text
from wushe.testing.personas import ALL_PERSONAS

from .factories import make_project, make_round
from .test_rounds_services import TODAY, open_round_dates

pytestmark = pytest.mark.django_db

# Rounds of the world's street: managed by the district and street officers (and the admin).
MANAGERS = {"admin", "district_officer", "street_officer"}


def input_tag(body: str, name: str, value: str | None = None) -> str:
    """The first <input> with this name (and value), whatever the order of its attributes."""
    for tag in re.findall(r"<input[^>]*>", body):
        if f'name="{name}"' in tag and (value is None or f'value="{value}"' in tag):
            return tag
    raise AssertionError(f"no input {name}={value}")


def url(name, funding_round=None):
    return reverse(f"projects:{name}", args=[funding_round.public_id] if funding_round else [])


def round_form_data(world, round_type=RoundType.MICRO_PROJECT, **overrides) -> dict:
    """What the create form posts when the officer keeps the pre-filled defaults."""
    defaults = services.round_defaults(round_type)
    data = {
        "title": "2026年东风社区公益金微小项目", "round_type": round_type, "region": world.street.code,
        "description": "面向东风街道各社区的微小项目征集。", "opens_on": TODAY.isoformat(),
        "closes_on": TODAY.replace(year=TODAY.year + 1).isoformat(), "total_budget": "200000", "operator": "",
        "amount_cap": str(defaults["amount_cap"]), "duration_cap_months": defaults["duration_cap_months"],
        "allowed_applicant_types": defaults["allowed_applicant_types"], "scopes": defaults["scopes"],
        "contents": defaults["contents"], "project_types": defaults["project_types"],
        "self_raised_min_percent": "0", "breach_ban_years": 3, "expert_weight": 70, "resident_weight": 30,
        "review_criteria": criteria_text(defaults["review_criteria"]),
        "grade_bands": grade_bands_text(defaults["grade_bands"]),
        "tranche_plan": tranches_text(defaults["tranche_plan"]), "publicity_days": 7,
    }
    for flag in ("one_grant_per_org", "no_double_funding", "require_community_org_implementer",
                 "require_social_worker_lead", "operator_may_apply"):
        if defaults[flag]:
            data[flag] = "on"
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


# Permissions over every persona -----------------------------------------------------------------------------


def test_list_and_detail_permissions(client_for, world):
    open_round = make_round(world, title="开放中的轮次")
    draft = make_round(world, title="尚未发布的草稿轮次", status=RoundStatus.DRAFT)
    for persona in ALL_PERSONAS:
        client = client_for(persona)
        response = client.get(url("round_list"))
        assert response.status_code == 200, persona
        body = response.content.decode()
        assert "开放中的轮次" in body, persona
        assert ("尚未发布的草稿轮次" in body) == (persona in MANAGERS), persona
        assert client.get(url("round_detail", open_round)).status_code == 200, persona
        assert client.get(url("round_detail", draft)).status_code == (200 if persona in MANAGERS else 404), persona


def test_create_and_edit_permissions(client_for, world):
    open_round = make_round(world)
    draft = make_round(world, status=RoundStatus.DRAFT)
    for persona in ALL_PERSONAS:
        client = client_for(persona)
        response = client.get(url("round_create") + "?round_type=micro_project")
        assert response.status_code == (200 if persona in MANAGERS else 403), persona
        assert client.get(url("round_update", open_round)).status_code == (200 if persona in MANAGERS else 403), persona
        assert client.get(url("round_update", draft)).status_code == (200 if persona in MANAGERS else 404), persona


def test_advance_permissions(client_for, world):
    for persona in ALL_PERSONAS:
        funding_round = make_round(world)
        response = client_for(persona).post(url("round_advance", funding_round))
        assert response.status_code == (302 if persona in MANAGERS else 403), persona
        funding_round.refresh_from_db()
        assert (funding_round.status == RoundStatus.REVIEW) == (persona in MANAGERS), persona


def test_void_permissions(client_for, world):
    for persona in ALL_PERSONAS:
        funding_round = make_round(world, status=RoundStatus.DRAFT)
        response = client_for(persona).post(url("round_void", funding_round), {"reason": "重复发布"})
        assert response.status_code == (302 if persona in MANAGERS else 404), persona
        funding_round.refresh_from_db()
        assert funding_round.is_voided == (persona in MANAGERS), persona


def test_street_officer_cannot_edit_a_district_round(client_for, world):
    district_round = make_round(world, region=world.district)
    client = client_for("street_officer")
    assert client.get(url("round_update", district_round)).status_code == 403
    assert client.post(url("round_advance", district_round)).status_code == 403
    assert client_for("district_officer").get(url("round_update", district_round)).status_code == 200


# Creating and editing ---------------------------------------------------------------------------------------


def test_create_starts_with_the_choice_of_type(client_for):
    body = client_for("street_officer").get(url("round_create")).content.decode()
    for value in RoundType.values:
        assert f'data-testid="round-type-{value}"' in body


def test_micro_project_form_is_prefilled_with_the_dongfeng_rules(client_for):
    body = client_for("street_officer").get(url("round_create") + "?round_type=micro_project").content.decode()
    assert 'value="10000"' in input_tag(body, "amount_cap")
    assert 'value="6"' in input_tag(body, "duration_cap_months")
    applicant_types = {value: "checked" in input_tag(body, "allowed_applicant_types", value)
                       for value in ApplicantType.values}
    assert [v for v, checked in applicant_types.items() if checked] == services.round_defaults(
        RoundType.MICRO_PROJECT)["allowed_applicant_types"]
    assert all("checked" in input_tag(body, "scopes", v) for v in ScopeCategory.values)
    assert all("checked" in input_tag(body, "contents", v) for v in ContentCategory.values)
    assert "checked" not in input_tag(body, "require_social_worker_lead")
    assert "回应社区需求：20" in body
    assert "50%：签约后" in body


def test_pairing_form_requires_the_pairing(client_for):
    body = client_for("street_officer").get(url("round_create") + "?round_type=pairing_competition").content.decode()
    assert "checked" in input_tag(body, "require_community_org_implementer")
    assert "checked" in input_tag(body, "require_social_worker_lead")
    assert all("checked" in input_tag(body, "project_types", v) for v in ProjectType.values)


def test_officer_creates_a_round_from_the_form(client_for, world):
    response = client_for("street_officer").post(url("round_create") + "?round_type=micro_project", round_form_data(
        world, review_criteria="回应社区需求：40\n扎根社区：30\n可行性：30", tranche_plan="60%：签约后\n40%：中期评估通过后"))
    funding_round = FundingRound.objects.get()
    assert response.status_code == 302 and response.url == url("round_detail", funding_round)
    assert funding_round.status == RoundStatus.DRAFT
    assert funding_round.review_criteria == [{"key": "need", "label": "回应社区需求", "max": 40},
                                             {"key": "zha_gen_she_qu", "label": "扎根社区", "max": 30},
                                             {"key": "feasibility", "label": "可行性", "max": 30}]
    assert funding_round.tranche_plan == [{"percent": 60, "condition": "agreement"},
                                          {"percent": 40, "condition": "midterm"}]
    assert funding_round.scopes == ["community_public_interest", "public_service_supplement", "convenience_extension"]


@pytest.mark.parametrize(("overrides", "message"), [
    ({"tranche_plan": "50%：签约后\n30%：中期评估通过后"}, services.MSG_TRANCHES_SUM % {"total": "80"}),
    ({"review_criteria": "回应社区需求：20\n可行性：15"}, services.MSG_CRITERIA_SUM % {"total": 35}),
    ({"grade_bands": "B：60\nA：85\nC：0"}, services.MSG_GRADE_BANDS_ORDER),
    ({"expert_weight": 50}, services.MSG_WEIGHTS_SUM),
    ({"tranche_plan": "一半在签约后"}, MSG_ROWS_FORMAT % {"line": 1, "text": "一半在签约后"}),
    ({"tranche_plan": "50%：随时\n50%：中期评估通过后"}, MSG_ROWS_FORMAT % {"line": 1, "text": "50%：随时"}),
])
def test_invalid_rules_are_shown_on_the_form(client_for, world, overrides, message):
    response = client_for("street_officer").post(url("round_create") + "?round_type=micro_project",
                                                 round_form_data(world, **overrides))
    assert response.status_code == 200
    assert str(message) in response.content.decode()
    assert not FundingRound.objects.exists()


def test_editing_keeps_criterion_keys(client_for, world):
    funding_round = make_round(world, status=RoundStatus.DRAFT)
    data = round_form_data(world, title="改过名的轮次")
    response = client_for("street_officer").post(url("round_update", funding_round), data)
    assert response.status_code == 302
    funding_round.refresh_from_db()
    assert funding_round.title == "改过名的轮次"
    assert [c["key"] for c in funding_round.review_criteria][:3] == ["need", "org_growth", "worker_capacity"]


def test_after_review_starts_only_the_description_can_change(client_for, world):
    funding_round = make_round(world, status=RoundStatus.REVIEW)
    client = client_for("street_officer")
    body = client.get(url("round_update", funding_round)).content.decode()
    assert "disabled" in input_tag(body, "amount_cap")
    assert "disabled" not in input_tag(body, "title")
    response = client.post(url("round_update", funding_round), round_form_data(
        world, title="改名后的轮次", amount_cap="1"))
    assert response.status_code == 302
    funding_round.refresh_from_db()
    assert funding_round.title == "改名后的轮次"
    assert str(funding_round.amount_cap) == "10000.00"


# Detail, advancing, voiding ---------------------------------------------------------------------------------


def test_detail_shows_the_rules_in_plain_chinese_and_counts(client_for, world):
    funding_round = make_round(world)
    make_project(world, funding_round, status=ProjectStatus.SUBMITTED)
    make_project(world, funding_round, title="草稿")
    body = client_for("street_officer").get(url("round_detail", funding_round)).content.decode()
    assert "单个项目申请资助不超过 10,000 元。" in body
    assert "可申报的主体：居民为主体的公益服务类社区社会组织；" in body
    assert "回应社区需求" in body
    counts = body[body.index('data-testid="round-counts"'):]
    assert "已提交" in counts[:1500] and "草稿" in counts[:1500]
    assert 'data-testid="advance"' in body
    assert 'data-testid="advance"' not in client_for("station_staff").get(url("round_detail", funding_round)).content.decode()


def test_apply_button_only_for_those_who_can_apply(client_for, world):
    funding_round = make_round(world, **open_round_dates())
    assert 'data-testid="apply"' in client_for("org_leader").get(url("round_detail", funding_round)).content.decode()
    assert 'data-testid="apply"' not in client_for("station_staff").get(url("round_detail", funding_round)).content.decode()


def test_advancing_to_review_from_the_page_puts_submissions_under_review(client_for, world):
    funding_round = make_round(world)
    project = make_project(world, funding_round, status=ProjectStatus.SUBMITTED)
    response = client_for("street_officer").post(url("round_advance", funding_round), follow=True)
    assert "轮次状态已变更为“评审中”。" in response.content.decode()
    project.refresh_from_db()
    assert project.status == ProjectStatus.UNDER_REVIEW


def test_opening_without_dates_shows_why(client_for, world):
    funding_round = make_round(world, status=RoundStatus.DRAFT, opens_on=None, closes_on=None)
    response = client_for("street_officer").post(url("round_advance", funding_round), follow=True)
    assert str(services.MSG_DATES_REQUIRED_TO_OPEN) in response.content.decode()


def test_a_round_with_submissions_offers_no_void_and_refuses_it(client_for, world):
    funding_round = make_round(world)
    make_project(world, funding_round, status=ProjectStatus.SUBMITTED)
    client = client_for("street_officer")
    assert "作废此记录" not in client.get(url("round_detail", funding_round)).content.decode()
    response = client.post(url("round_void", funding_round), {"reason": "重复发布"}, follow=True)
    assert str(services.MSG_ROUND_HAS_APPLICATIONS) in response.content.decode()


def test_history_is_shown_to_roles_with_history(client_for, world):
    funding_round = make_round(world)
    assert "修改记录" in client_for("station_staff").get(url("round_detail", funding_round)).content.decode()
    assert "修改记录" not in client_for("org_leader").get(url("round_detail", funding_round)).content.decode()


# Lists ------------------------------------------------------------------------------------------------------


def test_htmx_list_renders_rows_only_and_filters(client_for, world):
    make_round(world, title="微小项目轮次")
    make_round(world, title="公益创投轮次", round_type=RoundType.VENTURE, status=RoundStatus.REVIEW)
    client = client_for("community_staff")
    body = client.get(url("round_list"), {"type": "venture"}, HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in body and "公益创投轮次" in body and "微小项目轮次" not in body
    body = client.get(url("round_list"), {"status": "open", "q": "微小"}, HTTP_HX_REQUEST="true").content.decode()
    assert "微小项目轮次" in body and "公益创投轮次" not in body


def test_list_query_count_does_not_grow_with_rows(client_for, world, django_assert_max_num_queries):
    client = client_for("street_officer")
    for i in range(3):
        make_round(world, title=f"轮次{i}")
    with CaptureQueriesContext(connection) as few:
        client.get(url("round_list"))
    for i in range(3, 30):
        make_round(world, title=f"轮次{i}", status=RoundStatus.DRAFT)
    with django_assert_max_num_queries(len(few)):
        client.get(url("round_list"))
    with django_assert_max_num_queries(9):
        client.get(url("round_list"))
