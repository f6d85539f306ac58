"""Organizations, social workers and volunteers: natural keys, clashes and enum errors of each kind."""

import pytest
from stdnum.cn import uscc

from wushe.core.identity import MSG_USCC_INVALID
from wushe.core.services import record_void
from wushe.imports.kinds.base import (
    MSG_CHOICE_INVALID,
    MSG_CLASH_OTHER_NAME,
    MSG_CLASH_OUT_OF_SCOPE,
    MSG_DUPLICATE_IN_FILE,
    MSG_REGION_OUT_OF_SCOPE,
    MSG_REQUIRED,
)
from wushe.imports.kinds.volunteers import MSG_NUMBER_DOCUMENT_CLASH, MSG_NUMBER_VOIDED
from wushe.imports.models import ImportJob
from wushe.imports.synthetic import nth_citizen_id
from wushe.orgs.models import Organization, OrganizationKind
from wushe.volunteers.models import Volunteer
from wushe.workforce.models import CertificateLevel, SocialWorker

from .conftest import import_rows

pytestmark = pytest.mark.django_db


def credit_code(serial: int) -> str:
    body = f"53110105MJ{serial:07d}"
    return body + uscc.calc_check_digit(body)


def errors_of(job):
    return [(e["row"], e["column"], e["message"]) for e in job.errors]


def organization(index: int, region: str = "110105001001", **overrides) -> dict:
    row = {"name": f"测试互助会{index}", "kind": "社区社会组织", "credit_code": credit_code(index),
           "leader_name": "测试负责人", "contact_phone": f"137{index:08d}", "region": region}
    row.update(overrides)
    return row


def worker(index: int, region: str = "110105001000", **overrides) -> dict:
    row = {"name": f"测试社工{index}", "id_number": nth_citizen_id(index)[0], "phone": f"136{index:08d}",
           "region": region, "certificate_level": "社会工作师", "placement": "社工站社工"}
    row.update(overrides)
    return row


def volunteer(index: int, region: str = "110105001001", **overrides) -> dict:
    row = {"name": f"测试志愿者{index}", "id_number": nth_citizen_id(index)[0], "phone": f"135{index:08d}",
           "skills": "陪伴老人", "region": region}
    row.update(overrides)
    return row


# --- organizations -----------------------------------------------------------------------------------

def test_organizations_import_and_rerun_by_credit_code(world):
    rows = [organization(1), organization(2, credit_code="")]
    job = import_rows("organizations", rows, world.street_officer)
    assert job.status == ImportJob.Status.SUCCEEDED and job.created_count == 2
    created = Organization.objects.get(name="测试互助会1")
    assert created.kind == OrganizationKind.COMMUNITY_SOCIAL_ORG and created.history.get().history_user == world.street_officer
    rows[0]["name"] = "测试互助会（更名）"
    job = import_rows("organizations", rows, world.street_officer)
    assert (job.created_count, job.updated_count, job.unchanged_count) == (0, 1, 1)
    assert Organization.objects.get(credit_code=credit_code(1)).name == "测试互助会（更名）"


def test_organization_errors(world):
    rows = [organization(1, credit_code="53110105MJ00000019"), organization(2, kind=""),
            organization(3, kind="兴趣小组"), organization(4, credit_code=credit_code(1)),
            organization(5, credit_code=credit_code(1))]
    job = import_rows("organizations", rows, world.street_officer)
    assert [(row, column) for row, column, _m in errors_of(job)] == [(2, "统一社会信用代码"), (3, "类型"), (4, "类型"),
                                                                       (6, "统一社会信用代码")]
    messages = [m for _r, _c, m in errors_of(job)]
    assert messages[0] == str(MSG_USCC_INVALID) and messages[1] == str(MSG_REQUIRED)
    assert str(MSG_CHOICE_INVALID).split("“")[0] in messages[2]
    assert messages[3] == str(MSG_DUPLICATE_IN_FILE % {"row": 5})


def test_coded_row_merges_into_uncoded_namesake_in_same_region(world):
    import_rows("organizations", [organization(1, credit_code="")], world.street_officer)
    job = import_rows("organizations", [organization(1)], world.street_officer)
    assert (job.created_count, job.updated_count) == (0, 1)
    assert Organization.objects.get(name="测试互助会1").credit_code == credit_code(1)


