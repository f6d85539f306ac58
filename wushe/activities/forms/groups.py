"""Forms for group work: the group, its stage, members, session plans, records and attendance."""

from django import forms
from django.utils.translation import gettext_lazy as _

from wushe.accounts.policy import Action, Resource, restrict
from wushe.orgs.models import Organization
from wushe.workforce.models import SocialWorker

from ..models import GroupKind, GroupStage
from ..selectors.choices import activity_region_choices
from .activities import DateInput, _datetime_field, add_service_errors

__all__ = ["GroupEditForm", "GroupForm", "MemberAddForm", "MemberLeaveForm", "SessionPlanForm",
           "SessionRecordForm", "StageForm", "add_service_errors"]

GROUP_FIELDS = ("group_kind", "goals", "target_description", "planned_sessions", "max_members")
CREATE_FIELDS = ("title", "region", "place", "starts_at", "ends_at", *GROUP_FIELDS, "organization", "lead_worker")
EDIT_FIELDS = ("title", "place", *GROUP_FIELDS, "evaluation")


class GroupEditForm(forms.Form):
    title = forms.CharField(label=_("小组名称"), max_length=120)
    place = forms.CharField(label=_("活动地点"), max_length=200)
    group_kind = forms.ChoiceField(label=_("小组类型"), choices=GroupKind.choices)
    goals = forms.CharField(label=_("小组目标"), widget=forms.Textarea(attrs={"rows": 3}))
    target_description = forms.CharField(label=_("招募对象"), max_length=200, required=False,
                                         help_text=_("如：辖区独居长者、初中生家长。"))
    planned_sessions = forms.IntegerField(label=_("计划节数"), min_value=1, max_value=100, initial=6)
    max_members = forms.IntegerField(label=_("成员上限"), min_value=1, max_value=500, required=False,
                                     help_text=_("不填表示不限。"))
    evaluation = forms.CharField(label=_("小组评估"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
                                 help_text=_("进入结束期前必须填写。"))

    def __init__(self, *args, group=None, **kwargs):
        if group is not None and "initial" not in kwargs:
            kwargs["initial"] = {"title": group.activity.title, "place": group.activity.place,
                                 **{name: getattr(group, name) for name in (*GROUP_FIELDS, "evaluation")}}
        super().__init__(*args, **kwargs)


class GroupForm(GroupEditForm):
    region = forms.ModelChoiceField(label=_("所在社区"), queryset=None, to_field_name="code")
    starts_at = _datetime_field(_("第一节开始时间"))
    ends_at = _datetime_field(_("第一节结束时间"))
    organization = forms.ModelChoiceField(label=_("组织单位"), queryset=None, required=False,
                                          to_field_name="public_id", help_text=_("不填时由社区组织。"))
    lead_worker = forms.ModelChoiceField(label=_("负责社工"), queryset=None, required=False,
                                         to_field_name="public_id")
    field_order = ["title", "group_kind", "region", "place", "starts_at", "ends_at", "goals", "target_description",
                   "planned_sessions", "max_members", "organization", "lead_worker"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["evaluation"]
        self.fields["region"].queryset = activity_region_choices(user)
        self.fields["organization"].queryset = restrict(
            user, Resource.ORGANIZATION, Organization.objects.active()).order_by("name")
        self.fields["lead_worker"].queryset = restrict(
            user, Resource.SOCIAL_WORKER, SocialWorker.objects.active(), Action.VIEW).order_by("name")


class StageForm(forms.Form):
    to_stage = forms.ChoiceField(label=_("目标阶段"), choices=GroupStage.choices)
    note = forms.CharField(label=_("阶段小结 / 更正说明"), required=False, widget=forms.Textarea(attrs={"rows": 2}),
                           help_text=_("退回上一阶段时必须填写更正说明。"))
    evaluation = forms.CharField(label=_("小组评估"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
                                 help_text=_("进入结束期时必须填写：目标达成情况、成员改变、工作者反思。"))


class MemberAddForm(forms.Form):
    resident = forms.UUIDField(widget=forms.HiddenInput)
    joined_on = forms.DateField(label=_("入组日期"), widget=DateInput())


class MemberLeaveForm(forms.Form):
    left_on = forms.DateField(label=_("退出日期"), widget=DateInput())
    reason = forms.CharField(label=_("退出原因"), max_length=200)


class SessionPlanForm(forms.Form):
    title = forms.CharField(label=_("本节主题"), max_length=120, required=False)
    starts_at = _datetime_field(_("开始时间"))
    ends_at = _datetime_field(_("结束时间"))
    place = forms.CharField(label=_("地点"), max_length=200, required=False, help_text=_("不填时同小组活动地点。"))


class SessionRecordForm(forms.Form):
    goals = forms.CharField(label=_("本节目标"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    content = forms.CharField(label=_("活动内容与过程"), widget=forms.Textarea(attrs={"rows": 4}))
    observations = forms.CharField(label=_("成员表现与小组动力"), required=False,
                                   widget=forms.Textarea(attrs={"rows": 3}))
    reflection = forms.CharField(label=_("工作者反思与下节安排"), required=False,
                                 widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, session=None, **kwargs):
        if session is not None and "initial" not in kwargs:
            kwargs["initial"] = {name: getattr(session, name) for name in ("goals", "content", "observations",
                                                                           "reflection")}
        super().__init__(*args, **kwargs)
