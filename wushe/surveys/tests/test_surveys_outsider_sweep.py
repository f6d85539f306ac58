"""Every survey page and endpoint that names a record answers an outsider (community staff of another
street) with 404, for reads and writes alike. The URL lists are walked from the URL configuration and the
OpenAPI description, so a new view or endpoint is covered without listing it here."""

import re
import uuid

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from wushe.projects.models import ProjectStatus
from wushe.projects.tests.factories import make_project
from wushe.surveys.models import CollectionMode
from wushe.surveys.services import needs as need_services
from wushe.surveys.services import responses as response_services

from .factories import make_survey
from .needs_factories import make_engagement, make_need

pytestmark = pytest.mark.django_db


@pytest.fixture
def records(world):
    """One record of each kind the survey URLs name, all in the world's home street."""
    survey = make_survey(world)
    response = response_services.response_start(actor=world.street_officer, survey=survey, region=world.community,
                                                mode=CollectionMode.INTERVIEW)
    need = make_need(world)
    project = make_project(world, status=ProjectStatus.IN_PROGRESS)
    need_services.need_link_project(actor=world.street_officer, need=need, project=project)
    return {"survey": survey, "response": response, "need": need, "engagement": make_engagement(world),
            "project": project}


def _patterns(resolver, prefix=""):
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            yield from _patterns(entry, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern) and entry.name:
            yield prefix + str(entry.pattern), entry.name


def _surveys_resolver():
    return next(entry for entry in get_resolver().url_patterns
                if isinstance(entry, URLResolver) and entry.namespace == "surveys")


def _target(records, route: str, first: str):
    if first == "survey_id":
        return records["survey"]
    if first == "response_id":
        return records["response"]
    return records["engagement"] if route.startswith("engagements/") else records["need"]


def test_every_survey_page_that_names_a_record_is_404_for_the_outsider(records, client_for):
    client = client_for("outsider")
    checked = 0
    for route, name in _patterns(_surveys_resolver()):
        converters = re.findall(r"<uuid:(\w+)>", route)
        if not converters:
            continue
        kwargs = {key: "open" for key in re.findall(r"<(?:\w+:)?(\w+)>", route)}
        kwargs.update({key: uuid.uuid4() for key in converters})
        kwargs[converters[0]] = _target(records, route, converters[0]).public_id
        if "project_id" in kwargs:
            kwargs["project_id"] = records["project"].public_id
        url = reverse(f"surveys:{name}", kwargs=kwargs)
        get, post = client.get(url), client.post(url, {})
        assert get.status_code in (404, 405), (url, get.status_code)
        assert post.status_code in (404, 405), (url, post.status_code)
        assert 404 in (get.status_code, post.status_code), url
        checked += 1
    assert checked >= 25


def test_every_survey_endpoint_that_names_a_record_is_404_for_the_outsider(records, client_for, api_for):
    schema = client_for("admin").get("/api/v1/openapi.json").json()
    api = api_for("outsider")
    checked = 0
    for path, operations in schema["paths"].items():
        if not path.startswith("/api/v1/surveys/"):
            continue
        parameters = re.findall(r"{(?:uuid:)?(\w+)}", path)
        if not parameters:
            continue
        if "/needs/" in path:
            target = records["need"]
        elif "/engagements/" in path:
            target = records["engagement"]
        elif "/responses/" in path and parameters[0] == "response_id":
            target = records["response"]
        else:
            target = records["survey"]
        url = path
        for index, name in enumerate(parameters):
            value = target.public_id if index == 0 else (
                records["project"].public_id if name == "project_id" else uuid.uuid4())
            url = re.sub(r"{(?:uuid:)?" + name + "}", str(value), url, count=1)
        for method, operation in operations.items():
            assert operation["tags"] == ["surveys"], path
            response = getattr(api, method)(url, data="{}", content_type="application/json") \
                if method != "get" else api.get(url)
            # A write whose body fails the schema is refused before any lookup (422): that reveals nothing.
            allowed = (404,) if method == "get" else (404, 422)
            assert response.status_code in allowed, (method, url, response.status_code)
            checked += 1
    assert checked >= 25
