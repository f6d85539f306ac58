"""Events that are not row changes (those live in each model's simple-history table): denials, reads of
sensitive records, exports, logins."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditEvent(models.Model):
    class Kind(models.TextChoices):
        DENIED = "denied", _("拒绝访问")
        EXPORT = "export", _("导出")
        IMPORT = "import", _("导入")
        SENSITIVE_READ = "sensitive_read", _("查看敏感信息")
        TOKEN = "token", _("API令牌")

    at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("操作人"), null=True, blank=True,
                              on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("类型"), max_length=32, choices=Kind.choices)
    target = models.CharField(_("对象"), max_length=200, blank=True)
    detail = models.JSONField(_("详情"), default=dict, blank=True)

    class Meta:
        verbose_name = _("审计事件")
        verbose_name_plural = _("审计事件")
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.get_kind_display()} {self.target}"
