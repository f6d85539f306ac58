import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from wushe.core.identity import MSG_PHONE_INVALID, MSG_USCC_INVALID
from wushe.core.services import MSG_VOID_REASON_REQUIRED
from wushe.orgs import services
from wushe.orgs.models import (
    GrowthMilestone,
    GrowthRecord,
    Organization,
    OrganizationKind,
    RegistrationStatus,
    ServiceOrientation,
)

from .factories import GrowthRecordFactory, OrganizationFactory, make_credit_code

pytestmark = pytest.mark.django_db

VALID_CODE = "91110000600037341L"
PDF = b"%PDF-1.4\n% test evidence\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 16


def messages_of(exc_info, field):
    return [str(m) for m in exc_info.value.message_dict[field]]


def create(actor, region, **fields):
    fields.setdefault("name", "将台书画社")
    fields.setdefault("kind", OrganizationKind.COMMUNITY_SOCIAL_ORG)
    return services.organization_create(actor=actor, region=region, **fields)


# Credit code --------------------------------------------------------------------------------------------


def test_valid_credit_code_is_accepted_and_normalised(world):
    organization = create(world.community_staff, world.community, credit_code=" 91110000600037341l ",
                          registration_status=RegistrationStatus.REGISTERED)
    assert organization.credit_code == VALID_CODE


def test_credit_code_with_wrong_check_char_fails(world):
    with pytest.raises(ValidationError) as exc_info:
        create(world.community_staff, world.community, credit_code="91110000600037341X")
    assert messages_of(exc_info, "credit_code") == [str(MSG_USCC_INVALID)]


def test_registered_organization_needs_a_credit_code(world):
    with pytest.raises(ValidationError) as exc_info:
        create(world.community_staff, world.community, registration_status=RegistrationStatus.REGISTERED)
    assert messages_of(exc_info, "credit_code") == [str(services.MSG_CREDIT_CODE_REQUIRED)]


def test_filed_or_unregistered_organization_may_omit_the_credit_code(world):
    organization = create(world.community_staff, world.community, registration_status=RegistrationStatus.FILED)
    assert organization.credit_code == ""


def test_credit_code_is_unique_among_active_organizations(world):
    OrganizationFactory(region=world.other_community, credit_code=VALID_CODE)
    with pytest.raises(ValidationError) as exc_info:
        create(world.community_staff, world.community, credit_code=VALID_CODE)
    assert messages_of(exc_info, "credit_code") == [str(services.MSG_CREDIT_CODE_TAKEN)]


def test_voiding_frees_the_credit_code(world):
    first = create(world.community_staff, world.community, credit_code=VALID_CODE)
    services.organization_void(actor=world.community_staff, organization=first, reason="重复登记")
    second = create(world.community_staff, world.community, name="将台书画社（新）", credit_code=VALID_CODE)
    assert second.credit_code == VALID_CODE


def test_update_keeps_own_credit_code(world):
    organization = create(world.community_staff, world.community, credit_code=VALID_CODE)
    services.organization_update(actor=world.community_staff, organization=organization, name="将台书画院")
    assert Organization.objects.get(pk=organization.pk).name == "将台书画院"


# Organization rules -------------------------------------------------------------------------------------


def test_create_sets_search_text_creator_and_history(world):
    organization = create(world.street_officer, world.community2, leader_name="张三")
    assert "jiangtai" in organization.search_text and "zs" in organization.search_text
    assert organization.created_by == world.street_officer
    assert organization.history.get().history_user == world.street_officer


def test_region_must_be_inside_the_actors_change_scope(world):
    with pytest.raises(PermissionDenied):
        create(world.community_staff, world.community2)
    with pytest.raises(PermissionDenied):
        create(world.station_staff, world.community)  # station staff may look, not change
    with pytest.raises(PermissionDenied):
        create(world.org_leader, world.community)  # a leader's scope is their own organization


