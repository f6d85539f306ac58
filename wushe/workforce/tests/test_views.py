import datetime

import pytest
from django.urls import reverse

from wushe.testing.personas import ALL_PERSONAS
from wushe.workforce import services
from wushe.workforce.models import CertificateLevel, Placement, SocialWorker

from .factories import SocialWorkerFactory, citizen_id

pytestmark = pytest.mark.django_db

# The world's worker 李社工 is homed at the street (东风街道) and serves 将台社区, so the community's staff
# see her (a worker is in scope of the communities she serves) but may not change her.
DETAIL_STATUS = {
    "admin": 200, "district_officer": 200, "street_officer": 200, "station_staff": 200,
    "community_staff": 200, "social_worker": 200, "supervisor": 200, "org_leader": 404, "volunteer": 404,
    "expert_reviewer": 404, "resident": 404, "outsider": 404,
}
EDIT_STATUS = DETAIL_STATUS | {"community_staff": 403, "social_worker": 403, "supervisor": 403}
MAY_CHANGE = {"admin", "district_officer", "street_officer", "station_staff"}
MAY_VIEW = MAY_CHANGE | {"community_staff", "social_worker", "supervisor", "outsider"}


def worker_url(world, name):
    return reverse(f"workforce:{name}", args=[world.objects["worker"].public_id])


def statuses(client_for, url, method="get", data=None) -> dict[str, int]:
    """The status each persona gets for one request (read-only requests share one world)."""
    return {p: getattr(client_for(p), method)(url, data or {}).status_code for p in ALL_PERSONAS}


def test_list_permissions(client_for, world):
    assert statuses(client_for, reverse("workforce:socialworker_list")) == {
        p: 200 if p in MAY_VIEW else 403 for p in ALL_PERSONAS}
    body = client_for("outsider").get(reverse("workforce:socialworker_list")).content.decode()
    assert "李社工" not in body


def test_detail_permissions(client_for, world):
    assert statuses(client_for, worker_url(world, "socialworker_detail")) == DETAIL_STATUS


def test_edit_permissions(client_for, world):
    assert statuses(client_for, worker_url(world, "socialworker_edit")) == EDIT_STATUS


@pytest.mark.parametrize("persona", ALL_PERSONAS)
def test_void_permissions(client_for, world, persona):
    response = client_for(persona).post(worker_url(world, "socialworker_void"), {"reason": "测试"})
    expected = 302 if persona in MAY_CHANGE else EDIT_STATUS[persona]
    assert response.status_code == expected
    assert SocialWorker.objects.get(pk=world.objects["worker"].pk).is_voided == (persona in MAY_CHANGE)


def test_create_permissions(client_for, world):
    assert statuses(client_for, reverse("workforce:socialworker_create")) == {
        p: 200 if p in MAY_CHANGE else 403 for p in ALL_PERSONAS}


def test_read_only_role_gets_403_on_a_worker_it_sees(client_for, world):
    local = SocialWorkerFactory(region=world.community)
    client = client_for("community_staff")
    assert client.get(reverse("workforce:socialworker_detail", args=[local.public_id])).status_code == 200
    assert client.get(reverse("workforce:socialworker_edit", args=[local.public_id])).status_code == 403
    response = client.post(reverse("workforce:socialworker_edit", args=[local.public_id]), {"name": "x"})
    assert response.status_code == 403


def test_community_staff_see_workers_serving_their_community_only(client_for, world):
    elsewhere = SocialWorkerFactory(region=world.street, name="孙别处")
    elsewhere.communities.add(world.community2)
    body = client_for("community_staff").get(reverse("workforce:socialworker_list")).content.decode()
    assert "李社工" in body and "孙别处" not in body


def test_supervisor_sees_only_the_supervisee(client_for, world):
    other = SocialWorkerFactory(region=world.street, name="钱其他")
    client = client_for("supervisor")
    body = client.get(reverse("workforce:socialworker_list")).content.decode()
    assert "李社工" in body and "钱其他" not in body
    assert client.get(reverse("workforce:socialworker_detail", args=[other.public_id])).status_code == 404


def test_social_worker_sees_own_record(client_for, world):
    SocialWorkerFactory(region=world.street, name="钱其他")
    body = client_for("social_worker").get(reverse("workforce:socialworker_list")).content.decode()
    assert "李社工" in body and "钱其他" not in body


@pytest.mark.parametrize("rows", [3, 30])
def test_list_query_count_does_not_grow(client_for, world, rows, django_assert_max_num_queries):
    organization = world.objects["organization"]
    mentor = world.objects["worker"]
    for _ in range(rows):
        SocialWorkerFactory(region=world.street, certified=True, employer=organization, mentor=mentor,
                            phone="13912345678", communities=[world.community, world.village])
    client = client_for("street_officer")
    with django_assert_max_num_queries(14):
        response = client.get(reverse("workforce:socialworker_list"))
    assert response.status_code == 200
    with django_assert_max_num_queries(10):
        client.get(reverse("workforce:socialworker_list"), {"q": "x"}, HTTP_HX_REQUEST="true")


