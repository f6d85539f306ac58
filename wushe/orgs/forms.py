"""Input parsing only; every rule lives in services.py."""

from django import forms
from django.utils.translation import gettext_lazy as _

from wushe.core.forms import DateInput  # noqa: F401  (used by this app's views)

from .models import (
    BoardMember,
    BoardPosition,
    GrowthMilestone,
    GrowthRecord,
    Organization,
    OrganizationKind,
    OrganizationMember,
    RegistrationStatus,
    ServiceOrientation,
)


def _label(model, name):
    return model._meta.get_field(name).verbose_name


class OrganizationForm(forms.Form):
    name = forms.CharField(label=_label(Organization, "name"), max_length=150)
    kind = forms.ChoiceField(label=_label(Organization, "kind"), choices=OrganizationKind.choices)
    region = forms.ModelChoiceField(label=_label(Organization, "region"), queryset=None, to_field_name="code")
    registration_status = forms.ChoiceField(label=_label(Organization, "registration_status"),
                                            choices=RegistrationStatus.choices,
                                            initial=RegistrationStatus.UNREGISTERED)
    credit_code = forms.CharField(label=_label(Organization, "credit_code"), max_length=24, required=False,
                                  help_text=_("已登记的组织必填，18位。"))
    registered_on = forms.DateField(label=_label(Organization, "registered_on"), required=False, widget=DateInput())
    founded_on = forms.DateField(label=_label(Organization, "founded_on"), required=False, widget=DateInput())
    orientation = forms.ChoiceField(label=_label(Organization, "orientation"), choices=ServiceOrientation.choices,
                                    initial=ServiceOrientation.RECREATIONAL)
    leader_name = forms.CharField(label=_label(Organization, "leader_name"), max_length=50, required=False)
    contact_phone = forms.CharField(label=_label(Organization, "contact_phone"), max_length=20, required=False)
    address = forms.CharField(label=_label(Organization, "address"), max_length=200, required=False)
    description = forms.CharField(label=_label(Organization, "description"), required=False,
                                  widget=forms.Textarea(attrs={"rows": 3}))
    charter = forms.CharField(label=_label(Organization, "charter"), required=False,
                              widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args, regions, **kwargs):
        super().__init__(*args, **kwargs)
        if regions is None:
            # The viewer may not move the organization (e.g. its own leader): the region stays as it is.
            del self.fields["region"]
        else:
            self.fields["region"].queryset = regions.order_by("code")


class OrganizationEditForm(OrganizationForm):
    growth_evidence = forms.CharField(
        label=_("成长佐证说明"), required=False, widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("若本次修改了服务取向或登记状态（转为已登记/已备案），填写佐证后将同时生成成长记录。"))
    growth_evidence_file = forms.FileField(label=_("佐证材料"), required=False,
                                           help_text=_("PDF、JPG、PNG、DOCX 或 XLSX，不超过 10 MB。"))


def organization_initial(organization: Organization) -> dict:
    initial = {name: getattr(organization, name) for name in (
        "name", "kind", "registration_status", "credit_code", "registered_on", "founded_on", "orientation",
        "leader_name", "contact_phone", "address", "description", "charter")}
    initial["region"] = organization.region
    return initial


class BoardMemberForm(forms.Form):
    name = forms.CharField(label=_label(BoardMember, "name"), max_length=50)
    position = forms.ChoiceField(label=_label(BoardMember, "position"), choices=BoardPosition.choices,
                                 initial=BoardPosition.DIRECTOR)
    term_start = forms.DateField(label=_label(BoardMember, "term_start"), widget=DateInput())
    term_end = forms.DateField(label=_label(BoardMember, "term_end"), required=False, widget=DateInput())
    elected_by_residents = forms.BooleanField(
        label=_label(BoardMember, "elected_by_residents"), required=False, initial=True,
        help_text=_("理事会应由居民选举产生；由居委会指定的成员会被标注提醒。"))


class MemberForm(forms.Form):
    name = forms.CharField(label=_label(OrganizationMember, "name"), max_length=50)
    joined_on = forms.DateField(label=_label(OrganizationMember, "joined_on"), widget=DateInput())
    left_on = forms.DateField(label=_label(OrganizationMember, "left_on"), required=False, widget=DateInput())
    serves_regularly = forms.BooleanField(label=_label(OrganizationMember, "serves_regularly"), required=False)
    takes_part_in_governance = forms.BooleanField(label=_label(OrganizationMember, "takes_part_in_governance"),
                                                  required=False)


class GrowthRecordForm(forms.Form):
    milestone = forms.ChoiceField(label=_label(GrowthRecord, "milestone"), choices=GrowthMilestone.choices)
    achieved_on = forms.DateField(label=_label(GrowthRecord, "achieved_on"), widget=DateInput())
    evidence = forms.CharField(label=_label(GrowthRecord, "evidence"), widget=forms.Textarea(attrs={"rows": 3}))
    evidence_file = forms.FileField(label=_label(GrowthRecord, "evidence_file"), required=False,
                                    help_text=_("PDF、JPG、PNG、DOCX 或 XLSX，不超过 10 MB。"),
                                    widget=forms.FileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png,.docx,.xlsx"}))


class VoidForm(forms.Form):
    reason = forms.CharField(label=_("作废原因"), required=False)
