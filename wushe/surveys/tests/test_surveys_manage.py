"""Questionnaires: import from XLSForm (page and API), settings, status, quotas, link, void, permissions."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from wushe.audit.models import AuditEvent
from wushe.people.models import PopulationGroup
from wushe.surveys.models import Survey, SurveyQuota, SurveyStatus
from wushe.surveys.samples import resident_needs_workbook, worker_survey_workbook
from wushe.surveys.services import surveys as services
from wushe.surveys.tests.factories import make_survey
from wushe.surveys.tests.xlsforms import workbook

pytestmark = pytest.mark.django_db

BAD_FORM = workbook(
    survey=[["type", "name", "label"], ["text", "name", "姓名"], ["geopoint", "where", "位置"],
            ["integer", "age", "年龄"], ["image", "photo", "照片"]],
)


def _upload(data=None, name="needs.xlsx"):
    return SimpleUploadedFile(name, data or resident_needs_workbook(),
                              content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


def test_page_import_creates_a_draft_with_the_forms_questions(world, client_for):
    client = client_for("community_staff")
    data = resident_needs_workbook()
    response = client.post(reverse("surveys:survey_create"), {
        "region": world.community.code, "audience": "residents", "allow_link": "on", "allow_anonymous": "on",
        "capture_group": "on", "source_file": _upload(data)})
    assert response.status_code == 302, response.content.decode()[:2000]
    survey = Survey.objects.get()
    assert survey.status == SurveyStatus.DRAFT
    assert survey.title == "社区居民需求调查"  # from the form's settings sheet
    assert survey.form_id == "resident_needs" and survey.form_version == "2026120101"
    assert survey.region == world.community and survey.owner == world.community_staff
    assert survey.source_file.read() == data
    page = client.get(response["Location"]).content.decode()
    assert "您的年龄（周岁）" in page and "老年助餐" in page
    assert survey.history.count() == 1 and survey.history.first().history_user == world.community_staff


def test_page_import_lists_every_unsupported_row_and_stores_nothing(world, client_for):
    response = client_for("community_staff").post(reverse("surveys:survey_create"), {
        "region": world.community.code, "audience": "residents", "source_file": _upload(BAD_FORM, "bad.xlsx")})
    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="form-problems"' in page
    # both unsupported rows, with their Excel row numbers, in one report
    problems = response.context["problems"]
    assert {(p.sheet, p.row) for p in problems} >= {("survey", 3), ("survey", 5)}
    assert "geopoint" in page and "image" in page
    assert Survey.objects.count() == 0


def test_api_check_reports_without_importing(world, api_for):
    client = api_for("community_staff")
    good = client.post("/api/v1/surveys/check", {"source_file": _upload(worker_survey_workbook())})
    assert good.status_code == 200 and good.json()["ok"] is True and good.json()["questions"] >= 6
    bad = client.post("/api/v1/surveys/check", {"source_file": _upload(BAD_FORM)})
    body = bad.json()
    assert body["ok"] is False and {e["row"] for e in body["errors"]} >= {3, 5}
    assert Survey.objects.count() == 0


def test_api_create_and_rejection_with_problems(world, api_for):
    client = api_for("street_officer")
    created = client.post("/api/v1/surveys/", {"region": world.street.code, "title": "东风街道需求调查",
                                               "quota_by": "community", "source_file": _upload()})
    assert created.status_code == 201, created.content
    assert created.json()["definition"]["form_id"] == "resident_needs"
    assert created.json()["title"] == "东风街道需求调查"
    rejected = client.post("/api/v1/surveys/", {"region": world.street.code, "source_file": _upload(BAD_FORM)})
    assert rejected.status_code == 422
    error = rejected.json()["error"]
    assert error["code"] == "form_rejected" and {p["row"] for p in error["problems"]} >= {3, 5}
    assert Survey.objects.count() == 1


def test_region_outside_scope_is_refused(world, api_for):
    response = api_for("community_staff").post("/api/v1/surveys/", {"region": world.other_community.code,
                                                                     "source_file": _upload()})
    assert response.status_code == 422 and "region" in response.json()["error"]["fields"]
    assert Survey.objects.count() == 0


def test_open_close_reopen_and_bad_transition(world):
    officer = world.street_officer
    survey = make_survey(world, status=SurveyStatus.DRAFT)
    services.survey_transition(actor=officer, survey=survey, transition="open")
    survey.refresh_from_db()
    assert survey.status == SurveyStatus.OPEN and survey.opened_at is not None
    with pytest.raises(services.ValidationError):
        services.survey_transition(actor=officer, survey=survey, transition="open")
    services.survey_transition(actor=officer, survey=survey, transition="close")
    survey.refresh_from_db()
    assert survey.status == SurveyStatus.CLOSED and survey.closed_at is not None
    services.survey_transition(actor=officer, survey=survey, transition="open")
    survey.refresh_from_db()
    assert survey.status == SurveyStatus.OPEN


def test_form_cannot_open_without_questions(world):
    survey = make_survey(world, status=SurveyStatus.DRAFT, definition={"version": 1, "questions": []})
    with pytest.raises(services.ValidationError):
        services.survey_transition(actor=world.street_officer, survey=survey, transition="open")


def test_replace_form_only_before_any_response(world):
    from wushe.surveys.models import CollectionMode, SurveyResponse

    survey = make_survey(world, status=SurveyStatus.DRAFT)
    services.survey_replace_form(actor=world.street_officer, survey=survey, data=worker_survey_workbook(),
                                 filename="w.xlsx")
    survey.refresh_from_db()
    assert survey.form_id == "worker_linkage"
    SurveyResponse.objects.create(survey=survey, region=world.community, mode=CollectionMode.SELF)
    with pytest.raises(services.ValidationError) as error:
        services.survey_replace_form(actor=world.street_officer, survey=survey, data=resident_needs_workbook(),
                                     filename="n.xlsx")
    assert services.MSG_FORM_LOCKED in error.value.messages
    survey.refresh_from_db()
    assert survey.form_id == "worker_linkage"


def test_quotas_by_community_page_and_api(world, client_for, api_for):
    survey = make_survey(world, quota_by="community")
    client = client_for("street_officer")
    page = client.get(reverse("surveys:survey_quotas", args=[survey.public_id]))
    assert page.status_code == 200 and world.community.name in page.content.decode()
    assert world.other_community.name not in page.content.decode()
    response = client.post(reverse("surveys:survey_quotas", args=[survey.public_id]),
                           {f"q_{world.community.pk}": "30", f"q_{world.community2.pk}": "20"})
    assert response.status_code == 302
    assert dict(SurveyQuota.objects.values_list("region__code", "target")) == {
        world.community.code: 30, world.community2.code: 20}
    api = api_for("street_officer")
    result = api.put(f"/api/v1/surveys/{survey.public_id}/quotas",
                     {"quotas": [{"community": world.community.code, "target": 0},
                                 {"community": world.village.code, "target": 5}]}, content_type="application/json")
    assert result.status_code == 200
    assert {row["community"]: row["target"] for row in result.json()} == {world.community2.code: 20,
                                                                          world.village.code: 5}
    outside = api.put(f"/api/v1/surveys/{survey.public_id}/quotas",
                      {"quotas": [{"community": world.other_community.code, "target": 5}]},
                      content_type="application/json")
    assert outside.status_code == 422


def test_quotas_by_group(world):
    group = PopulationGroup.objects.create(code="elderly_alone", name="独居老人")
    survey = make_survey(world, quota_by="group")
    services.quotas_set(actor=world.street_officer, survey=survey, targets={group: 12})
    assert survey.quotas.get().population_group == group


def test_quota_needs_a_dimension(world):
    survey = make_survey(world)
    with pytest.raises(services.ValidationError):
        services.quotas_set(actor=world.street_officer, survey=survey, targets={world.community: 3})


def test_rotating_the_link_changes_it(world, api_for):
    survey = make_survey(world)
    api = api_for("street_officer")
    before = api.get(f"/api/v1/surveys/{survey.public_id}/link").json()["url"]
    assert api.get(f"/api/v1/surveys/{survey.public_id}/link").json()["url"] == before  # printed codes stay valid
    after = api.post(f"/api/v1/surveys/{survey.public_id}/link/rotate").json()["url"]
    assert before != after and "/s/" in after


def test_detail_shows_link_and_qr(world, client_for):
    survey = make_survey(world)
    client = client_for("street_officer")
    page = client.get(reverse("surveys:survey_detail", args=[survey.public_id]))
    assert 'id="survey-link"' in page.content.decode()
    qr = client.get(reverse("surveys:survey_qr", args=[survey.public_id]))
    assert qr.status_code == 200 and qr["Content-Type"] == "image/svg+xml" and b"<svg" in qr.content
    assert b'xmlns="http://www.w3.org/2000/svg"' in qr.content  # standalone, so <img src> can show it


def test_void_needs_closed_survey_and_a_reason(world, client_for):
    survey = make_survey(world)
    with pytest.raises(services.ValidationError):
        services.survey_void(actor=world.street_officer, survey=survey, reason="重复")
    services.survey_transition(actor=world.street_officer, survey=survey, transition="close")
    with pytest.raises(services.ValidationError):
        services.survey_void(actor=world.street_officer, survey=survey, reason="")
    client_for("street_officer").post(reverse("surveys:survey_void", args=[survey.public_id]), {"reason": "重复"})
    survey.refresh_from_db()
    assert survey.voided_at is not None and survey.void_reason == "重复"


def test_settings_edit_page(world, client_for):
    survey = make_survey(world)
    response = client_for("street_officer").post(reverse("surveys:survey_edit", args=[survey.public_id]), {
        "title": "新名称", "audience": "social_workers", "opens_on": "2026-12-10", "closes_on": "2026-12-01"})
    assert response.status_code == 200  # closes before it opens
    assert "截止日期不能早于开始日期" in response.content.decode()
    response = client_for("street_officer").post(reverse("surveys:survey_edit", args=[survey.public_id]), {
        "title": "新名称", "audience": "social_workers", "quota_by": "group"})
    assert response.status_code == 302
    survey.refresh_from_db()
    assert survey.title == "新名称" and survey.audience == "social_workers" and survey.quota_by == "group"


def test_district_survey_is_visible_to_community_staff_but_not_changeable(world, client_for):
    survey = make_survey(world, region=world.district, owner=world.district_officer)
    client = client_for("community_staff")
    assert client.get(reverse("surveys:survey_detail", args=[survey.public_id])).status_code == 200
    assert client.get(reverse("surveys:survey_edit", args=[survey.public_id])).status_code == 403
    assert client_for("outsider").get(reverse("surveys:survey_detail", args=[survey.public_id])).status_code == 200


def test_leader_runs_a_survey_of_their_organization(world, api_for):
    organization = world.objects["organization"]
    client = api_for("org_leader")
    created = client.post("/api/v1/surveys/", {"region": world.community.code, "organization": str(organization.public_id),
                                               "source_file": _upload()})
    assert created.status_code == 201, created.content
    other = make_survey(world)
    assert client.get(f"/api/v1/surveys/{other.public_id}").status_code == 404


@pytest.mark.parametrize("name", ["survey_detail", "survey_edit", "survey_form", "survey_quotas", "survey_qr",
                                  "survey_form_download"])
def test_outsider_gets_404_on_pages(world, client_for, name):
    survey = make_survey(world, quota_by="community")
    assert client_for("outsider").get(reverse(f"surveys:{name}", args=[survey.public_id])).status_code == 404


@pytest.mark.parametrize("method,suffix", [("get", ""), ("patch", ""), ("post", "/transition"), ("get", "/quotas"),
                                           ("get", "/link"), ("post", "/link/rotate"), ("post", "/void")])
def test_outsider_gets_404_on_endpoints(world, api_for, method, suffix):
    survey = make_survey(world)
    body = {"transition": "close", "reason": "重复"}
    response = getattr(api_for("outsider"), method)(f"/api/v1/surveys/{survey.public_id}{suffix}", body,
                                                    content_type="application/json")
    assert response.status_code == 404


def test_resident_and_volunteer_cannot_list(world, client_for):
    for persona in ("resident", "volunteer", "expert_reviewer"):
        assert client_for(persona).get(reverse("surveys:survey_list")).status_code == 403


def test_list_query_count_is_fixed(world, client_for, django_assert_max_num_queries):
    for index in range(12):
        make_survey(world, title=f"调查{index}")
    client = client_for("street_officer")
    with django_assert_max_num_queries(12):
        response = client.get(reverse("surveys:survey_list"))
    assert response.status_code == 200 and "调查11" in response.content.decode()


def test_form_download_is_audited(world, client_for):
    client = client_for("community_staff")
    data = resident_needs_workbook()
    client.post(reverse("surveys:survey_create"), {"region": world.community.code, "audience": "residents",
                                                   "source_file": _upload(data)})
    survey = Survey.objects.get()
    response = client.get(reverse("surveys:survey_form_download", args=[survey.public_id]))
    assert response.status_code == 200 and b"".join(response.streaming_content) == data
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.EXPORT, target__contains=str(survey.public_id)).exists()


def test_sample_download(world, client_for):
    response = client_for("community_staff").get(reverse("surveys:survey_sample", args=["resident-needs"]))
    assert response.status_code == 200
    from wushe.surveys.xlsform import import_xlsform

    assert import_xlsform(response.content, "resident-needs.xlsx").definition["form_id"] == "resident_needs"
    assert client_for("community_staff").get(reverse("surveys:survey_sample", args=["nope"])).status_code == 404


def test_copy_gives_a_draft_with_the_form_settings_and_quotas_but_no_answers(world, client_for):
    from wushe.surveys.models import CollectionMode, SurveyResponse

    data = resident_needs_workbook()
    survey = services.survey_create(actor=world.street_officer, region=world.street, data=data,
                                    filename="needs.xlsx", quota_by="community", allow_anonymous=False)
    services.quotas_set(actor=world.street_officer, survey=survey, targets={world.community: 30})
    SurveyResponse.objects.create(survey=survey, region=world.community, mode=CollectionMode.SELF)
    response = client_for("street_officer").post(reverse("surveys:survey_copy", args=[survey.public_id]))
    copy = Survey.objects.exclude(pk=survey.pk).get()
    assert response["Location"] == reverse("surveys:survey_detail", args=[copy.public_id])
    assert copy.status == SurveyStatus.DRAFT and copy.title == "社区居民需求调查（副本）"
    assert copy.definition == survey.definition and copy.source_file.read() == data
    assert copy.allow_anonymous is False and copy.link_secret != survey.link_secret
    assert [(q.region, q.target) for q in copy.quotas.all()] == [(world.community, 30)]
    assert not copy.responses.exists()
    # the copy's form can be replaced, the original's cannot
    services.survey_replace_form(actor=world.street_officer, survey=copy, data=worker_survey_workbook(),
                                 filename="w.xlsx")


def test_copy_is_404_for_the_outsider(world, client_for):
    survey = make_survey(world)
    assert client_for("outsider").post(reverse("surveys:survey_copy", args=[survey.public_id])).status_code == 404
    assert Survey.objects.count() == 1


def test_preview_checks_answers_with_the_forms_rules_and_saves_nothing(world, client_for):
    from wushe.surveys.models import SurveyResponse

    survey = make_survey(world, status=SurveyStatus.DRAFT)  # before collecting starts
    client = client_for("community_staff")  # sees the street's survey
    url = reverse("surveys:survey_preview", args=[survey.public_id])
    page = client.get(url)
    assert page.status_code == 200 and 'id="preview-banner"' in page.content.decode()
    bad = client.post(url, {"nickname": "钱", "age": "130", "lives_alone": "yes", "action": "submit"})
    assert bad.status_code == 422
    text = bad.content.decode()
    assert "年龄不合理" in text and "此题必答" in text  # the constraint message; helper is required when alone
    good = client.post(url, {"nickname": "钱", "age": "70", "lives_alone": "no", "action": "submit"})
    assert good.status_code == 200 and "试填通过" in good.content.decode()
    # skip logic preview: the elderly group appears from 60
    partial = client.post(url, {"nickname": "钱", "age": "70", "preview": "1"}, HTTP_HX_REQUEST="true")
    assert "是否有慢性病" in partial.content.decode()
    assert not SurveyResponse.objects.exists()
    assert client_for("outsider").get(url).status_code == 404


def test_submitted_count_is_of_the_responses_the_viewer_may_see(world, client_for, api_for):
    from wushe.surveys.models import CollectionMode
    from wushe.surveys.services import responses as response_services

    survey = make_survey(world, region=world.district, owner=world.district_officer)
    for community in (world.community, world.community2, world.other_community):
        response = response_services.response_start(actor=None, survey=survey, region=community,
                                                    mode=CollectionMode.SELF)
        response_services.response_save(actor=None, response=response, final=True,
                                        raw={"nickname": "钱", "age": 40, "lives_alone": "no"})
    url = reverse("surveys:survey_detail", args=[survey.public_id])
    assert client_for("district_officer").get(url).context["submitted"] == 3
    assert client_for("community_staff").get(url).context["submitted"] == 1  # their own community's
    assert api_for("community_staff").get(f"/api/v1/surveys/{survey.public_id}").json()["submitted"] == 1
    assert api_for("district_officer").get(f"/api/v1/surveys/{survey.public_id}").json()["submitted"] == 3
