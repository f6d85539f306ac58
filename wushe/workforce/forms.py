"""Forms only parse input; the services validate and write."""

from django import forms
from django.utils.translation import gettext_lazy as _

from wushe.accounts.policy import Action
from wushe.core.forms import DateInput, add_service_errors  # noqa: F401  (used by this app's views)
from wushe.core.identity import DocumentType, Sex

from . import selectors
from .models import CertificateLevel, Placement, SocialWorker


class SocialWorkerForm(forms.Form):
    name = forms.CharField(label=_("姓名"), max_length=50)
    region = forms.ModelChoiceField(label=_("所属区划"), queryset=None, to_field_name="code",
                                    help_text=_("通常为所在街道/乡镇或社工站。"))
    placement = forms.ChoiceField(label=_("岗位类型"), choices=Placement.choices, initial=Placement.COMMUNITY_WORKER)
    employer = forms.ModelChoiceField(label=_("所在单位"), queryset=None, required=False, to_field_name="public_id")
    communities = forms.ModelMultipleChoiceField(label=_("服务社区"), queryset=None, required=False,
                                                 to_field_name="code", widget=forms.CheckboxSelectMultiple)
    certificate_level = forms.ChoiceField(label=_("职业资格"), choices=CertificateLevel.choices,
                                          initial=CertificateLevel.NONE)
    certificate_number = forms.CharField(label=_("证书编号"), max_length=40, required=False)
    certified_on = forms.DateField(label=_("取证日期"), required=False, widget=DateInput())
    mentor = forms.ModelChoiceField(label=_("带教督导"), queryset=None, required=False, to_field_name="public_id")
    started_on = forms.DateField(label=_("从业日期"), required=False, widget=DateInput())
    document_type = forms.ChoiceField(label=_("证件类型"), choices=DocumentType.choices,
                                      initial=DocumentType.RESIDENT_ID)
    id_number = forms.CharField(label=_("证件号码"), max_length=20, required=False,
                                help_text=_("选填。填写居民身份证号时，出生日期和性别由号码自动得出。"))
    sex = forms.ChoiceField(label=_("性别"), choices=Sex.choices, initial=Sex.UNKNOWN)
    birth_date = forms.DateField(label=_("出生日期"), required=False, widget=DateInput())
    phone = forms.CharField(label=_("手机号"), max_length=20, required=False)

    def __init__(self, *args, user, instance: SocialWorker | None = None, **kwargs):
        if instance is not None and "initial" not in kwargs:
            kwargs["initial"] = initial_from(instance)
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = selectors.region_choices(user)
        self.fields["employer"].queryset = selectors.employer_choices(user)
        self.fields["communities"].queryset = selectors.community_choices(user, action=Action.CHANGE)
        self.fields["mentor"].queryset = selectors.mentor_choices(user, exclude=instance)


def initial_from(worker: SocialWorker) -> dict:
    return {
        "name": worker.name, "region": worker.region.code if worker.region_id else None,
        "placement": worker.placement,
        "employer": worker.employer.public_id if worker.employer_id else None,
        "communities": [c.code for c in worker.communities.all()],
        "certificate_level": worker.certificate_level, "certificate_number": worker.certificate_number,
        "certified_on": worker.certified_on,
        "mentor": worker.mentor.public_id if worker.mentor_id else None,
        "started_on": worker.started_on, "document_type": worker.document_type, "id_number": worker.id_number,
        "sex": worker.sex, "birth_date": worker.birth_date, "phone": worker.phone,
    }
