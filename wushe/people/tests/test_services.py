import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from wushe.core.identity import MSG_ID_CHECKSUM, MSG_PASSPORT_INVALID, MSG_PHONE_INVALID, DocumentType, Sex
from wushe.core.services import MSG_ALREADY_VOIDED, MSG_VOID_REASON_REQUIRED
from wushe.people import services
from wushe.people.models import Household, PopulationGroup, Resident

from .factories import HouseholdFactory, ResidentFactory, citizen_id

pytestmark = pytest.mark.django_db


def messages_of(error: ValidationError, field: str) -> list[str]:
    return [str(m) for m in error.value.message_dict[field]]


def create(world, actor="community_staff", **fields):
    values = {"region": world.community, "name": "张三丰", "id_number": "11010519491231002X"}
    values.update(fields)
    return services.resident_create(actor=world.users[actor], **values)


def test_citizen_id_decides_birth_date_and_sex_over_input(world):
    resident = create(world, birth_date=datetime.date(2000, 1, 1), sex=Sex.MALE)
    assert resident.birth_date == datetime.date(1949, 12, 31)
    assert resident.sex == Sex.FEMALE
    assert resident.created_by == world.community_staff


def test_lowercase_x_is_normalised(world):
    assert create(world, id_number=" 11010519491231002x ").id_number == "11010519491231002X"


def test_wrong_check_digit_is_refused(world):
    with pytest.raises(ValidationError) as error:
        create(world, id_number="110105194912310021")
    assert messages_of(error, "id_number") == [str(MSG_ID_CHECKSUM)]
    assert not Resident.objects.filter(name="张三丰").exists()


def test_other_document_types_keep_the_given_birth_date_and_sex(world):
    resident = create(world, document_type=DocumentType.PASSPORT, id_number="e1234 5678",
                      birth_date=datetime.date(1980, 5, 6), sex=Sex.MALE)
    assert (resident.id_number, resident.birth_date, resident.sex) == ("E12345678", datetime.date(1980, 5, 6),
                                                                      Sex.MALE)


def test_malformed_other_document_is_refused(world):
    with pytest.raises(ValidationError) as error:
        create(world, document_type=DocumentType.HK_MACAO_PERMIT, id_number="#1")
    assert messages_of(error, "id_number") == [str(MSG_PASSPORT_INVALID)]


def test_resident_without_document_is_allowed(world):
    resident = create(world, id_number="", birth_date=datetime.date(2015, 3, 1), sex=Sex.MALE)
    assert resident.id_number == "" and resident.age is not None


def test_duplicate_active_document_is_refused_with_a_clear_message(world):
    create(world)
    with pytest.raises(ValidationError) as error:
        create(world, name="张三丰二", region=world.community)
    assert messages_of(error, "id_number") == [str(services.MSG_DUPLICATE_DOCUMENT)]


def test_document_of_a_voided_resident_can_be_registered_again(world):
    first = create(world)
    services.resident_void(actor=world.community_staff, resident=first, reason="重复登记")
    assert create(world).pk != first.pk


def test_same_number_under_another_document_type_is_not_a_duplicate(world):
    create(world, document_type=DocumentType.PASSPORT, id_number="E12345678")
    create(world, document_type=DocumentType.OTHER, id_number="E12345678", name="李四")
    assert Resident.objects.filter(id_number="E12345678").count() == 2


def test_phone_is_validated_and_normalised(world):
    assert create(world, phone="+86 139-1234-5678").phone == "13912345678"
    with pytest.raises(ValidationError) as error:
        create(world, id_number="", phone="12345", name="王五")
    assert messages_of(error, "phone") == [str(MSG_PHONE_INVALID)]


def test_region_outside_change_scope_is_refused(world):
    with pytest.raises(ValidationError) as error:
        create(world, region=world.community2)
    assert messages_of(error, "region") == [str(services.MSG_REGION_OUT_OF_SCOPE)]


def test_region_must_be_a_community(world):
    with pytest.raises(ValidationError) as error:
        create(world, actor="street_officer", region=world.street)
    assert messages_of(error, "region") == [str(services.MSG_REGION_NOT_COMMUNITY)]


