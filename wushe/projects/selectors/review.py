"""Reads for the review area: expert assignments, scores, vote tallies, the ranking board, objections."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db.models import Count, Prefetch, Q
from django.http import Http404

from wushe.accounts.models import RoleAssignment
from wushe.accounts.policy import Action, Resource, can, may_ever, restrict
from wushe.accounts.roles import Role
from wushe.core.history import history_for
from wushe.core.masking import mask_phone

from ..models import (
    BallotToken,
    FundingRound,
    Objection,
    Project,
    ProjectStatus,
    ResidentVote,
    ReviewerAssignment,
    ReviewStage,
    RoundStatus,
)
from ..services.review import RANKED_STATUSES, criteria_maximum, criteria_of, ranking_scores

PUBLISHED_STATUSES = (RoundStatus.PUBLICITY, RoundStatus.CONTRACTING, RoundStatus.FINISHED)


def project_queryset():
    return Project.objects.select_related("funding_round", "funding_round__region", "region", "applicant",
                                          "implementer", "lead_worker")


def round_queryset():
    return FundingRound.objects.select_related("region")


def expert_choices():
    """Users holding an active expert_reviewer role (only they may be assigned)."""
    experts = RoleAssignment.objects.active().filter(role=Role.EXPERT_REVIEWER).values("user_id")
    return get_user_model().objects.filter(is_active=True, pk__in=experts).order_by("display_name", "username")


def own_assignment(user, project: Project) -> ReviewerAssignment:
    """The viewer's active assignment on the project; 404 when not assigned or withdrawn by a conflict."""
    assignment = (ReviewerAssignment.objects.active().select_related("review")
                  .filter(project=project, reviewer_id=getattr(user, "pk", None), stage=ReviewStage.APPLICATION)
                  .first())
    if assignment is None:
        raise Http404
    return assignment


def my_assignments(user):
    """The expert's assignments on applications they may review, current rounds first."""
    projects = restrict(user, Resource.PROJECT, Project.objects.filter(voided_at__isnull=True), Action.REVIEW)
    return (ReviewerAssignment.objects.active()
            .filter(reviewer_id=user.pk, stage=ReviewStage.APPLICATION, project__in=projects)
            .select_related("project", "project__funding_round", "project__region", "project__applicant", "review")
            .order_by("-project__funding_round__created_at", "project__title", "pk"))


def my_conflicts(user):
    return (ReviewerAssignment.objects.filter(reviewer_id=user.pk, has_conflict=True)
            .select_related("project", "project__funding_round").order_by("-conflict_declared_at"))


def vote_tallies(project_ids) -> dict[int, list[dict]]:
    """Support votes per voter community for each application: {project_id: [{community, code, count}]}."""
    tallies: dict[int, list[dict]] = {}
    rows = (ResidentVote.objects.filter(project_id__in=list(project_ids), stage=ReviewStage.APPLICATION)
            .values("project_id", "community__name", "community__code").annotate(count=Count("pk"))
            .order_by("project_id", "community__code"))
    for row in rows:
        tallies.setdefault(row["project_id"], []).append(
            {"community": row["community__name"], "code": row["community__code"], "count": row["count"]})
    return tallies


def score_rows(criteria: list[dict], review) -> list[dict]:
    """One row per criterion with the review's score (for tables of scores)."""
    scores = review.scores if review is not None else {}
    return [{"key": c["key"], "label": c.get("label", c["key"]), "max": c.get("max"), "score": scores.get(c["key"])}
            for c in criteria]


def _assignments_prefetch():
    return Prefetch("reviewer_assignments", to_attr="application_assignments",
                    queryset=ReviewerAssignment.objects.filter(stage=ReviewStage.APPLICATION)
                    .select_related("reviewer", "review").order_by("created_at", "pk"))


def ranking_list(user, funding_round: FundingRound) -> list[Project]:
    """The round's applications for its review board, best first, each with `score` (live while the round
    is in review, else the stored values), `tallies` per community, `application_assignments`. A fixed
    number of queries whatever the number of applications."""
    projects = list(restrict(user, Resource.PROJECT, funding_round.projects.filter(
        status__in=RANKED_STATUSES, voided_at__isnull=True), Action.VIEW)
        .select_related("region", "applicant", "decided_by").prefetch_related(_assignments_prefetch()))
    tallies = vote_tallies(p.pk for p in projects)
    live = ranking_scores(funding_round) if funding_round.status == RoundStatus.REVIEW else None
    for project in projects:
        project.tallies = tallies.get(project.pk, [])
        project.vote_count = sum(t["count"] for t in project.tallies)
        if live is not None and project.pk in live:
            score = live[project.pk]
            project.score = {"expert": score.expert_score, "resident": score.resident_score,
                             "total": score.total_score, "rank": score.rank, "reviews": score.review_count}
        else:
            project.score = {"expert": project.expert_score, "resident": project.resident_score,
                             "total": project.total_score, "rank": project.rank,
                             "reviews": sum(1 for a in project.application_assignments
                                            if not a.is_voided and review_of(a))}
        project.active_assignments = [a for a in project.application_assignments if not a.is_voided]
    projects.sort(key=lambda p: (p.score["rank"] is None, p.score["rank"] or 0, p.pk))
    return projects


