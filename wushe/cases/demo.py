"""Demo case work for the demo social worker (`demo_worker`) and their supervisor (`demo_supervisor`).

Four cases in the worker's communities, all through the services: an older man living alone in
intervention, with goals, records and a signed-off assessment; a closed case with a follow-up due; a
left-behind child with the guardian's consent and a mandatory report still to be filed; and a request that
was not accepted and referred to a legal-aid centre. Narratives are synthetic.
"""

from __future__ import annotations

import datetime

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from wushe.accounts.models import User
from wushe.people.models import ConsentBasis, Resident

from .models import (
    Case,
    CaseAccessGrant,
    CaseFollowUp,
    CaseGoal,
    CaseReadLog,
    CaseRecord,
    CaseReferral,
    CaseStatus,
    CaseWorker,
    ClientSource,
    ClosingReason,
    GoalStatus,
    MandatoryReport,
)
from .services import followups, steps, supervision


def _clients(worker_user: User, today: datetime.date):
    communities = worker_user.social_worker.communities.all()
    people = Resident.objects.active().filter(region__in=communities, user__isnull=True).order_by("pk")
    elders = people.filter(birth_date__lte=today.replace(year=today.year - 70))
    adults = people.filter(birth_date__lte=today.replace(year=today.year - 30),
                           birth_date__gt=today.replace(year=today.year - 60))
    children = people.filter(birth_date__gt=today.replace(year=today.year - 13),
                             birth_date__lte=today.replace(year=today.year - 7))
    return list(elders[:2]), list(adults[:1]), list(children[:1])


