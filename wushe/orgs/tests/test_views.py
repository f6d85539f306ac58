import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from wushe.audit.models import AuditEvent
from wushe.orgs import services
from wushe.orgs.models import (
    BoardMember,
    GrowthMilestone,
    GrowthRecord,
    Organization,
    OrganizationMember,
    ServiceOrientation,
)
from wushe.testing.personas import ALL_PERSONAS

from .factories import (
    BoardMemberFactory,
    GrowthRecordFactory,
    OrganizationFactory,
    OrganizationMemberFactory,
    make_credit_code,
)

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n% synthetic evidence\n"

# The world's organization 将台银龄互助队 belongs to 将台社区 (world.community); org_leader leads it.
MAY_VIEW = {"admin", "district_officer", "street_officer", "station_staff", "community_staff", "social_worker",
            "org_leader"}
MAY_CHANGE = {"admin", "district_officer", "street_officer", "community_staff", "org_leader"}
# Holds a role that may list organizations somewhere (the outsider sees their own community's).
MAY_LIST = MAY_VIEW | {"outsider"}
# May register organizations: needs a region in the CHANGE scope (a leader's scope is one organization).
MAY_CREATE = {"admin", "district_officer", "street_officer", "community_staff", "outsider"}


def detail_status(persona):
    return 200 if persona in MAY_VIEW else 404


def change_status(persona):
    if persona in MAY_CHANGE:
        return 200
    return 403 if persona in MAY_VIEW else 404


def org_url(world, name, *extra):
    return reverse(f"orgs:{name}", args=[world.objects["organization"].public_id, *extra])


@pytest.fixture
def organization(world):
    return world.objects["organization"]


@pytest.fixture
def board_member(organization):
    return BoardMemberFactory(organization=organization, name="刘理事")


@pytest.fixture
def member(organization):
    return OrganizationMemberFactory(organization=organization, name="陈会员")


@pytest.fixture
def growth_record(world, organization):
    return services.growth_record_create(
        actor=world.admin, organization=organization, milestone=GrowthMilestone.BOARD,
        achieved_on=datetime.date(2025, 3, 1), evidence="选举产生理事会",
        evidence_file=SimpleUploadedFile("选举记录.pdf", PDF))


# Permissions over every persona -------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ALL_PERSONAS)
def test_list_permissions(client_for, world, persona):
    response = client_for(persona).get(reverse("orgs:organization_list"))
    assert response.status_code == (200 if persona in MAY_LIST else 403)
    if response.status_code == 200:
        assert ("将台银龄互助队" in response.content.decode()) == (persona in MAY_VIEW)


@pytest.mark.parametrize("persona", ALL_PERSONAS)
def test_detail_permissions(client_for, world, persona):
    response = client_for(persona).get(org_url(world, "organization_detail"))
    assert response.status_code == detail_status(persona)


@pytest.mark.parametrize("persona", ALL_PERSONAS)
def test_edit_permissions(client_for, world, persona):
    response = client_for(persona).get(org_url(world, "organization_update"))
    assert response.status_code == change_status(persona)


@pytest.mark.parametrize("persona", ALL_PERSONAS)
def test_create_permissions(client_for, world, persona):
    response = client_for(persona).get(reverse("orgs:organization_create"))
    assert response.status_code == (200 if persona in MAY_CREATE else 403)


@pytest.mark.parametrize("persona", ALL_PERSONAS)
def test_void_permissions(client_for, world, organization, persona):
    response = client_for(persona).post(org_url(world, "organization_void"), {"reason": "测试作废"})
    assert response.status_code == (302 if persona in MAY_CHANGE else change_status(persona))
    organization.refresh_from_db()
    assert organization.is_voided == (persona in MAY_CHANGE)


@pytest.mark.parametrize("persona", ALL_PERSONAS)
@pytest.mark.parametrize("name", ["board_member_create", "member_create", "growth_record_create"])
def test_record_create_form_permissions(client_for, world, persona, name):
    response = client_for(persona).get(org_url(world, name))
    assert response.status_code == change_status(persona)


@pytest.mark.parametrize("persona", ALL_PERSONAS)
def test_record_edit_form_permissions(client_for, world, board_member, member, growth_record, persona):
    client = client_for(persona)
    for name, record in [("board_member_update", board_member), ("member_update", member),
                         ("growth_record_update", growth_record)]:
        response = client.get(org_url(world, name, record.public_id))
        assert response.status_code == change_status(persona), name


