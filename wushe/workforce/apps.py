from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkforceConfig(AppConfig):
    name = "wushe.workforce"
    verbose_name = _("社会工作者")
