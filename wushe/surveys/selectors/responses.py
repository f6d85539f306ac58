"""Reads of single responses and what a viewer may do with them (lists: `surveys.responses_for`)."""

from django.http import Http404

from wushe.accounts import policy
from wushe.accounts.policy import Action, Resource
from wushe.surveys.models import ResponseStatus, SurveyResponse
from wushe.surveys.selectors.surveys import get_survey, responses_for


def get_response_for(viewer, public_id) -> SurveyResponse:
    """One response the viewer may see (404 otherwise: unseen survey, other area, voided)."""
    survey_id = (SurveyResponse.objects.active().filter(public_id=public_id)
                 .values_list("survey__public_id", flat=True).first())
    if survey_id is None:
        raise Http404
    survey = get_survey(viewer, survey_id)
    response = responses_for(viewer, survey).filter(public_id=public_id).first()
    if response is None:
        raise Http404
    response.survey = survey
    return response


def link_response(survey, code: str) -> SurveyResponse | None:
    """The self-filled response a resume code names on the survey's public link (the code is the secret)."""
    from wushe.surveys.models import CollectionMode

    if not code:
        return None
    return (SurveyResponse.objects.active().select_related("survey", "region", "population_group")
            .filter(survey=survey, resume_code=code, mode=CollectionMode.SELF).first())


def may_fill(viewer, response: SurveyResponse) -> bool:
    """Staff may go on filling a draft they collect, or any draft of a survey they may change; a
    submitted response only those who may change the survey."""
    may_change = policy.can(viewer, Action.CHANGE, Resource.SURVEY, response.survey)
    if response.status == ResponseStatus.SUBMITTED:
        return may_change
    return may_change or (response.collected_by_id is not None and response.collected_by_id == viewer.pk)


def may_see_identity(viewer, survey):
    """A test `f(response) -> bool`: may the viewer see who answered? Those with VIEW_IDENTITY on the survey
    see every respondent, those with VIEW_IDENTITY in the response's community (a community worker on a
    street survey) the respondents of their area."""
    whole_survey = policy.can(viewer, Action.VIEW_IDENTITY, Resource.SURVEY, survey)

    def visible(response: SurveyResponse) -> bool:
        return whole_survey or policy.can_in_region(viewer, Action.VIEW_IDENTITY, Resource.SURVEY, response.region)

    return visible


def mask_name(name: str) -> str:
    """张三丰 → 张**: lists show who answered only to those with VIEW_IDENTITY."""
    if not name:
        return ""
    return name[0] + "*" * max(len(name) - 1, 1)


def respondent_name(response: SurveyResponse) -> str:
    if response.respondent_id:
        return response.respondent.name
    if response.respondent_user_id:
        user = response.respondent_user
        return getattr(user, "display_name", "") or user.get_username()
    return ""


def shown_respondent(response: SurveyResponse, identity_visible) -> str:
    """The respondent's name, masked unless `identity_visible(response)` (see may_see_identity)."""
    name = respondent_name(response)
    return name if identity_visible(response) else mask_name(name)
