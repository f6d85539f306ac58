from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from wushe.core.models import PublicIdModel, TimeStampedModel


class ImportKind(models.TextChoices):
    REGIONS = "regions", _("行政区划")
    RESIDENTS = "residents", _("居民")
    ORGANIZATIONS = "organizations", _("组织")
    SOCIAL_WORKERS = "social_workers", _("社会工作者")
    VOLUNTEERS = "volunteers", _("志愿者")


class ImportJob(PublicIdModel, TimeStampedModel):
    class Status(models.TextChoices):
        PENDING = "pending", _("排队中")
        RUNNING = "running", _("处理中")
        SUCCEEDED = "succeeded", _("已完成")
        FAILED = "failed", _("有错误，未写入")
        CRASHED = "crashed", _("处理出错")

    kind = models.CharField(_("类型"), max_length=20, choices=ImportKind.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("导入人"), on_delete=models.PROTECT,
                              related_name="import_jobs")
    file = models.FileField(_("文件"), upload_to="imports/%Y/%m/")
    original_name = models.CharField(_("文件名"), max_length=200)
    dry_run = models.BooleanField(_("试运行（只检查不写入）"), default=False)
    status = models.CharField(_("状态"), max_length=12, choices=Status.choices, default=Status.PENDING)
    total_rows = models.PositiveIntegerField(_("总行数"), default=0)
    processed_rows = models.PositiveIntegerField(_("已处理"), default=0)
    created_count = models.PositiveIntegerField(_("新增"), default=0)
    updated_count = models.PositiveIntegerField(_("更新"), default=0)
    unchanged_count = models.PositiveIntegerField(_("未变"), default=0)
    errors = models.JSONField(_("错误"), default=list, blank=True)
    error_count = models.PositiveIntegerField(_("错误数"), default=0)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("导入任务")
        verbose_name_plural = _("导入任务")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.original_name}"

    ACTIVE_STATUSES = (Status.PENDING, Status.RUNNING)
    STATUS_STYLES = {Status.PENDING: "secondary", Status.RUNNING: "primary", Status.SUCCEEDED: "success",
                     Status.FAILED: "danger", Status.CRASHED: "danger"}

    @property
    def is_active(self) -> bool:
        return self.status in self.ACTIVE_STATUSES

    @property
    def status_style(self) -> str:
        """Bootstrap colour of the status badge."""
        return self.STATUS_STYLES.get(self.status, "secondary")

    @property
    def is_writing(self) -> bool:
        """Validation is done and the one write transaction is open."""
        return self.status == self.Status.RUNNING and self.total_rows > 0 and self.processed_rows >= self.total_rows

    @property
    def progress_percent(self) -> int:
        if not self.total_rows:
            return 0 if self.status in (self.Status.PENDING, self.Status.RUNNING) else 100
        return min(100, round(100 * self.processed_rows / self.total_rows))