def test_organization_of_another_street_cannot_be_merged(world):
    Organization.objects.create(region=world.other_community, name="外街组织", kind=OrganizationKind.OTHER,
                                credit_code=credit_code(7))
    job = import_rows("organizations", [organization(7)], world.street_officer)
    assert errors_of(job) == [(2, "统一社会信用代码", str(MSG_CLASH_OUT_OF_SCOPE))]


# --- social workers ----------------------------------------------------------------------------------

def test_social_workers_import_rerun_and_match_by_name_and_phone(world):
    rows = [worker(1), worker(2, id_number="")]
    job = import_rows("social_workers", rows, world.station_staff)
    assert job.created_count == 2
    created = SocialWorker.objects.get(name="测试社工1")
    assert created.certificate_level == CertificateLevel.INTERMEDIATE and created.birth_date == nth_citizen_id(1)[1]
    rows[1]["certificate_number"] = "证-2"
    job = import_rows("social_workers", rows, world.station_staff)
    assert (job.created_count, job.updated_count, job.unchanged_count) == (0, 1, 1)
    assert SocialWorker.objects.get(name="测试社工2").certificate_number == "证-2"


def test_social_worker_document_under_another_name_is_a_clash(world):
    SocialWorker.objects.create(region=world.street, name="原社工", id_number=nth_citizen_id(1)[0])
    job = import_rows("social_workers", [worker(1)], world.station_staff)
    assert errors_of(job) == [(2, "证件号码", str(MSG_CLASH_OTHER_NAME))]


def test_social_worker_outside_scope_and_bad_enum(world):
    job = import_rows("social_workers", [worker(1, region=world.other_street.code), worker(2, placement="临时工")],
                      world.station_staff)
    assert errors_of(job)[0] == (2, "所属区划代码", str(MSG_REGION_OUT_OF_SCOPE))
    assert errors_of(job)[1][:2] == (3, "岗位类型")


# --- volunteers --------------------------------------------------------------------------------------

def test_new_volunteers_get_generated_numbers_and_reruns_match_by_document(world):
    job = import_rows("volunteers", [volunteer(1), volunteer(2, volunteer_number="V-OWN-2")], world.community_staff)
    assert job.created_count == 2
    generated = Volunteer.objects.get(name="测试志愿者1")
    assert generated.volunteer_number == "V1101050010010001"
    assert "v1101050010010001" in generated.search_text
    assert Volunteer.objects.get(name="测试志愿者2").volunteer_number == "V-OWN-2"
    job = import_rows("volunteers", [volunteer(1), volunteer(2, volunteer_number="V-OWN-2", skills="理发")],
                      world.community_staff)
    assert (job.created_count, job.updated_count, job.unchanged_count) == (0, 1, 1)
    job = import_rows("volunteers", [volunteer(3)], world.community_staff)
    assert Volunteer.objects.get(name="测试志愿者3").volunteer_number == "V1101050010010002"


def test_generated_numbers_skip_numbers_given_later_in_the_file(world):
    rows = [volunteer(1), volunteer(2, volunteer_number="V1101050010010001")]
    job = import_rows("volunteers", rows, world.community_staff)
    assert job.errors == []
    assert Volunteer.objects.get(name="测试志愿者1").volunteer_number == "V1101050010010002"


def test_volunteer_number_of_a_voided_volunteer_cannot_be_reused(world):
    existing = world.objects["volunteer"]
    record_void(actor=world.admin, obj=existing, reason="退出")
    job = import_rows("volunteers", [volunteer(1, volunteer_number=existing.volunteer_number)], world.community_staff)
    assert errors_of(job) == [(2, "志愿者编号", str(MSG_NUMBER_VOIDED))]


def test_volunteer_number_and_document_of_different_volunteers_clash(world):
    import_rows("volunteers", [volunteer(1)], world.community_staff)
    job = import_rows("volunteers", [volunteer(1, volunteer_number=world.objects["volunteer"].volunteer_number)],
                      world.community_staff)
    assert errors_of(job) == [(2, "志愿者编号", str(MSG_NUMBER_DOCUMENT_CLASH))]


def test_volunteer_duplicates_within_file(world):
    job = import_rows("volunteers", [volunteer(1, volunteer_number="A1"), volunteer(2, volunteer_number="a1")],
                      world.community_staff)
    assert errors_of(job) == [(3, "志愿者编号", str(MSG_DUPLICATE_IN_FILE % {"row": 2}))]
