"""Forms only parse input; validation of the registry rules lives in services.py."""

from django import forms
from django.utils.translation import gettext_lazy as _

from wushe.accounts.policy import Action, Resource
from wushe.core.identity import DocumentType, Sex

from .models import ConsentBasis
from .selectors import community_choices, population_groups


class CommunityChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.parent.name} · {obj.name}" if obj.parent_id else obj.name


class ResidentForm(forms.Form):
    region = CommunityChoiceField(label=_("所属社区（村）"), queryset=None, to_field_name="code",
                                  help_text=_("只能选择您有权登记的社区（村）。"))
    name = forms.CharField(label=_("姓名"), max_length=50, help_text=_("与证件一致，例如：张三丰"))
    document_type = forms.ChoiceField(label=_("证件类型"), choices=DocumentType.choices,
                                      initial=DocumentType.RESIDENT_ID)
    id_number = forms.CharField(
        label=_("证件号码"), max_length=20, required=False,
        help_text=_("居民身份证为18位，例如：11010519491231002X；出生日期和性别将按号码自动填写。"))
    birth_date = forms.DateField(label=_("出生日期"), required=False,
                                 widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
                                 help_text=_("使用其他证件或无证件时填写，例如：1949-12-31。"))
    sex = forms.ChoiceField(label=_("性别"), choices=Sex.choices, initial=Sex.UNKNOWN,
                            help_text=_("使用居民身份证时按号码自动填写。"))
    ethnicity = forms.CharField(label=_("民族"), max_length=20, required=False, help_text=_("例如：汉族、回族"))
    phone = forms.CharField(label=_("手机号"), max_length=20, required=False,
                            widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
                            help_text=_("11位手机号，例如：13912345678"))
    address = forms.CharField(label=_("住址"), max_length=200, required=False,
                              help_text=_("例如：将台路5号院3号楼2单元101"))
    groups = forms.ModelMultipleChoiceField(label=_("人群类别"), queryset=None, required=False,
                                            to_field_name="code", widget=forms.CheckboxSelectMultiple)
    consent_basis = forms.ChoiceField(label=_("信息处理依据"), choices=ConsentBasis.choices,
                                      initial=ConsentBasis.NOT_RECORDED,
                                      help_text=_("未满14周岁须由监护人同意。"))
    notes = forms.CharField(label=_("备注"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, user, identity_hidden: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = community_choices(user, Resource.RESIDENT, action=Action.CHANGE)
        self.fields["groups"].queryset = population_groups()
        if identity_hidden:
            # An editor who sees masked numbers may replace them but never reads them.
            for name in ("id_number", "phone"):
                self.fields[name].help_text = _("出于个人信息保护不显示原号码；留空表示不修改。")

    def service_fields(self, *, keep_blank_identity: bool = False) -> dict:
        data = dict(self.cleaned_data)
        if keep_blank_identity:
            for name in ("id_number", "phone"):
                if not data.get(name):
                    data.pop(name, None)
        return data


class HouseholdForm(forms.Form):
    region = CommunityChoiceField(label=_("所属社区（村）"), queryset=None, to_field_name="code")
    name = forms.CharField(label=_("户名"), max_length=100, help_text=_("通常为户主姓名，如“张三户”。"))
    address = forms.CharField(label=_("住址"), max_length=200, required=False,
                              help_text=_("例如：将台路5号院3号楼2单元101"))
    notes = forms.CharField(label=_("备注"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, user, members=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = community_choices(user, Resource.HOUSEHOLD, action=Action.CHANGE)
        if members is not None:
            self.fields["head"] = forms.ModelChoiceField(label=_("户主"), queryset=members, required=False,
                                                         to_field_name="public_id",
                                                         help_text=_("从本户在册成员中选择。"))


class MemberAddForm(forms.Form):
    resident = forms.UUIDField(widget=forms.HiddenInput)
    relation_to_head = forms.CharField(label=_("与户主关系"), max_length=20, required=False,
                                       help_text=_("例如：配偶、子女、父母"))
    is_head = forms.BooleanField(label=_("设为户主"), required=False)


class VoidForm(forms.Form):
    reason = forms.CharField(label=_("作废原因"), widget=forms.Textarea(attrs={"rows": 2}))
