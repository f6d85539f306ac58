"""Demo data for services to people, built on the demo district of `wushe.core.demo` after the projects.

In the demo community (the first community of 东苑地区): a completed elderly tea party of the in-progress
micro-project with roster attendance, volunteers who signed in and out, a walk-in waiting for identity
review, feedback and an indirect-beneficiary estimate; a two-session first-aid training; an open, risky
community walk with insurance recorded and sign-ups, whose QR code works today; and a parenting support
group in its formation stage with members, recorded sessions and attendance. Everything goes through the
services with the demo users as actors.
"""

from __future__ import annotations

import datetime

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from wushe.accounts.models import User
from wushe.accounts.roles import Role
from wushe.people.models import Resident
from wushe.projects.models import Project, ProjectStatus
from wushe.volunteers.models import Volunteer

from .models import Activity, ActivityKind, AttendanceSource, GroupKind, GroupStage
from .services import activities as activity_services
from .services import attendance as attendance_services
from .services import groups as group_services
from .services import media, signup

TEA_PARTY = "重阳敬老茶话会"


def _at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


def _users() -> dict[str, User]:
    names = ["demo_community", "demo_worker", "demo_org_leader", "demo_volunteer", "demo_resident"]
    return {u.username: u for u in User.objects.filter(username__in=names)}


