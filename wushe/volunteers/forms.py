"""Forms only parse input; the services validate and write."""

from django import forms
from django.utils.translation import gettext_lazy as _

from wushe.core.forms import DateInput, add_service_errors  # noqa: F401  (used by this app's views)
from wushe.core.identity import DocumentType, Sex

from . import selectors
from .models import Team, TeamRole, Volunteer


class VolunteerForm(forms.Form):
    name = forms.CharField(label=_("姓名"), max_length=50)
    region = forms.ModelChoiceField(label=_("所属区划"), queryset=None, to_field_name="code",
                                    help_text=_("志愿者编号按首次登记的区划生成，之后不再改变。"))
    sex = forms.ChoiceField(label=_("性别"), choices=Sex.choices, initial=Sex.UNKNOWN)
    birth_date = forms.DateField(label=_("出生日期"), required=False, widget=DateInput(),
                                 help_text=_("未满14周岁的志愿者须取得监护人同意。"))
    document_type = forms.ChoiceField(label=_("证件类型"), choices=DocumentType.choices,
                                      initial=DocumentType.RESIDENT_ID)
    id_number = forms.CharField(label=_("证件号码"), max_length=20, required=False,
                                help_text=_("选填。填写居民身份证号时，出生日期和性别由号码自动得出。"))
    phone = forms.CharField(label=_("手机号"), max_length=20, required=False)
    skills = forms.CharField(label=_("技能特长"), max_length=200, required=False)
    registered_on = forms.DateField(label=_("注册日期"), required=False, widget=DateInput())
    guardian_name = forms.CharField(label=_("监护人姓名"), max_length=50, required=False,
                                    help_text=_("未满14周岁的志愿者必填。"))
    guardian_phone = forms.CharField(label=_("监护人手机号"), max_length=20, required=False)
    guardian_consent_on = forms.DateField(label=_("监护人同意日期"), required=False, widget=DateInput(),
                                          help_text=_("未满14周岁的志愿者必填：监护人书面同意其参加志愿服务的日期。"))

    def __init__(self, *args, user, instance: Volunteer | None = None, **kwargs):
        if instance is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "name": instance.name, "region": instance.region.code, "sex": instance.sex,
                "birth_date": instance.birth_date, "document_type": instance.document_type,
                "id_number": instance.id_number, "phone": instance.phone, "skills": instance.skills,
                "registered_on": instance.registered_on, "guardian_name": instance.guardian_name,
                "guardian_phone": instance.guardian_phone, "guardian_consent_on": instance.guardian_consent_on,
            }
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = selectors.volunteer_region_choices(user)


class TeamForm(forms.Form):
    name = forms.CharField(label=_("队伍名称"), max_length=100)
    organization = forms.ModelChoiceField(label=_("所属组织"), queryset=None, required=False,
                                          to_field_name="public_id")
    region = forms.ModelChoiceField(label=_("所属区划"), queryset=None, required=False, to_field_name="code",
                                    help_text=_("不填时取所属组织的区划。"))
    founded_on = forms.DateField(label=_("成立日期"), required=False, widget=DateInput())
    description = forms.CharField(label=_("简介"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, user, instance: Team | None = None, **kwargs):
        if instance is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "name": instance.name, "region": instance.region.code,
                "organization": instance.organization.public_id if instance.organization_id else None,
                "founded_on": instance.founded_on, "description": instance.description,
            }
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = selectors.organization_choices(user)
        regions = selectors.team_region_choices(user)
        if instance is not None:
            regions = regions | type(instance.region).objects.filter(pk=instance.region_id)
        self.fields["region"].queryset = regions


class MembershipForm(forms.Form):
    volunteer_number = forms.CharField(label=_("志愿者编号"), max_length=20)
    name = forms.CharField(label=_("志愿者姓名"), max_length=50, required=False,
                           help_text=_("本辖区以外的志愿者须同时填写姓名以核对身份。"))
    role = forms.ChoiceField(label=_("角色"), choices=TeamRole.choices, initial=TeamRole.MEMBER)
    joined_on = forms.DateField(label=_("加入日期"), required=False, widget=DateInput())
