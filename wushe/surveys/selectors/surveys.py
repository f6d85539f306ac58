"""Reads of surveys, quotas and responses; every one takes the viewer."""

from django.db.models import Count, Q, QuerySet

from wushe.accounts import policy
from wushe.accounts.policy import Action, Resource
from wushe.people.models import PopulationGroup
from wushe.regions.models import Level, Region
from wushe.surveys.models import QuotaDimension, ResponseStatus, Survey, SurveyResponse


def surveys_for(viewer, *, action: Action = Action.VIEW) -> QuerySet[Survey]:
    queryset = Survey.objects.active().select_related("region", "owner", "organization")
    return policy.restrict(viewer, Resource.SURVEY, queryset, action)


def get_survey(viewer, public_id, *, action: Action = Action.VIEW) -> Survey:
    queryset = Survey.objects.active().select_related("region", "owner", "organization", "project")
    return policy.get_object_for(viewer, Resource.SURVEY, queryset, action=action, public_id=public_id)


def communities_of(survey: Survey) -> QuerySet[Region]:
    """The current communities a response to the survey may name."""
    return Region.objects.current().subtree_of(survey.region).filter(level=Level.COMMUNITY).order_by("code")


def collect_communities(viewer, survey: Survey) -> QuerySet[Region]:
    """Communities in which the viewer may interview respondents for the survey: all of the survey's when
    they may change the survey, otherwise those of their own area inside it (a community worker collecting
    for a district survey)."""
    communities = communities_of(survey)
    if policy.can(viewer, Action.CHANGE, Resource.SURVEY, survey):
        return communities
    ranges = policy.region_ranges(viewer, policy.roles_of(viewer) & policy.allowed_roles(Resource.SURVEY,
                                                                                         Action.CHANGE))
    query = Q(pk__in=[])
    for low, high in ranges:
        query |= Q(code__gte=low, code__lte=high)
    return communities.filter(query)


def may_collect(viewer, survey: Survey) -> bool:
    return survey.status == "open" and collect_communities(viewer, survey).exists()


def responses_for(viewer, survey: Survey) -> QuerySet[SurveyResponse]:
    """Responses of one survey the viewer may see: all of them for those who may change the survey, the
    ones of their own area for other staff who see it, and the ones they collected themselves."""
    queryset = (SurveyResponse.objects.active().filter(survey=survey)
                .select_related("region", "population_group", "respondent", "collected_by", "respondent_user"))
    if policy.can(viewer, Action.CHANGE, Resource.SURVEY, survey):
        return queryset
    ranges = policy.region_ranges(viewer, policy.roles_of(viewer) & policy.allowed_roles(Resource.SURVEY,
                                                                                         Action.VIEW))
    query = Q(collected_by=viewer)
    for low, high in ranges:
        query |= Q(region__code__gte=low, region__code__lte=high)
    return queryset.filter(query)


def submitted_count(viewer, survey: Survey) -> int:
    """Submitted responses of the survey among those the viewer may see."""
    return responses_for(viewer, survey).filter(status=ResponseStatus.SUBMITTED).count()


def quota_progress(survey: Survey) -> list[dict]:
    """Submitted responses against each quota, in quota order."""
    if not survey.quota_by:
        return []
    field = "region_id" if survey.quota_by == QuotaDimension.COMMUNITY else "population_group_id"
    counts = dict(SurveyResponse.objects.active().filter(survey=survey, status=ResponseStatus.SUBMITTED)
                  .values_list(field).annotate(n=Count("id")).values_list(field, "n"))
    rows = []
    for quota in survey.quotas.select_related("region", "population_group"):
        key = quota.region_id if survey.quota_by == QuotaDimension.COMMUNITY else quota.population_group_id
        subject = quota.region if survey.quota_by == QuotaDimension.COMMUNITY else quota.population_group
        if subject is None:
            continue
        count = counts.get(key, 0)
        rows.append({"quota": quota, "label": subject.name, "target": quota.target, "count": count,
                     "percent": round(100 * count / quota.target, 1) if quota.target else 0.0,
                     "full": count >= quota.target})
    return rows


def population_groups():
    return PopulationGroup.objects.all()
