"""Forms only parse input; the services in `records.services` validate and write."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..forms import DateInput
from . import selectors
from .services import MAX_CORRECTION_MINUTES


class CorrectionRequestForm(forms.Form):
    requested_minutes = forms.IntegerField(label=_("申请更正为（分钟）"), min_value=1,
                                           max_value=MAX_CORRECTION_MINUTES)
    reason = forms.CharField(label=_("更正理由"), widget=forms.Textarea(attrs={"rows": 2}),
                             help_text=_("如：签退漏扫，实际服务至几点；请写明可供组织者核实的情况。"))


class CorrectionAnswerForm(forms.Form):
    decision = forms.ChoiceField(label=_("处理结果"), choices=[("accept", _("同意更正")), ("reject", _("不予更正"))])
    minutes = forms.IntegerField(label=_("更正后时长（分钟）"), min_value=1, max_value=MAX_CORRECTION_MINUTES,
                                 required=False, help_text=_("同意更正时，不填则按申请的时长更正。"))
    answer = forms.CharField(label=_("处理意见"), required=False, widget=forms.Textarea(attrs={"rows": 2}),
                             help_text=_("不予更正时必须填写理由。"))


class ExtractIssueForm(forms.Form):
    issuer = forms.ChoiceField(label=_("出具单位"), help_text=_("只能为本单位组织的活动出具（谁组织谁记录，谁记录谁证明）。"))
    volunteer = forms.ModelChoiceField(label=_("志愿者"), queryset=None, to_field_name="public_id")
    period_start = forms.DateField(label=_("服务起始日期"), widget=DateInput())
    period_end = forms.DateField(label=_("服务截止日期"), widget=DateInput())
    person_in_charge = forms.CharField(label=_("单位负责人"), max_length=50)
    handler_name = forms.CharField(label=_("经办人"), max_length=50)
    contact = forms.CharField(label=_("联系电话"), max_length=30)
    service_summary = forms.CharField(label=_("服务内容"), required=False, widget=forms.Textarea(attrs={"rows": 2}),
                                      help_text=_("不填时按所含活动自动生成。"))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.units = {unit.key: unit for unit in selectors.issuer_units(user)}
        self.fields["issuer"].choices = [(key, unit.name) for key, unit in self.units.items()]
        self.fields["volunteer"].queryset = selectors.issuable_volunteers(user)
        self.fields["volunteer"].label_from_instance = lambda v: f"{v.name}（{v.volunteer_number}）"
        start, end = selectors.default_period(timezone.localdate())
        self.fields["period_start"].initial, self.fields["period_end"].initial = start, end
        if len(self.units) == 1:
            self.fields["issuer"].initial = next(iter(self.units))

    def clean(self):
        data = super().clean()
        unit = self.units.get(data.get("issuer", ""))
        data["issuer_organization"] = unit.organization if unit else None
        data["issuer_region"] = unit.region if unit else None
        return data


class ExtractFilterForm(forms.Form):
    q = forms.CharField(label=_("编号、姓名或志愿者编号"), required=False)
    status = forms.ChoiceField(label=_("状态"), required=False,
                               choices=[("", _("全部")), ("valid", _("有效")), ("voided", _("已作废"))])
    issued_from = forms.DateField(label=_("出具日期自"), required=False, widget=DateInput())
    issued_to = forms.DateField(label=_("至"), required=False, widget=DateInput())


class ExportForm(forms.Form):
    period_start = forms.DateField(label=_("服务日期自"), required=False, widget=DateInput())
    period_end = forms.DateField(label=_("至"), required=False, widget=DateInput())
    region = forms.CharField(label=_("区划代码"), required=False, max_length=12,
                             help_text=_("选填：只导出该区划（含下级）的活动。"))
    organization = forms.ModelChoiceField(label=_("组织单位"), queryset=None, required=False,
                                          to_field_name="public_id")
    file_format = forms.ChoiceField(label=_("文件格式"), choices=[("xlsx", "Excel (.xlsx)"), ("csv", "CSV (UTF-8)")],
                                    initial="xlsx")

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = selectors.export_organizations(user)

    def clean_region(self):
        code = self.cleaned_data.get("region", "")
        if not code:
            return None
        region = selectors.export_region(None, code)
        if region is None:
            raise forms.ValidationError(_("未找到该区划代码。"))
        return region