@transaction.atomic
def seed_cases(*, today: datetime.date | None = None) -> int | None:
    """Build the demo cases; None (and no change) when they exist or the demo is missing."""
    users = {u.username: u for u in User.objects.filter(username__in=["demo_worker", "demo_supervisor"])}
    worker, supervisor = users.get("demo_worker"), users.get("demo_supervisor")
    if worker is None or supervisor is None or not hasattr(worker, "social_worker"):
        return None
    if CaseWorker.objects.filter(worker=worker.social_worker).exists():
        return None
    today = today or timezone.localdate()
    elders, adults, children = _clients(worker, today)
    if len(elders) < 2 or not adults or not children:
        return None
    day = lambda n: today - datetime.timedelta(days=n)  # noqa: E731

    # 1. In intervention: an older man living alone after his wife died.
    case = steps.case_intake(
        actor=worker, client=elders[0], source=ClientSource.OUTREACH, intake_on=day(60),
        presenting_problem="丧偶后独居，情绪低落，很少出门，女儿在外地，社区入户时发现其三餐不规律。",
        background="退休工人，患高血压，有一女在外省工作，每月通话一两次；邻里关系尚可。",
        consent_basis=ConsentBasis.CONSENT, consent_recorded_on=day(60), risk_level="medium")
    assessment = steps.case_advance(actor=worker, case=case, to_status=CaseStatus.ASSESSMENT, recorded_on=day(55),
                                    content="抑郁自评量表得分偏高；社会支持薄弱；有下棋爱好，可作为联结邻里的优势。")
    supervision.case_record_review(actor=supervisor, record=assessment, sign_off=True,
                                   comment="预估全面，注意评估自伤风险，必要时转介精神卫生服务。")
    case = Case.objects.get(pk=case.pk)
    for description, measure in (("恢复规律三餐和服药", "连续四周每日三餐、按时服药"),
                                 ("每周至少参加一次社区活动", "活动签到记录"),
                                 ("与女儿每周联系一次", "服务对象自述与家属回访")):
        steps.case_goal_add(actor=worker, case=case, description=description, measure=measure)
    steps.case_advance(actor=worker, case=case, to_status=CaseStatus.PLAN, recorded_on=day(50),
                       content="与服务对象共同商定三项目标，每周家访一次，链接社区棋社和助餐点。")
    case = Case.objects.get(pk=case.pk)
    steps.case_advance(actor=worker, case=case, to_status=CaseStatus.INTERVENTION, recorded_on=day(45),
                       content="第一次介入：陪同前往助餐点办理用餐卡，介绍棋社骨干认识。")
    case = Case.objects.get(pk=case.pk)
    steps.case_record_add(actor=worker, case=case, recorded_on=day(30),
                          content="第三次家访：已连续两周在助餐点用餐，情绪有所好转，主动提到想去下棋。")

    # 2. Closed, goal reached, with a follow-up due next month.
    closed = steps.case_intake(
        actor=worker, client=adults[0], source=ClientSource.SELF, intake_on=day(120),
        presenting_problem="失业后家庭矛盾增多，希望获得就业信息和家庭沟通方面的帮助。",
        consent_basis=ConsentBasis.CONSENT, consent_recorded_on=day(120), risk_level="low")
    plan_steps = [(CaseStatus.ASSESSMENT, 115, "求职意愿强，有叉车证；夫妻沟通方式以指责为主。"),
                  (CaseStatus.PLAN, 110, "目标：三个月内再就业；学习非暴力沟通方法。")]
    for status, ago, content in plan_steps:
        if status == CaseStatus.PLAN:
            steps.case_goal_add(actor=worker, case=Case.objects.get(pk=closed.pk), description="三个月内实现再就业",
                                measure="签订劳动合同")
        steps.case_advance(actor=worker, case=Case.objects.get(pk=closed.pk), to_status=status,
                           recorded_on=day(ago), content=content)
    for status, ago, content in ((CaseStatus.INTERVENTION, 100, "链接街道就业服务站，推荐两家物流企业面试。"),
                                 (CaseStatus.EVALUATION, 40, "已在物流园区上岗一个月，夫妻冲突明显减少。")):
        steps.case_advance(actor=worker, case=Case.objects.get(pk=closed.pk), to_status=status,
                           recorded_on=day(ago), content=content)
    closed = Case.objects.get(pk=closed.pk)
    goal = CaseGoal.objects.filter(case=closed).first()
    steps.case_advance(actor=worker, case=closed, to_status=CaseStatus.CLOSED, recorded_on=day(35),
                       content="目标达成，服务对象同意结案。", closing_reason=ClosingReason.GOAL_REACHED,
                       goal_statuses={str(goal.public_id): GoalStatus.ACHIEVED})
    followups.case_follow_up_schedule(actor=worker, case=Case.objects.get(pk=closed.pk),
                                      due_on=today + datetime.timedelta(days=25))

    # 3. A left-behind child: the guardian consents; suspected neglect starts a mandatory report.
    steps.case_intake(
        actor=worker, client=children[0], source=ClientSource.REFERRED, referral_source="学校班主任",
        intake_on=day(5), voluntary=False,
        presenting_problem="父母在外务工，由年迈祖母照看；学校反映孩子多次带伤到校、衣着单薄。",
        consent_basis=ConsentBasis.GUARDIAN_CONSENT, consent_recorded_on=day(5), guardian_name="祖母",
        guardian_relation="祖母", risk_level="high", suspected_minor_harm=True,
        harm_concern="孩子手臂有多处淤青，自述被同住亲戚打过，需立即报告。")

    # 4. Not accepted: a property dispute is outside the service; referred to a legal-aid centre.
    other = steps.case_intake(
        actor=worker, client=elders[1], source=ClientSource.SELF, intake_on=day(15),
        presenting_problem="与子女因房产继承发生纠纷，希望社工出面调解并代为起诉。",
        consent_basis=ConsentBasis.CONSENT, consent_recorded_on=day(15))
    steps.case_advance(actor=worker, case=other, to_status=CaseStatus.NOT_ACCEPTED, recorded_on=day(14),
                       reason="诉讼代理不属于本机构服务范围，已告知可申请法律援助。")
    from .services import referrals

    referrals.case_refer(actor=worker, case=Case.objects.get(pk=other.pk), to_agency="区法律援助中心",
                         reason="房产继承纠纷需法律援助。")
    return Case.objects.filter(assignments__worker=worker.social_worker).count()


def purge_cases(low: str, high: str) -> None:
    """Remove the cases of the regions coded low..high with their rows (for `reset_demo`)."""
    cases = Case.objects.filter(region__code__gte=low, region__code__lte=high)
    ids = cases.values("pk")
    CaseFollowUp.objects.filter(case__in=ids).delete()
    for model in (CaseReadLog, MandatoryReport, CaseReferral, CaseAccessGrant, CaseGoal, CaseWorker):
        history = getattr(model, "history", None)
        if history is not None:
            history.filter(case__in=ids).delete()
        model.objects.filter(case__in=ids).delete()
    CaseRecord.objects.filter(case__in=ids).delete()
    Case.history.filter(Q(region__code__gte=low) & Q(region__code__lte=high)).delete()
    cases.delete()
