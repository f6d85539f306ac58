"""Forms for questionnaires: upload, settings, form replacement, quotas."""

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from wushe.accounts.policy import Action, Resource, _object_ids, regions_for, restrict
from wushe.accounts.roles import Role
from wushe.core.forms import DateInput, add_service_errors  # noqa: F401  (used by this app's views)
from wushe.orgs.models import Organization
from wushe.projects.models import Project
from wushe.regions.models import Level, Region

from ..models import Audience, QuotaDimension

SETTING_FIELDS = ("title", "description", "audience", "organization", "project", "allow_link", "allow_anonymous",
                  "capture_group", "opens_on", "closes_on", "quota_by")


def survey_region_choices(user):
    """Current counties, townships and communities where the user may run a survey (a leader: their
    organizations' regions)."""
    regions = regions_for(user, Resource.SURVEY, Action.CHANGE).filter(level__gte=Level.COUNTY)
    led = _object_ids(user, Role.ORG_LEADER, "organization") if getattr(user, "is_authenticated", False) else []
    if led:
        regions = Region.objects.current().filter(
            Q(pk__in=regions.values("pk")) | Q(pk__in=Organization.objects.filter(pk__in=led).values("region")))
    return regions.order_by("code")


class SurveySettingsForm(forms.Form):
    title = forms.CharField(label=_("问卷名称"), max_length=200, required=False,
                            help_text=_("不填时使用 XLSForm 中的表单标题。"))
    description = forms.CharField(label=_("说明"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    audience = forms.ChoiceField(label=_("调查对象"), choices=Audience.choices, initial=Audience.RESIDENTS)
    organization = forms.ModelChoiceField(label=_("实施单位"), queryset=None, required=False,
                                          to_field_name="public_id")
    project = forms.ModelChoiceField(label=_("所属项目"), queryset=None, required=False, to_field_name="public_id")
    allow_link = forms.BooleanField(label=_("允许通过链接/二维码填写"), required=False, initial=True)
    allow_anonymous = forms.BooleanField(label=_("允许匿名填写"), required=False, initial=True,
                                         help_text=_("关闭后，通过链接填写须先登录。"))
    capture_group = forms.BooleanField(label=_("登记受访者人群类别"), required=False, initial=True)
    opens_on = forms.DateField(label=_("开始日期"), required=False, widget=DateInput())
    closes_on = forms.DateField(label=_("截止日期"), required=False, widget=DateInput())
    quota_by = forms.ChoiceField(label=_("抽样配额"), choices=QuotaDimension.choices, required=False)

    def __init__(self, *args, user, instance=None, **kwargs):
        if instance is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                **{name: getattr(instance, name) for name in SETTING_FIELDS if name not in ("organization", "project")},
                "organization": instance.organization.public_id if instance.organization_id else None,
                "project": instance.project.public_id if instance.project_id else None,
            }
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = restrict(user, Resource.ORGANIZATION,
                                                        Organization.objects.active()).order_by("name")
        self.fields["project"].queryset = restrict(user, Resource.PROJECT, Project.objects.active()).order_by("-id")

    def arguments(self) -> dict:
        data = dict(self.cleaned_data)
        data["quota_by"] = data.get("quota_by") or ""
        return {name: data[name] for name in SETTING_FIELDS if name in data}


class SurveyCreateForm(SurveySettingsForm):
    region = forms.ModelChoiceField(label=_("覆盖区划"), queryset=None, to_field_name="code",
                                    help_text=_("一个社区，或一个街道乡镇、区县（覆盖其下所有社区）。"))
    source_file = forms.FileField(label=_("XLSForm 文件"),
                                  help_text=_("KoboToolbox / ODK 使用的 XLSForm 格式（.xlsx），含 survey、choices 工作表。"))
    field_order = ["source_file", "region", "title", "description", "audience"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        self.fields["region"].queryset = survey_region_choices(user)
        self.order_fields(self.field_order)

    def arguments(self) -> dict:
        upload = self.cleaned_data["source_file"]
        return {**super().arguments(), "region": self.cleaned_data["region"], "data": upload.read(),
                "filename": upload.name}


class FormReplaceForm(forms.Form):
    source_file = forms.FileField(label=_("新的 XLSForm 文件"))


class QuotaForm(forms.Form):
    """One number per community or population group, built from the subjects given."""

    def __init__(self, *args, subjects, current: dict, **kwargs):
        super().__init__(*args, **kwargs)
        self.subjects = list(subjects)
        for subject in self.subjects:
            self.fields[f"q_{subject.pk}"] = forms.IntegerField(
                label=subject.name, required=False, min_value=0, max_value=100_000,
                initial=current.get(subject.pk), widget=forms.NumberInput(attrs={"inputmode": "numeric"}))

    def targets(self) -> dict:
        return {subject: self.cleaned_data.get(f"q_{subject.pk}") or 0 for subject in self.subjects}


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("原因"), max_length=100, widget=forms.Textarea(attrs={"rows": 2}))