def conflict_declarations(funding_round: FundingRound):
    return (ReviewerAssignment.objects.filter(project__funding_round=funding_round, has_conflict=True)
            .select_related("reviewer", "project").order_by("-conflict_declared_at"))


def mark_contact(user, objection: Objection) -> Objection:
    """Set `contact_shown`: the filer's contact in full for those who may see identities, else masked."""
    visible = may_ever(user, Resource.PROJECT, Action.VIEW_IDENTITY)
    objection.contact_shown = objection.filer_contact if visible else mask_phone(objection.filer_contact)
    return objection


def round_objections(user, funding_round: FundingRound) -> list[Objection]:
    """Objections of the round, for those who manage it (others get none), contacts marked."""
    if not can(user, Action.MANAGE, Resource.FUNDING_ROUND, funding_round):
        return []
    return [mark_contact(user, o) for o in Objection.objects.filter(funding_round=funding_round)
            .select_related("project", "answered_by").order_by("created_at", "pk")]


def objection_for(user, public_id) -> Objection:
    """One objection for an officer managing its round: 404 unless they may see the round, 403 unless
    they manage it."""
    from wushe.accounts.policy import get_object_for

    objection = Objection.objects.select_related("funding_round", "project").filter(public_id=public_id).first()
    if objection is None:
        raise Http404
    get_object_for(user, Resource.FUNDING_ROUND, FundingRound.objects.all(), action=Action.MANAGE,
                   pk=objection.funding_round_id)
    return objection


def ballot_tokens(funding_round: FundingRound):
    return (BallotToken.objects.filter(funding_round=funding_round).select_related("community")
            .annotate(vote_count=Count("votes")).order_by("community__code", "serial"))


def ballot_token_counts(funding_round: FundingRound) -> list[dict]:
    """Per community: tokens printed, used (voted at least once), revoked."""
    return list(BallotToken.objects.filter(funding_round=funding_round)
                .values("community__name", "community__code")
                .annotate(printed=Count("pk", distinct=True),
                          used=Count("pk", filter=Q(votes__isnull=False), distinct=True),
                          revoked=Count("pk", filter=Q(revoked_at__isnull=False), distinct=True))
                .order_by("community__code"))


def project_review_context(user, project: Project) -> dict:
    """What the project's review tab shows to this viewer: managers see every assignment and every score
    (and, during review, the live combined score), an expert their own, everyone who may see the project
    the vote tallies and, once the decision list is published, the stored combined score and rank."""
    funding_round = project.funding_round
    manage = can(user, Action.MANAGE, Resource.PROJECT, project)
    assignments = list(project.reviewer_assignments.filter(stage=ReviewStage.APPLICATION)
                       .select_related("reviewer", "review", "assigned_by").order_by("created_at", "pk"))
    criteria = criteria_of(funding_round)
    active = [a for a in assignments if not a.is_voided]
    shown = assignments if manage else [a for a in active if a.reviewer_id == user.pk]
    for assignment in shown:
        assignment.submitted_review = review_of(assignment)
        assignment.rows = score_rows(criteria, assignment.submitted_review)
    tallies = vote_tallies([project.pk]).get(project.pk, [])
    live = None
    if manage and funding_round.status == RoundStatus.REVIEW:
        live = ranking_scores(funding_round).get(project.pk)
    if live is not None:
        scores = {"expert": live.expert_score, "resident": live.resident_score, "total": live.total_score,
                  "rank": live.rank}
    else:
        scores = {"expert": project.expert_score, "resident": project.resident_score,
                  "total": project.total_score, "rank": project.rank}
    show_history = manage and can(user, Action.HISTORY, Resource.PROJECT, project)
    return {
        "can_manage": manage,
        "assignments": shown,
        "assigned_count": len(active),
        "submitted_count": sum(1 for a in active if review_of(a) and a.review.submitted_at),
        "criteria": criteria,
        "criteria_max": criteria_maximum(funding_round),
        "tallies": tallies,
        "vote_count": sum(t["count"] for t in tallies),
        "scores_visible": manage or funding_round.status in PUBLISHED_STATUSES,
        "scores": scores,
        "scores_live": live is not None,
        "review_history": ([(a, history_for(a.review)) for a in shown if review_of(a)] if show_history else []),
        "round_in_review": funding_round.status == RoundStatus.REVIEW,
        "decidable": funding_round.status == RoundStatus.REVIEW
        and project.status in (ProjectStatus.UNDER_REVIEW, ProjectStatus.APPROVED),
    }


def review_of(assignment):
    """The assignment's ExpertReview or None (the reverse one-to-one raises when missing)."""
    return getattr(assignment, "review", None)
