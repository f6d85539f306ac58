import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from wushe.orgs import services
from wushe.orgs.models import BoardMember, GrowthMilestone, GrowthRecord, Organization, OrganizationMember
from wushe.testing.personas import ALL_PERSONAS

from .factories import (
    BoardMemberFactory,
    GrowthRecordFactory,
    OrganizationFactory,
    OrganizationMemberFactory,
    make_credit_code,
)
from .test_views import MAY_CHANGE, MAY_CREATE, MAY_LIST, MAY_VIEW, change_status, detail_status

pytestmark = pytest.mark.django_db

BASE = "/api/v1/orgs/organizations"
PDF = b"%PDF-1.4\n% synthetic evidence\n"


def org_path(world, *parts):
    return "/".join([BASE, str(world.objects["organization"].public_id), *[str(p) for p in parts]])


def post_json(client, path, data):
    return client.post(path, data, content_type="application/json")


def assert_error_shape(response, code):
    body = response.json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message", "fields"}
    assert body["error"]["code"] == code


# Permissions over every persona -------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ALL_PERSONAS)
def test_list_permissions(api_for, world, persona):
    response = api_for(persona).get(BASE)
    assert response.status_code == (200 if persona in MAY_LIST else 403)
    if response.status_code == 200:
        names = {item["name"] for item in response.json()["items"]}
        assert ("将台银龄互助队" in names) == (persona in MAY_VIEW)
    else:
        assert_error_shape(response, "forbidden")


@pytest.mark.parametrize("persona", ALL_PERSONAS)
def test_detail_permissions(api_for, world, persona):
    response = api_for(persona).get(org_path(world))
    assert response.status_code == detail_status(persona)
    if response.status_code == 404:
        assert_error_shape(response, "not_found")


@pytest.mark.parametrize("persona", ALL_PERSONAS)
def test_create_permissions(api_for, world, persona):
    region = world.other_community if persona == "outsider" else world.community
    response = post_json(api_for(persona), BASE, {"name": f"{persona}的组织", "kind": "community_social_org",
                                                  "region": region.code})
    assert response.status_code == (201 if persona in MAY_CREATE else 403)
    assert Organization.objects.filter(name=f"{persona}的组织").exists() == (persona in MAY_CREATE)


@pytest.mark.parametrize("persona", ALL_PERSONAS)
def test_update_permissions(api_for, world, persona):
    response = api_for(persona).patch(org_path(world), {"leader_name": persona}, content_type="application/json")
    expected = change_status(persona)
    assert response.status_code == expected
    if expected == 403:
        assert_error_shape(response, "forbidden")
    assert (Organization.objects.get(pk=world.objects["organization"].pk).leader_name == persona) == (
        persona in MAY_CHANGE)


@pytest.mark.parametrize("persona", ALL_PERSONAS)
def test_void_permissions(api_for, world, persona):
    response = post_json(api_for(persona), org_path(world, "void"), {"reason": "测试作废"})
    assert response.status_code == change_status(persona)
    assert Organization.objects.get(pk=world.objects["organization"].pk).is_voided == (persona in MAY_CHANGE)


@pytest.mark.parametrize("persona", ALL_PERSONAS)
def test_sub_record_list_permissions(api_for, world, persona):
    client = api_for(persona)
    for part in ("board-members", "members", "growth-records", "milestones"):
        assert client.get(org_path(world, part)).status_code == detail_status(persona), part


@pytest.mark.parametrize("persona", ALL_PERSONAS)
def test_sub_record_create_permissions(api_for, world, persona):
    client = api_for(persona)
    payloads = {
        "board-members": {"name": "刘理事", "term_start": "2024-01-01"},
        "members": {"name": "陈会员", "joined_on": "2024-01-01"},
        "growth-records": {"milestone": "board", "achieved_on": "2024-01-01", "evidence": "选举会议纪要"},
    }
    for part, payload in payloads.items():
        response = post_json(client, org_path(world, part), payload)
        assert response.status_code == (201 if persona in MAY_CHANGE else change_status(persona)), part
    organization = world.objects["organization"]
    created = persona in MAY_CHANGE
    assert BoardMember.objects.filter(organization=organization).exists() == created
    assert OrganizationMember.objects.filter(organization=organization).exists() == created
    assert GrowthRecord.objects.filter(organization=organization).exists() == created


@pytest.mark.parametrize("persona", ALL_PERSONAS)
def test_sub_record_void_permissions(api_for, world, persona):
    organization = world.objects["organization"]
    records = {
        "board-members": BoardMemberFactory(organization=organization),
        "members": OrganizationMemberFactory(organization=organization),
        "growth-records": GrowthRecordFactory(organization=organization),
    }
    client = api_for(persona)
    for part, record in records.items():
        response = post_json(client, org_path(world, part, record.public_id, "void"), {"reason": "录入错误"})
        assert response.status_code == change_status(persona), part
        record.refresh_from_db()
        assert record.is_voided == (persona in MAY_CHANGE), part


