"""Forms for focus groups and interviews; they only parse input."""

from django import forms
from django.utils.translation import gettext_lazy as _

from wushe.core.forms import DateInput
from wushe.people.models import PopulationGroup

from ..models import EngagementKind
from ..selectors.needs import community_choices, facilitator_choices
from ..selectors.surveys import surveys_for

ENGAGEMENT_FORM_FIELDS = ("region", "kind", "title", "held_on", "place", "facilitator", "facilitator_name",
                          "participant_count", "participant_groups", "participant_description", "notes", "survey")


class EngagementForm(forms.Form):
    region = forms.ModelChoiceField(label=_("所属社区"), queryset=None, to_field_name="code")
    kind = forms.ChoiceField(label=_("类型"), choices=EngagementKind.choices)
    title = forms.CharField(label=_("主题"), max_length=200)
    held_on = forms.DateField(label=_("日期"), widget=DateInput())
    place = forms.CharField(label=_("地点"), max_length=200, required=False)
    facilitator = forms.ModelChoiceField(label=_("主持人/访谈员"), queryset=None, required=False,
                                         to_field_name="public_id", help_text=_("平台用户；不是平台用户时在下一栏填写姓名。"))
    facilitator_name = forms.CharField(label=_("主持人/访谈员姓名"), max_length=100, required=False)
    participant_count = forms.IntegerField(label=_("参与人数"), min_value=1)
    participant_groups = forms.ModelMultipleChoiceField(label=_("参与者人群类别"), queryset=None, required=False,
                                                        widget=forms.CheckboxSelectMultiple)
    participant_description = forms.CharField(label=_("参与者构成"), max_length=300, required=False,
                                              help_text=_("如：老年居民 5 人、楼门长 2 人、社工 1 人。"))
    notes = forms.CharField(label=_("记录"), required=False, widget=forms.Textarea(attrs={"rows": 5}))
    survey = forms.ModelChoiceField(label=_("关联问卷"), queryset=None, required=False, to_field_name="public_id")

    def __init__(self, *args, user, instance=None, **kwargs):
        if instance is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                **{name: getattr(instance, name) for name in ENGAGEMENT_FORM_FIELDS
                   if name not in ("region", "facilitator", "participant_groups", "survey")},
                "region": instance.region.code,
                "facilitator": instance.facilitator.public_id if instance.facilitator_id else None,
                "participant_groups": list(instance.participant_groups.all()),
                "survey": instance.survey.public_id if instance.survey_id else None,
            }
        super().__init__(*args, **kwargs)
        communities = community_choices(user)
        if instance is not None:
            communities = communities | type(instance.region).objects.filter(pk=instance.region_id)
        self.fields["region"].queryset = communities.order_by("code")
        self.fields["facilitator"].queryset = facilitator_choices(user, instance)
        self.fields["facilitator"].label_from_instance = lambda user: user.display_name or user.username
        self.fields["participant_groups"].queryset = PopulationGroup.objects.order_by("sort_order", "code")
        self.fields["survey"].queryset = surveys_for(user).order_by("-created_at")

    def arguments(self) -> dict:
        return dict(self.cleaned_data)
