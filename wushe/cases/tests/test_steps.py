"""The MZ/T 094 steps through the services: intake → … → closed → follow-up, the not-accepted branch,
illegal moves, consent rules (incl. the under-14 guardian) and goals."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from wushe.cases.models import (
    Case,
    CaseRecord,
    CaseStatus,
    CaseWorker,
    GoalStatus,
    RecordKind,
)
from wushe.cases.services import followups, steps
from wushe.cases.services._common import MSG_DATE_BEFORE_INTAKE
from wushe.people.models import ConsentBasis

from .factories import PROBLEM, intake, make_client, make_worker, walk_to

pytestmark = pytest.mark.django_db


def messages_of(error: ValidationError) -> list[str]:
    return [str(m) for m in error.messages]


def test_intake_creates_case_lead_worker_and_intake_record(world):
    case = intake(world)
    year = datetime.date.today().year
    assert case.case_number == f"GA-110105001001-{year}-0001"
    assert case.status == CaseStatus.INTAKE
    assert case.region == world.community
    assert case.created_by == world.social_worker
    lead = CaseWorker.objects.get(case=case)
    assert lead.worker == world.objects["worker"] and lead.role == "lead" and lead.ended_at is None
    record = case.records.get()
    assert record.kind == RecordKind.INTAKE and record.content == PROBLEM and record.author == world.social_worker
    assert case.history.count() == 1 and case.history.first().history_user == world.social_worker


def test_case_numbers_run_per_community_and_year(world):
    first = intake(world)
    second = intake(world, client=make_client(world, "钱测试"))
    other = intake(world, client=make_client(world, "吴测试", region=world.community2),
                   actor=_serving(world, world.community2))
    assert first.case_number.endswith("-0001") and second.case_number.endswith("-0002")
    assert other.case_number.startswith("GA-110105001002-") and other.case_number.endswith("-0001")


def _serving(world, community):
    world.objects["worker"].communities.add(community)
    return world.social_worker


def test_full_step_sequence_to_closing_and_follow_up(world):
    user = world.social_worker
    case = intake(world)
    assert steps.next_steps(case) == [CaseStatus.ASSESSMENT, CaseStatus.NOT_ACCEPTED]
    steps.case_advance(actor=user, case=case, to_status=CaseStatus.ASSESSMENT, content="预估：支持网络薄弱。")
    steps.case_advance(actor=user, case=case, to_status=CaseStatus.PLAN, content="服务计划：链接助餐与探访。")
    with pytest.raises(ValidationError) as error:
        steps.case_advance(actor=user, case=case, to_status=CaseStatus.INTERVENTION, content="开始介入")
    assert str(steps.MSG_GOAL_REQUIRED) in messages_of(error.value)
    goal = steps.case_goal_add(actor=user, case=case, description="建立每周探访", measure="每周至少一次")
    steps.case_advance(actor=user, case=case, to_status=CaseStatus.INTERVENTION, content="第一次家访。")
    steps.case_record_add(actor=user, case=case, content="第二次家访，情绪好转。")
    steps.case_advance(actor=user, case=case, to_status=CaseStatus.EVALUATION, content="评估：目标基本达成。")
    steps.case_advance(actor=user, case=case, to_status=CaseStatus.INTERVENTION, content="补充介入：链接志愿者。")
    steps.case_advance(actor=user, case=case, to_status=CaseStatus.EVALUATION, content="再次评估。")
    with pytest.raises(ValidationError) as error:
        steps.case_advance(actor=user, case=case, to_status=CaseStatus.CLOSED, content="结案")
    assert str(steps.MSG_CLOSING_REASON_REQUIRED) in messages_of(error.value)
    assert str(steps.MSG_GOALS_OPEN) in messages_of(error.value)
    steps.case_advance(actor=user, case=case, to_status=CaseStatus.CLOSED, content="结案小结。",
                       closing_reason="goal_reached", goal_statuses={str(goal.public_id): GoalStatus.ACHIEVED})
    case.refresh_from_db()
    goal.refresh_from_db()
    assert case.status == CaseStatus.CLOSED and case.closing_reason == "goal_reached"
    assert case.closed_on == datetime.date.today() and goal.status == GoalStatus.ACHIEVED
    kinds = list(case.records.values_list("kind", flat=True))
    assert kinds == ["intake", "assessment", "plan", "intervention", "intervention", "evaluation", "intervention",
                     "evaluation", "closing"]
    assert steps.next_steps(case) == []

    follow_up = followups.case_follow_up_schedule(actor=user, case=case,
                                                  due_on=datetime.date.today() + datetime.timedelta(days=30))
    with pytest.raises(ValidationError):
        followups.case_follow_up_schedule(actor=user, case=case, due_on=datetime.date(2000, 1, 1))
    followups.case_follow_up_record(actor=user, follow_up=follow_up, content="电话回访，状况稳定。")
    follow_up.refresh_from_db()
    assert follow_up.done_on == datetime.date.today() and follow_up.record.kind == RecordKind.FOLLOW_UP
    with pytest.raises(ValidationError, match=str(followups.MSG_FOLLOW_UP_DONE)):
        followups.case_follow_up_record(actor=user, follow_up=follow_up, content="again")
    statuses = [h.status for h in case.history.order_by("history_date")]
    assert statuses == ["intake", "assessment", "plan", "intervention", "evaluation", "intervention", "evaluation",
                        "closed"]


def test_follow_up_only_after_closing(world):
    case = walk_to(world, intake(world), CaseStatus.EVALUATION)
    with pytest.raises(ValidationError, match=str(followups.MSG_FOLLOW_UP_NOT_CLOSED)):
        followups.case_follow_up_schedule(actor=world.social_worker, case=case, due_on=datetime.date.today())


def test_not_accepted_branch_needs_a_reason(world):
    case = intake(world)
    with pytest.raises(ValidationError) as error:
        steps.case_advance(actor=world.social_worker, case=case, to_status=CaseStatus.NOT_ACCEPTED)
    assert str(steps.MSG_REASON_REQUIRED) in messages_of(error.value)
    record = steps.case_advance(actor=world.social_worker, case=case, to_status=CaseStatus.NOT_ACCEPTED,
                                reason="需求属于医疗范畴，建议转介医院社工部。")
    case.refresh_from_db()
    assert case.status == CaseStatus.NOT_ACCEPTED and case.not_accepted_reason.startswith("需求属于医疗")
    assert record.kind == RecordKind.NOT_ACCEPTED and record.content == case.not_accepted_reason
    assert steps.next_steps(case) == []


@pytest.mark.parametrize(("walk", "to_status"), [
    (None, CaseStatus.PLAN),
    (None, CaseStatus.CLOSED),
    (CaseStatus.ASSESSMENT, CaseStatus.NOT_ACCEPTED),
    (CaseStatus.PLAN, CaseStatus.EVALUATION),
    (CaseStatus.INTERVENTION, CaseStatus.CLOSED),
    (CaseStatus.CLOSED, CaseStatus.INTERVENTION),
    (None, CaseStatus.REFERRED),
])
def test_illegal_steps_are_refused(world, walk, to_status):
    case = intake(world)
    if walk:
        case = walk_to(world, case, walk)
    with pytest.raises(ValidationError) as error:
        steps.case_advance(actor=world.social_worker, case=case, to_status=to_status, content="x",
                           reason="x", closing_reason="goal_reached")
    assert str(steps.MSG_ILLEGAL_STEP) in messages_of(error.value)


def test_step_records_need_content_and_a_sane_date(world):
    case = intake(world)
    with pytest.raises(ValidationError) as error:
        steps.case_advance(actor=world.social_worker, case=case, to_status=CaseStatus.ASSESSMENT,
                           recorded_on=datetime.date.today() + datetime.timedelta(days=1))
    assert str(steps.MSG_CONTENT_REQUIRED) in messages_of(error.value)
    assert str(steps.MSG_DATE_FUTURE) in messages_of(error.value)
    with pytest.raises(ValidationError, match=str(MSG_DATE_BEFORE_INTAKE)):
        steps.case_record_add(actor=world.social_worker, case=case, content="x",
                              recorded_on=case.intake_on - datetime.timedelta(days=1))


def test_additional_records_take_the_current_steps_kind(world):
    case = walk_to(world, intake(world), CaseStatus.PLAN)
    record = steps.case_record_add(actor=world.social_worker, case=case, content="补充计划说明")
    assert record.kind == RecordKind.PLAN


def test_goals_only_while_working_the_case(world):
    case = intake(world)
    with pytest.raises(ValidationError, match=str(steps.MSG_GOALS_LOCKED)):
        steps.case_goal_add(actor=world.social_worker, case=case, description="目标")
    case = walk_to(world, case, CaseStatus.INTERVENTION)
    goal = case.goals.get()
    steps.case_goal_update(actor=world.social_worker, goal=goal, status=GoalStatus.PARTLY)
    goal.refresh_from_db()
    assert goal.status == GoalStatus.PARTLY and goal.history.count() == 2
    with pytest.raises(ValidationError):
        steps.case_goal_update(actor=world.social_worker, goal=goal, status="bogus")


def test_only_a_case_worker_may_write(world):
    case = intake(world)
    other = make_worker(world)
    for user in (other.user, world.supervisor, world.community_staff, world.admin):
        with pytest.raises(PermissionDenied):
            steps.case_advance(actor=user, case=case, to_status=CaseStatus.ASSESSMENT, content="x")
    assert case.records.count() == 1


# Intake validation and consent --------------------------------------------------------------------------

def test_intake_needs_a_worker_serving_the_clients_community(world):
    outside = make_client(world, "冯测试", region=world.other_community)
    with pytest.raises(ValidationError) as error:
        intake(world, client=outside)
    assert str(steps.MSG_CLIENT_OUT_OF_SCOPE) in messages_of(error.value)
    with pytest.raises(PermissionDenied):
        intake(world, actor=world.community_staff)
    assert not Case.objects.exists()


def test_intake_through_a_region_assignment_without_serving_the_community(world):
    worker = make_worker(world, community=world.community2)
    worker.communities.clear()
    case = intake(world, client=make_client(world, "陈测试", region=world.community2), actor=worker.user)
    assert case.region == world.community2


def test_consent_must_be_recorded(world):
    with pytest.raises(ValidationError) as error:
        intake(world, consent_basis=ConsentBasis.NOT_RECORDED)
    assert str(steps.MSG_CONSENT_REQUIRED) in messages_of(error.value)
    with pytest.raises(ValidationError) as error:
        intake(world, consent_basis=ConsentBasis.CONSENT, consent_recorded_on=None)
    assert str(steps.MSG_CONSENT_DATE_REQUIRED) in messages_of(error.value)
    assert not Case.objects.exists()


def test_client_under_14_needs_guardian_consent_or_statutory_duty(world):
    child = make_client(world, "韩小测", age=10)
    with pytest.raises(ValidationError) as error:
        intake(world, client=child, consent_basis=ConsentBasis.CONSENT)
    assert str(steps.MSG_GUARDIAN_REQUIRED) in messages_of(error.value)
    with pytest.raises(ValidationError) as error:
        intake(world, client=child, consent_basis=ConsentBasis.GUARDIAN_CONSENT, guardian_name="韩父")
    assert str(steps.MSG_GUARDIAN_DETAILS_REQUIRED) in messages_of(error.value)
    case = intake(world, client=child, consent_basis=ConsentBasis.GUARDIAN_CONSENT, guardian_name="韩父",
                  guardian_relation="父亲")
    assert case.guardian_name == "韩父" and case.guardian_relation == "父亲"
    statutory = intake(world, client=make_client(world, "韩小二", age=9), consent_basis=ConsentBasis.STATUTORY_DUTY,
                       consent_recorded_on=None)
    assert statutory.consent_basis == ConsentBasis.STATUTORY_DUTY


def test_fourteen_year_old_may_consent_alone(world):
    teen = make_client(world, "韩大测", age=14)
    assert intake(world, client=teen, consent_basis=ConsentBasis.CONSENT).status == CaseStatus.INTAKE


def test_intake_field_rules(world):
    with pytest.raises(ValidationError) as error:
        intake(world, source="referred", presenting_problem="  ", risk_level="extreme",
               intake_on=datetime.date.today() + datetime.timedelta(days=2))
    fields = error.value.message_dict
    assert str(steps.MSG_REFERRAL_SOURCE_REQUIRED) in fields["referral_source"]
    assert str(steps.MSG_PROBLEM_REQUIRED) in fields["presenting_problem"]
    assert str(steps.MSG_RISK_INVALID) in fields["risk_level"]
    assert str(steps.MSG_DATE_FUTURE) in fields["intake_on"]
    case = intake(world, source="referred", referral_source="街道派出所", voluntary=False)
    assert case.voluntary is False and case.referral_source == "街道派出所"
    assert CaseRecord.objects.filter(case=case).count() == 1