def test_moving_an_organization_out_of_scope_is_refused(world):
    organization = world.objects["organization"]
    with pytest.raises(PermissionDenied):
        services.organization_update(actor=world.community_staff, organization=organization, region=world.community2)
    organization.refresh_from_db()
    assert organization.region == world.community


def test_contact_phone_must_be_a_mobile_number(world):
    with pytest.raises(ValidationError) as exc_info:
        create(world.community_staff, world.community, contact_phone="12345")
    assert messages_of(exc_info, "contact_phone") == [str(MSG_PHONE_INVALID)]
    organization = create(world.community_staff, world.community, contact_phone="139-0000-1234")
    assert organization.contact_phone == "13900001234"


def test_dates_may_not_lie_in_the_future(world):
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    with pytest.raises(ValidationError) as exc_info:
        create(world.community_staff, world.community, founded_on=tomorrow)
    assert messages_of(exc_info, "founded_on") == [str(services.MSG_DATE_IN_FUTURE)]


def test_name_is_required(world):
    with pytest.raises(ValidationError) as exc_info:
        create(world.community_staff, world.community, name="  ")
    assert messages_of(exc_info, "name") == [str(services.MSG_NAME_REQUIRED)]


def test_failed_update_leaves_the_object_unchanged(world):
    organization = world.objects["organization"]
    with pytest.raises(ValidationError):
        services.organization_update(actor=world.org_leader, organization=organization, name="新名字",
                                     contact_phone="bad")
    assert organization.name == "将台银龄互助队"


def test_org_leader_may_update_own_organization_but_not_another(world):
    own = world.objects["organization"]
    services.organization_update(actor=world.org_leader, organization=own, leader_name="王队长")
    assert own.history.first().history_user == world.org_leader
    other = OrganizationFactory(region=world.community)
    with pytest.raises(PermissionDenied):
        services.organization_update(actor=world.org_leader, organization=other, leader_name="王队长")


def test_void_needs_a_reason_and_keeps_history(world):
    organization = world.objects["organization"]
    with pytest.raises(ValidationError) as exc_info:
        services.organization_void(actor=world.community_staff, organization=organization, reason=" ")
    assert messages_of(exc_info, "reason") == [str(MSG_VOID_REASON_REQUIRED)]
    services.organization_void(actor=world.community_staff, organization=organization, reason="组织已解散")
    organization.refresh_from_db()
    assert organization.is_voided and organization.voided_by == world.community_staff
    latest = organization.history.first()
    assert latest.history_change_reason == "组织已解散" and latest.history_user == world.community_staff
    with pytest.raises(ValidationError):
        services.organization_update(actor=world.community_staff, organization=organization, name="复活")


def test_read_only_role_cannot_void(world):
    with pytest.raises(PermissionDenied):
        services.organization_void(actor=world.station_staff, organization=world.objects["organization"],
                                   reason="x")


# Orientation and registration changes are growth -----------------------------------------------------


def test_orientation_change_with_evidence_writes_a_growth_record(world):
    organization = world.objects["organization"]
    created = services.organization_update(
        actor=world.org_leader, organization=organization, orientation=ServiceOrientation.SERVICE,
        growth_evidence="开始为高龄老人提供每周上门探访服务")
    assert [record.milestone for record in created] == [GrowthMilestone.ORIENTATION_CHANGE]
    record = created[0]
    assert "文体娱乐（自娱自乐） → 公益服务" in record.evidence and "上门探访" in record.evidence
    assert record.achieved_on == timezone.localdate() and record.recorded_by == world.org_leader


def test_registration_and_orientation_change_write_two_records(world):
    organization = world.objects["organization"]
    created = services.organization_update(
        actor=world.community_staff, organization=organization, orientation=ServiceOrientation.MUTUAL_AID,
        registration_status=RegistrationStatus.FILED, growth_evidence="街道备案通知书",
        growth_evidence_file=SimpleUploadedFile("备案.pdf", PDF))
    assert {r.milestone for r in created} == {GrowthMilestone.ORIENTATION_CHANGE, GrowthMilestone.REGISTERED}
    assert sum(bool(r.evidence_file) for r in created) == 1


