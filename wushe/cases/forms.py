"""Forms only parse input; the services validate and write."""

from django import forms
from django.utils.translation import gettext_lazy as _

from wushe.core.forms import DateInput, DateTimeInput, add_service_errors  # noqa: F401  (used by this app's views)
from wushe.people.models import ConsentBasis

from . import selectors
from .models import CaseStatus, ClientSource, ClosingReason, GoalStatus, ReportAuthority
from .services.steps import next_steps

RISK_CHOICES = [("", _("未评定")), ("low", _("低")), ("medium", _("中")), ("high", _("高"))]
CONSENT_CHOICES = [(value, label) for value, label in ConsentBasis.choices if value != ConsentBasis.NOT_RECORDED]


def textarea(rows: int = 4) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows})


class IntakeForm(forms.Form):
    client = forms.ModelChoiceField(label=_("服务对象"), queryset=None, to_field_name="public_id",
                                    widget=forms.HiddenInput)
    source = forms.ChoiceField(label=_("个案来源"), choices=ClientSource.choices)
    referral_source = forms.CharField(label=_("转介来源"), max_length=120, required=False,
                                      help_text=_("由他人或机构转介时填写。"))
    voluntary = forms.BooleanField(label=_("自愿求助"), required=False, initial=True,
                                   help_text=_("非自愿服务对象（如法院、学校要求）请取消勾选。"))
    intake_on = forms.DateField(label=_("接案日期"), required=False, widget=DateInput())
    presenting_problem = forms.CharField(label=_("求助问题"), widget=textarea(),
                                         help_text=_("加密保存，仅本个案社工、督导及获授权人可查阅。"))
    background = forms.CharField(label=_("背景资料"), required=False, widget=textarea())
    consent_basis = forms.ChoiceField(label=_("信息处理依据"), choices=CONSENT_CHOICES,
                                      help_text=_("未满14周岁的服务对象须取得监护人同意，或以履行法定职责为依据。"))
    consent_recorded_on = forms.DateField(label=_("同意记录日期"), required=False, widget=DateInput())
    guardian_name = forms.CharField(label=_("监护人姓名"), max_length=50, required=False)
    guardian_relation = forms.CharField(label=_("监护人关系"), max_length=20, required=False)
    risk_level = forms.ChoiceField(label=_("风险等级"), choices=RISK_CHOICES, required=False)
    suspected_minor_harm = forms.BooleanField(label=_("疑似未成年人受侵害（将启动强制报告）"), required=False)
    harm_concern = forms.CharField(label=_("疑似侵害情况"), required=False, widget=textarea(3))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["client"].queryset = selectors.client_choices(user)


class AdvanceForm(forms.Form):
    to_status = forms.ChoiceField(label=_("进入阶段"), choices=())
    content = forms.CharField(label=_("本阶段记录"), required=False, widget=textarea())
    recorded_on = forms.DateField(label=_("记录日期"), required=False, widget=DateInput())
    reason = forms.CharField(label=_("不接案原因"), required=False, widget=textarea(2),
                             help_text=_("仅不接案时填写；通常同时转介。"))
    closing_reason = forms.ChoiceField(label=_("结案原因"), required=False,
                                       choices=[("", "—"), *ClosingReason.choices])

    def __init__(self, *args, case, goals=(), **kwargs):
        super().__init__(*args, **kwargs)
        steps = next_steps(case)
        self.fields["to_status"].choices = [(s, CaseStatus(s).label) for s in steps]
        if CaseStatus.NOT_ACCEPTED not in steps:
            del self.fields["reason"]
        if CaseStatus.CLOSED not in steps:
            del self.fields["closing_reason"]
            goals = ()
        self.goal_fields = []
        for goal in goals:
            name = f"goal_{goal.public_id}"
            self.fields[name] = forms.ChoiceField(
                label=_("目标达成：%(goal)s") % {"goal": goal.description}, required=False,
                choices=[("", "—"), *[c for c in GoalStatus.choices if c[0] != GoalStatus.OPEN]],
                initial="" if goal.status == GoalStatus.OPEN else goal.status)
            self.goal_fields.append((name, goal))

    def goal_statuses(self) -> dict:
        return {str(goal.public_id): self.cleaned_data.get(name) for name, goal in self.goal_fields
                if self.cleaned_data.get(name)}


class RecordForm(forms.Form):
    content = forms.CharField(label=_("记录内容"), widget=textarea())
    recorded_on = forms.DateField(label=_("记录日期"), required=False, widget=DateInput())


class GoalForm(forms.Form):
    description = forms.CharField(label=_("服务目标"), max_length=300)
    measure = forms.CharField(label=_("衡量方式"), max_length=300, required=False)


class GoalStatusForm(forms.Form):
    status = forms.ChoiceField(label=_("达成情况"), choices=GoalStatus.choices)


class ReferralForm(forms.Form):
    to_worker = forms.ModelChoiceField(label=_("转介至社工"), queryset=None, required=False,
                                       to_field_name="public_id")
    to_agency = forms.CharField(label=_("或转介至机构"), max_length=120, required=False)
    reason = forms.CharField(label=_("转介原因"), widget=textarea(3))

    def __init__(self, *args, user, case, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_worker"].queryset = selectors.referral_worker_choices(user, case)


class ReferralAnswerForm(forms.Form):
    decision = forms.ChoiceField(choices=[("accept", _("接收")), ("decline", _("拒绝"))], widget=forms.HiddenInput)
    note = forms.CharField(label=_("回复说明"), required=False, widget=textarea(2))


class ReferralWithdrawForm(forms.Form):
    reason = forms.CharField(label=_("撤回原因"), widget=textarea(2))


class ReviewForm(forms.Form):
    comment = forms.CharField(label=_("督导意见"), required=False, widget=textarea(2))
    sign_off = forms.BooleanField(label=_("签核本记录"), required=False)


class GrantForm(forms.Form):
    account = forms.CharField(label=_("被授权人账号"), max_length=150, help_text=_("手机号或用户名。"))
    reason = forms.CharField(label=_("授权原因"), max_length=200)
    expires_on = forms.DateField(label=_("有效期至"), widget=DateInput())


class FollowUpForm(forms.Form):
    due_on = forms.DateField(label=_("计划跟进日期"), widget=DateInput())


class FollowUpRecordForm(forms.Form):
    content = forms.CharField(label=_("跟进情况"), widget=textarea(3))
    done_on = forms.DateField(label=_("实际跟进日期"), required=False, widget=DateInput())


class HarmFlagForm(forms.Form):
    concern = forms.CharField(label=_("疑似侵害情况"), widget=textarea(3))


class ReportFileForm(forms.Form):
    authority = forms.ChoiceField(label=_("报告对象"), choices=ReportAuthority.choices)
    reported_at = forms.DateTimeField(label=_("报告时间"), required=False, widget=DateTimeInput())
    receipt_reference = forms.CharField(label=_("受理回执/编号"), max_length=80, required=False)


class ReportCloseForm(forms.Form):
    outcome = forms.CharField(label=_("处理结果"), widget=textarea(3))
