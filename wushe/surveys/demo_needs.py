"""Demo needs register, built on the demo district of `wushe.core.demo` after the projects.

Every current community of the demo district gets 8–15 needs across categories and population groups
(the mix follows the kind of community: resettled villagers, villages with left-behind families, the
city centre's ageing courtyards); a few communities held focus groups and interviews whose needs point at
them. In the demo community the running projects answer some needs, one of them is already met, and
the rest stay uncovered. All text is synthetic; everything goes through the services with the demo users
as actors, from one seeded `random.Random`.
"""

from __future__ import annotations

import datetime
import random

from django.apps import apps
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from wushe.accounts.models import User
from wushe.accounts.roles import Role
from wushe.people.models import PopulationGroup
from wushe.projects.models import Project, ProjectStatus
from wushe.regions.models import Level, Region

from .models import Engagement, EngagementKind, Need, NeedCategory, NeedPriority, NeedProjectLink, NeedSource
from .services import engagements as engagement_services
from .services import needs as need_services

DEMO_SEED = 2026
FRINGE_CODE, CENTRE_CODE = "110105041000", "110105042000"
MARKER_TITLE = "社区需求摸底座谈会"  # the demo register exists when the home community's first focus group does

# (title, category, population group code or "", description, evidence with {n} / {p} placeholders, kinds)
NEEDS = [
    ("高龄独居老人助餐", NeedCategory.ELDERLY_CARE, "oldest_old",
     "八十岁以上独居老人做饭吃力，子女不在身边，午餐常凑合。", "入户走访 {n} 户高龄老人中多数提到吃饭问题",
     {"fringe", "resettled", "centre"}),
    ("空巢老人定期探访", NeedCategory.ELDERLY_CARE, "empty_nest_elderly",
     "空巢老人平时少有人来往，身体不适时无人察觉。", "楼门长反映本社区空巢老人约 {n} 户", {"fringe", "centre", "village"}),
    ("失能老人家庭照护培训", NeedCategory.ELDERLY_CARE, "disabled_elderly",
     "照护失能老人的家属缺少翻身、喂食、防压疮等护理技能。", "家属座谈中 {n} 人希望学习护理方法", {"fringe", "centre"}),
    ("流动儿童课后托管", NeedCategory.CHILDREN, "migrant_children",
     "双职工流动家庭的孩子放学后到家长下班前无人看护。", "问卷中 {p}% 的流动家庭家长选择“放学后无人照看”",
     {"fringe", "resettled"}),
    ("留守儿童假期陪伴", NeedCategory.CHILDREN, "left_behind_children",
     "寒暑假期间留守儿童多由祖辈照看，缺少学习辅导和安全看护。", "村委会登记留守儿童 {n} 人", {"village"}),
    ("困境儿童心理疏导", NeedCategory.MENTAL_HEALTH, "children_in_difficulty",
     "部分困境儿童情绪低落、与同伴交往少，需要专业陪伴。", "学校老师转介 {n} 名儿童", {"fringe", "village"}),
    ("残障人士社区康复", NeedCategory.DISABILITY, "disability",
     "肢体残障居民出行不便，希望就近获得康复训练。", "残联名册中本社区残障人士 {n} 人", {"fringe", "centre", "resettled"}),
    ("慢病老人健康随访", NeedCategory.HEALTH, "",
     "高血压、糖尿病老人不按时复诊，用药情况无人跟进。", "卫生服务站签约慢病居民 {n} 人", {"fringe", "centre", "village"}),
    ("失地农民再就业技能培训", NeedCategory.EMPLOYMENT, "relocated",
     "上楼后的中年居民失去耕地，缺少技能，找工作难。", "问卷中 {p}% 的受访居民希望参加技能培训", {"resettled", "village"}),
    ("外来务工人员融入活动", NeedCategory.INTEGRATION, "migrant",
     "外来务工家庭与本地居民交往少，对社区事务不了解。", "流动人口登记 {n} 户，参加过社区活动的很少",
     {"fringe", "resettled"}),
    ("楼道堆物清理与消防安全", NeedCategory.SAFETY, "",
     "老旧楼道堆放杂物，电动车楼内充电，存在火灾隐患。", "巡查发现 {n} 个楼门存在堆物", {"centre", "fringe"}),
    ("小区停车秩序治理", NeedCategory.ENVIRONMENT, "",
     "车位不足，车辆占用消防通道，邻里常因停车起争执。", "居民议事会上 {n} 人次提出", {"centre", "fringe"}),
    ("垃圾分类督导", NeedCategory.ENVIRONMENT, "",
     "垃圾分类投放准确率低，桶站周边环境差。", "桶站抽查分类准确率约 {p}%", {"fringe", "centre", "resettled"}),
    ("村内公共空间环境整治", NeedCategory.ENVIRONMENT, "",
     "村内闲置地块杂草丛生、乱倒垃圾，村民希望改造成休闲场地。", "村民代表会议 {n} 人提出", {"village"}),
    ("老年人智能手机使用", NeedCategory.EDUCATION, "",
     "老人不会用手机挂号、缴费、出示健康码，办事依赖子女。", "问卷中 {p}% 的老年受访者选择此项", {"centre", "fringe"}),
    ("单亲家庭亲子支持", NeedCategory.FAMILY, "single_parent",
     "单亲家长工作和育儿压力大，亲子沟通不畅。", "妇联登记单亲家庭 {n} 户", {"fringe", "centre"}),
    ("失独家庭节日关怀", NeedCategory.FAMILY, "bereaved_single_child",
     "失独老人节假日情绪低落，希望有人陪伴。", "社区掌握失独家庭 {n} 户", {"centre", "fringe"}),
    ("居民文体活动场地", NeedCategory.CULTURE, "",
     "文体队伍多，活动室时段紧张，冬季户外活动受限。", "{n} 支文体队伍共用一间活动室", {"fringe", "centre", "resettled"}),
    ("居民议事协商平台", NeedCategory.PARTICIPATION, "",
     "楼门事务多由社区包办，居民参与公共事务的渠道少。", "问卷中 {p}% 的受访居民表示愿意参与议事", {"fringe", "centre"}),
    ("便民维修服务", NeedCategory.LIVING, "",
     "老人家中水龙头、灯具等小修小补找不到人。", "社区热线一季度接到维修求助 {n} 次", {"centre", "resettled", "village"}),
    ("留守老人就医陪同", NeedCategory.HEALTH, "left_behind_elderly",
     "子女外出务工，留守老人到镇上看病无人陪同。", "村医反映有 {n} 位老人需要陪诊", {"village"}),
    ("特困人员生活照料", NeedCategory.LIVING, "extreme_poverty",
     "分散供养的特困人员日常起居需要定期照看。", "民政台账在册 {n} 人", {"village", "resettled"}),
]
# How the source of a need is picked (an engagement's needs take its kind instead).
SOURCES = [(NeedSource.SURVEY, 3), (NeedSource.MEETING, 3), (NeedSource.CONSULTATION, 1), (NeedSource.OTHER, 1)]
PRIORITIES = [(NeedPriority.HIGH, 3), (NeedPriority.MEDIUM, 5), (NeedPriority.LOW, 2)]
ENGAGEMENTS = [
    (EngagementKind.FOCUS_GROUP, MARKER_TITLE, 11, "老年居民 6 人、楼门长 3 人、社区社工 2 人",
     "围绕吃饭、看病、出行三件事逐一讨论；多数老人最担心独自在家时身体突发不适。",
     ["oldest_old", "empty_nest_elderly"]),
    (EngagementKind.FOCUS_GROUP, "流动家庭家长座谈会", 9, "流动家庭家长 8 人、学校老师 1 人",
     "家长普遍下班晚，孩子放学后独自在家或在小区游荡；希望有安全的场地写作业。",
     ["migrant", "migrant_children"]),
    (EngagementKind.INTERVIEW, "高龄独居老人入户访谈", 1, "独居老人 1 人",
     "老人腿脚不便，下楼买菜要歇好几次；夜里起身怕摔倒，子女每月来一次。", ["oldest_old"]),
]
OTHER_ENGAGEMENT = (EngagementKind.FOCUS_GROUP, "居民需求议事会", 14, "居民代表 10 人、社区工作者 4 人",
                    "按楼门分组列出最迫切的问题并投票排序。", [])
