"""Background tasks (django-q2). Tests run them synchronously (Q_CLUSTER["sync"] = True)."""

from .services import import_job_run


def run_import_job(job_id: int, language: str = "") -> str:
    return import_job_run(job_id=job_id, language=language).status