@pytest.mark.parametrize("persona", ALL_PERSONAS)
def test_record_void_permissions(client_for, world, board_member, member, growth_record, persona):
    client = client_for(persona)
    for name, record in [("board_member_void", board_member), ("member_void", member),
                         ("growth_record_void", growth_record)]:
        response = client.post(org_url(world, name, record.public_id), {"reason": "测试"})
        assert response.status_code == (302 if persona in MAY_CHANGE else change_status(persona)), name
        record.refresh_from_db()
        assert record.is_voided == (persona in MAY_CHANGE), name


@pytest.mark.parametrize("persona", ALL_PERSONAS)
def test_evidence_download_permissions(client_for, world, growth_record, persona):
    response = client_for(persona).get(org_url(world, "growth_evidence_download", growth_record.public_id))
    assert response.status_code == detail_status(persona)
    if response.status_code == 200:
        assert b"".join(response.streaming_content) == PDF
        assert response["Content-Disposition"].startswith("attachment")


def test_anonymous_is_sent_to_login(client, world):
    response = client.get(org_url(world, "organization_detail"))
    assert response.status_code == 302 and "/accounts/login" in response["Location"]


def test_outsider_denial_is_audited(client_for, world):
    client_for("outsider").get(org_url(world, "organization_detail"))
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.DENIED, actor=world.outsider).exists()


# The organization leader persona ------------------------------------------------------------------------


def test_org_leader_gets_404_for_another_organization(client_for, world):
    other = OrganizationFactory(region=world.community, name="将台舞蹈队")
    client = client_for("org_leader")
    for name in ("organization_detail", "organization_update", "growth_record_create", "board_member_create"):
        assert client.get(reverse(f"orgs:{name}", args=[other.public_id])).status_code == 404, name
    listing = client.get(reverse("orgs:organization_list")).content.decode()
    assert "将台银龄互助队" in listing and "将台舞蹈队" not in listing


def test_org_leader_edits_own_organization_without_region_field(client_for, world, organization):
    client = client_for("org_leader")
    page = client.get(org_url(world, "organization_update"))
    assert "region" not in page.context["form"].fields
    response = client.post(org_url(world, "organization_update"), {
        "name": "将台银龄互助队", "kind": organization.kind, "registration_status": "unregistered",
        "orientation": "recreational", "leader_name": "王队长", "contact_phone": "13900001111"})
    assert response.status_code == 302
    organization.refresh_from_db()
    assert organization.leader_name == "王队长" and organization.region == world.community


def test_org_leader_adds_growth_record_with_file(client_for, world, organization):
    response = client_for("org_leader").post(org_url(world, "growth_record_create"), {
        "milestone": GrowthMilestone.WRITTEN_RULES, "achieved_on": "2025-06-01",
        "evidence": "制定《活动管理制度》并公示", "evidence_file": SimpleUploadedFile("制度.pdf", PDF)})
    assert response.status_code == 302 and response["Location"].endswith("#growth")
    record = GrowthRecord.objects.get(organization=organization)
    assert record.recorded_by == world.org_leader and record.evidence_file


# Pages --------------------------------------------------------------------------------------------------


def list_page_queries(client, django_assert_max_num_queries, limit):
    with django_assert_max_num_queries(limit) as captured:
        response = client.get(reverse("orgs:organization_list"))
    assert response.status_code == 200
    return len(captured.captured_queries)


@pytest.mark.parametrize("persona", ["admin", "community_staff", "org_leader"])
def test_list_query_count_does_not_grow_with_rows(client_for, world, django_assert_max_num_queries, persona):
    client = client_for(persona)
    organizations = OrganizationFactory.create_batch(3, region=world.community)
    for organization in organizations:
        OrganizationMemberFactory.create_batch(2, organization=organization)
        GrowthRecordFactory(organization=organization)
    few = list_page_queries(client, django_assert_max_num_queries, 12)
    for organization in OrganizationFactory.create_batch(27, region=world.community):
        OrganizationMemberFactory(organization=organization)
        GrowthRecordFactory(organization=organization, milestone=GrowthMilestone.BOARD)
    many = list_page_queries(client, django_assert_max_num_queries, 12)
    assert many == few