def test_change_without_evidence_writes_no_record(world):
    organization = world.objects["organization"]
    created = services.organization_update(actor=world.community_staff, organization=organization,
                                           orientation=ServiceOrientation.SERVICE)
    assert created == [] and not GrowthRecord.objects.exists()
    changes = services.growth_changes(organization, before_orientation=ServiceOrientation.RECREATIONAL,
                                      before_status=RegistrationStatus.UNREGISTERED)
    assert [milestone for milestone, _detail in changes] == [GrowthMilestone.ORIENTATION_CHANGE]


def test_deregistration_is_not_a_growth_milestone(world):
    organization = world.objects["organization"]
    changes = services.growth_changes(organization, before_orientation=organization.orientation,
                                      before_status=RegistrationStatus.REGISTERED)
    assert changes == []


# Board members ------------------------------------------------------------------------------------------


def test_board_term_end_must_be_after_term_start(world):
    organization = world.objects["organization"]
    with pytest.raises(ValidationError) as exc_info:
        services.board_member_create(actor=world.org_leader, organization=organization, name="刘理事",
                                     term_start=datetime.date(2024, 1, 1), term_end=datetime.date(2024, 1, 1))
    assert messages_of(exc_info, "term_end") == [str(services.MSG_TERM_END_NOT_AFTER_START)]


def test_board_member_appointed_by_the_committee_is_allowed(world):
    member = services.board_member_create(
        actor=world.community_staff, organization=world.objects["organization"], name="刘理事",
        position="chair", term_start=datetime.date(2024, 1, 1), term_end=datetime.date(2027, 1, 1),
        elected_by_residents=False)
    assert member.pk and not member.elected_by_residents
    assert member.history.get().history_user == world.community_staff


def test_board_member_update_and_void(world):
    member = services.board_member_create(actor=world.org_leader, organization=world.objects["organization"],
                                          name="刘理事", term_start=datetime.date(2024, 1, 1))
    services.board_member_update(actor=world.org_leader, member=member, name="刘理事长", position="chair")
    with pytest.raises(ValidationError):
        services.board_member_update(actor=world.org_leader, member=member, term_end=datetime.date(2023, 1, 1))
    member.refresh_from_db()
    assert member.name == "刘理事长" and member.term_end is None
    services.board_member_void(actor=world.org_leader, member=member, reason="辞职")
    assert member.is_voided
    with pytest.raises(ValidationError) as exc_info:
        services.board_member_update(actor=world.org_leader, member=member, name="x")
    assert exc_info.value.messages == [str(services.MSG_RECORD_VOIDED)]


def test_board_member_of_another_organization_cannot_be_added_by_leader(world):
    other = OrganizationFactory(region=world.community)
    with pytest.raises(PermissionDenied):
        services.board_member_create(actor=world.org_leader, organization=other, name="刘理事",
                                     term_start=datetime.date(2024, 1, 1))


# Members -------------------------------------------------------------------------------------------------


def test_member_may_not_leave_before_joining(world):
    with pytest.raises(ValidationError) as exc_info:
        services.organization_member_create(
            actor=world.org_leader, organization=world.objects["organization"], name="陈会员",
            joined_on=datetime.date(2024, 5, 1), left_on=datetime.date(2024, 4, 1))
    assert messages_of(exc_info, "left_on") == [str(services.MSG_LEFT_BEFORE_JOINED)]


def test_member_create_update_void(world):
    member = services.organization_member_create(
        actor=world.org_leader, organization=world.objects["organization"], name="陈会员",
        joined_on=datetime.date(2024, 5, 1), serves_regularly=True)
    services.organization_member_update(actor=world.org_leader, member=member, takes_part_in_governance=True)
    member.refresh_from_db()
    assert member.serves_regularly and member.takes_part_in_governance
    services.organization_member_void(actor=world.org_leader, member=member, reason="录入错误")
    assert member.history.first().history_change_reason == "录入错误"


