"""The needs register as Excel: the viewer's needs with the page's filters, projects answering them, audited."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from wushe.audit.models import AuditEvent
from wushe.projects.models import ProjectStatus
from wushe.projects.tests.factories import make_project
from wushe.surveys.services import needs as services

from .needs_factories import make_need

pytestmark = pytest.mark.django_db


def _rows(response):
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def test_export_lists_the_filtered_register_with_answering_projects(world, client_for):
    meals = make_need(world, title="高龄老人助餐")
    make_need(world, region=world.community2, title="儿童课后托管", category="children")
    project = make_project(world, status=ProjectStatus.IN_PROGRESS, title="银龄食堂")
    services.need_link_project(actor=world.street_officer, need=meals, project=project)
    client = client_for("street_officer")
    everything = _rows(client.get(reverse("surveys:need_export")))
    assert everything[0][:3] == ["社区", "区划代码", "需求"]
    assert {row[2] for row in everything[1:]} == {"高龄老人助餐", "儿童课后托管"}
    row = next(r for r in everything if r[2] == "高龄老人助餐")
    assert row[0] == world.community.name and row[7] == "项目回应中" and row[10] == "银龄食堂"
    filtered = _rows(client.get(reverse("surveys:need_export") + "?category=children"))
    assert [r[2] for r in filtered[1:]] == ["儿童课后托管"]
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.EXPORT, target="needs-register").count() == 2


def test_export_shows_only_what_the_viewer_sees_and_needs_the_export_right(world, client_for):
    make_need(world, title="高龄老人助餐")
    assert _rows(client_for("outsider").get(reverse("surveys:need_export")))[1:] == []
    assert client_for("social_worker").get(reverse("surveys:need_export")).status_code == 403
    assert client_for("resident").get(reverse("surveys:need_export")).status_code == 403


def test_api_export(world, api_for):
    make_need(world, title="高龄老人助餐")
    response = api_for("community_staff").get("/api/v1/surveys/needs/export.xlsx?status=open")
    assert response.status_code == 200 and [r[2] for r in _rows(response)[1:]] == ["高龄老人助餐"]
    assert api_for("social_worker").get("/api/v1/surveys/needs/export.xlsx").status_code == 403