def test_list_htmx_renders_rows_only(client_for, world):
    OrganizationFactory(region=world.community2, name="丽都合唱团")
    response = client_for("street_officer").get(reverse("orgs:organization_list"), {"q": "lidu"},
                                                  HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert "丽都合唱团" in body and "将台银龄互助队" not in body and "<html" not in body


def test_list_filters(client_for, world):
    OrganizationFactory(region=world.community2, name="丽都志愿服务队", orientation=ServiceOrientation.SERVICE)
    client = client_for("street_officer")
    body = client.get(reverse("orgs:organization_list"), {"orientation": "service"}).content.decode()
    assert "丽都志愿服务队" in body and "将台银龄互助队" not in body
    body = client.get(reverse("orgs:organization_list"), {"region": world.community.code}).content.decode()
    assert "丽都志愿服务队" not in body and "将台银龄互助队" in body


def test_phone_is_shown_to_viewers_with_identity_action(client_for, world, organization):
    organization.contact_phone = "13912345678"
    organization.save()
    assert "13912345678" in client_for("community_staff").get(reverse("orgs:organization_list")).content.decode()


def test_phone_is_masked_without_identity_action(client_for, world, organization, monkeypatch):
    from wushe.accounts.policy import MATRIX, Action, Resource, Role

    monkeypatch.setitem(MATRIX[Resource.ORGANIZATION], Action.VIEW_IDENTITY, {Role.PLATFORM_ADMIN})
    organization.contact_phone = "13912345678"
    organization.save()
    client = client_for("community_staff")
    for url in (reverse("orgs:organization_list"), org_url(world, "organization_detail")):
        body = client.get(url).content.decode()
        assert "13912345678" not in body and "139****5678" in body, url


def test_list_paginates(client_for, world, settings):
    settings.WUSHE_PAGE_SIZE = 5
    OrganizationFactory.create_batch(7, region=world.community)
    response = client_for("community_staff").get(reverse("orgs:organization_list"), {"page": 2})
    assert response.context["page"].number == 2 and len(response.context["page"]) == 3


def test_detail_shows_board_members_growth_and_history(client_for, world, organization, growth_record,
                                                       django_assert_max_num_queries):
    BoardMemberFactory(organization=organization, name="刘理事", elected_by_residents=False)
    OrganizationMemberFactory.create_batch(4, organization=organization, serves_regularly=True)
    OrganizationMemberFactory(organization=organization, left_on=datetime.date(2025, 1, 1))
    client = client_for("community_staff")
    with django_assert_max_num_queries(16):
        response = client.get(org_url(world, "organization_detail"))
    body = response.content.decode()
    assert "刘理事" in body and "居委会指定" in body and "理事会应由居民选举产生" in body
    assert response.context["member_counts"].current == 4
    assert response.context["member_counts"].serving_regularly == 4
    assert response.context["member_counts"].former == 1
    checklist = {item.milestone: item for item in response.context["checklist"]}
    assert checklist[GrowthMilestone.BOARD].reached
    assert checklist[GrowthMilestone.BOARD].first.achieved_on == datetime.date(2025, 3, 1)
    assert not checklist[GrowthMilestone.WRITTEN_RULES].reached
    assert checklist[GrowthMilestone.MEMBERS_SERVE].suggested
    assert "选举产生理事会" in body and "修改记录" in body
    assert reverse("orgs:growth_evidence_download", args=[organization.public_id, growth_record.public_id]) in body


def test_detail_query_count_does_not_grow_with_records(client_for, world, organization,
                                                       django_assert_max_num_queries):
    client = client_for("street_officer")
    BoardMemberFactory.create_batch(2, organization=organization)
    GrowthRecordFactory.create_batch(2, organization=organization)
    with django_assert_max_num_queries(16) as few:
        client.get(org_url(world, "organization_detail"))
    BoardMemberFactory.create_batch(10, organization=organization)
    OrganizationMemberFactory.create_batch(20, organization=organization)
    GrowthRecordFactory.create_batch(10, organization=organization, recorded_by=world.admin)
    with django_assert_max_num_queries(16) as many:
        client.get(org_url(world, "organization_detail"))
    assert len(many.captured_queries) == len(few.captured_queries)


def test_history_hidden_from_roles_without_history_action(client_for, world):
    response = client_for("social_worker").get(org_url(world, "organization_detail"))
    assert response.status_code == 200 and "history" not in response.context


def test_read_only_viewer_sees_no_edit_buttons(client_for, world):
    response = client_for("station_staff").get(org_url(world, "organization_detail"))
    assert not response.context["can_change"]
    assert org_url(world, "organization_update") not in response.content.decode()


def test_create_organization(client_for, world):
    response = client_for("street_officer").post(reverse("orgs:organization_create"), {
        "name": "丽都书画社", "kind": "community_social_org", "region": world.community2.code,
        "registration_status": "registered", "credit_code": make_credit_code(11), "orientation": "recreational"})
    organization = Organization.objects.get(name="丽都书画社")
    assert response.status_code == 302 and response["Location"] == reverse(
        "orgs:organization_detail", args=[organization.public_id])
    assert organization.created_by == world.street_officer


def test_create_shows_service_errors_on_fields(client_for, world):
    response = client_for("street_officer").post(reverse("orgs:organization_create"), {
        "name": "丽都书画社", "kind": "community_social_org", "region": world.community2.code,
        "registration_status": "registered", "credit_code": "91110000600037341X", "orientation": "recreational"})
    assert response.status_code == 200
    assert response.context["form"].errors["credit_code"] == ["统一社会信用代码无效（长度、字符或校验位不正确）。"]
    response = client_for("street_officer").post(reverse("orgs:organization_create"), {
        "name": "丽都书画社", "kind": "community_social_org", "region": world.community2.code,
        "registration_status": "registered", "orientation": "recreational"})
    assert response.context["form"].errors["credit_code"] == [str(services.MSG_CREDIT_CODE_REQUIRED)]


def test_create_refuses_region_outside_scope(client_for, world):
    response = client_for("community_staff").post(reverse("orgs:organization_create"), {
        "name": "丽都书画社", "kind": "community_social_org", "region": world.community2.code,
        "registration_status": "unregistered", "orientation": "recreational"})
    assert response.status_code == 200 and "region" in response.context["form"].errors
    assert not Organization.objects.filter(name="丽都书画社").exists()


def test_orientation_change_leads_to_growth_form(client_for, world, organization):
    response = client_for("community_staff").post(org_url(world, "organization_update"), {
        "name": organization.name, "kind": organization.kind, "region": world.community.code,
        "registration_status": "unregistered", "orientation": "service"})
    assert response.status_code == 302
    assert response["Location"].startswith(org_url(world, "growth_record_create") + "?milestone=orientation_change")
    form_page = client_for("community_staff").get(response["Location"])
    assert form_page.context["form"].initial["milestone"] == GrowthMilestone.ORIENTATION_CHANGE
    assert "公益服务" in form_page.context["form"].initial["evidence"]


def test_orientation_change_with_evidence_creates_growth_record(client_for, world, organization):
    response = client_for("org_leader").post(org_url(world, "organization_update"), {
        "name": organization.name, "kind": organization.kind, "registration_status": "unregistered",
        "orientation": "service", "growth_evidence": "每周为独居老人上门探访",
        "growth_evidence_file": SimpleUploadedFile("探访记录.pdf", PDF)})
    assert response.status_code == 302 and response["Location"].endswith("#growth")
    record = GrowthRecord.objects.get(organization=organization)
    assert record.milestone == GrowthMilestone.ORIENTATION_CHANGE and record.evidence_file


def test_growth_record_flow(client_for, world, organization):
    """Add → shows in the timeline and checklist → edit → void (gone from the timeline, kept in history)."""
    client = client_for("community_staff")
    client.post(org_url(world, "growth_record_create"), {
        "milestone": GrowthMilestone.PROJECT_OPERATION, "achieved_on": "2025-09-01",
        "evidence": "承接社区公益金微小项目一项"})
    record = GrowthRecord.objects.get(organization=organization)
    detail = client.get(org_url(world, "organization_detail"))
    assert [r.pk for r in detail.context["timeline"]] == [record.pk]
    assert detail.context["growth_summary"]["reached"] == 1
    response = client.post(org_url(world, "growth_record_update", record.public_id), {
        "milestone": GrowthMilestone.PROJECT_OPERATION, "achieved_on": "2025-09-02", "evidence": "承接微小项目"})
    assert response.status_code == 302
    record.refresh_from_db()
    assert record.achieved_on == datetime.date(2025, 9, 2)
    edit_page = client.get(org_url(world, "growth_record_update", record.public_id))
    assert len(edit_page.context["history"]) == 2
    client.post(org_url(world, "growth_record_void", record.public_id), {"reason": "录入错误"})
    detail = client.get(org_url(world, "organization_detail"))
    assert detail.context["timeline"] == [] and detail.context["growth_summary"]["reached"] == 0
    assert client.get(org_url(world, "growth_record_update", record.public_id)).status_code == 404


def test_growth_record_rejects_future_date_and_bad_file(client_for, world):
    tomorrow = (datetime.date.today() + datetime.timedelta(days=2)).isoformat()
    response = client_for("community_staff").post(org_url(world, "growth_record_create"), {
        "milestone": "board", "achieved_on": tomorrow, "evidence": "x",
        "evidence_file": SimpleUploadedFile("run.exe", b"MZ")})
    errors = response.context["form"].errors
    assert errors["achieved_on"] == [str(services.MSG_DATE_IN_FUTURE)]
    assert errors["evidence_file"] == [str(services.MSG_EVIDENCE_FILE_TYPE)]


def test_board_member_flow(client_for, world, organization):
    client = client_for("org_leader")
    response = client.post(org_url(world, "board_member_create"), {
        "name": "刘理事", "position": "chair", "term_start": "2025-01-01", "term_end": "2024-12-31"})
    assert response.context["form"].errors["term_end"] == [str(services.MSG_TERM_END_NOT_AFTER_START)]
    client.post(org_url(world, "board_member_create"), {
        "name": "刘理事", "position": "chair", "term_start": "2025-01-01", "term_end": "2028-01-01"})
    member = BoardMember.objects.get(organization=organization)
    assert not member.elected_by_residents  # an unticked checkbox: appointed, flagged on the page
    response = client.post(org_url(world, "board_member_update", member.public_id), {
        "name": "刘理事", "position": "chair", "term_start": "2025-01-01", "elected_by_residents": "on"})
    member.refresh_from_db()
    assert member.elected_by_residents and member.term_end is None
    response = client.post(org_url(world, "board_member_void", member.public_id), {"reason": ""})
    assert response.status_code == 302
    member.refresh_from_db()
    assert not member.is_voided  # a void without a reason is refused


def test_member_flow(client_for, world, organization):
    client = client_for("community_staff")
    client.post(org_url(world, "member_create"), {"name": "陈会员", "joined_on": "2024-04-01",
                                                  "serves_regularly": "on"})
    member = OrganizationMember.objects.get(organization=organization)
    assert member.serves_regularly
    client.post(org_url(world, "member_update", member.public_id), {
        "name": "陈会员", "joined_on": "2024-04-01", "left_on": "2025-04-01"})
    member.refresh_from_db()
    assert member.left_on == datetime.date(2025, 4, 1) and not member.serves_regularly


def test_void_organization_shows_banner_and_history(client_for, world, organization):
    client = client_for("street_officer")
    client.post(org_url(world, "organization_void"), {"reason": "组织已解散"})
    detail = client.get(org_url(world, "organization_detail"))
    body = detail.content.decode()
    assert "组织已解散" in body and not detail.context["can_change"]
    assert detail.context["history"][0]["reason"] == "组织已解散"
    assert client.get(org_url(world, "organization_update")).status_code == 403
    listing = client.get(reverse("orgs:organization_list")).content.decode()
    assert "将台银龄互助队" not in listing


def test_evidence_of_voided_record_is_not_served(client_for, world, growth_record):
    services.growth_record_void(actor=world.admin, record=growth_record, reason="上传错误")
    response = client_for("admin").get(org_url(world, "growth_evidence_download", growth_record.public_id))
    assert response.status_code == 404


def test_evidence_url_is_not_under_media(client_for, world, growth_record):
    body = client_for("admin").get(org_url(world, "organization_detail")).content.decode()
    assert growth_record.evidence_file.name not in body and "/media/" not in body
