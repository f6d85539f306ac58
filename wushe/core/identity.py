"""Identity documents: GB 11643 citizen ID numbers (via python-stdnum) and other document types."""

import datetime
import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from stdnum.cn import ric, uscc
from stdnum.exceptions import InvalidChecksum, InvalidComponent, InvalidFormat, InvalidLength
from stdnum.exceptions import ValidationError as StdnumError

MSG_ID_LENGTH = _("身份证号应为18位。")
MSG_ID_FORMAT = _("身份证号格式不正确：前17位应为数字，最后一位为数字或X。")
MSG_ID_CHECKSUM = _("身份证号校验位不正确，请核对号码。")
MSG_ID_BIRTH = _("身份证号中的出生日期无效。")
MSG_USCC_INVALID = _("统一社会信用代码无效（长度、字符或校验位不正确）。")
MSG_PHONE_INVALID = _("手机号应为以1开头的11位数字。")
MSG_PASSPORT_INVALID = _("证件号码格式不正确。")


class DocumentType(models.TextChoices):
    RESIDENT_ID = "ric", _("居民身份证")
    PASSPORT = "passport", _("护照")
    HK_MACAO_PERMIT = "hkm", _("港澳居民来往内地通行证")
    TAIWAN_PERMIT = "tw", _("台湾居民来往大陆通行证")
    HKMT_RESIDENCE = "hkmt_res", _("港澳台居民居住证")
    FOREIGN_PERMANENT = "foreign_pr", _("外国人永久居留身份证")
    OTHER = "other", _("其他")


class Sex(models.TextChoices):
    MALE = "M", _("男")
    FEMALE = "F", _("女")
    UNKNOWN = "U", _("未说明")


@dataclass(frozen=True)
class CitizenId:
    number: str
    birth_date: datetime.date
    sex: str


def parse_citizen_id(value: str) -> CitizenId:
    """Validate a GB 11643 number; return it normalised with the birth date and sex it encodes."""
    number = (value or "").strip().upper()
    if len(number) != 18:
        raise ValidationError(MSG_ID_LENGTH, code="id_length")
    if not re.fullmatch(r"\d{17}[\dX]", number):
        raise ValidationError(MSG_ID_FORMAT, code="id_format")
    try:
        ric.validate(number)
    except InvalidChecksum:
        raise ValidationError(MSG_ID_CHECKSUM, code="id_checksum")
    except InvalidComponent:
        raise ValidationError(MSG_ID_BIRTH, code="id_birth")
    except (InvalidFormat, InvalidLength, StdnumError):
        raise ValidationError(MSG_ID_FORMAT, code="id_format")
    birth = ric.get_birth_date(number)
    if birth > datetime.date.today():
        raise ValidationError(MSG_ID_BIRTH, code="id_birth")
    sex = Sex.MALE if int(number[16]) % 2 else Sex.FEMALE
    return CitizenId(number=number, birth_date=birth, sex=sex)


def normalise_document(document_type: str, number: str) -> str:
    """Validate a document number of any supported type; return the normalised form."""
    number = (number or "").strip().upper().replace(" ", "")
    if document_type == DocumentType.RESIDENT_ID:
        return parse_citizen_id(number).number
    if not re.fullmatch(r"[A-Z0-9()（）-]{5,20}", number):
        raise ValidationError(MSG_PASSPORT_INVALID, code="document_format")
    return number


def validate_uscc(value: str) -> str:
    code = (value or "").strip().upper()
    try:
        return uscc.validate(code)
    except StdnumError:
        raise ValidationError(MSG_USCC_INVALID, code="uscc_invalid")


def validate_mobile(value: str) -> str:
    phone = re.sub(r"[\s-]", "", value or "")
    if phone.startswith("+86"):
        phone = phone[3:]
    if not re.fullmatch(r"1[3-9]\d{9}", phone):
        raise ValidationError(MSG_PHONE_INVALID, code="phone_invalid")
    return phone
