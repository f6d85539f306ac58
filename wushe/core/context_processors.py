from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from wushe.accounts.policy import Action, Resource, may_ever, roles_of
from wushe.accounts.roles import Role


def navigation(request):
    """Menu entries the viewer may use; a menu never offers what the policy would refuse."""
    user = getattr(request, "user", None)
    if not user or not user.is_authenticated:
        return {"nav_items": []}
    entries = [
        (Resource.ACTIVITY, _("活动"), "activities:activity_list", "bi-calendar-event"),
        (Resource.PROJECT, _("项目"), "projects:project_list", "bi-kanban"),
        (Resource.FUNDING_ROUND, _("资助轮次"), "projects:round_list", "bi-megaphone"),
        (Resource.RESIDENT, _("居民"), "people:resident_list", "bi-people"),
        (Resource.HOUSEHOLD, _("家庭户"), "people:household_list", "bi-house"),
        (Resource.ORGANIZATION, _("组织"), "orgs:organization_list", "bi-diagram-3"),
        (Resource.SOCIAL_WORKER, _("社工"), "workforce:socialworker_list", "bi-person-badge"),
        (Resource.VOLUNTEER, _("志愿者"), "volunteers:volunteer_list", "bi-heart"),
        (Resource.TEAM, _("服务队"), "volunteers:team_list", "bi-flag"),
        (Resource.REGION, _("区划"), "regions:region_list", "bi-map"),
    ]
    entries[1:1] = [
        (Resource.ACTIVITY, _("小组"), "activities:group_list", "bi-people-fill"),
        (Resource.CASE, _("个案"), "cases:case_list", "bi-folder2-open"),
        (Resource.SURVEY, _("问卷"), "surveys:survey_list", "bi-ui-checks"),
        (Resource.NEED, _("需求清单"), "surveys:need_list", "bi-list-check"),
    ]
    items = []
    for resource, label, url_name, icon in entries:
        if may_ever(user, resource):
            try:
                items.append({"label": label, "url": reverse(url_name), "icon": icon})
            except Exception:  # an app's URLs not wired yet
                continue
    if Role.VOLUNTEER in roles_of(user):
        items.append({"label": _("我的服务时长"), "url": reverse("volunteers:hours_mine"), "icon": "bi-clock-history"})
    if may_ever(user, Resource.SERVICE_RECORD, Action.CHANGE):
        items.append({"label": _("服务记录证明"), "url": reverse("volunteers:records_extract_list"),
                      "icon": "bi-award"})
    if may_ever(user, Resource.PROJECT, Action.REVIEW):
        items.append({"label": _("我的评审"), "url": reverse("projects:my_reviews"), "icon": "bi-clipboard-check"})
    if any(may_ever(user, resource, action) for resource in Resource for action in (Action.IMPORT, Action.EXPORT)):
        items.append({"label": _("导入导出"), "url": reverse("imports:hub"), "icon": "bi-file-earmark-spreadsheet"})
    return {"nav_items": items, "viewer_roles": sorted(roles_of(user))}

