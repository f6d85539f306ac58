"""Photos and participant feedback (满意度 1–5) of an activity."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from PIL import Image, UnidentifiedImageError

from wushe.core.services import record_void

from ..models import Activity, ActivityPhoto, Attendance, Feedback, MatchStatus, ParticipantRole
from ._common import require_change, require_writable, void_reason

PHOTO_MAX_BYTES = 5 * 1024 * 1024
PHOTO_FORMATS = {"JPEG", "PNG", "GIF", "WEBP"}

MSG_PHOTO_REQUIRED = _("请选择照片。")
MSG_PHOTO_TOO_LARGE = _("照片不能超过5MB。")
MSG_PHOTO_INVALID = _("文件不是有效的图片（支持 JPG、PNG、GIF、WEBP）。")
MSG_SATISFACTION_RANGE = _("满意度须为1到5分。")
MSG_FEEDBACK_NOT_ATTENDED = _("参加过该活动的居民才能评价。")
MSG_NO_RESIDENT_PROFILE = _("您的账号尚未关联居民档案，请联系社区工作人员。")


def _check_image(image) -> None:
    if not image:
        raise ValidationError({"image": [MSG_PHOTO_REQUIRED]}, code="photo_required")
    if image.size > PHOTO_MAX_BYTES:
        raise ValidationError({"image": [MSG_PHOTO_TOO_LARGE]}, code="photo_too_large")
    try:
        image.seek(0)
        with Image.open(image) as picture:
            picture_format = picture.format
            picture.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise ValidationError({"image": [MSG_PHOTO_INVALID]}, code="photo_invalid") from None
    if picture_format not in PHOTO_FORMATS:
        raise ValidationError({"image": [MSG_PHOTO_INVALID]}, code="photo_invalid")
    image.seek(0)


@transaction.atomic
def photo_add(*, actor, activity: Activity, image, caption: str = "") -> ActivityPhoto:
    require_change(actor, activity)
    require_writable(activity)
    _check_image(image)
    photo = ActivityPhoto(activity=activity, image=image, caption=(caption or "").strip()[:200], uploaded_by=actor)
    photo.save()
    return photo


@transaction.atomic
def photo_void(*, actor, photo: ActivityPhoto, reason: str) -> ActivityPhoto:
    require_change(actor, photo.activity)
    return record_void(actor=actor, obj=photo, reason=void_reason(reason))


def _check_score(satisfaction) -> int:
    try:
        score = int(satisfaction)
    except (TypeError, ValueError):
        score = 0
    if not 1 <= score <= 5:
        raise ValidationError({"satisfaction": [MSG_SATISFACTION_RANGE]}, code="satisfaction_range")
    return score


def has_attended(activity: Activity, resident) -> bool:
    return Attendance.objects.active().filter(session__activity=activity, resident=resident,
                                              role=ParticipantRole.PARTICIPANT,
                                              match_status=MatchStatus.MATCHED).exists()


@transaction.atomic
def feedback_submit(*, user, activity: Activity, satisfaction, comment: str = "") -> Feedback:
    """A resident who attended rates the activity; giving feedback again replaces their earlier answer."""
    resident = getattr(user, "resident", None) if getattr(user, "is_authenticated", False) else None
    if resident is None or resident.is_voided:
        raise ValidationError(MSG_NO_RESIDENT_PROFILE, code="no_resident")
    if activity.is_voided or not has_attended(activity, resident):
        raise ValidationError(MSG_FEEDBACK_NOT_ATTENDED, code="not_attended")
    score = _check_score(satisfaction)
    feedback = Feedback.objects.active().filter(activity=activity, resident=resident).first()
    if feedback is None:
        feedback = Feedback(activity=activity, resident=resident)
    feedback.satisfaction, feedback.comment = score, (comment or "").strip()
    feedback.save()
    return feedback


@transaction.atomic
def feedback_record(*, actor, activity: Activity, satisfaction, comment: str = "") -> Feedback:
    """Staff enter a paper feedback form (anonymous)."""
    require_change(actor, activity)
    if activity.is_voided:
        require_writable(activity)
    feedback = Feedback(activity=activity, satisfaction=_check_score(satisfaction), comment=(comment or "").strip())
    feedback.save()
    return feedback


@transaction.atomic
def feedback_void(*, actor, feedback: Feedback, reason: str) -> Feedback:
    require_change(actor, feedback.activity)
    return record_void(actor=actor, obj=feedback, reason=void_reason(reason))