# Growth records -----------------------------------------------------------------------------------------


def test_growth_record_with_evidence_file(world):
    record = services.growth_record_create(
        actor=world.org_leader, organization=world.objects["organization"], milestone=GrowthMilestone.BOARD,
        achieved_on=datetime.date(2025, 3, 1), evidence="召开会员大会选举产生理事会",
        evidence_file=SimpleUploadedFile("选举记录.png", PNG))
    assert record.recorded_by == world.org_leader
    assert record.evidence_file.name.startswith("orgs/growth/") and record.evidence_file.name.endswith(".png")


def test_growth_record_date_may_not_be_in_the_future(world):
    with pytest.raises(ValidationError) as exc_info:
        services.growth_record_create(
            actor=world.org_leader, organization=world.objects["organization"], milestone=GrowthMilestone.BOARD,
            achieved_on=timezone.localdate() + datetime.timedelta(days=1), evidence="x")
    assert messages_of(exc_info, "achieved_on") == [str(services.MSG_DATE_IN_FUTURE)]


def test_growth_record_needs_evidence_text(world):
    with pytest.raises(ValidationError) as exc_info:
        services.growth_record_create(
            actor=world.org_leader, organization=world.objects["organization"], milestone=GrowthMilestone.BOARD,
            achieved_on=datetime.date(2025, 3, 1), evidence="  ")
    assert messages_of(exc_info, "evidence") == [str(services.MSG_EVIDENCE_REQUIRED)]


@pytest.mark.parametrize(("name", "content"), [
    ("evidence.exe", b"MZ\x90\x00"),
    ("evidence.pdf", b"MZ\x90\x00 not a pdf"),  # right extension, wrong content
    ("evidence.txt", b"plain text"),
])
def test_growth_evidence_file_type_is_limited(world, name, content):
    with pytest.raises(ValidationError) as exc_info:
        services.growth_record_create(
            actor=world.org_leader, organization=world.objects["organization"], milestone=GrowthMilestone.BOARD,
            achieved_on=datetime.date(2025, 3, 1), evidence="x", evidence_file=SimpleUploadedFile(name, content))
    assert messages_of(exc_info, "evidence_file") == [str(services.MSG_EVIDENCE_FILE_TYPE)]


def test_growth_evidence_file_size_is_limited(world):
    big = SimpleUploadedFile("big.pdf", b"%PDF" + b"0" * services.EVIDENCE_MAX_BYTES)
    with pytest.raises(ValidationError) as exc_info:
        services.growth_record_create(
            actor=world.org_leader, organization=world.objects["organization"], milestone=GrowthMilestone.BOARD,
            achieved_on=datetime.date(2025, 3, 1), evidence="x", evidence_file=big)
    assert messages_of(exc_info, "evidence_file") == [str(services.MSG_EVIDENCE_FILE_TOO_LARGE)]
    assert not GrowthRecord.objects.exists()


def test_growth_record_update_replaces_file_and_void(world):
    record = GrowthRecordFactory(organization=world.objects["organization"])
    services.growth_record_update(actor=world.community_staff, record=record, evidence="补充说明",
                                  evidence_file=SimpleUploadedFile("制度.docx", b"PK\x03\x04rest"))
    record.refresh_from_db()
    assert record.evidence == "补充说明" and record.evidence_file.name.endswith(".docx")
    services.growth_record_void(actor=world.community_staff, record=record, reason="重复")
    assert GrowthRecord.objects.active().count() == 0


def test_factory_credit_codes_are_valid(world):
    from wushe.core.identity import validate_uscc

    assert validate_uscc(make_credit_code(7)) == make_credit_code(7)