@pytest.mark.parametrize("persona", ALL_PERSONAS)
def test_evidence_download_and_upload_permissions(api_for, world, persona):
    record = services.growth_record_create(
        actor=world.admin, organization=world.objects["organization"], milestone=GrowthMilestone.BOARD,
        achieved_on=datetime.date(2025, 3, 1), evidence="选举产生理事会",
        evidence_file=SimpleUploadedFile("纪要.pdf", PDF))
    client = api_for(persona)
    response = client.get(org_path(world, "growth-records", record.public_id, "evidence"))
    assert response.status_code == detail_status(persona)
    if response.status_code == 200:
        assert b"".join(response.streaming_content) == PDF
    response = client.post(org_path(world, "growth-records", record.public_id, "evidence"),
                           {"file": SimpleUploadedFile("新纪要.pdf", PDF)})
    assert response.status_code == change_status(persona)


def test_unauthenticated_gets_401(db):
    response = Client().get(BASE)
    assert response.status_code == 401
    assert_error_shape(response, "unauthenticated")


def test_org_leader_gets_404_for_another_organization(api_for, world):
    other = OrganizationFactory(region=world.community)
    client = api_for("org_leader")
    assert client.get(f"{BASE}/{other.public_id}").status_code == 404
    assert client.patch(f"{BASE}/{other.public_id}", {"name": "x"}, content_type="application/json").status_code == 404
    assert post_json(client, f"{BASE}/{other.public_id}/growth-records",
                     {"milestone": "board", "achieved_on": "2024-01-01", "evidence": "x"}).status_code == 404


# Behaviour ----------------------------------------------------------------------------------------------


def test_create_validates_credit_code_with_one_error_shape(api_for, world):
    client = api_for("street_officer")
    response = post_json(client, BASE, {"name": "丽都书画社", "kind": "community_social_org",
                                        "region": world.community2.code, "registration_status": "registered",
                                        "credit_code": "91110000600037341X"})
    assert response.status_code == 422
    assert_error_shape(response, "invalid")
    assert response.json()["error"]["fields"]["credit_code"] == ["统一社会信用代码无效（长度、字符或校验位不正确）。"]
    response = post_json(client, BASE, {"name": "丽都书画社", "kind": "community_social_org",
                                        "region": world.community2.code, "registration_status": "registered",
                                        "credit_code": "91110000600037341L"})
    assert response.status_code == 201 and response.json()["credit_code"] == "91110000600037341L"


def test_create_in_region_outside_scope_is_403(api_for, world):
    response = post_json(api_for("community_staff"), BASE, {"name": "丽都书画社", "kind": "community_social_org",
                                                            "region": world.community2.code})
    assert response.status_code == 403


def test_create_with_unknown_region_is_422(api_for, world):
    response = post_json(api_for("admin"), BASE, {"name": "x", "kind": "community_social_org",
                                                  "region": "999999999999"})
    assert response.status_code == 422 and "region" in response.json()["error"]["fields"]


def test_schema_errors_use_the_error_shape(api_for, world):
    response = post_json(api_for("admin"), BASE, {"name": "x", "kind": "nonsense", "region": world.community.code})
    assert response.status_code == 422
    assert_error_shape(response, "invalid")
    assert "kind" in response.json()["error"]["fields"]


def test_patch_changes_only_sent_fields_and_can_write_growth(api_for, world):
    organization = world.objects["organization"]
    response = api_for("org_leader").patch(
        org_path(world), {"orientation": "service", "growth_evidence": "开展助老服务"},
        content_type="application/json")
    assert response.status_code == 200 and response.json()["orientation"] == "service"
    organization.refresh_from_db()
    assert organization.name == "将台银龄互助队" and organization.region == world.community
    assert GrowthRecord.objects.get(organization=organization).milestone == GrowthMilestone.ORIENTATION_CHANGE


def test_patch_refuses_null_for_required_fields(api_for, world):
    response = api_for("admin").patch(org_path(world), {"name": None}, content_type="application/json")
    assert response.status_code == 422
    assert response.json()["error"]["fields"]["name"]


def test_phone_in_api_is_masked_without_identity_action(api_for, world, monkeypatch):
    from wushe.accounts.policy import MATRIX, Action, Resource, Role

    organization = world.objects["organization"]
    organization.contact_phone = "13912345678"
    organization.save()
    client = api_for("community_staff")
    assert client.get(org_path(world)).json()["contact_phone"] == "13912345678"
    monkeypatch.setitem(MATRIX[Resource.ORGANIZATION], Action.VIEW_IDENTITY, {Role.PLATFORM_ADMIN})
    assert client.get(org_path(world)).json()["contact_phone"] == "139****5678"
    assert client.get(BASE).json()["items"][0]["contact_phone"] == "139****5678"


