"""Forms for activities, sessions, sign-up, attendance, review, photos and feedback."""

from django import forms
from django.utils.translation import gettext_lazy as _

from wushe.accounts.policy import Action, Resource, restrict
from wushe.core.forms import DateInput, DateTimeInput, add_service_errors  # noqa: F401  (used by this app's views)
from wushe.orgs.models import Organization
from wushe.people.models import PopulationGroup
from wushe.projects.models import Project
from wushe.workforce.models import SocialWorker

from ..models import ActivityKind
from ..selectors.choices import activity_region_choices

DATETIME_FORMAT = "%Y-%m-%dT%H:%M"


def _datetime_field(label, required=True):
    return forms.DateTimeField(label=label, required=required, widget=DateTimeInput(),
                               input_formats=[DATETIME_FORMAT, "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"])


ACTIVITY_FORM_FIELDS = ("title", "kind", "region", "place", "starts_at", "ends_at", "description", "organization",
                        "project", "lead_worker", "capacity", "signup_deadline", "volunteers_needed",
                        "is_risky", "insurance_insurer", "insurance_policy_number", "insurance_valid_until",
                        "target_groups")


class ActivityForm(forms.Form):
    title = forms.CharField(label=_("活动名称"), max_length=120)
    kind = forms.ChoiceField(label=_("活动类型"), choices=ActivityKind.choices)
    region = forms.ModelChoiceField(label=_("活动所在社区"), queryset=None, to_field_name="code")
    place = forms.CharField(label=_("地点"), max_length=200)
    starts_at = _datetime_field(_("开始时间"))
    ends_at = _datetime_field(_("结束时间"))
    description = forms.CharField(label=_("活动内容"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    organization = forms.ModelChoiceField(label=_("组织单位"), queryset=None, required=False,
                                          to_field_name="public_id", help_text=_("不填时由社区组织。"))
    project = forms.ModelChoiceField(label=_("所属项目"), queryset=None, required=False, to_field_name="public_id")
    lead_worker = forms.ModelChoiceField(label=_("负责社工"), queryset=None, required=False,
                                         to_field_name="public_id")
    capacity = forms.IntegerField(label=_("名额"), required=False, min_value=1,
                                  help_text=_("不填表示不限名额。"))
    signup_deadline = _datetime_field(_("报名截止时间"), required=False)
    volunteers_needed = forms.IntegerField(label=_("招募志愿者人数"), required=False, min_value=0, initial=0)
    is_risky = forms.BooleanField(label=_("具有一定危险性（开放报名前须登记意外保险）"), required=False)
    insurance_insurer = forms.CharField(label=_("保险公司"), max_length=100, required=False)
    insurance_policy_number = forms.CharField(label=_("保单号"), max_length=60, required=False)
    insurance_valid_until = forms.DateField(label=_("保险有效期至"), required=False, widget=DateInput())
    target_groups = forms.ModelMultipleChoiceField(label=_("服务对象"), queryset=None, required=False,
                                                   widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, user, instance=None, **kwargs):
        if instance is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                **{name: getattr(instance, name) for name in ACTIVITY_FORM_FIELDS
                   if name not in ("region", "organization", "project", "lead_worker", "target_groups")},
                "region": instance.region.code,
                "organization": instance.organization.public_id if instance.organization_id else None,
                "project": instance.project.public_id if instance.project_id else None,
                "lead_worker": instance.lead_worker.public_id if instance.lead_worker_id else None,
                "target_groups": list(instance.target_groups.all()),
            }
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = activity_region_choices(user)
        self.fields["organization"].queryset = restrict(
            user, Resource.ORGANIZATION, Organization.objects.active()).order_by("name")
        self.fields["project"].queryset = restrict(user, Resource.PROJECT, Project.objects.active()).order_by("-id")
        self.fields["lead_worker"].queryset = restrict(
            user, Resource.SOCIAL_WORKER, SocialWorker.objects.active(), Action.VIEW).order_by("name")
        self.fields["target_groups"].queryset = PopulationGroup.objects.order_by("sort_order", "code")

    def arguments(self) -> dict:
        data = dict(self.cleaned_data)
        data["volunteers_needed"] = data.get("volunteers_needed") or 0
        return data


class SessionForm(forms.Form):
    title = forms.CharField(label=_("场次主题"), max_length=120, required=False)
    starts_at = _datetime_field(_("开始时间"))
    ends_at = _datetime_field(_("结束时间"))
    place = forms.CharField(label=_("地点"), max_length=200, required=False, help_text=_("不填时同活动地点。"))


class SummaryForm(forms.Form):
    summary = forms.CharField(label=_("活动总结"), required=False, widget=forms.Textarea(attrs={"rows": 4}))
    indirect_beneficiaries = forms.IntegerField(label=_("间接受益人数（估计）"), required=False, min_value=0,
                                                help_text=_("估计数，不计入参与人数和人次。"))
    indirect_basis = forms.CharField(label=_("估算依据"), max_length=300, required=False,
                                     help_text=_("如：参与居民家庭平均3人 × 参与人数。填写估计数时必填。"))


class VolunteerRecruitForm(forms.Form):
    volunteer_number = forms.CharField(label=_("志愿者编号"), max_length=20)
    duty = forms.CharField(label=_("志愿岗位"), max_length=60, help_text=_("如：签到引导、摄影、安全员。"))


class BatchForm(forms.Form):
    session = forms.ChoiceField(label=_("场次"))
    lines = forms.CharField(label=_("名单（每行“姓名,手机号”）"), required=False,
                            widget=forms.Textarea(attrs={"rows": 6, "placeholder": "张三,13800000000"}))

    def __init__(self, *args, sessions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["session"].choices = [(str(s.public_id), f"{s.sequence}. {s.title or s.starts_at:%m-%d %H:%M}")
                                          for s in sessions]


class PhotoForm(forms.Form):
    image = forms.FileField(label=_("照片"), help_text=_("JPG、PNG、GIF 或 WEBP，不超过5MB。"))
    caption = forms.CharField(label=_("说明"), max_length=200, required=False)


class FeedbackForm(forms.Form):
    satisfaction = forms.TypedChoiceField(label=_("满意度"), coerce=int,
                                          choices=[(n, f"{n} ★") for n in range(5, 0, -1)])
    comment = forms.CharField(label=_("意见建议"), required=False, widget=forms.Textarea(attrs={"rows": 3}))


class SigninForm(forms.Form):
    name = forms.CharField(label=_("姓名"), max_length=50)
    phone = forms.CharField(label=_("手机号"), max_length=20, required=False,
                            widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}))
    is_volunteer = forms.BooleanField(label=_("我是志愿者"), required=False)
    volunteer_number = forms.CharField(label=_("志愿者编号"), max_length=20, required=False,
                                       help_text=_("志愿者请填写编号。"))
