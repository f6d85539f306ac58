from .models import AuditEvent


def audit_record(*, actor, kind: str, target: str = "", **detail) -> AuditEvent:
    return AuditEvent.objects.create(actor=actor if getattr(actor, "is_authenticated", False) else None,
                                     kind=kind, target=target[:200], detail=detail)