def test_list_header_counts_and_masked_phone(client_for, world):
    SocialWorkerFactory.create_batch(3, region=world.street, phone="13912345678")
    SocialWorkerFactory(region=world.community2, certified=True)
    SocialWorkerFactory(region=world.street, certified=True, placement=Placement.DISPATCHED)
    response = client_for("street_officer").get(reverse("workforce:socialworker_list"))
    assert response.context["counts"] == {"total": 6, "certified": 3, "community_workers": 5,
                                          "community_workers_certified": 2}
    body = response.content.decode()
    assert 'data-testid="count-community">5<' in body and 'data-testid="count-community-certified">2<' in body
    assert 'data-testid="count-total">6<' in body and 'data-testid="count-certified">3<' in body
    assert "139****5678" in body and "13912345678" not in body


def test_htmx_search_renders_rows_only_and_matches_initials(client_for, world):
    SocialWorkerFactory(region=world.street, name="周文静")
    SocialWorkerFactory(region=world.street, name="孙浩")
    response = client_for("street_officer").get(reverse("workforce:socialworker_list"), {"q": "zwj"},
                                                HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert "周文静" in body and "孙浩" not in body and "<html" not in body


def test_list_filters(client_for, world):
    SocialWorkerFactory(region=world.street, name="周文静", certified=True, communities=[world.village])
    SocialWorkerFactory(region=world.street, name="孙浩")
    client = client_for("street_officer")
    body = client.get(reverse("workforce:socialworker_list"), {"community": world.village.code}).content.decode()
    assert "周文静" in body and "孙浩" not in body
    body = client.get(reverse("workforce:socialworker_list"), {"level": "none"}).content.decode()
    assert "孙浩" in body and "周文静" not in body
    body = client.get(reverse("workforce:socialworker_list"),
                      {"employer": "not-a-uuid", "community": "999"}).content.decode()
    assert "孙浩" in body  # unusable filter values are ignored, not errors


def test_detail_shows_certificate_mentor_mentees_history_and_masks_for_readers(client_for, world):
    worker = world.objects["worker"]
    number = citizen_id(datetime.date(1988, 3, 4))
    services.socialworker_update(actor=world.street_officer, worker=worker, id_number=number,
                                 phone="13712345678", certificate_number="ZS-001",
                                 certified_on=datetime.date(2022, 5, 1))
    mentee = services.socialworker_create(actor=world.street_officer, region=world.street, name="新人甲",
                                          mentor=worker)
    body = client_for("street_officer").get(worker_url(world, "socialworker_detail")).content.decode()
    assert number in body and "13712345678" in body  # street officer may view identity
    assert "ZS-001" in body and mentee.name in body and "将台社区" in body
    assert "修改记录" in body
    response = client_for("supervisor").get(worker_url(world, "socialworker_detail"))
    body = response.content.decode()
    assert number not in body and "137****5678" in body
    assert "新人甲" not in body  # the supervisor's scope is the supervisee only
    assert "history" not in response.context


def test_create_through_the_form(client_for, world):
    client = client_for("street_officer")
    response = client.post(reverse("workforce:socialworker_create"), {
        "name": "冯晓", "region": world.street.code, "placement": "dispatched", "certificate_level": "assistant",
        "certificate_number": "ZS-9", "certified_on": "2023-06-01", "communities": [world.community.code],
        "document_type": "ric", "sex": "U",
    })
    worker = SocialWorker.objects.get(name="冯晓")
    assert response.status_code == 302 and response.url == reverse("workforce:socialworker_detail",
                                                                    args=[worker.public_id])
    assert worker.certificate_level == CertificateLevel.ASSISTANT
    assert list(worker.communities.all()) == [world.community]


def test_form_shows_service_errors_on_fields(client_for, world):
    response = client_for("street_officer").post(reverse("workforce:socialworker_create"), {
        "name": "冯晓", "region": world.street.code, "placement": "dispatched", "certificate_level": "senior",
        "document_type": "ric", "sex": "U",
    })
    assert response.status_code == 200
    assert response.context["form"].errors["certificate_number"] == [str(services.MSG_CERTIFICATE_NUMBER_REQUIRED)]


def test_edit_through_the_form_and_void(client_for, world):
    worker = world.objects["worker"]
    client = client_for("station_staff")
    response = client.post(worker_url(world, "socialworker_edit"), {
        "name": "李社工", "region": world.street.code, "placement": "station", "certificate_level": "none",
        "communities": [world.community.code, world.community2.code], "document_type": "ric", "sex": "F",
    })
    assert response.status_code == 302
    worker.refresh_from_db()
    assert worker.placement == "station" and worker.communities.count() == 2
    client.post(worker_url(world, "socialworker_void"), {"reason": "调离"})
    worker.refresh_from_db()
    assert worker.is_voided
    body = client.get(worker_url(world, "socialworker_detail")).content.decode()
    assert "调离" in body
    assert client.get(worker_url(world, "socialworker_edit")).status_code == 302


def test_void_without_reason_is_refused(client_for, world):
    response = client_for("street_officer").post(worker_url(world, "socialworker_void"), {"reason": ""},
                                                 follow=True)
    assert "作废必须填写原因" in response.content.decode()
    assert not SocialWorker.objects.get(pk=world.objects["worker"].pk).is_voided
