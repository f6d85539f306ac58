"""Reads for a project's archive (档案) and the figures the generated documents and disclosures share.

Single projects are fetched with `policy.get_object_for`; the functions below that take a `project` are
called only after that check. `budget_summary` and `outcome_summary` are the one definition of "budget
against spending by line" and "outcome figures summed from the reports" used by the Word/Excel files, the
archive export and the public disclosure.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, DecimalField, IntegerField, OuterRef, Prefetch, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.http import Http404

from wushe.accounts.policy import Action, Resource, can, get_object_for

from ..models import (
    ArchiveDocument,
    BudgetAdjustment,
    BudgetLine,
    DocumentKind,
    DocumentVersion,
    Evaluation,
    Expense,
    PeriodicReport,
    Project,
    ProjectPhoto,
    Tranche,
)

ZERO = Decimal("0.00")
MONEY = DecimalField(max_digits=14, decimal_places=2)


def project_queryset():
    return Project.objects.select_related(
        "funding_round", "region", "region__parent", "applicant", "implementer", "lead_worker")


def project_for(user, public_id, action: Action = Action.VIEW) -> Project:
    """The project, or 404 (not visible) / 403 (visible but `action` not allowed)."""
    return get_object_for(user, Resource.PROJECT, project_queryset(), action=action, public_id=public_id)


def may_change_archive(user, project: Project) -> bool:
    """Uploading and voiding in the archive: the applicant side (CHANGE), officers (MANAGE) and monitoring
    staff (MONITOR) of this project."""
    return any(can(user, action, Resource.PROJECT, project)
               for action in (Action.CHANGE, Action.MANAGE, Action.MONITOR))


# The archive --------------------------------------------------------------------------------------------


def archive_documents(project: Project, *, include_voided: bool = True) -> list[ArchiveDocument]:
    """Documents with every version (newest first) and its uploader; two queries whatever the count."""
    versions = DocumentVersion.objects.select_related("uploaded_by").order_by("-number")
    documents = ArchiveDocument.objects.filter(project=project).select_related("voided_by").prefetch_related(
        Prefetch("versions", queryset=versions))
    if not include_voided:
        documents = documents.filter(voided_at__isnull=True)
    order = {kind.value: index for index, kind in enumerate(DocumentKind)}
    result = list(documents)
    for document in result:
        document.all_versions = list(document.versions.all())
        document.current_version = document.all_versions[0] if document.all_versions else None
    result.sort(key=lambda d: (order.get(d.kind, 99), d.title, d.pk))
    return result


def documents_by_kind(documents: list[ArchiveDocument]) -> list[dict]:
    """Active documents grouped by kind in the kinds' order, for the archive tab."""
    groups: dict[str, list] = {}
    for document in documents:
        if not document.is_voided:
            groups.setdefault(document.kind, []).append(document)
    return [{"kind": kind, "label": kind.label, "documents": groups[kind.value]}
            for kind in DocumentKind if kind.value in groups]


def archive_document_for(project: Project, public_id) -> ArchiveDocument:
    from django.shortcuts import get_object_or_404

    versions = DocumentVersion.objects.select_related("uploaded_by").order_by("-number")
    document = get_object_or_404(
        ArchiveDocument.objects.filter(project=project).select_related("voided_by").prefetch_related(
            Prefetch("versions", queryset=versions)), public_id=public_id)
    document.all_versions = list(document.versions.all())
    document.current_version = document.all_versions[0] if document.all_versions else None
    return document


def archive_version_for(project: Project, public_id) -> DocumentVersion:
    from django.shortcuts import get_object_or_404

    return get_object_or_404(DocumentVersion.objects.select_related("document"),
                             document__project=project, public_id=public_id)


def archive_photos(project: Project, *, include_voided: bool = False):
    photos = ProjectPhoto.objects.filter(project=project).select_related("uploaded_by", "voided_by")
    if not include_voided:
        photos = photos.filter(voided_at__isnull=True)
    return photos.order_by("-taken_on", "-id")


def archive_photo_for(project: Project, public_id) -> ProjectPhoto:
    from django.shortcuts import get_object_or_404

    return get_object_or_404(ProjectPhoto.objects.filter(project=project), public_id=public_id)


def project_reports(project: Project):
    return PeriodicReport.objects.filter(project=project, voided_at__isnull=True).order_by("period_start", "id")


def project_report_for(project: Project, public_id) -> PeriodicReport:
    from django.shortcuts import get_object_or_404

    try:
        public_id = uuid.UUID(str(public_id))
    except ValueError as exc:
        raise Http404 from exc
    return get_object_or_404(PeriodicReport.objects.filter(project=project, voided_at__isnull=True),
                             public_id=public_id)


# Figures shared by documents and disclosures ------------------------------------------------------------


