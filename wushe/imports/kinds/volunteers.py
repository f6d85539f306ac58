from django.db.models import Max
from django.db.models.functions import Length
from django.utils.translation import gettext_lazy as _

from wushe.accounts.policy import Resource
from wushe.core.identity import DocumentType, Sex
from wushe.imports.models import ImportKind
from wushe.volunteers.models import Volunteer

from .base import (
    CHOICE,
    CODE,
    DATE,
    DOCUMENT,
    MSG_CLASH_OTHER_NAME,
    MSG_CLASH_OUT_OF_SCOPE,
    PHONE,
    REGION,
    Column,
    ImportSpec,
    Row,
    clean_person_document,
    document_key,
)

MSG_NUMBER_VOIDED = _("该志愿者编号属于已作废的志愿者，不能再次使用。")
MSG_NUMBER_DOCUMENT_CLASH = _("志愿者编号与证件号码分别对应不同的已有志愿者，无法合并。")

# Generated numbers: "V" + the region's 12-digit code + a 4-digit sequence (17 characters).
GENERATED_NUMBER_LENGTH = 17


class VolunteerSpec(ImportSpec):
    kind = ImportKind.VOLUNTEERS
    model = Volunteer
    resource = Resource.VOLUNTEER
    columns = (
        Column("volunteer_number", _("志愿者编号"), CODE, width=20,
               help=_("已有编号请照填；新志愿者可留空，系统按“V+区划代码+4位序号”自动编号。")),
        Column("name", _("姓名"), required=True, width=12),
        Column("sex", _("性别"), CHOICE, choices=Sex, width=8),
        Column("birth_date", _("出生日期"), DATE, width=12),
        Column("document_type", _("证件类型"), CHOICE, choices=DocumentType,
               help=_("留空且填写了证件号码时按居民身份证处理。")),
        Column("id_number", _("证件号码"), DOCUMENT, identity=True, width=22,
               help=_("居民身份证号须为18位且校验位正确。")),
        Column("phone", _("手机号"), PHONE, identity=True, width=14, help=_("11位手机号。")),
        Column("skills", _("技能特长"), width=24),
        Column("registered_on", _("注册日期"), DATE, width=12),
        Column("region", _("所属区划代码"), REGION, required=True, width=16,
               help=_("志愿者所在社区/村的12位统计用区划代码。")),
    )
    sample = {"volunteer_number": "", "name": "示例赵六", "sex": "女", "birth_date": "1990-01-01",
              "document_type": "居民身份证", "id_number": "110105199001010029", "phone": "13800138003",
              "skills": "理发、陪伴老人", "registered_on": "2024-01-10", "region": "110105001001"}
    matching_help = _("匹配规则：有志愿者编号时按编号匹配已有志愿者；没有编号时按“证件类型+证件号码”匹配。")
    key_fields = ("volunteer_number", "document_type", "id_number")
    duplicate_field = "volunteer_number"

    def clean(self, row: Row) -> None:
        clean_person_document(row)

    def keys(self, row: Row) -> list[tuple]:
        keys = []
        if row.values.get("volunteer_number"):
            keys.append(("number", row.values["volunteer_number"]))
        document = document_key(row.values)
        if document:
            keys.append(document)
        return keys

    def match(self, rows: list[Row], ctx) -> None:
        numbers = {r.values["volunteer_number"] for r in rows if r.values.get("volunteer_number")}
        documents = {r.values["id_number"] for r in rows if r.values.get("id_number")}
        # Numbers are unique for ever (voided volunteers keep theirs); documents only among active ones.
        by_number = {o.volunteer_number: o for o in
                     Volunteer.objects.filter(volunteer_number__in=numbers).select_related("region")} if numbers else {}
        by_document = {(o.document_type, o.id_number): o for o in
                       self.existing_queryset().filter(id_number__in=documents).select_related("region")
                       } if documents else {}
        for row in rows:
            values = row.values
            number_match = by_number.get(values.get("volunteer_number"))
            document_match = None
            if values.get("id_number"):
                document_match = by_document.get((values.get("document_type", DocumentType.RESIDENT_ID),
                                                  values["id_number"]))
            if number_match is not None and number_match.voided_at is not None:
                row.error("volunteer_number", MSG_NUMBER_VOIDED)
                continue
            if values.get("volunteer_number") and document_match is not None and document_match != number_match:
                row.error("volunteer_number", MSG_NUMBER_DOCUMENT_CLASH)
                continue
            obj = number_match or document_match
            if obj is None:
                continue
            if values.get("id_number") and obj.id_number and obj.id_number != values["id_number"]:
                row.error("volunteer_number", MSG_NUMBER_DOCUMENT_CLASH)
            elif document_match is not None and obj.name != values["name"]:
                row.error("id_number", MSG_CLASH_OTHER_NAME)
            elif not ctx.may_change(obj):
                row.error("volunteer_number" if number_match else "id_number", MSG_CLASH_OUT_OF_SCOPE)
            else:
                row.existing = obj

    def search_text(self, obj) -> str | None:
        # A new volunteer without a number gets one only when written; its text is built then.
        return super().search_text(obj) if obj.volunteer_number else None

    def new_object(self, values: dict, ctx):
        obj = super().new_object(values, ctx)
        if not obj.volunteer_number:
            obj.volunteer_number = self._next_number(obj.region_id, ctx)
        return obj

    def _next_number(self, region_id: int, ctx) -> str:
        """The next free generated number for the region; skips numbers given elsewhere in the file."""
        sequences = ctx.state.setdefault("volunteer_sequences", {})
        if region_id not in sequences:
            prefix = "V" + ctx.region_code(region_id)
            highest = (Volunteer.objects.filter(volunteer_number__startswith=prefix)
                       .annotate(length=Length("volunteer_number")).filter(length=GENERATED_NUMBER_LENGTH)
                       .aggregate(highest=Max("volunteer_number"))["highest"])
            sequences[region_id] = [prefix, int(highest[len(prefix):]) if highest else 0]
        entry = sequences[region_id]
        while True:
            entry[1] += 1
            number = f"{entry[0]}{entry[1]:04d}"
            if ("number", number) not in ctx.seen_keys:
                return number