def test_list_filters_and_search(api_for, world):
    OrganizationFactory(region=world.community2, name="丽都合唱团", credit_code=make_credit_code(3))
    client = api_for("street_officer")
    names = {item["name"] for item in client.get(BASE, {"q": "hct"}).json()["items"]}
    assert names == {"丽都合唱团"}
    names = {item["name"] for item in client.get(BASE, {"region": world.community.code}).json()["items"]}
    assert names == {"将台银龄互助队"}
    assert client.get(BASE, {"region": "000000000000"}).json()["count"] == 0


def test_list_query_count_does_not_grow_with_rows(api_for, world, django_assert_max_num_queries):
    client = api_for("street_officer")
    OrganizationFactory.create_batch(3, region=world.community)
    client.get(BASE)  # the first request of a token records its last use
    with django_assert_max_num_queries(8) as few:
        assert client.get(BASE).status_code == 200
    for organization in OrganizationFactory.create_batch(27, region=world.community2):
        OrganizationMemberFactory(organization=organization)
    with django_assert_max_num_queries(8) as many:
        assert client.get(BASE).status_code == 200
    assert len(many.captured_queries) == len(few.captured_queries)


def test_board_member_appointed_is_flagged(api_for, world):
    client = api_for("community_staff")
    response = post_json(client, org_path(world, "board-members"), {
        "name": "刘理事", "position": "chair", "term_start": "2024-01-01", "elected_by_residents": False})
    assert response.status_code == 201 and response.json()["appointed_warning"] is True
    response = post_json(client, org_path(world, "board-members"), {
        "name": "赵理事", "term_start": "2024-01-01", "term_end": "2023-01-01"})
    assert response.status_code == 422
    assert response.json()["error"]["fields"]["term_end"] == [str(services.MSG_TERM_END_NOT_AFTER_START)]


def test_growth_record_flow_with_upload(api_for, world):
    client = api_for("org_leader")
    response = post_json(client, org_path(world, "growth-records"), {
        "milestone": "written_rules", "achieved_on": "2025-05-01", "evidence": "制定财务管理制度"})
    assert response.status_code == 201 and response.json()["evidence_url"] is None
    record_id = response.json()["public_id"]
    response = client.post(org_path(world, "growth-records", record_id, "evidence"),
                           {"file": SimpleUploadedFile("制度.exe", b"MZ")})
    assert response.status_code == 422
    assert response.json()["error"]["fields"]["evidence_file"] == [str(services.MSG_EVIDENCE_FILE_TYPE)]
    response = client.post(org_path(world, "growth-records", record_id, "evidence"),
                           {"file": SimpleUploadedFile("制度.pdf", PDF)})
    assert response.status_code == 200
    url = response.json()["evidence_url"]
    assert url == org_path(world, "growth-records", record_id, "evidence")
    assert b"".join(client.get(url).streaming_content) == PDF
    milestones = {m["milestone"]: m for m in client.get(org_path(world, "milestones")).json()}
    assert milestones["written_rules"]["reached"] and milestones["written_rules"]["achieved_on"] == "2025-05-01"
    timeline = client.get(org_path(world, "growth-records")).json()
    assert [item["milestone"] for item in timeline] == ["written_rules"]
    response = post_json(client, org_path(world, "growth-records", record_id, "void"), {"reason": ""})
    assert response.status_code == 422
    post_json(client, org_path(world, "growth-records", record_id, "void"), {"reason": "重复"})
    assert client.get(org_path(world, "growth-records")).json() == []


def test_growth_record_in_the_future_is_422(api_for, world):
    tomorrow = (datetime.date.today() + datetime.timedelta(days=2)).isoformat()
    response = post_json(api_for("admin"), org_path(world, "growth-records"),
                         {"milestone": "board", "achieved_on": tomorrow, "evidence": "x"})
    assert response.status_code == 422
    assert response.json()["error"]["fields"]["achieved_on"] == [str(services.MSG_DATE_IN_FUTURE)]


def test_changes_on_a_voided_organization_are_refused(api_for, world):
    client = api_for("admin")
    post_json(client, org_path(world, "void"), {"reason": "解散"})
    assert client.get(org_path(world)).json()["void_reason"] == "解散"
    response = client.patch(org_path(world), {"name": "x"}, content_type="application/json")
    assert response.status_code == 403
    assert post_json(client, org_path(world, "members"), {"name": "x", "joined_on": "2024-01-01"}).status_code == 403


def test_openapi_lists_orgs_paths(api_for, world):
    paths = api_for("admin").get("/api/v1/openapi.json").json()["paths"]
    assert f"{BASE}/{{public_id}}/growth-records" in paths