@transaction.atomic
def seed_activities(*, today: datetime.date | None = None) -> dict[str, int] | None:
    """Build the demo activities and group; None (and no change) when they exist or the demo is missing."""
    if Activity.objects.filter(title=TEA_PARTY).exists():
        return None
    users = _users()
    if len(users) < 5:
        return None
    today = today or timezone.localdate()
    staff, worker_user, leader = users["demo_community"], users["demo_worker"], users["demo_org_leader"]
    community = staff.role_assignments.get(role=Role.COMMUNITY_STAFF).region
    worker = getattr(worker_user, "social_worker", None)
    project = (Project.objects.filter(region=community, status=ProjectStatus.IN_PROGRESS).order_by("pk").first())
    people = Resident.objects.active().filter(region=community, user__isnull=True)
    elders = list(people.filter(birth_date__lte=today.replace(year=today.year - 60)).order_by("pk")[:30])
    adults = list(people.filter(birth_date__gt=today.replace(year=today.year - 60),
                                birth_date__lte=today.replace(year=today.year - 18)).order_by("pk")[:30])
    volunteers = list(Volunteer.objects.active().filter(region=community).order_by("pk")[:6])
    demo_volunteer = Volunteer.objects.filter(user=users["demo_volunteer"]).first()
    if demo_volunteer is not None and demo_volunteer not in volunteers:
        volunteers = [demo_volunteer, *volunteers[:5]]
    volunteers = [v for v in volunteers if not v.needs_guardian_consent]

    # 1. A completed tea party of the running micro-project (organized by the project's organization).
    day = today - datetime.timedelta(days=12)
    organization = project.implementer if project else None
    organizer = leader if organization is not None and organization.pk == _leader_org_id(leader) else staff
    tea = activity_services.activity_create(
        actor=organizer, region=community, title=TEA_PARTY, kind=ActivityKind.COMMUNITY_EVENT,
        place=f"{community.name}党群服务中心活动室", starts_at=_at(day, 14), ends_at=_at(day, 16, 30),
        description="为社区高龄、独居老人举办茶话会：健康讲座、才艺表演、集体过生日。",
        organization=organization, project=project, lead_worker=None if organizer == leader else worker,
        capacity=60, volunteers_needed=4)
    activity_services.activity_open(actor=organizer, activity=tea)
    for resident in elders:
        signup.registration_add_resident(actor=staff, activity=tea, resident=resident, now=_at(day, 9))
    duties = ["签到引导", "茶点服务", "摄影记录", "安全员"]
    for volunteer, duty in zip(volunteers[:4], duties, strict=False):
        signup.registration_add_volunteer(actor=organizer, activity=tea, volunteer=volunteer, duty=duty)
    activity_services.activity_close(actor=organizer, activity=tea)
    session = tea.sessions.get(sequence=1)
    for index, resident in enumerate(elders[:max(len(elders) - 3, 1)]):
        attendance_services.attendance_mark(actor=staff, session=session, resident=resident,
                                            source=AttendanceSource.ROSTER, signed_in_at=_at(day, 13, 40 + index % 20))
    for index, volunteer in enumerate(volunteers[:4]):
        attendance_services.attendance_mark(actor=organizer, session=session, volunteer=volunteer,
                                            source=AttendanceSource.ROSTER, signed_in_at=_at(day, 13, 30 + index),
                                            signed_out_at=_at(day, 16, 45 - index * 5))
    # A neighbour who came along and signed in with name and phone only: waits for identity review.
    attendance_services.upsert_attendance(actor=None, session=session, source=AttendanceSource.QR,
                                          claimed_name="周桂兰", claimed_phone="13912345678",
                                          signed_in_at=_at(day, 14, 5))
    # Paper feedback forms collected at the door, entered by the community staff.
    for score, comment in zip([5, 5, 4, 5, 3, 4], ["节目很热闹，希望多办。", "", "讲座内容实用。", "",
                                                   "座位有点挤。", ""], strict=True):
        media.feedback_record(actor=staff, activity=tea, satisfaction=score, comment=comment)
    activity_services.activity_complete(actor=organizer, activity=tea)
    _volunteer_records(organizer=organizer, activity=tea, demo_volunteer=demo_volunteer, today=today)
    activity_services.activity_summary_save(
        actor=organizer, activity=tea, summary="社区老人和4名志愿者参加；为本月生日的老人集体过生日。",
        indirect_beneficiaries=60, indirect_basis="参加老人的同住家属，按户均2人估算")

    # 2. A two-session first-aid training for volunteers (the worker organizes; the community hosts).
    first = today - datetime.timedelta(days=20)
    training = activity_services.activity_create(
        actor=worker_user, region=community, title="志愿者应急救护培训", kind=ActivityKind.TRAINING,
        place=f"{community.name}社区卫生服务站", starts_at=_at(first, 9), ends_at=_at(first, 11, 30),
        description="心肺复苏与AED使用、常见意外伤害处置，两次课。", lead_worker=worker, capacity=30)
    second = activity_services.session_add(actor=worker_user, activity=training,
                                           starts_at=_at(first + datetime.timedelta(days=7), 9),
                                           ends_at=_at(first + datetime.timedelta(days=7), 11, 30), title="实操考核")
    activity_services.activity_open(actor=worker_user, activity=training)
    for resident in adults[:10]:
        signup.registration_add_resident(actor=worker_user, activity=training, resident=resident, now=_at(first, 8))
    activity_services.activity_close(actor=worker_user, activity=training)
    for index, resident in enumerate(adults[:10]):
        attendance_services.attendance_mark(actor=worker_user, session=training.sessions.get(sequence=1),
                                            resident=resident, source=AttendanceSource.ROSTER,
                                            signed_in_at=_at(first, 8, 50))
        if index < 8:  # two missed the second session
            attendance_services.attendance_mark(actor=worker_user, session=second, resident=resident,
                                                source=AttendanceSource.ROSTER,
                                                signed_in_at=_at(first + datetime.timedelta(days=7), 8, 55))
    activity_services.activity_complete(actor=worker_user, activity=training)

    # 3. An open community walk today: risky, so the insurance is recorded before sign-up opens.
    walk = activity_services.activity_create(
        actor=staff, region=community, title="邻里健步走 · 环湖五公里", kind=ActivityKind.ACTIVITY,
        place="温榆河公园北门集合", starts_at=_at(today, 8, 30), ends_at=_at(today, 11),
        description="居民结伴健步走，沿途设补给点和医护志愿者。", capacity=80, volunteers_needed=6,
        is_risky=True, insurance_insurer="中国人寿财产保险股份有限公司", insurance_policy_number="PDEA2026110500123",
        insurance_valid_until=today + datetime.timedelta(days=30),
        signup_deadline=_at(today, 8))
    activity_services.activity_open(actor=staff, activity=walk)
    for resident in adults[10:22]:
        signup.registration_add_resident(actor=staff, activity=walk, resident=resident,
                                         now=_at(today - datetime.timedelta(days=1), 10))
    if volunteers:
        signup.registration_add_volunteer(actor=staff, activity=walk, volunteer=volunteers[0], duty="补给点服务")

    # 4. A support group for grandparents raising grandchildren, in its formation stage.
    start = today - datetime.timedelta(days=21)
    group = group_services.group_create(
        actor=worker_user, region=community, title="隔代养育互助小组", place=f"{community.name}儿童之家",
        starts_at=_at(start, 15), ends_at=_at(start, 16, 30), group_kind=GroupKind.SUPPORT,
        goals="帮助隔代养育的祖辈掌握与孙辈沟通的方法，结成互助网络，减轻照顾压力。",
        target_description="独自照看学龄孙辈的祖父母", planned_sessions=6, max_members=10, lead_worker=worker)
    members = [group_services.group_member_add(actor=worker_user, group=group, resident=resident,
                                               joined_on=start - datetime.timedelta(days=3))
               for resident in adults[22:30]]
    group_services.group_stage_advance(actor=worker_user, group=group, to_stage=GroupStage.FORMATION,
                                       note="8位成员入组，订立小组契约。")
    sessions = [group.activity.sessions.get(sequence=1)]
    for week in (1, 2, 3):
        day_n = start + datetime.timedelta(days=7 * week)
        sessions.append(group_services.group_session_plan(actor=worker_user, group=group, starts_at=_at(day_n, 15),
                                                          ends_at=_at(day_n, 16, 30), title=f"第{week + 1}节"))
    records = [("相互认识，订立小组契约", "破冰游戏；分享照顾孙辈的一天；共同讨论并签订小组契约。",
                "成员起初拘谨，分享环节后气氛活跃，两位成员主动承担联络。", "下节引入沟通技巧主题，准备情景卡片。"),
               ("与孙辈沟通的小技巧", "情景演练：孙辈不愿写作业、沉迷手机时怎么说；角色互换。",
                "成员积极演练，一位成员因接送孙辈迟到。", "下节邀请学校老师参与，讨论家校沟通。")]
    for session, (goals, content, observations, reflection) in zip(sessions[:2], records, strict=False):
        group_services.group_attendance_save(actor=worker_user, session=session,
                                             present_member_ids=[m.public_id for m in members[:7]])
        group_services.group_session_record(actor=worker_user, session=session, goals=goals, content=content,
                                            observations=observations, reflection=reflection)
    return {"activities": Activity.objects.filter(region=community).count()}


