from collections import defaultdict

from django.utils.translation import gettext_lazy as _

from wushe.accounts.policy import Resource
from wushe.imports.models import ImportKind
from wushe.orgs.models import Organization, OrganizationKind, RegistrationStatus, ServiceOrientation

from .base import (
    CHOICE,
    DATE,
    MSG_CLASH_OUT_OF_SCOPE,
    PHONE,
    REGION,
    USCC,
    Column,
    ImportSpec,
    Row,
    pick_single,
)


class OrganizationSpec(ImportSpec):
    kind = ImportKind.ORGANIZATIONS
    model = Organization
    resource = Resource.ORGANIZATION
    columns = (
        Column("name", _("名称"), required=True, width=24),
        Column("kind", _("类型"), CHOICE, required=True, choices=OrganizationKind, width=18),
        Column("registration_status", _("登记状态"), CHOICE, choices=RegistrationStatus, width=12),
        Column("credit_code", _("统一社会信用代码"), USCC, width=22,
               help=_("18位统一社会信用代码，校验位须正确；未登记的组织留空。")),
        Column("registered_on", _("登记/备案日期"), DATE, width=12),
        Column("founded_on", _("成立日期"), DATE, width=12),
        Column("orientation", _("服务取向"), CHOICE, choices=ServiceOrientation, width=16),
        Column("leader_name", _("负责人"), width=10),
        Column("contact_phone", _("联系电话"), PHONE, identity=True, width=14, help=_("11位手机号。")),
        Column("address", _("地址"), width=30),
        Column("region", _("所属区划代码"), REGION, required=True, width=16,
               help=_("组织所在社区/村或街道的12位统计用区划代码。")),
        Column("description", _("简介"), width=30),
    )
    sample = {"name": "示例银龄互助队", "kind": "社区社会组织", "registration_status": "已备案", "credit_code": "",
              "registered_on": "2023-06-01", "founded_on": "2023-03-15", "orientation": "互助",
              "leader_name": "示例李四", "contact_phone": "13800138001", "address": "示例路1号社区活动室",
              "region": "110105001001", "description": ""}
    matching_help = _("匹配规则：有统一社会信用代码时按信用代码匹配已有组织；没有时按“名称+所属区划”匹配。")
    key_fields = ("name", "credit_code", "region")

    def keys(self, row: Row) -> list[tuple]:
        if row.values.get("credit_code"):
            return [("credit_code", row.values["credit_code"])]
        return [("name", row.values["name"], row.values["region_id"])]

    def match(self, rows: list[Row], ctx) -> None:
        queryset = self.existing_queryset()
        coded = [row for row in rows if row.values.get("credit_code")]
        if coded:
            found = {o.credit_code: o for o in queryset.filter(
                credit_code__in={r.values["credit_code"] for r in coded}).select_related("region")}
            for row in coded:
                obj = found.get(row.values["credit_code"])
                if obj is None:
                    continue
                if ctx.may_change(obj):
                    row.existing = obj
                else:
                    row.error("credit_code", MSG_CLASH_OUT_OF_SCOPE)
        rest = [row for row in rows if row.existing is None and not row.errors]
        if not rest:
            return
        candidates = defaultdict(list)
        found = queryset.filter(region_id__in={r.values["region_id"] for r in rest},
                                name__in={r.values["name"] for r in rest}).select_related("region")
        for obj in found:
            candidates[(obj.name, obj.region_id)].append(obj)
        for row in rest:
            same_name = candidates.get((row.values["name"], row.values["region_id"]), [])
            if row.values.get("credit_code"):
                # A coded row merges only into an uncoded namesake; another code is another organization.
                same_name = [o for o in same_name if not o.credit_code]
            pick_single(row, same_name, ctx, "name")
