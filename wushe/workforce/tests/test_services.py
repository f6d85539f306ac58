import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from wushe.core.identity import MSG_ID_CHECKSUM, MSG_PHONE_INVALID, Sex
from wushe.core.services import MSG_VOID_REASON_REQUIRED
from wushe.orgs.models import Organization, OrganizationKind
from wushe.workforce import services
from wushe.workforce.models import CertificateLevel, Placement, SocialWorker
from wushe.workforce.selectors import socialworker_counts, socialworker_list

from .factories import SocialWorkerFactory, citizen_id

pytestmark = pytest.mark.django_db


def messages_of(excinfo, field):
    return [str(m) for m in excinfo.value.message_dict[field]]


def create(world, actor="street_officer", **kwargs):
    arguments = {"region": world.street, "name": "张晓梅"} | kwargs
    return services.socialworker_create(actor=world.users[actor], **arguments)


def test_create_sets_search_text_history_and_derives_identity(world):
    number = citizen_id(datetime.date(1990, 5, 17), sequence=124)
    worker = create(world, id_number=number.lower(), phone="+86 138-1234-5678", communities=[world.community])
    assert worker.id_number == number
    assert worker.birth_date == datetime.date(1990, 5, 17) and worker.sex == Sex.FEMALE
    assert worker.phone == "13812345678"
    assert "zxm" in worker.search_text and "zhangxiaomei" in worker.search_text
    assert list(worker.communities.all()) == [world.community]
    first = worker.history.earliest()
    assert first.history_type == "+" and first.history_user == world.street_officer
    assert worker.history.latest().history_user == world.street_officer
    assert worker.created_by == world.street_officer


def test_certificate_number_and_date_required_with_a_level(world):
    with pytest.raises(ValidationError) as excinfo:
        create(world, certificate_level=CertificateLevel.INTERMEDIATE)
    assert messages_of(excinfo, "certificate_number") == [str(services.MSG_CERTIFICATE_NUMBER_REQUIRED)]
    assert messages_of(excinfo, "certified_on") == [str(services.MSG_CERTIFIED_ON_REQUIRED)]


def test_certificate_date_cannot_be_in_the_future(world):
    with pytest.raises(ValidationError) as excinfo:
        create(world, certificate_level=CertificateLevel.ASSISTANT, certificate_number="A1",
               certified_on=datetime.date.today() + datetime.timedelta(days=1))
    assert messages_of(excinfo, "certified_on") == [str(services.MSG_CERTIFIED_ON_FUTURE)]


def test_certificate_details_without_a_level_are_refused(world):
    with pytest.raises(ValidationError) as excinfo:
        create(world, certificate_number="A1")
    assert messages_of(excinfo, "certificate_level") == [str(services.MSG_CERTIFICATE_WITHOUT_LEVEL)]


def test_invalid_id_number_and_phone_are_refused(world):
    number = citizen_id(datetime.date(1990, 5, 17))
    wrong_check = number[:-1] + ("0" if number[-1] != "0" else "1")
    with pytest.raises(ValidationError) as excinfo:
        create(world, id_number=wrong_check, phone="12345")
    assert messages_of(excinfo, "id_number") == [str(MSG_ID_CHECKSUM)]
    assert messages_of(excinfo, "phone") == [str(MSG_PHONE_INVALID)]


def test_duplicate_document_is_refused(world):
    number = citizen_id(datetime.date(1985, 1, 2))
    create(world, id_number=number)
    with pytest.raises(ValidationError) as excinfo:
        create(world, name="另一人", id_number=number)
    assert messages_of(excinfo, "id_number") == [str(services.MSG_DUPLICATE_DOCUMENT)]


def test_mentor_cannot_be_self(world):
    worker = create(world)
    with pytest.raises(ValidationError) as excinfo:
        services.socialworker_update(actor=world.street_officer, worker=worker, mentor=worker)
    assert messages_of(excinfo, "mentor") == [str(services.MSG_MENTOR_SELF)]


def test_mentoring_cycle_is_refused(world):
    senior = create(world, name="高督导")
    middle = create(world, name="中社工", mentor=senior)
    junior = create(world, name="新社工", mentor=middle)
    with pytest.raises(ValidationError) as excinfo:
        services.socialworker_update(actor=world.street_officer, worker=senior, mentor=junior)
    assert messages_of(excinfo, "mentor") == [str(services.MSG_MENTOR_CYCLE)]
    senior.refresh_from_db()
    assert senior.mentor is None


def test_mentor_outside_scope_is_refused(world):
    stranger = SocialWorkerFactory(region=world.other_street)
    with pytest.raises(ValidationError) as excinfo:
        create(world, mentor=stranger)
    assert messages_of(excinfo, "mentor") == [str(services.MSG_MENTOR_UNAVAILABLE)]


def test_communities_must_be_community_level(world):
    with pytest.raises(ValidationError) as excinfo:
        create(world, communities=[world.street])
    assert messages_of(excinfo, "communities") == [str(services.MSG_COMMUNITY_NOT_COMMUNITY_LEVEL)]


