"""Analysis pages and API: what they show, query counts, and who may open them."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from wushe.audit.models import AuditEvent
from wushe.surveys.tests.factories import make_survey

from .test_analysis_selectors import generate, hand_percent

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def data(world):
    return generate(world, seed=11, count=40)


def _pages(survey):
    return [reverse("surveys:survey_analysis", args=[survey.public_id]),
            reverse("surveys:survey_crosstab", args=[survey.public_id, "needs"]) + "?by=group",
            reverse("surveys:survey_export", args=[survey.public_id])]


def _api(survey):
    base = f"/api/v1/surveys/{survey.public_id}"
    return [f"{base}/analysis", f"{base}/analysis/needs?by=community", f"{base}/export.xlsx"]


def test_analysis_page_shows_tables_and_chart_data(world, data, client_for):
    response = client_for("street_officer").get(_pages(data.survey)[0])
    assert response.status_code == 200
    html = response.content.decode()
    assert "统计分析" in html and "需要哪些服务" in html and "多选题" in html
    assert 'id="analysis-chart-data"' in html
    charts = {c["id"]: c for c in response.context["charts"]}
    rows = data.counted()
    answered = [r for r in rows if r["answers"].get("needs")]
    meals = sum(1 for r in answered if "meals" in r["answers"]["needs"])
    assert charts["chart-needs"]["values"][0] == hand_percent(meals, len(answered))
    assert f"{hand_percent(meals, len(answered))}%" in html  # the table beside the chart
    assert "vendor/echarts/echarts.min.js" in html and reverse("surveys:survey_export",
                                                               args=[data.survey.public_id]) in html


def test_analysis_page_filters(world, data, client_for):
    url = _pages(data.survey)[0] + f"?community={world.village.code}"
    response = client_for("street_officer").get(url)
    assert response.status_code == 200
    assert response.context["result"]["responses"] == len(data.counted(region=world.village))


def test_analysis_page_query_count_does_not_grow(world, client_for, django_assert_max_num_queries):
    client = client_for("street_officer")
    small = generate(world, seed=1, count=5)
    with django_assert_max_num_queries(30) as queries:
        client.get(reverse("surveys:survey_analysis", args=[small.survey.public_id]))
    large = generate(world, seed=2, count=80)
    with django_assert_max_num_queries(len(queries.captured_queries)):
        client.get(reverse("surveys:survey_analysis", args=[large.survey.public_id]))


def test_crosstab_page_and_htmx_partial(world, data, client_for):
    client = client_for("street_officer")
    url = reverse("surveys:survey_crosstab", args=[data.survey.public_id, "needs"]) + "?by=community"
    page = client.get(url)
    assert page.status_code == 200 and "<html" in page.content.decode() and "丽都社区" in page.content.decode()
    partial = client.get(url, HTTP_HX_REQUEST="true")
    assert partial.status_code == 200 and "<html" not in partial.content.decode()
    assert "丽都社区" in partial.content.decode()
    assert client.get(reverse("surveys:survey_crosstab", args=[data.survey.public_id, "age"])).status_code == 404


def test_export_page_downloads_workbook_and_audits(world, data, client_for):
    response = client_for("street_officer").get(_pages(data.survey)[2])
    assert response.status_code == 200 and response["Content-Type"] == XLSX
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    assert book["答卷"].max_row == len(data.counted()) + 1
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.EXPORT, target=f"survey:{data.survey.public_id}").exists()


def test_api_summary_and_crosstab(world, data, api_for):
    client = api_for("street_officer")
    summary = client.get(_api(data.survey)[0] + "?group=none&from=2000-01-01").json()
    rows = [r for r in data.counted() if r["group"] is None]
    assert summary["responses"] == len(rows) and summary["filters"] == {"group": "none", "from": "2000-01-01"}
    needs = next(q for q in summary["questions"] if q["name"] == "needs")
    answered = [r for r in rows if r["answers"].get("needs")]
    assert needs["n"] == len(answered)
    assert [o["percent"] for o in needs["options"]] == [
        hand_percent(sum(1 for r in answered if name in r["answers"]["needs"]), len(answered))
        for name in ("meals", "medical", "company")]
    table = client.get(_api(data.survey)[1]).json()
    assert table["by"] == "community" and table["total_base"] == len(
        [r for r in data.counted() if r["answers"].get("needs")])
    assert client.get(f"/api/v1/surveys/{data.survey.public_id}/analysis/age").status_code == 404


def test_api_export(world, data, api_for):
    response = api_for("street_officer").get(_api(data.survey)[2])
    assert response.status_code == 200 and response["Content-Type"] == XLSX
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    assert book.sheetnames == ["答卷", "子女", "说明"]


def test_outsider_gets_404_everywhere(world, data, client_for, api_for):
    client, api = client_for("outsider"), api_for("outsider")
    for url in _pages(data.survey):
        assert client.get(url).status_code == 404, url
    for url in _api(data.survey):
        assert api.get(url).status_code == 404, url


def test_viewer_without_export_permission_gets_403_on_export(world, client_for, api_for):
    # Community staff see a district survey (to collect in their community) but may not export it.
    survey = make_survey(world, region=world.district)
    assert client_for("community_staff").get(_pages(survey)[0]).status_code == 200
    assert client_for("community_staff").get(_pages(survey)[2]).status_code == 403
    assert api_for("community_staff").get(_api(survey)[0]).status_code == 200
    assert api_for("community_staff").get(_api(survey)[2]).status_code == 403


@pytest.mark.parametrize("persona", ["volunteer", "resident", "expert_reviewer"])
def test_non_staff_cannot_open_analysis(world, data, client_for, persona):
    for url in _pages(data.survey):
        assert client_for(persona).get(url).status_code in (403, 404), url


def test_the_page_learns_of_responses_that_arrive_after_it_was_drawn(world, client_for):
    from django.urls import reverse

    from wushe.surveys.models import CollectionMode
    from wushe.surveys.services import responses as response_services

    from .factories import make_survey

    survey = make_survey(world)
    client = client_for("street_officer")
    page = client.get(reverse("surveys:survey_analysis", args=[survey.public_id])).content.decode()
    assert 'id="analysis-news"' in page and "every 60s" in page
    news = reverse("surveys:survey_analysis_news", args=[survey.public_id])
    assert "又收到" not in client.get(news + "?seen=0").content.decode()
    response = response_services.response_start(actor=None, survey=survey, region=world.community,
                                                mode=CollectionMode.SELF)
    response_services.response_save(actor=None, response=response, final=True,
                                    raw={"nickname": "钱", "age": 40, "lives_alone": "no"})
    assert "又收到 1 份答卷" in client.get(news + "?seen=0").content.decode()
    assert "又收到" not in client.get(news + "?seen=1").content.decode()
    assert client_for("outsider").get(news).status_code == 404
