"""Generate docs/permissions.md from wushe.accounts.policy.MATRIX (and check that it is up to date)."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation
from django.utils.translation import gettext as _

from wushe.accounts import policy
from wushe.accounts.policy import (
    ADMIN,
    GRANT_RULES,
    MATRIX,
    OBJECT_ONLY,
    OBJECT_RULES,
    VIEW_EXTRAS,
    Action,
    Resource,
)
from wushe.accounts.roles import OBJECT_ROLES, REGION_ROLES, SELF_ROLES, Role
from wushe.core.masking import mask_id_number, mask_phone

DEFAULT_PATH = Path("docs") / "permissions.md"
MSG_OUT_OF_DATE = "%(path)s 已过期，请运行 python manage.py permissions_doc 重新生成。"

RESOURCE_LABELS = {
    Resource.REGION: "行政区划 Region",
    Resource.RESIDENT: "居民 Resident",
    Resource.HOUSEHOLD: "家庭户 Household",
    Resource.ORGANIZATION: "组织 Organization",
    Resource.SOCIAL_WORKER: "社会工作者 Social worker",
    Resource.VOLUNTEER: "志愿者 Volunteer",
    Resource.TEAM: "志愿服务队 Volunteer team",
    Resource.FUNDING_ROUND: "资助轮次 Funding round",
    Resource.PROJECT: "项目 Project",
    Resource.ACTIVITY: "活动与小组 Activity and group work",
    Resource.SERVICE_RECORD: "志愿服务记录证明 Volunteer service-record extract",
    Resource.CASE: "个案 Case (sensitive)",
    Resource.SURVEY: "问卷 Survey (responses, quotas, analysis)",
    Resource.NEED: "需求清单 Needs register (focus groups, interviews)",
}
ACTION_LABELS = {
    Action.VIEW: ("查看", "see the record in lists, counts, detail pages and API reads"),
    Action.CHANGE: ("修改", "create, edit and void (作废, with a reason — nothing is hard-deleted)"),
    Action.VIEW_IDENTITY: ("查看证件号和手机号", "see ID numbers and phones unmasked"),
    Action.EXPORT: ("导出", "download the records as a file"),
    Action.IMPORT: ("导入", "load records from an Excel template"),
    Action.HISTORY: ("变更历史", "read the change history (who, when, what) of a record; for cases, the read log"),
    Action.MANAGE: ("管理", "run a round or a project's decisions, agreement, tranches and closing"),
    Action.MONITOR: ("监测", "monitoring visits and evaluations of projects"),
    Action.REVIEW: ("评审/督导", "score an assigned review; for cases, review and sign off steps and grant access"),
}
ROLE_SCOPES = {
    Role.PLATFORM_ADMIN: "everything",
    Role.CIVIL_AFFAIRS_OFFICER: "the subtree of the assigned district (区/县)",
    Role.STREET_OFFICER: "the subtree of the assigned street or township (街道/乡镇)",
    Role.STATION_STAFF: "the subtree the station or agency is contracted for",
    Role.COMMUNITY_STAFF: "the assigned community or village (社区/村)",
    Role.SOCIAL_WORKER: "the assigned communities, plus their own social-worker record",
    Role.ORG_LEADER: "the organization named in the assignment, its volunteer teams and their volunteers",
    Role.VOLUNTEER: "self: their own volunteer record and the teams they belong to",
    Role.EXPERT_REVIEWER: "the reviews assigned to them (no registry access)",
    Role.SUPERVISOR: "the social workers named in the assignments (supervisees)",
    Role.RESIDENT: "self: their own resident record",
}
# What an object or self rule of policy.OBJECT_RULES selects, per (resource, role).
OBJECT_SCOPES = {
    (Resource.RESIDENT, Role.RESIDENT): "own record",
    (Resource.ORGANIZATION, Role.ORG_LEADER): "own organization",
    (Resource.SOCIAL_WORKER, Role.SUPERVISOR): "supervisees",
    (Resource.SOCIAL_WORKER, Role.SOCIAL_WORKER): "own record",
    (Resource.VOLUNTEER, Role.VOLUNTEER): "own record",
    (Resource.VOLUNTEER, Role.ORG_LEADER): "members of own organization's teams",
    (Resource.TEAM, Role.ORG_LEADER): "own organization's teams",
    (Resource.TEAM, Role.VOLUNTEER): "teams they belong to",
    (Resource.PROJECT, Role.ORG_LEADER): "projects of own organization",
    (Resource.PROJECT, Role.SOCIAL_WORKER): "projects they lead",
    (Resource.PROJECT, Role.EXPERT_REVIEWER): "projects assigned for review",
    (Resource.PROJECT, Role.SUPERVISOR): "projects led by supervisees",
    (Resource.ACTIVITY, Role.ORG_LEADER): "activities of own organization",
    (Resource.ACTIVITY, Role.VOLUNTEER): "open activities + those they signed up for, attended or are group members of",
    (Resource.ACTIVITY, Role.RESIDENT): "open activities + those they signed up for, attended or are group members of",
    (Resource.SERVICE_RECORD, Role.ORG_LEADER): "extracts issued by own organization",
    (Resource.SERVICE_RECORD, Role.VOLUNTEER): "own extracts",
    (Resource.CASE, Role.SOCIAL_WORKER): "cases they are assigned to",
    (Resource.CASE, Role.SUPERVISOR): "cases of supervisees",
    (Resource.SURVEY, Role.ORG_LEADER): "surveys of own organization",
    (Resource.NEED, Role.ORG_LEADER): "needs of own organization's communities",
}
SAMPLE_ID = "11010519491231002X"
SAMPLE_PHONE = "13800000001"


def _role_label(role: Role) -> str:
    return f"{role.label} `{role.value}`"


def _resource_label(resource: Resource) -> str:
    return RESOURCE_LABELS.get(resource, resource.value.replace("_", " ").capitalize())


def _action_label(action: Action) -> str:
    return ACTION_LABELS.get(action, (action.value, ""))[0]


def _scope_for(resource: Resource, role: Role) -> str:
    """Where a role's allowed actions on a resource apply (mirrors policy.scope_q)."""
    if role == ADMIN:
        return "all"
    if resource == Resource.REGION:
        return "whole tree"
    parts = []
    object_only = OBJECT_ONLY.get(resource, {})
    region_actions = [action for action in MATRIX[resource]
                      if role in MATRIX[resource][action] and role not in object_only.get(action, set())]
    if role in REGION_ROLES and region_actions:
        parts.append("region subtree")
        if resource in VIEW_EXTRAS:
            parts.append("view: records of the regions above")
    if role in OBJECT_RULES.get(resource, {}):
        parts.append(OBJECT_SCOPES.get((resource, role), "assigned objects"))
    return " + ".join(parts) or "nothing (no scope source)"


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _h in header) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return lines


