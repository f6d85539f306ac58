from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from wushe.core.models import PublicIdModel, TimeStampedModel, VoidableModel


class DocumentKind(models.TextChoices):
    APPLICATION = "application", _("申报书")
    PLAN = "plan", _("实施方案")
    AGREEMENT = "agreement", _("协议")
    REPORT = "report", _("项目报告")
    FINAL_REPORT = "final_report", _("结项报告")
    FINANCIAL = "financial", _("财务凭证")
    EVALUATION = "evaluation", _("评估材料")
    MEDIA = "media", _("媒体报道")
    OTHER = "other", _("其他")


class ArchiveDocument(PublicIdModel, TimeStampedModel, VoidableModel):
    """A document in the project's archive (档案); its file content lives in versions."""

    project = models.ForeignKey("projects.Project", verbose_name=_("项目"), on_delete=models.PROTECT,
                                related_name="documents")
    kind = models.CharField(_("类型"), max_length=16, choices=DocumentKind.choices)
    title = models.CharField(_("标题"), max_length=200)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("档案文件")
        verbose_name_plural = _("档案文件")
        ordering = ["kind", "title"]

    def __str__(self) -> str:
        return self.title


class DocumentVersion(PublicIdModel, TimeStampedModel):
    document = models.ForeignKey(ArchiveDocument, verbose_name=_("档案文件"), on_delete=models.PROTECT,
                                 related_name="versions")
    number = models.PositiveSmallIntegerField(_("版本号"))
    file = models.FileField(_("文件"), upload_to="projects/archive/%Y/")
    original_name = models.CharField(_("原文件名"), max_length=200)
    size = models.PositiveBigIntegerField(_("大小"), default=0)
    sha256 = models.CharField(max_length=64, blank=True)
    note = models.CharField(_("版本说明"), max_length=200, blank=True)
    generated = models.BooleanField(_("系统生成"), default=False)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("上传人"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("文件版本")
        verbose_name_plural = _("文件版本")
        ordering = ["document", "-number"]
        constraints = [models.UniqueConstraint(fields=["document", "number"], name="document_version_unique")]

    def __str__(self) -> str:
        return f"{self.document} v{self.number}"


class ProjectPhoto(PublicIdModel, TimeStampedModel, VoidableModel):
    project = models.ForeignKey("projects.Project", verbose_name=_("项目"), on_delete=models.PROTECT,
                                related_name="photos")
    image = models.ImageField(_("照片"), upload_to="projects/photos/%Y/%m/")
    caption = models.CharField(_("说明"), max_length=200, blank=True)
    taken_on = models.DateField(_("拍摄日期"), null=True, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("上传人"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("项目照片")
        verbose_name_plural = _("项目照片")
        ordering = ["-taken_on", "-id"]

    def __str__(self) -> str:
        return self.caption or str(self.pk)
