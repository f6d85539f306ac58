"""Every page and API endpoint of the services to people (issue 4) that names a record answers an outsider
(community staff of another street) with 404, for reads and writes alike: the URL lists are walked from the
URL configuration and the OpenAPI description, so a new view or endpoint is covered without listing it."""

import re
import uuid

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from wushe.activities.tests.group_factories import make_group
from wushe.cases.tests.factories import intake
from wushe.volunteers.models import HoursCorrection
from wushe.volunteers.tests.records_factories import issue, make_activity, volunteer_row

pytestmark = pytest.mark.django_db


@pytest.fixture
def records(world):
    """One record of each kind the new URLs name, all in the world's home street."""
    activity = make_activity(world)
    row = volunteer_row(activity, world.objects["volunteer"], minutes=90, confirmed=True,
                        confirmed_by=world.users["community_staff"])
    correction = HoursCorrection.objects.create(attendance=row, volunteer=row.volunteer, minutes_before=90,
                                                requested_minutes=120, reason="签退晚了")
    extract = issue(world, world.objects["volunteer"])
    return {"case": intake(world), "activity": activity, "group": make_group(world).activity,
            "attendance": row, "correction": correction, "extract": extract}


def _patterns(namespace: str):
    resolver = get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver) and entry.namespace == namespace:
            for pattern in entry.url_patterns:
                if isinstance(pattern, URLPattern) and pattern.name:
                    yield pattern


def _page_target(records, namespace: str, name: str):
    if namespace == "cases":
        return records["case"]
    if namespace == "activities":
        return records["group"] if name.startswith("group") else records["activity"]
    return {"hours_confirm": records["activity"], "hours_correction_request": records["attendance"],
            "records_correction_answer": records["correction"]}.get(name, records["extract"])


PAGE_NAMESPACES = {"cases": "", "activities": "", "volunteers": "records/"}


def test_every_new_page_that_names_a_record_is_404_for_the_outsider(records, client_for):
    client = client_for("outsider")
    checked = 0
    for namespace, prefix in PAGE_NAMESPACES.items():
        for pattern in _patterns(namespace):
            route = str(pattern.pattern)
            converters = re.findall(r"<uuid:(\w+)>", route)
            if not converters or not route.startswith(prefix):
                continue
            target = _page_target(records, namespace, pattern.name)
            kwargs = {name: "open" for name in re.findall(r"<(?:\w+:)?(\w+)>", route)}
            kwargs.update({name: uuid.uuid4() for name in converters})
            kwargs[converters[0]] = target.public_id
            url = reverse(f"{namespace}:{pattern.name}", kwargs=kwargs)
            get, post = client.get(url), client.post(url, {})
            assert get.status_code in (404, 405), (url, get.status_code)
            assert post.status_code in (404, 405), (url, post.status_code)
            assert 404 in (get.status_code, post.status_code), url
            checked += 1
    assert checked >= 40


def _api_target(records, path: str):
    if path.startswith("/api/v1/services/cases/"):
        return records["case"]
    if path.startswith("/api/v1/services/groups/"):
        return records["group"]
    if path.startswith("/api/v1/services/activities/"):
        return records["activity"]
    for part, key in (("/activities/", "activity"), ("/records/", "attendance"), ("/corrections/", "correction"),
                      ("/extracts/", "extract")):
        if part in path:
            return records[key]
    return None


def test_every_new_endpoint_that_names_a_record_is_404_for_the_outsider(records, client_for, api_for):
    schema = client_for("admin").get("/api/v1/openapi.json").json()
    api = api_for("outsider")
    checked = 0
    for path, operations in schema["paths"].items():
        if not path.startswith("/api/v1/services/"):
            continue
        parameters = re.findall(r"{(?:uuid:)?(\w+)}", path)
        target = _api_target(records, path)
        if not parameters or target is None:
            continue
        url = path
        for index, name in enumerate(parameters):
            value = target.public_id if index == 0 else uuid.uuid4()
            url = re.sub(r"{(?:uuid:)?" + name + "}", str(value), url, count=1)
        for method in operations:
            response = getattr(api, method)(url, data="{}", content_type="application/json") \
                if method != "get" else api.get(url)
            # A write whose body fails the schema is refused before any lookup (422): that reveals nothing.
            allowed = (404,) if method == "get" else (404, 422)
            assert response.status_code in allowed, (method, url, response.status_code)
            checked += 1
    assert checked >= 50