KEYWORDS = {"老": NeedCategory.ELDERLY_CARE, "儿童": NeedCategory.CHILDREN, "孩子": NeedCategory.CHILDREN,
            "环境": NeedCategory.ENVIRONMENT, "文体": NeedCategory.CULTURE}


def _kind_of(region: Region) -> str:
    digits = int(region.code[9:12])
    if region.code.startswith(CENTRE_CODE[:9]):
        return "centre"
    if digits >= 200:
        return "village"
    return "resettled" if digits >= 100 else "fringe"


def _weighted(rng: random.Random, pairs):
    values, weights = zip(*pairs, strict=True)
    return rng.choices(values, weights=weights, k=1)[0]


def _users() -> dict[str, User]:
    names = ["demo_street", "demo_street_centre", "demo_community", "demo_worker"]
    return {u.username: u for u in User.objects.filter(username__in=names)}


def _evidence(rng: random.Random, template: str) -> str:
    return template.format(n=rng.randint(6, 48), p=f"{rng.uniform(35, 82):.1f}")


@transaction.atomic
def seed_needs(*, rng: random.Random | None = None, today: datetime.date | None = None) -> dict[str, int] | None:
    """Build the demo needs register; None (and no change) when it exists or the demo is missing."""
    users = _users()
    if len(users) < 4 or Engagement.objects.filter(title=MARKER_TITLE).exists():
        return None
    rng = rng or random.Random(DEMO_SEED)
    today = today or timezone.localdate()
    home = users["demo_community"].role_assignments.get(role=Role.COMMUNITY_STAFF).region
    groups = {g.code: g for g in PopulationGroup.objects.all()}
    communities = list(Region.objects.current().filter(level=Level.COMMUNITY, code__gte=FRINGE_CODE,
                                                       code__lte=CENTRE_CODE[:9] + "999").order_by("code"))
    with_engagement = {home.pk} | {c.pk for c in rng.sample(communities, k=min(4, len(communities)))}
    counts = {"needs": 0, "engagements": 0, "links": 0, "met": 0}
    for community in communities:
        street_user = users["demo_street_centre" if _kind_of(community) == "centre" else "demo_street"]
        actor = users["demo_community"] if community.pk == home.pk else street_user
        kind = _kind_of(community)
        catalogue = [n for n in NEEDS if kind in n[5]]
        rng.shuffle(catalogue)
        wanted = rng.randint(8, 15)
        # Pad with the other templates when the kind's own list is short.
        catalogue += [n for n in NEEDS if n not in catalogue]
        picked = catalogue[:wanted]
        engagements = []
        if community.pk in with_engagement:
            plans = ENGAGEMENTS if community.pk == home.pk else [OTHER_ENGAGEMENT]
            facilitator = users["demo_worker"] if community.pk == home.pk else None
            for plan_kind, title, participants, description, notes, codes in plans:
                held_on = today - datetime.timedelta(days=rng.randint(40, 200))
                engagements.append(engagement_services.engagement_create(
                    actor=actor, region=community, kind=plan_kind, title=title, held_on=held_on,
                    place=f"{community.name}党群服务中心", facilitator=facilitator,
                    facilitator_name="" if facilitator else "社区书记", participant_count=participants,
                    participant_groups=[groups[c] for c in codes if c in groups],
                    participant_description=description, notes=notes))
                counts["engagements"] += 1
        for index, (title, category, code, description, evidence, _kinds) in enumerate(picked):
            fields = {"title": title, "category": category, "population_group": groups.get(code),
                      "priority": _weighted(rng, PRIORITIES), "description": description,
                      "evidence": _evidence(rng, evidence)}
            engagement = engagements[index % len(engagements)] if engagements and index < 2 * len(engagements) else None
            if engagement is not None:
                engagement_services.engagement_raise_need(actor=actor, engagement=engagement, **fields)
            else:
                need_services.need_create(actor=actor, region=community, source=_weighted(rng, SOURCES),
                                          identified_on=today - datetime.timedelta(days=rng.randint(30, 330)),
                                          **fields)
            counts["needs"] += 1
    _answer_with_projects(home, users["demo_community"], today, counts)
    return counts