def test_communities_must_be_within_actor_scope(world):
    with pytest.raises(ValidationError) as excinfo:
        create(world, communities=[world.other_community])
    assert messages_of(excinfo, "communities") == [str(services.MSG_COMMUNITY_OUT_OF_SCOPE)]


def test_region_outside_scope_is_refused(world):
    with pytest.raises(ValidationError) as excinfo:
        create(world, region=world.other_street)
    assert messages_of(excinfo, "region") == [str(services.MSG_REGION_OUT_OF_SCOPE)]


def test_employer_must_be_visible(world):
    far = Organization.objects.create(region=world.other_community, name="远方机构",
                                      kind=OrganizationKind.SOCIAL_WORK_AGENCY)
    with pytest.raises(ValidationError) as excinfo:
        create(world, employer=far, placement=Placement.AGENCY)
    assert messages_of(excinfo, "employer") == [str(services.MSG_EMPLOYER_UNAVAILABLE)]
    worker = create(world, employer=world.objects["organization"], placement=Placement.AGENCY)
    assert worker.employer == world.objects["organization"]


def test_read_only_role_cannot_write(world):
    worker = world.objects["worker"]
    with pytest.raises(PermissionDenied):
        services.socialworker_update(actor=world.community_staff, worker=worker, name="改名")
    with pytest.raises(ValidationError):  # no region in scope at all
        create(world, actor="community_staff", region=world.community)


def test_update_writes_one_history_row_with_community_change(world):
    worker = create(world, communities=[world.community])
    before = worker.history.count()
    services.socialworker_update(actor=world.station_staff, worker=worker, communities=[world.community2],
                                 placement=Placement.STATION)
    assert worker.history.count() == before + 1
    worker.refresh_from_db()
    assert list(worker.communities.all()) == [world.community2]
    assert worker.history.latest().history_user == world.station_staff


def test_void_requires_reason_and_keeps_history(world):
    worker = create(world)
    with pytest.raises(ValidationError) as excinfo:
        services.socialworker_void(actor=world.street_officer, worker=worker, reason=" ")
    assert messages_of(excinfo, "reason") == [str(MSG_VOID_REASON_REQUIRED)]
    services.socialworker_void(actor=world.street_officer, worker=worker, reason="离职")
    worker.refresh_from_db()
    assert worker.is_voided and worker.void_reason == "离职"
    assert worker.history.latest().history_change_reason == "离职"
    assert SocialWorker.objects.filter(pk=worker.pk).exists()  # never hard-deleted
    assert worker not in socialworker_list(world.street_officer)
    with pytest.raises(ValidationError) as excinfo:
        services.socialworker_update(actor=world.street_officer, worker=worker, name="复活")
    assert excinfo.value.messages == [str(services.MSG_RECORD_VOIDED)]


def test_counts_total_and_certified_in_subtree(world):
    SocialWorkerFactory.create_batch(3, region=world.street, certified=True)
    SocialWorkerFactory.create_batch(2, region=world.community2)
    SocialWorkerFactory(region=world.other_street, certified=True)
    # The world's 李社工 is certified and homed at the street.
    assert socialworker_counts(world.admin) == {"total": 7, "certified": 5}
    assert socialworker_counts(world.street_officer) == {"total": 6, "certified": 4}
    assert socialworker_counts(world.admin, within=world.community2) == {"total": 2, "certified": 0}
    # Serving a community counts a worker in that community's subtree.
    assert socialworker_counts(world.admin, within=world.community) == {"total": 1, "certified": 1}
    assert socialworker_counts(world.supervisor) == {"total": 1, "certified": 1}


def test_search_by_pinyin_initials_and_filters(world):
    wang = create(world, name="王丽华", certificate_level=CertificateLevel.SENIOR, certificate_number="G9",
                  certified_on=datetime.date(2020, 1, 1), placement=Placement.DISPATCHED,
                  communities=[world.village])
    create(world, name="赵强")
    user = world.street_officer
    assert list(socialworker_list(user, query="wlh")) == [wang]
    assert list(socialworker_list(user, query="wanglihua")) == [wang]
    assert list(socialworker_list(user, query="王丽")) == [wang]
    assert wang in socialworker_list(user, certificate_level="certified")
    assert list(socialworker_list(user, certificate_level=CertificateLevel.SENIOR)) == [wang]
    assert list(socialworker_list(user, placement=Placement.DISPATCHED)) == [wang]
    assert list(socialworker_list(user, community=world.village)) == [wang]


def test_void_reason_longer_than_the_history_column_is_refused(world):
    worker = create(world)
    with pytest.raises(ValidationError) as excinfo:
        services.socialworker_void(actor=world.street_officer, worker=worker, reason="长" * 101)
    assert messages_of(excinfo, "reason") == [str(services.MSG_VOID_REASON_TOO_LONG)]
    services.socialworker_void(actor=world.street_officer, worker=worker, reason="长" * 100)
    assert worker.history.latest().history_change_reason == "长" * 100
