"""The tab bar shared by every project page (application, review, budget, monitoring, reports, archive)."""

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

TABS = [
    ("application", _("申报书"), "projects:project_detail"),
    ("review", _("评审"), "projects:project_review"),
    ("budget", _("预算与账目"), "projects:project_budget"),
    ("monitoring", _("监测"), "projects:project_monitoring"),
    ("reports", _("报告与评估"), "projects:project_reports"),
    ("archive", _("档案"), "projects:project_archive"),
]


def project_tabs(project, active: str) -> list[dict]:
    tabs = []
    for key, label, url_name in TABS:
        try:
            url = reverse(url_name, args=[project.public_id])
        except NoReverseMatch:  # an area not built yet
            continue
        tabs.append({"key": key, "label": label, "url": url, "active": key == active})
    return tabs


def project_page_context(project, active: str, **extra) -> dict:
    """Context every project page passes to `projects/_project_header.html`."""
    return {"project": project, "tabs": project_tabs(project, active), **extra}
