"""The roles of PRODUCT.md. Which role may do what lives in wushe/accounts/policy.py."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    PLATFORM_ADMIN = "platform_admin", _("平台管理员")
    CIVIL_AFFAIRS_OFFICER = "civil_affairs_officer", _("民政局干部")
    STREET_OFFICER = "street_officer", _("街道/乡镇干部")
    STATION_STAFF = "station_staff", _("社工站/支持性组织人员")
    COMMUNITY_STAFF = "community_staff", _("社区（村）工作人员")
    SOCIAL_WORKER = "social_worker", _("社会工作者")
    ORG_LEADER = "org_leader", _("社会组织负责人/理事")
    VOLUNTEER = "volunteer", _("志愿者")
    EXPERT_REVIEWER = "expert_reviewer", _("评审专家")
    SUPERVISOR = "supervisor", _("督导")
    RESIDENT = "resident", _("居民")


# Roles whose scope is a node of the region tree (the assignment names the node).
REGION_ROLES = {
    Role.CIVIL_AFFAIRS_OFFICER,
    Role.STREET_OFFICER,
    Role.STATION_STAFF,
    Role.COMMUNITY_STAFF,
    Role.SOCIAL_WORKER,
}
# Roles whose scope is an object (the assignment names an organization, a user, a project, a case…).
OBJECT_ROLES = {Role.ORG_LEADER, Role.EXPERT_REVIEWER, Role.SUPERVISOR, Role.SOCIAL_WORKER}
# Roles scoped to the user's own records.
SELF_ROLES = {Role.VOLUNTEER, Role.RESIDENT}