def _category_of(project: Project) -> str | None:
    text = f"{project.title}{project.need_statement}"
    return next((category for word, category in KEYWORDS.items() if word in text), None)


def _answer_with_projects(home: Region, actor: User, today: datetime.date, counts: dict) -> None:
    """The demo community's live projects answer the needs of their field; the running one met one."""
    projects = (Project.objects.active().filter(region=home)
                .exclude(status__in=[ProjectStatus.REJECTED, ProjectStatus.TERMINATED]).order_by("pk"))
    for project in projects:
        category = _category_of(project)
        open_needs = Need.objects.active().filter(region=home, status="open")
        candidates = list(open_needs.filter(category=category)[:2]) if category else []
        candidates = candidates or list(open_needs.filter(priority=NeedPriority.HIGH).order_by("pk")[:1])
        for need in candidates:
            need_services.need_link_project(actor=actor, need=need, project=project,
                                            note=f"项目“{project.title}”的主要服务内容")
            counts["links"] += 1
        if project.status == ProjectStatus.IN_PROGRESS and candidates:
            need = candidates[0]
            need.refresh_from_db()
            met_on = max(need.identified_on, today - datetime.timedelta(days=7))
            need_services.need_mark_met(actor=actor, need=need, met_on=min(met_on, today),
                                        note="项目开展以来结对老人每周有人探访，居民回访反映需求已基本满足。")
            counts["met"] += 1


def purge_needs(low: str, high: str) -> None:
    """Remove the needs and engagements of the regions coded low..high, with their links and history
    (for `wushe.core.demo.reset_demo`; run before the projects and surveys are purged)."""
    within = Q(region__code__gte=low, region__code__lte=high)
    needs = Need.objects.filter(within)
    links = NeedProjectLink.objects.filter(Q(need__in=needs.values("pk"))
                                           | Q(project__region__code__gte=low, project__region__code__lte=high))
    link_ids = list(links.values_list("pk", flat=True))
    # Rows first, then their history (which would otherwise gain a '-' row for each deletion).
    NeedProjectLink.objects.filter(pk__in=link_ids).delete()
    NeedProjectLink.history.filter(id__in=link_ids).delete()
    need_ids = list(needs.values_list("pk", flat=True))
    Need.objects.filter(pk__in=need_ids).delete()
    Need.history.filter(id__in=need_ids).delete()
    engagements = Engagement.objects.filter(within)
    engagement_ids = list(engagements.values_list("pk", flat=True))
    Engagement.participant_groups.through.objects.filter(engagement_id__in=engagement_ids).delete()
    Engagement.objects.filter(pk__in=engagement_ids).delete()
    apps.get_model("surveys", "HistoricalEngagement_participant_groups").objects.filter(
        engagement_id__in=engagement_ids).delete()
    Engagement.history.filter(id__in=engagement_ids).delete()