def _volunteer_records(*, organizer, activity, demo_volunteer, today) -> None:
    """The organizer confirms the volunteers' hours, the demo volunteer asks for a correction, and one
    volunteer receives a record extract of the organizing unit."""
    from wushe.volunteers.records import services as records

    rows = records.hours_confirm(actor=organizer, activity=activity)
    mine = next((row for row in rows if demo_volunteer is not None and row.volunteer_id == demo_volunteer.pk), None)
    if mine is not None:
        records.hours_correction_request(actor=demo_volunteer.user, attendance=mine,
                                         requested_minutes=(mine.service_minutes or 0) + 30,
                                         reason="活动结束后留下整理场地约半小时，签退晚了。")
    other = next((row for row in rows if mine is None or row.pk != mine.pk), None)
    if other is not None:
        unit = activity.organization
        records.extract_issue(
            actor=organizer, volunteer=other.volunteer, issuer_organization=unit,
            issuer_region=None if unit is not None else activity.region,
            period_start=today.replace(day=1) - datetime.timedelta(days=60), period_end=today,
            person_in_charge=unit.leader_name if unit is not None and unit.leader_name else "社区负责人",
            handler_name=organizer.display_name, contact="010-84310000")


def _leader_org_id(leader: User) -> int | None:
    assignment = leader.role_assignments.filter(role=Role.ORG_LEADER).first()
    return assignment.object_id if assignment else None


def purge_activities(low: str, high: str) -> None:
    """Remove the activities of the regions coded low..high with their rows (for `reset_demo`)."""
    from wushe.volunteers.models import HoursCorrection, ServiceRecordExtract

    from .models import (
        ActivityPhoto,
        ActivitySession,
        Attendance,
        Feedback,
        GroupMember,
        GroupStageChange,
        GroupWork,
        Registration,
    )

    within = Q(region__code__gte=low, region__code__lte=high)
    activities = Activity.objects.filter(within)
    of_activity = Q(activity__in=activities.values("pk"))
    attendance = Attendance.objects.filter(session__activity__in=activities.values("pk"))
    ServiceRecordExtract.attendances.through.objects.filter(attendance__in=attendance.values("pk")).delete()
    for extract in ServiceRecordExtract.objects.filter(within):
        extract.attendances.clear()
    ServiceRecordExtract.history.filter(region__code__gte=low, region__code__lte=high).delete()
    ServiceRecordExtract.objects.filter(within).delete()
    HoursCorrection.history.filter(attendance__in=attendance.values("pk")).delete()
    HoursCorrection.objects.filter(attendance__in=attendance.values("pk")).delete()
    groups = GroupWork.objects.filter(of_activity)
    GroupMember.history.filter(group__in=groups.values("pk")).delete()
    GroupMember.objects.filter(group__in=groups.values("pk")).delete()
    GroupStageChange.objects.filter(group__in=groups.values("pk")).delete()
    GroupWork.history.filter(activity__in=activities.values("pk")).delete()
    groups.delete()
    Attendance.history.filter(session__activity__in=activities.values("pk")).delete()
    attendance.delete()
    for model in (Registration, Feedback, ActivityPhoto):
        history = getattr(model, "history", None)
        if history is not None:
            history.filter(activity__in=activities.values("pk")).delete()
        model.objects.filter(of_activity).delete()
    ActivitySession.history.filter(activity__in=activities.values("pk")).delete()
    ActivitySession.objects.filter(of_activity).delete()
    Activity.target_groups.through.objects.filter(activity__in=activities.values("pk")).delete()
    Activity.history.filter(region__code__gte=low, region__code__lte=high).delete()
    activities.delete()
