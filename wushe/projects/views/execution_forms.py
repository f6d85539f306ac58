"""Forms of the execution area's pages. They only parse input; the services validate and decide."""

from django import forms
from django.utils.translation import gettext_lazy as _

from ..models import EvaluationStage, PeriodicReport

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
MONEY = {"max_digits": 12, "decimal_places": 2, "widget": forms.NumberInput(attrs={"step": "0.01",
                                                                                    "inputmode": "decimal"})}
UPLOAD_ACCEPT = ".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png"


def _text(rows=3, **attrs):
    return forms.Textarea(attrs={"rows": rows, **attrs})


class LineChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return _("%(category)s（剩余 %(remaining)s 元）") % {"category": obj.category, "remaining": obj.remaining}


class AgreementForm(forms.Form):
    signed_on = forms.DateField(label=_("签约日期"), widget=DATE)
    funder_name = forms.CharField(label=_("资助方"), max_length=150)
    implementer_signatory = forms.CharField(label=_("实施方签署人"), max_length=50)
    worker_signatory = forms.CharField(label=_("主责社工签署人"), max_length=50)
    community_signatory = forms.CharField(label=_("社区签署人"), max_length=50)
    terms = forms.CharField(label=_("主要条款"), required=False, widget=_text(4))
    file = forms.FileField(label=_("协议扫描件"), required=False, help_text=_("PDF、JPG 或 PNG，不超过 10 MB。"),
                           widget=forms.ClearableFileInput(attrs={"accept": UPLOAD_ACCEPT}))


class BudgetLineForm(forms.Form):
    category = forms.CharField(label=_("科目"), max_length=50, help_text=_("如：活动物料、志愿者保险与交通、宣传印刷。"))
    amount = forms.DecimalField(label=_("预算金额（元）"), min_value=0, **MONEY)
    description = forms.CharField(label=_("说明"), max_length=200, required=False)
    self_raised = forms.BooleanField(label=_("自筹资金（非资助资金）"), required=False)


class ExpenseForm(forms.Form):
    line = LineChoiceField(label=_("预算科目"), queryset=None, to_field_name="public_id", empty_label=None)
    amount = forms.DecimalField(label=_("金额（元）"), min_value=0, **MONEY)
    payee = forms.CharField(label=_("收款方"), max_length=100)
    spent_on = forms.DateField(label=_("支出日期"), widget=DATE)
    description = forms.CharField(label=_("用途"), max_length=200)
    receipt = forms.FileField(label=_("票据"), required=False, help_text=_("拍照或上传 PDF、JPG、PNG，不超过 10 MB。"),
                              widget=forms.ClearableFileInput(attrs={"accept": UPLOAD_ACCEPT}))

    def __init__(self, *args, lines, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["line"].queryset = lines


class AdjustmentForm(forms.Form):
    INCREASE, DECREASE, TRANSFER = "increase", "decrease", "transfer"
    MODES = [(INCREASE, _("调增该科目")), (DECREASE, _("调减该科目")), (TRANSFER, _("从该科目调剂到另一科目"))]

    mode = forms.ChoiceField(label=_("调整方式"), choices=MODES, initial=TRANSFER)
    line = LineChoiceField(label=_("预算科目"), queryset=None, to_field_name="public_id", empty_label=None)
    to_line = LineChoiceField(label=_("调入科目（仅调剂时填写）"), queryset=None, to_field_name="public_id",
                              required=False)
    amount = forms.DecimalField(label=_("金额（元）"), min_value=0, **MONEY)
    reason = forms.CharField(label=_("调整理由"), widget=_text(3))

    def __init__(self, *args, lines, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["line"].queryset = lines
        self.fields["to_line"].queryset = lines


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", _("批准")), ("reject", _("驳回"))])
    note = forms.CharField(label=_("审批意见"), required=False, widget=_text(2))


class TrancheReleaseForm(forms.Form):
    released_on = forms.DateField(label=_("拨付日期"), widget=DATE, required=False)
    note = forms.CharField(label=_("说明"), required=False)


class VoidForm(forms.Form):
    reason = forms.CharField(label=_("作废原因"), widget=_text(2))


class VisitForm(forms.Form):
    visited_on = forms.DateField(label=_("监测日期"), widget=DATE)
    method = forms.CharField(label=_("方式"), max_length=50, required=False,
                             help_text=_("如：实地走访、活动观察、电话回访"))
    findings = forms.CharField(label=_("发现"), widget=_text(4))
    recommendations = forms.CharField(label=_("建议"), widget=_text(3))
    response_due_on = forms.DateField(label=_("回应期限"), widget=DATE, required=False)


class AnswerForm(forms.Form):
    response = forms.CharField(label=_("组织回应"), widget=_text(4),
                               help_text=_("说明已采取或将采取的改进措施。"))


class ReportForm(forms.Form):
    kind = forms.ChoiceField(label=_("类型"), choices=PeriodicReport.Kind.choices)
    period_start = forms.DateField(label=_("起始日期"), widget=DATE)
    period_end = forms.DateField(label=_("截止日期"), widget=DATE)
    progress = forms.CharField(label=_("进展与完成情况"), widget=_text(4))
    outcomes = forms.CharField(label=_("成效"), required=False, widget=_text(3))
    problems = forms.CharField(label=_("问题与改进"), required=False, widget=_text(3))
    next_steps = forms.CharField(label=_("下一步计划"), required=False, widget=_text(3))
    activities_held = forms.IntegerField(label=_("开展活动次数"), min_value=0, initial=0)
    direct_beneficiaries = forms.IntegerField(label=_("直接受益人数"), min_value=0, initial=0,
                                              help_text=_("按人计，同一人只计一次。"))
    person_times = forms.IntegerField(label=_("服务人次"), min_value=0, initial=0,
                                      help_text=_("每参加一次计一人次。"))
    indirect_beneficiaries = forms.IntegerField(label=_("间接受益人数（估算）"), min_value=0, initial=0)
    volunteers_involved = forms.IntegerField(label=_("参与志愿者人数"), min_value=0, initial=0)


class EvaluationForm(forms.Form):
    stage = forms.ChoiceField(label=_("阶段"), choices=EvaluationStage.choices, widget=forms.HiddenInput)
    expert_score = forms.DecimalField(label=_("专家评分"), min_value=0, max_value=100, max_digits=6,
                                      decimal_places=2)
    resident_score = forms.DecimalField(label=_("居民评分"), min_value=0, max_value=100, max_digits=6,
                                        decimal_places=2, required=False,
                                        help_text=_("不填时以专家评分为综合得分。"))
    conclusion = forms.CharField(label=_("评估结论"), widget=_text(4))


class TerminateForm(forms.Form):
    reason = forms.CharField(label=_("终止原因"), widget=_text(3))
    breach = forms.BooleanField(label=_("严重违规：按轮次规定禁止该组织申报"), required=False)


class CloseForm(forms.Form):
    note = forms.CharField(label=_("结项说明"), required=False, widget=_text(2))