def render() -> str:
    with translation.override(None):  # Chinese source strings, whatever the active language
        return "\n".join(_render()) + "\n"


def _render() -> list[str]:
    roles = list(Role)
    out = [
        "# 权限说明 — Permissions",
        "",
        "<!-- Generated by `python manage.py permissions_doc` from `wushe.accounts.policy.MATRIX`; do not edit",
        "     by hand. `python manage.py permissions_doc --check` fails when this file is out of date. -->",
        "",
        "Every read and write asks one module, `wushe/accounts/policy.py`. `MATRIX` says which role may take",
        "which action on which resource; the role's **scope** says on which records. Both must allow it.",
        "",
        "## Roles",
        "",
    ]
    role_rows = []
    for role in roles:
        kinds = [name for name, members in (("region", REGION_ROLES), ("object", OBJECT_ROLES),
                                             ("self", SELF_ROLES)) if role in members]
        role_rows.append([f"`{role.value}`", str(role.label), ", ".join(kinds) or ("all" if role == ADMIN else "—"),
                          ROLE_SCOPES.get(role, "")])
    out += _table(["code name", "中文", "assignment", "scope"], role_rows)
    out += ["", "## Actions", ""]
    out += _table(["code name", "中文", "meaning"],
                  [[f"`{action.value}`", *ACTION_LABELS.get(action, (action.value, ""))] for action in Action])
    out += ["", "## Matrix", "",
            "✓ = allowed within the scope shown in the last column; — = not allowed. Roles without any action on",
            "a resource are listed under the table."]
    for resource in MATRIX:
        actions = [action for action in Action if action in MATRIX[resource]]
        rows, none = [], []
        for role in roles:
            allowed = [role in policy.allowed_roles(resource, action) for action in actions]
            if not any(allowed):
                none.append(f"{role.label} `{role.value}`")
                continue
            rows.append([_role_label(role), *("✓" if ok else "—" for ok in allowed), _scope_for(resource, role)])
        out += ["", f"### {_resource_label(resource)} (`{resource.value}`)", ""]
        out += _table(["role", *(f"{_action_label(a)} `{a.value}`" for a in actions), "scope"], rows)
        if none:
            out += ["", "No access: " + "、".join(none) + "."]
        if resource in GRANT_RULES:
            granted = "、".join(f"`{a.value}`" for a in Action if a in GRANT_RULES[resource][0])
            out += ["", f"Besides these roles, any user holding an active, unexpired explicit grant on one record may "
                        f"{granted} that record (and nothing else)."]
    out += [
        "",
        "## Scopes",
        "",
        "- **Region roles** (" + ", ".join(f"`{r.value}`" for r in Role if r in REGION_ROLES) + ") are assigned",
        "  to one node of the region tree and cover its whole subtree. A 12-digit code carries its ancestry, so",
        "  a subtree is one code range: a street `110105041000` covers `110105041000`–`110105041999`, a district",
        "  `110105000000` covers `110105000000`–`110105999999`. A user with several assignments sees the union.",
        "  Records belong to the region in their `region` field; a social worker is also in scope of every",
        "  community they serve (`SocialWorker.communities`), so community staff see the street-based workers",
        "  who serve their community.",
        "- **Organization leader** (`org_leader`) is assigned to one organization: they see and change that",
        "  organization, its volunteer teams, and the volunteers in those teams — nothing else.",
        "- **Supervisor** (`supervisor`) is assigned to social workers, one assignment per supervisee, and sees",
        "  those workers' records (and, later, their supervision records).",
        "- **Social worker** (`social_worker`) holds region assignments for the communities served and",
        "  always sees their own social-worker record.",
        "- **Volunteer** and **resident** (`volunteer`, `resident`) see their own record only (the record",
        "  whose `user` is them); a volunteer also sees the teams they belong to.",
        "- **Expert reviewer** (`expert_reviewer`) reaches only the reviews assigned to them; the registries",
        "  are closed to them.",
        "- **Platform admin** (`platform_admin`, or a Django superuser) is unrestricted.",
        "- The region tree itself is readable by every signed-in role.",
        "- **Cases** (`case`) are sensitive personal information. No region role reaches them, not even the",
        "  platform admin: only the case's current workers (`CaseWorker` without an end), the supervisor of one",
        "  of those workers, and users with an explicit, unexpired grant (`CaseAccessGrant`, view only). A",
        "  worker of the same community who is not on the case gets 404. Every read of a case or of its records",
        "  (page, API, export) is written to `CaseReadLog`, which the supervisor reads (`history`). Narrative",
        "  fields are encrypted at rest (`wushe/core/crypto.py`).",
        "- **Activities** (`activity`): staff see and run the activities of their region subtree; the organizer",
        "  (whoever may `change` the activity) records attendance and confirms volunteer hours (谁组织谁记录).",
        "  Residents and volunteers see open activities and those they signed up for or attended. The QR",
        "  sign-in page (`/signin/<token>/`) needs no login: the signed token is the permission.",
        "- **Service-record extracts** (`service_record`) are issued by the organizing unit only for confirmed",
        "  hours of its own activities (谁记录谁证明); anyone can verify one by its number on",
        "  `/public/volunteer-records/`, which shows no ID number or phone.",
        "",
        "Lists, counts, exports and API reads filter with `policy.restrict`; a single record is checked with",
        "the same filter (`policy.can`), so a list and a detail page never disagree.",
        "",
        "## 404 or 403",
        "",
        "- A record outside the viewer's scope answers **404 Not Found**, for pages and the API alike: the",
        "  platform never reveals that it exists (`policy.get_object_for`).",
        "- A record the viewer may see but not act on (e.g. change, export, history) answers **403 Forbidden**.",
        "- A page or endpoint that none of the viewer's roles may ever use answers **403** (`policy.require`).",
        "- Creating or importing into a region outside the scope is refused (`policy.can_in_region`); region",
        "  pickers only offer regions in scope (`policy.regions_for`).",
        "- Every denial is written to the audit log (`AuditEvent`, kind `denied`) with the status.",
        "",
        "## Masking of ID numbers and phones",
        "",
        f"ID numbers and phones are masked — `{SAMPLE_ID}` → `{mask_id_number(SAMPLE_ID)}`, `{SAMPLE_PHONE}` →",
        f"`{mask_phone(SAMPLE_PHONE)}` (`wushe.core.masking`) — in lists, detail pages, exports and API output,",
        "unless the viewer holds `view_identity` on that record (same scope rules as above). Lists decide once",
        "per page with `policy.may_ever` plus the scope. Volunteers are identified publicly by their volunteer",
        "number, never by their ID number.",
        "",
    ]
    identity_rows = []
    for resource in MATRIX:
        holders = policy.allowed_roles(resource, Action.VIEW_IDENTITY)
        if Action.VIEW_IDENTITY not in MATRIX[resource]:
            continue
        identity_rows.append([_resource_label(resource),
                              "、".join(_role_label(r) for r in roles if r in holders)])
    out += _table(["resource", "unmasked for"], identity_rows)
    return out


class Command(BaseCommand):
    help = "Write docs/permissions.md from the policy matrix; --check fails if the file is out of date."

    def add_arguments(self, parser):
        parser.add_argument("--check", action="store_true", help="exit with an error if the file differs")
        parser.add_argument("--output", default=None, help="path (default docs/permissions.md)")

    def handle(self, *args, check, output, **options):
        path = Path(output) if output else Path(settings.BASE_DIR) / DEFAULT_PATH
        text = render()
        if check:
            current = path.read_text(encoding="utf-8") if path.exists() else ""
            if current != text:
                raise CommandError(_(MSG_OUT_OF_DATE) % {"path": path})
            self.stdout.write(_("%(path)s 是最新的。") % {"path": path})
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        self.stdout.write(_("已生成 %(path)s。") % {"path": path})
