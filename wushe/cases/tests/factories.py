"""Case-work test helpers: synthetic clients, a second worker, and cases walked to a given step."""

import datetime

from wushe.accounts.roles import Role
from wushe.cases.models import Case, CaseStatus, GoalStatus
from wushe.cases.services import steps
from wushe.core.text import build_search_text
from wushe.people.models import ConsentBasis, Resident
from wushe.testing.personas import assign, make_user
from wushe.workforce.models import SocialWorker

PROBLEM = "独居老人近期情绪低落，子女在外地，需要情绪支持和生活照料资源。"
TODAY = datetime.date.today


def years_ago(years: int, days: int = 0) -> datetime.date:
    today = TODAY()
    return today.replace(year=today.year - years) - datetime.timedelta(days=days)


def make_client(world, name="孙测试", *, age: int | None = 70, region=None) -> Resident:
    resident = Resident(region=region or world.community, name=name,
                        birth_date=years_ago(age, days=10) if age is not None else None)
    resident.search_text = build_search_text(*resident.searchable_values())
    resident.save()
    return resident


def make_worker(world, username="worker2", name="周社工", *, community=None, phone="13900000021"):
    """A second SocialWorker with the SOCIAL_WORKER role on the same community, not on any case."""
    user = make_user(username, phone=phone)
    assign(user, Role.SOCIAL_WORKER, region=community or world.community)
    worker = SocialWorker.objects.create(region=world.street, name=name, user=user)
    worker.communities.add(community or world.community)
    return worker


def intake(world, client=None, actor=None, **overrides) -> Case:
    arguments = {
        "client": client or make_client(world), "source": "self", "voluntary": True,
        "presenting_problem": PROBLEM, "background": "退休教师，丧偶三年。",
        "consent_basis": ConsentBasis.CONSENT, "consent_recorded_on": TODAY(),
    }
    arguments.update(overrides)
    return steps.case_intake(actor=actor or world.social_worker, **arguments)


def walk_to(world, case: Case, status: str, actor=None) -> Case:
    """Advance a fresh case along the main line up to `status` (adds a goal at plan)."""
    actor = actor or world.social_worker
    line = [CaseStatus.ASSESSMENT, CaseStatus.PLAN, CaseStatus.INTERVENTION, CaseStatus.EVALUATION,
            CaseStatus.CLOSED]
    for step in line[:line.index(status) + 1]:
        if step == CaseStatus.INTERVENTION and not case.goals.exists():
            steps.case_goal_add(actor=actor, case=case, description="每周两次电话问候", measure="连续四周")
        extra = {}
        if step == CaseStatus.CLOSED:
            extra = {"closing_reason": "goal_reached",
                     "goal_statuses": {str(g.public_id): GoalStatus.ACHIEVED for g in case.goals.all()}}
        steps.case_advance(actor=actor, case=case, to_status=step, content=f"{step} 阶段记录", **extra)
    case.refresh_from_db()
    return case
