"""Two respondents submitting at the same moment cannot push a community past its quota (separate
connections, on SQLite and on PostgreSQL)."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from wushe.surveys.models import CollectionMode, ResponseStatus, SurveyResponse
from wushe.surveys.services import responses as services

from .factories import make_quota, make_survey

ANSWERS = {"nickname": "钱", "age": 40, "lives_alone": "no"}


@pytest.mark.django_db(transaction=True)
def test_simultaneous_submissions_respect_the_last_place_of_a_quota(world):
    survey = make_survey(world, quota_by="community", capture_group=False)
    make_quota(survey, region=world.community, target=1)
    drafts = [services.response_start(actor=None, survey=survey, region=world.community, mode=CollectionMode.SELF)
              for _ in range(2)]
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def submit(response):
        try:
            barrier.wait(timeout=10)
            services.response_save(actor=None, response=SurveyResponse.objects.get(pk=response.pk), raw=ANSWERS,
                                   final=True)
            outcomes.append("submitted")
        except ValidationError as error:
            outcomes.append("refused:" + ",".join(sorted(e.code for e in error.error_dict.get("region", []))))
        except BaseException as error:  # noqa: BLE001 - reported by the assertion below
            outcomes.append(repr(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=submit, args=(draft,)) for draft in drafts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(outcomes) == ["refused:quota_full", "submitted"]
    assert SurveyResponse.objects.filter(survey=survey, status=ResponseStatus.SUBMITTED).count() == 1
