"""Shared model building blocks: public identifiers, timestamps, region ownership and voiding."""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class PublicIdModel(models.Model):
    public_id = models.UUIDField(_("公开编号"), default=uuid.uuid4, unique=True, editable=False)

    class Meta:
        abstract = True


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        abstract = True


class ActiveQuerySet(models.QuerySet):
    def active(self):
        return self.filter(voided_at__isnull=True)

    def voided(self):
        return self.filter(voided_at__isnull=False)


class VoidableModel(models.Model):
    """Records are voided with a reason, never hard-deleted."""

    voided_at = models.DateTimeField(_("作废时间"), null=True, blank=True, db_index=True)
    voided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("作废人"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )
    void_reason = models.TextField(_("作废原因"), blank=True)

    objects = ActiveQuerySet.as_manager()

    class Meta:
        abstract = True

    @property
    def is_voided(self) -> bool:
        return self.voided_at is not None


class RegistryRecord(PublicIdModel, TimeStampedModel, VoidableModel):
    """A registry row: owned by a region, identified publicly by UUID, voidable, searchable."""

    region = models.ForeignKey("regions.Region", verbose_name=_("所属区划"), on_delete=models.PROTECT, related_name="+")
    search_text = models.TextField(_("检索文本"), blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("创建人"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )

    class Meta:
        abstract = True
