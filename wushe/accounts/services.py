from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wushe.audit.models import AuditEvent
from wushe.audit.services import audit_record

from .models import ApiToken, RoleAssignment
from .roles import OBJECT_ROLES, REGION_ROLES, Role

MSG_TOKEN_NAME_REQUIRED = _("请填写令牌名称。")
MSG_ROLE_NEEDS_REGION = _("该角色需要指定区划。")
MSG_ROLE_NEEDS_OBJECT = _("该角色需要指定对象。")


@transaction.atomic
def user_create(*, actor, username: str, password: str | None, phone: str | None = None,
                display_name: str = "", email: str = ""):
    user_model = get_user_model()
    user = user_model(username=username, phone=phone or None, display_name=display_name, email=email)
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user._history_user = actor
    user.full_clean(exclude=["password"])
    user.save()
    return user


@transaction.atomic
def role_assign(*, actor, user, role: str, region=None, target=None) -> RoleAssignment:
    role = Role(role)
    if target is None and region is None and role not in (Role.PLATFORM_ADMIN, Role.VOLUNTEER, Role.RESIDENT):
        raise ValidationError(MSG_ROLE_NEEDS_REGION if role in REGION_ROLES else MSG_ROLE_NEEDS_OBJECT)
    if target is not None and role not in OBJECT_ROLES:
        raise ValidationError(MSG_ROLE_NEEDS_REGION)
    assignment = RoleAssignment(user=user, role=role, region=region, granted_by=actor)
    if target is not None:
        assignment.object_type = ContentType.objects.get_for_model(target)
        assignment.object_id = target.pk
    assignment._history_user = actor
    assignment.save()
    user.__dict__.pop("_wushe_assignments", None)
    return assignment


@transaction.atomic
def role_revoke(*, actor, assignment: RoleAssignment) -> None:
    assignment.revoked_at = timezone.now()
    assignment._history_user = actor
    assignment.save(update_fields=["revoked_at", "updated_at"])


@transaction.atomic
def api_token_create(*, actor, user, name: str) -> tuple[ApiToken, str]:
    """Create a token; return it with the clear key, which is never stored and shown only now."""
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": MSG_TOKEN_NAME_REQUIRED})
    key = ApiToken.generate_key()
    token = ApiToken.objects.create(user=user, name=name, prefix=key[:10], key_hash=ApiToken.hash_key(key))
    audit_record(actor=actor, kind=AuditEvent.Kind.TOKEN, target=f"user:{user.pk}", action="create",
                 token=token.prefix)
    return token, key


@transaction.atomic
def api_token_revoke(*, actor, token: ApiToken) -> None:
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at", "updated_at"])
    audit_record(actor=actor, kind=AuditEvent.Kind.TOKEN, target=f"user:{token.user_id}", action="revoke",
                 token=token.prefix)


def api_token_authenticate(key: str):
    """The user owning an active token, or None. Touches last_used_at at most once a minute."""
    if not key:
        return None
    token = (ApiToken.objects.select_related("user")
             .filter(key_hash=ApiToken.hash_key(key), revoked_at__isnull=True).first())
    if token is None or not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user
