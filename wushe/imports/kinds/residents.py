from collections import defaultdict

from django.utils.translation import gettext_lazy as _

from wushe.accounts.policy import Resource
from wushe.core.identity import DocumentType, Sex
from wushe.imports.models import ImportKind
from wushe.people.models import ConsentBasis, Resident

from .base import (
    CHOICE,
    DATE,
    DOCUMENT,
    PHONE,
    REGION,
    Column,
    ImportSpec,
    Row,
    clean_person_document,
    document_key,
    fallback_candidates,
    match_documents,
    pick_single,
)


class ResidentSpec(ImportSpec):
    kind = ImportKind.RESIDENTS
    model = Resident
    resource = Resource.RESIDENT
    columns = (
        Column("name", _("姓名"), required=True, width=12),
        Column("document_type", _("证件类型"), CHOICE, choices=DocumentType,
               help=_("留空且填写了证件号码时按居民身份证处理。")),
        Column("id_number", _("证件号码"), DOCUMENT, identity=True, width=22,
               help=_("居民身份证号须为18位且校验位正确；出生日期和性别将从身份证号自动得出。")),
        Column("sex", _("性别"), CHOICE, choices=Sex, width=8),
        Column("birth_date", _("出生日期"), DATE, width=12, help=_("格式如 1980-05-01。")),
        Column("ethnicity", _("民族"), width=8),
        Column("phone", _("手机号"), PHONE, identity=True, width=14, help=_("11位手机号。")),
        Column("address", _("住址"), width=30),
        Column("region", _("所属区划代码"), REGION, required=True, width=16,
               help=_("居民所在社区/村的12位统计用区划代码。")),
        Column("relation_to_head", _("与户主关系"), width=10),
        Column("consent_basis", _("信息处理依据"), CHOICE, choices=ConsentBasis, width=16),
        Column("notes", _("备注"), width=20),
    )
    sample = {"name": "示例张三", "document_type": "居民身份证", "id_number": "11010519491231002X", "sex": "女",
              "birth_date": "1949-12-31", "ethnicity": "汉族", "phone": "13800138000",
              "address": "示例路1号院2号楼301", "region": "110105001001", "relation_to_head": "户主",
              "consent_basis": "本人同意", "notes": ""}
    matching_help = _("匹配规则：有证件号码时按“证件类型+证件号码”匹配已有居民；没有证件号码时按“姓名+手机号+所属区划”匹配。")
    key_fields = ("name", "document_type", "id_number", "phone", "region")

    def clean(self, row: Row) -> None:
        clean_person_document(row)

    def keys(self, row: Row) -> list[tuple]:
        key = document_key(row.values)
        if key:
            return [key]
        values = row.values
        return [("person", values["name"], values.get("phone", ""), values["region_id"])]

    def match(self, rows: list[Row], ctx) -> None:
        queryset = self.existing_queryset()
        rest = match_documents(rows, queryset, ctx)
        if not rest:
            return
        candidates = defaultdict(list)
        found = queryset.filter(region_id__in={r.values["region_id"] for r in rest},
                                name__in={r.values["name"] for r in rest}).select_related("region")
        for obj in found:
            candidates[(obj.name, obj.phone, obj.region_id)].append(obj)
        for row in rest:
            key = (row.values["name"], row.values.get("phone", ""), row.values["region_id"])
            pick_single(row, fallback_candidates(row, candidates.get(key, [])), ctx, "name")
