"""Reads: a user's own import jobs, and the registry rows a viewer may export."""

from collections.abc import Iterator

from django.db.models import BooleanField, Exists, OuterRef, Value
from django.http import Http404

from wushe.accounts import policy
from wushe.accounts.policy import Action
from wushe.audit.models import AuditEvent
from wushe.audit.services import audit_record

from .models import ImportJob

EXPORT_CHUNK = 2000


def jobs_of(user):
    """Import jobs are private to the person who started them."""
    return ImportJob.objects.filter(actor=user).order_by("-created_at")


def job_for(user, public_id) -> ImportJob:
    """One of the user's own jobs; anyone else's is 404 (and the attempt is logged)."""
    job = jobs_of(user).filter(public_id=public_id).first()
    if job is None:
        if ImportJob.objects.filter(public_id=public_id).exists():
            audit_record(actor=user, kind=AuditEvent.Kind.DENIED, target=f"import_job:{public_id}",
                         action="view", status=404)
        raise Http404
    return job


def importable_kinds(user) -> list:
    from .kinds import SPECS

    return [spec for spec in SPECS.values() if policy.may_ever(user, spec.resource, Action.IMPORT)]


def _identity_visible(viewer, spec):
    """Per-row flag: may the viewer see this record's ID number and phone unmasked?"""
    if not policy.may_ever(viewer, spec.resource, Action.VIEW_IDENTITY):
        return Value(False, output_field=BooleanField())
    query = policy.scope_q(viewer, spec.resource, Action.VIEW_IDENTITY)
    if query is None:
        return Value(True, output_field=BooleanField())
    return Exists(spec.model._base_manager.filter(query, pk=OuterRef("pk")))


def export_records(viewer, spec) -> Iterator[tuple[object, bool]]:
    """(record, identity visible) for every non-voided record the viewer may export, streamed in chunks."""
    records = policy.restrict(viewer, spec.resource, spec.export_queryset(), Action.EXPORT)
    if any(column.identity for column in spec.columns):
        records = records.annotate(identity_visible=_identity_visible(viewer, spec))
    for record in records.iterator(chunk_size=EXPORT_CHUNK):
        yield record, getattr(record, "identity_visible", True)
