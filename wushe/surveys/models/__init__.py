"""Needs assessment (需求评估): questionnaires from XLSForm, responses, quotas, focus groups and interviews,
and the community needs register (需求清单) that projects answer."""

from .needs import (
    Engagement,
    EngagementKind,
    Need,
    NeedCategory,
    NeedPriority,
    NeedProjectLink,
    NeedSource,
    NeedStatus,
)
from .responses import AnswerValue, CollectionMode, ResponseStatus, SurveyResponse
from .surveys import Audience, QuotaDimension, Survey, SurveyQuota, SurveyStatus

__all__ = [
    "AnswerValue", "Audience", "CollectionMode", "Engagement", "EngagementKind", "Need", "NeedCategory",
    "NeedPriority", "NeedProjectLink", "NeedSource", "NeedStatus", "QuotaDimension", "ResponseStatus", "Survey",
    "SurveyQuota", "SurveyResponse", "SurveyStatus",
]