def test_revoked_region_is_refused(world):
    world.community.revoked_on = datetime.date(2020, 1, 1)
    world.community.save()
    with pytest.raises(ValidationError) as error:
        create(world, actor="admin")
    assert messages_of(error, "region") == [str(services.MSG_REGION_REVOKED)]


def test_street_officer_may_register_in_any_community_of_the_street(world):
    assert create(world, actor="street_officer", region=world.village).region == world.village


@pytest.mark.parametrize("persona", ["district_officer", "station_staff", "volunteer", "resident"])
def test_roles_without_change_may_not_register(world, persona):
    with pytest.raises(PermissionDenied):
        create(world, actor=persona)


def test_search_text_is_rebuilt_on_every_write(world):
    resident = create(world, address="将台路幸福家园")
    assert "zsf" in resident.search_text and "zhangsanfeng" in resident.search_text
    services.resident_update(actor=world.community_staff, resident=resident, name="李四光")
    resident.refresh_from_db()
    assert "lsg" in resident.search_text and "zsf" not in resident.search_text


def test_update_rederives_birth_date_from_a_new_number(world):
    resident = create(world)
    number = citizen_id(7, birth_date=datetime.date(1960, 2, 29), female=False)
    services.resident_update(actor=world.community_staff, resident=resident, id_number=number,
                             birth_date=datetime.date(1999, 1, 1))
    resident.refresh_from_db()
    assert (resident.birth_date, resident.sex) == (datetime.date(1960, 2, 29), Sex.MALE)


def test_update_by_someone_out_of_scope_is_denied(world):
    resident = ResidentFactory(region=world.community)
    with pytest.raises(PermissionDenied):
        services.resident_update(actor=world.outsider, resident=resident, name="改名")


def test_update_rejects_unknown_fields(world):
    resident = ResidentFactory(region=world.community)
    with pytest.raises(TypeError):
        services.resident_update(actor=world.admin, resident=resident, search_text="x")


def test_set_groups_writes_one_history_entry_with_the_groups(world):
    resident = create(world)
    before = resident.history.count()
    groups = list(PopulationGroup.objects.filter(code__in=["empty_nest_elderly", "oldest_old"]))
    services.resident_set_groups(actor=world.social_worker, resident=resident, groups=groups)
    assert resident.history.count() == before + 1
    latest = resident.history.latest()
    assert latest.history_user == world.social_worker
    assert {g.populationgroup.code for g in latest.groups.all()} == {"empty_nest_elderly", "oldest_old"}


def test_create_with_groups_writes_a_single_creation_entry(world):
    groups = list(PopulationGroup.objects.filter(code="migrant"))
    resident = create(world, groups=groups)
    assert [h.history_type for h in resident.history.all()] == ["+"]
    assert resident.history.get().history_user == world.community_staff
    assert [g.code for g in resident.groups.all()] == ["migrant"]


def test_void_keeps_the_row_and_writes_history_with_the_reason(world):
    resident = create(world)
    services.resident_void(actor=world.community_staff, resident=resident, reason="迁出本社区")
    resident.refresh_from_db()
    assert resident.is_voided and resident.void_reason == "迁出本社区"
    assert resident.voided_by == world.community_staff
    latest = resident.history.latest()
    assert latest.history_change_reason == "迁出本社区" and latest.history_user == world.community_staff
    assert Resident.objects.filter(pk=resident.pk).exists()


def test_void_needs_a_reason_and_happens_once(world):
    resident = create(world)
    with pytest.raises(ValidationError) as error:
        services.resident_void(actor=world.community_staff, resident=resident, reason=" ")
    assert messages_of(error, "reason") == [str(MSG_VOID_REASON_REQUIRED)]
    services.resident_void(actor=world.community_staff, resident=resident, reason="重复")
    with pytest.raises(ValidationError) as error:
        services.resident_void(actor=world.community_staff, resident=resident, reason="重复")
    assert error.value.messages == [str(MSG_ALREADY_VOIDED)]


def test_voided_resident_cannot_be_edited(world):
    resident = create(world)
    services.resident_void(actor=world.community_staff, resident=resident, reason="重复")
    with pytest.raises(ValidationError) as error:
        services.resident_update(actor=world.community_staff, resident=resident, name="新名")
    assert error.value.messages == [str(services.MSG_RECORD_VOIDED)]


