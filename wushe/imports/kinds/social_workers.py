from collections import defaultdict

from django.utils.translation import gettext_lazy as _

from wushe.accounts.policy import Resource
from wushe.core.identity import DocumentType, Sex
from wushe.imports.models import ImportKind
from wushe.workforce.models import CertificateLevel, Placement, SocialWorker

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


class SocialWorkerSpec(ImportSpec):
    kind = ImportKind.SOCIAL_WORKERS
    model = SocialWorker
    resource = Resource.SOCIAL_WORKER
    columns = (
        Column("name", _("姓名"), required=True, width=12),
        Column("sex", _("性别"), CHOICE, choices=Sex, width=8),
        Column("document_type", _("证件类型"), CHOICE, choices=DocumentType,
               help=_("留空且填写了证件号码时按居民身份证处理。")),
        Column("id_number", _("证件号码"), DOCUMENT, identity=True, width=22,
               help=_("居民身份证号须为18位且校验位正确；出生日期和性别将从身份证号自动得出。")),
        Column("birth_date", _("出生日期"), DATE, width=12),
        Column("phone", _("手机号"), PHONE, identity=True, width=14, help=_("11位手机号。")),
        Column("region", _("所属区划代码"), REGION, required=True, width=16,
               help=_("社工所属街道、社工站或社区的12位统计用区划代码。")),
        Column("certificate_level", _("职业资格"), CHOICE, choices=CertificateLevel, width=16),
        Column("certificate_number", _("证书编号"), width=18),
        Column("certified_on", _("取证日期"), DATE, width=12),
        Column("placement", _("岗位类型"), CHOICE, choices=Placement, width=14),
        Column("started_on", _("从业日期"), DATE, width=12),
    )
    sample = {"name": "示例王五", "sex": "男", "document_type": "居民身份证", "id_number": "110105198803150010",
              "birth_date": "1988-03-15", "phone": "13800138002", "region": "110105001000",
              "certificate_level": "助理社会工作师", "certificate_number": "示例-0001", "certified_on": "2019-06-20",
              "placement": "社工站社工", "started_on": "2015-09-01"}
    matching_help = _("匹配规则：有证件号码时按“证件类型+证件号码”匹配已有社工；没有证件号码时按“姓名+手机号”匹配。")
    key_fields = ("name", "document_type", "id_number", "phone")

    def clean(self, row: Row) -> None:
        clean_person_document(row)

    def keys(self, row: Row) -> list[tuple]:
        key = document_key(row.values)
        return [key] if key else [("person", row.values["name"], row.values.get("phone", ""))]

    def match(self, rows: list[Row], ctx) -> None:
        queryset = self.existing_queryset()
        rest = match_documents(rows, queryset, ctx)
        if not rest:
            return
        candidates = defaultdict(list)
        for obj in queryset.filter(name__in={r.values["name"] for r in rest}).select_related("region"):
            candidates[(obj.name, obj.phone)].append(obj)
        for row in rest:
            key = (row.values["name"], row.values.get("phone", ""))
            pick_single(row, fallback_candidates(row, candidates.get(key, [])), ctx, "name")
