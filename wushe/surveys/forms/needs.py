"""Forms of the needs register; they only parse input (the services validate and write)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from wushe.core.forms import DateInput, add_service_errors  # noqa: F401  (used by the views)
from wushe.people.models import PopulationGroup

from ..models import NeedCategory, NeedPriority, NeedSource
from ..selectors.needs import community_choices
from ..selectors.surveys import surveys_for

NEED_FORM_FIELDS = ("region", "title", "category", "population_group", "source", "priority", "identified_on",
                    "description", "evidence", "survey")


def _groups():
    return PopulationGroup.objects.order_by("sort_order", "code")


class NeedForm(forms.Form):
    region = forms.ModelChoiceField(label=_("所属社区"), queryset=None, to_field_name="code")
    title = forms.CharField(label=_("需求"), max_length=200)
    category = forms.ChoiceField(label=_("类别"), choices=NeedCategory.choices)
    population_group = forms.ModelChoiceField(label=_("涉及人群"), queryset=None, required=False,
                                              to_field_name="code", empty_label=_("不限人群"))
    source = forms.ChoiceField(label=_("来源"), choices=NeedSource.choices)
    priority = forms.ChoiceField(label=_("优先级"), choices=NeedPriority.choices, initial=NeedPriority.MEDIUM)
    identified_on = forms.DateField(label=_("提出日期"), widget=DateInput())
    description = forms.CharField(label=_("描述"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    evidence = forms.CharField(label=_("依据"), required=False, widget=forms.Textarea(attrs={"rows": 2}),
                               help_text=_("如：问卷中 70.4% 的受访者选择此项；座谈会 8 人提出。"))
    survey = forms.ModelChoiceField(label=_("来源问卷"), queryset=None, required=False, to_field_name="public_id")

    def __init__(self, *args, user, instance=None, **kwargs):
        if instance is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                **{name: getattr(instance, name) for name in NEED_FORM_FIELDS
                   if name not in ("region", "population_group", "survey")},
                "region": instance.region.code,
                "population_group": instance.population_group.code if instance.population_group_id else None,
                "survey": instance.survey.public_id if instance.survey_id else None,
            }
        super().__init__(*args, **kwargs)
        communities = community_choices(user)
        if instance is not None:
            communities = communities | type(instance.region).objects.filter(pk=instance.region_id)
        self.fields["region"].queryset = communities.order_by("code")
        self.fields["population_group"].queryset = _groups()
        self.fields["survey"].queryset = surveys_for(user).order_by("-created_at")

    def arguments(self) -> dict:
        return dict(self.cleaned_data)


class MetForm(forms.Form):
    met_on = forms.DateField(label=_("满足日期"), widget=DateInput())
    note = forms.CharField(label=_("满足情况说明"), widget=forms.Textarea(attrs={"rows": 2}))


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("原因"), max_length=300)


class LinkProjectForm(forms.Form):
    project = forms.ModelChoiceField(label=_("回应该需求的项目"), queryset=None, to_field_name="public_id")
    note = forms.CharField(label=_("说明"), max_length=300, required=False)

    def __init__(self, *args, projects, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["project"].queryset = projects


class RaiseNeedForm(forms.Form):
    """A need brought up at a focus group or an interview (community, source and date come from it)."""

    title = forms.CharField(label=_("需求"), max_length=200)
    category = forms.ChoiceField(label=_("类别"), choices=NeedCategory.choices)
    population_group = forms.ModelChoiceField(label=_("涉及人群"), queryset=None, required=False,
                                              to_field_name="code", empty_label=_("不限人群"))
    priority = forms.ChoiceField(label=_("优先级"), choices=NeedPriority.choices, initial=NeedPriority.MEDIUM)
    description = forms.CharField(label=_("描述"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    evidence = forms.CharField(label=_("依据"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["population_group"].queryset = _groups()