def test_read_of_a_sensitive_resident_is_audited(world):
    from wushe.audit.models import AuditEvent

    plain = ResidentFactory(region=world.community)
    sensitive = ResidentFactory(region=world.community, groups=["disability"])
    services.resident_record_read(actor=world.community_staff, resident=plain)
    services.resident_record_read(actor=world.community_staff, resident=sensitive)
    events = AuditEvent.objects.filter(kind=AuditEvent.Kind.SENSITIVE_READ)
    assert [e.target for e in events] == [f"resident:{sensitive.public_id}"]


# --- households ---------------------------------------------------------------------------------------

def test_household_create_and_membership(world):
    actor = world.community_staff
    household = services.household_create(actor=actor, region=world.community, name="张三丰户", address="将台路1号")
    head = ResidentFactory(region=world.community)
    child = ResidentFactory(region=world.community)
    services.household_add_member(actor=actor, household=household, resident=head, is_head=True)
    services.household_add_member(actor=actor, household=household, resident=child, relation_to_head="子女")
    household.refresh_from_db()
    assert household.head == head
    assert set(household.members.all()) == {head, child}
    head.refresh_from_db()
    assert head.relation_to_head == "户主"
    assert "zsfh" in household.search_text


def test_member_of_another_household_must_leave_first(world):
    resident = ResidentFactory(region=world.community)
    HouseholdFactory(region=world.community, members=[resident])
    other = HouseholdFactory(region=world.community)
    with pytest.raises(ValidationError) as error:
        services.household_add_member(actor=world.community_staff, household=other, resident=resident)
    assert messages_of(error, "resident") == [str(services.MSG_ALREADY_IN_HOUSEHOLD)]


def test_removing_the_head_clears_the_head(world):
    resident = ResidentFactory(region=world.community)
    household = HouseholdFactory(region=world.community, members=[resident], head=resident)
    services.household_remove_member(actor=world.community_staff, household=household, resident=resident)
    household.refresh_from_db()
    resident.refresh_from_db()
    assert household.head is None and resident.household is None


def test_head_must_be_a_member(world):
    household = HouseholdFactory(region=world.community)
    stranger = ResidentFactory(region=world.community)
    with pytest.raises(ValidationError) as error:
        services.household_update(actor=world.community_staff, household=household, head=stranger)
    assert messages_of(error, "head") == [str(services.MSG_HEAD_NOT_MEMBER)]


def test_household_region_is_checked(world):
    with pytest.raises(ValidationError) as error:
        services.household_create(actor=world.community_staff, region=world.other_community, name="外户")
    assert messages_of(error, "region") == [str(services.MSG_REGION_OUT_OF_SCOPE)]
    with pytest.raises(ValidationError) as error:
        services.household_create(actor=world.community_staff, region=world.community, name=" ")
    assert messages_of(error, "name") == [str(services.MSG_HOUSEHOLD_NAME_REQUIRED)]


def test_household_void_keeps_the_row_and_releases_members(world):
    resident = ResidentFactory(region=world.community)
    household = HouseholdFactory(region=world.community, members=[resident], head=resident)
    services.household_void(actor=world.street_officer, household=household, reason="分户")
    household.refresh_from_db()
    resident.refresh_from_db()
    assert household.is_voided and household.void_reason == "分户"
    assert Household.objects.filter(pk=household.pk).exists()
    assert resident.household is None
    assert resident.history.latest().history_change_reason == "分户"
    with pytest.raises(ValidationError):
        services.household_add_member(actor=world.street_officer, household=household, resident=resident)


def test_voiding_the_head_leaves_the_household_without_head(world):
    resident = ResidentFactory(region=world.community)
    household = HouseholdFactory(region=world.community, members=[resident], head=resident)
    services.resident_void(actor=world.community_staff, resident=resident, reason="去世")
    household.refresh_from_db()
    assert household.head is None


def test_read_only_role_cannot_change_households(world):
    household = HouseholdFactory(region=world.community)
    with pytest.raises(PermissionDenied):
        services.household_update(actor=world.station_staff, household=household, name="新户名")
