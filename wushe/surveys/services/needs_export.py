"""The needs register (需求清单) as an Excel workbook, with the filters of the register page."""

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook

from wushe.accounts import policy
from wushe.accounts.policy import Action, Resource
from wushe.audit.models import AuditEvent
from wushe.audit.services import audit_record

EXPORT_MAX = 100_000


def needs_export(*, actor, filters, fileobj) -> int:
    """Write the needs the actor sees (filtered) to `fileobj`; one row per need with the projects answering
    it. Returns the number of rows; the export is in the audit log."""
    from wushe.surveys.selectors.needs import needs_for

    policy.require(actor, Resource.NEED, Action.EXPORT)
    needs = needs_for(actor, filters).select_related("survey", "engagement")[:EXPORT_MAX]
    book = Workbook(write_only=True)
    sheet = book.create_sheet(_("需求清单"))
    sheet.append([_("社区"), _("区划代码"), _("需求"), _("类别"), _("涉及人群"), _("来源"), _("优先级"), _("状态"),
                  _("提出日期"), _("依据"), _("回应项目"), _("满足日期"), _("满足情况说明"), _("描述")])
    rows = 0
    for need in needs:
        projects = "；".join(link.project.title for link in need.active_links)
        sheet.append([need.region.name, need.region.code, need.title, need.get_category_display(),
                      need.population_group.name if need.population_group_id else "", need.get_source_display(),
                      need.get_priority_display(), need.get_status_display(), need.identified_on, need.evidence,
                      projects, need.met_on, need.met_note, need.description])
        rows += 1
    notes = book.create_sheet(_("说明"))
    notes.append([_("导出时间"), timezone.localtime().strftime("%Y-%m-%d %H:%M")])
    notes.append([_("导出人"), str(actor)])
    notes.append([_("条数"), rows])
    book.save(fileobj)
    audit_record(actor=actor, kind=AuditEvent.Kind.EXPORT, target="needs-register", rows=rows)
    return rows
