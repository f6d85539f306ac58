"""The project and round state machines. Every status change goes through `project_transition` /
`round_transition`, so history always names the actor and an illegal jump is refused."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from wushe.core.services import save_with_history

from .models import FundingRound, Project, ProjectStatus, RoundStatus

P = ProjectStatus
R = RoundStatus

PROJECT_TRANSITIONS: dict[str, set[str]] = {
    P.DRAFT: {P.SUBMITTED},
    P.SUBMITTED: {P.DRAFT, P.UNDER_REVIEW},
    P.UNDER_REVIEW: {P.APPROVED, P.REJECTED},
    P.APPROVED: {P.CONTRACTED, P.REJECTED},
    P.REJECTED: set(),
    P.CONTRACTED: {P.IN_PROGRESS, P.TERMINATED},
    P.IN_PROGRESS: {P.MIDTERM_FAILED, P.FINAL_REVIEW, P.TERMINATED},
    P.MIDTERM_FAILED: {P.IN_PROGRESS, P.TERMINATED},
    P.FINAL_REVIEW: {P.CLOSED, P.TERMINATED},
    P.CLOSED: {P.ARCHIVED},
    P.ARCHIVED: set(),
    P.TERMINATED: set(),
}

ROUND_TRANSITIONS: dict[str, set[str]] = {
    R.DRAFT: {R.OPEN},
    R.OPEN: {R.REVIEW},
    R.REVIEW: {R.PUBLICITY},
    R.PUBLICITY: {R.CONTRACTING},
    R.CONTRACTING: {R.FINISHED},
    R.FINISHED: set(),
}

# Statuses in which an application is still the applicant's to edit.
EDITABLE_APPLICATION = {P.DRAFT}
# Statuses of a running project (money may move, monitoring happens).
RUNNING = {P.CONTRACTED, P.IN_PROGRESS, P.MIDTERM_FAILED, P.FINAL_REVIEW}
# Statuses that count as "funded" for the one-grant and double-funding rules.
FUNDED = {P.APPROVED, P.CONTRACTED, P.IN_PROGRESS, P.MIDTERM_FAILED, P.FINAL_REVIEW, P.CLOSED, P.ARCHIVED}

MSG_ILLEGAL_TRANSITION = _("项目当前状态为“%(current)s”，不能变更为“%(target)s”。")
MSG_ILLEGAL_ROUND_TRANSITION = _("轮次当前状态为“%(current)s”，不能变更为“%(target)s”。")


@transaction.atomic
def project_transition(*, actor, project: Project, to: str, reason: str = "") -> Project:
    if to not in PROJECT_TRANSITIONS[project.status]:
        raise ValidationError(MSG_ILLEGAL_TRANSITION % {"current": project.get_status_display(),
                                                        "target": P(to).label}, code="illegal_transition")
    project.status = to
    save_with_history(project, actor=actor, reason=reason or str(P(to).label))
    if to in {P.REJECTED, P.TERMINATED}:
        # The needs it was to answer are uncovered again (docs/surveys.md).
        from wushe.surveys.services.needs import needs_release_project

        needs_release_project(actor=actor, project=project, reason=reason or str(P(to).label))
    return project


@transaction.atomic
def round_transition(*, actor, funding_round: FundingRound, to: str, reason: str = "") -> FundingRound:
    if to not in ROUND_TRANSITIONS[funding_round.status]:
        raise ValidationError(MSG_ILLEGAL_ROUND_TRANSITION % {"current": funding_round.get_status_display(),
                                                              "target": R(to).label}, code="illegal_transition")
    if to == R.CONTRACTING:
        # Agreements may not be signed while publicity runs or objections wait for an answer.
        from .services.review import agreements_may_be_signed

        reasons = agreements_may_be_signed(funding_round)
        if reasons:
            raise ValidationError(reasons, code="agreements_not_yet")
    funding_round.status = to
    save_with_history(funding_round, actor=actor, reason=reason or str(R(to).label))
    return funding_round