@dataclass
class BudgetRow:
    category: str
    description: str
    planned: Decimal  # as first agreed (current amount minus approved adjustments)
    adjustment: Decimal  # sum of approved adjustments
    amount: Decimal  # current (adjusted) budget
    spent: Decimal  # sum of the line's active ledger entries
    self_raised: bool = False  # self-raised money (自筹), not the grant
    public_id: object = None

    @property
    def label(self) -> str:
        from django.utils.translation import gettext as _

        return _("%(category)s（自筹）") % {"category": self.category} if self.self_raised else self.category

    @property
    def remaining(self) -> Decimal:
        return self.amount - self.spent


@dataclass
class BudgetSummary:
    rows: list[BudgetRow] = field(default_factory=list)

    @property
    def planned(self) -> Decimal:
        return sum((r.planned for r in self.rows), ZERO)

    @property
    def adjustment(self) -> Decimal:
        return sum((r.adjustment for r in self.rows), ZERO)

    @property
    def amount(self) -> Decimal:
        return sum((r.amount for r in self.rows), ZERO)

    @property
    def spent(self) -> Decimal:
        return sum((r.spent for r in self.rows), ZERO)

    @property
    def remaining(self) -> Decimal:
        return self.amount - self.spent


def _cents(value) -> Decimal:
    # SQLite returns sums of subqueries without their scale (1550.5, 800); always show cents.
    return Decimal(value or 0).quantize(Decimal("0.01"))


def budget_summary(project: Project) -> BudgetSummary:
    """Active budget lines with planned / adjusted / spent / remaining, in one query."""
    spent = (Expense.objects.filter(line=OuterRef("pk"), voided_at__isnull=True).order_by()
             .values("line").annotate(total=Sum("amount")).values("total"))
    adjusted = (BudgetAdjustment.objects.filter(line=OuterRef("pk"), status=BudgetAdjustment.Status.APPROVED)
                .order_by().values("line").annotate(total=Sum("delta")).values("total"))
    lines = (BudgetLine.objects.filter(project=project, voided_at__isnull=True)
             .annotate(spent_total=Coalesce(Subquery(spent, output_field=MONEY), Value(ZERO), output_field=MONEY),
                       adjusted_total=Coalesce(Subquery(adjusted, output_field=MONEY), Value(ZERO),
                                               output_field=MONEY))
             .order_by("sort_order", "id"))
    rows = [BudgetRow(category=line.category, description=line.description,
                      planned=_cents(line.amount - line.adjusted_total), adjustment=_cents(line.adjusted_total),
                      amount=_cents(line.amount), spent=_cents(line.spent_total), self_raised=line.self_raised,
                      public_id=line.public_id) for line in lines]
    return BudgetSummary(rows=rows)


def ledger_entries(project: Project):
    """The project's active ledger entries in date order (the dedicated bookkeeping, 专账)."""
    return (Expense.objects.filter(project=project, voided_at__isnull=True)
            .select_related("line", "recorded_by").order_by("spent_on", "id"))


@dataclass
class OutcomeSummary:
    reports: int = 0
    activities: int = 0
    direct_beneficiaries: int = 0  # unique persons, as each report counts them
    person_times: int = 0
    indirect_beneficiaries: int = 0  # an estimate
    volunteers_involved: int = 0
    registered_volunteers: int = 0  # volunteers attached to the project (unique persons)


# Which reports count towards the outcome figures: submitted, not voided.
COUNTED_REPORTS = Q(voided_at__isnull=True, submitted_at__isnull=False)


def outcome_summary(project: Project) -> OutcomeSummary:
    """Outcome figures summed over the project's submitted reports (one query), plus the number of
    volunteers registered on the project (one query)."""
    totals = PeriodicReport.objects.filter(COUNTED_REPORTS, project=project).aggregate(
        reports=Count("id"),
        activities=Coalesce(Sum("activities_held"), Value(0), output_field=IntegerField()),
        direct=Coalesce(Sum("direct_beneficiaries"), Value(0), output_field=IntegerField()),
        person_times=Coalesce(Sum("person_times"), Value(0), output_field=IntegerField()),
        indirect=Coalesce(Sum("indirect_beneficiaries"), Value(0), output_field=IntegerField()),
        volunteers=Coalesce(Sum("volunteers_involved"), Value(0), output_field=IntegerField()),
    )
    return OutcomeSummary(
        reports=totals["reports"], activities=totals["activities"], direct_beneficiaries=totals["direct"],
        person_times=totals["person_times"], indirect_beneficiaries=totals["indirect"],
        volunteers_involved=totals["volunteers"], registered_volunteers=project.volunteers.count(),
    )


def project_tranches(project: Project):
    return Tranche.objects.filter(project=project).order_by("sequence")


def project_evaluations(project: Project) -> list[Evaluation]:
    order = {"midterm": 0, "final": 1}
    return sorted(Evaluation.objects.filter(project=project), key=lambda e: order.get(e.stage, 9))
