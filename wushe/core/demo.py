"""Deterministic demo data: one district modelled on a Beijing 三社联动 pilot.

The district (朝阳区, 110105) holds an urban-fringe area (东苑地区: 9 communities, 3 neighbourhood
committees of resettled villagers, 4 villages) and a city-centre street (南仓街道: 7 communities, one of them
the successor of a revoked code). All names and people are synthetic; the shape follows the pilot's field
report (126 community workers of whom 35 are certified, mostly recreational organizations, a supportive
social-work agency, volunteers and teams).

Everything is generated from one seeded `random.Random` and one seeded Faker instance, so a run on a fresh
database always yields the same people. Rows are written directly with the models (bulk inserts with
simple-history rows attributed to the demo administrator), because the registries' services are written
elsewhere; `search_text` is filled the same way the services fill it.
"""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass, field

from django.apps import apps
from django.contrib.auth.hashers import make_password
from django.contrib.auth.password_validation import validate_password
from django.db import transaction
from django.db.models import ProtectedError, Q
from django.test.utils import override_settings
from django.utils.translation import gettext_lazy as _
from faker import Faker
from stdnum.cn import ric, uscc

from wushe.accounts.models import RoleAssignment, User
from wushe.accounts.roles import Role
from wushe.accounts.services import role_assign
from wushe.audit.models import AuditEvent
from wushe.core.identity import DocumentType, Sex
from wushe.core.services import record_void
from wushe.core.text import build_search_text
from wushe.orgs.models import (
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
from wushe.people.models import ConsentBasis, Household, PopulationGroup, Resident
from wushe.regions.models import Level, Region, UrbanRuralClass, level_for_code
from wushe.volunteers.models import Team, TeamMembership, TeamRole, Volunteer
from wushe.workforce.models import CertificateLevel, Placement, SocialWorker

MSG_DEMO_EXISTS = _("演示数据已存在，未做任何改动（如需重建请加 --reset）。")
MSG_DEMO_NOT_SEEDED = _("尚未生成演示数据。请先运行 python manage.py seed_demo。")
MSG_RESET_BLOCKED = _("演示数据已被其他记录引用，无法重建；请在新数据库上运行 seed_demo。")

DEMO_PASSWORD = "Wushe-Demo-2026"
DEMO_EMAIL_DOMAIN = "demo.wushe.invalid"  # marks the users the demo created (RFC 2606 reserved TLD)
DEMO_TODAY = datetime.date(2026, 6, 30)  # fixed reference date for ages, terms and registrations
DEFAULT_RESIDENTS = 2000
DEFAULT_SEED = 2026

PROVINCE = ("110000000000", "北京市")
PREFECTURE = ("110100000000", "市辖区")
DISTRICT = ("110105000000", "朝阳区")
LOCAL_ID_PREFIX = DISTRICT[0][:6]
FRINGE = ("110105041000", "东苑地区")  # 地区办事处 at street level, urban-rural fringe
CENTRE = ("110105042000", "南仓街道")  # city-centre street
DEMO_MARKER_CODE = FRINGE[0]  # the demo exists when this street exists

# (village digits, name, urban-rural class, kind) — kind drives households and addresses.
FRINGE_NODES = [
    ("001", "石榴园东里社区", UrbanRuralClass.URBAN_FRINGE, "fringe"),
    ("002", "石榴园西里社区", UrbanRuralClass.URBAN_FRINGE, "fringe"),
    ("003", "石榴园南里社区", UrbanRuralClass.URBAN_FRINGE, "fringe"),
    ("004", "亮河园社区", UrbanRuralClass.URBAN_FRINGE, "fringe"),
    ("005", "红枫家园社区", UrbanRuralClass.URBAN_FRINGE, "fringe"),
    ("006", "观湖国际社区", UrbanRuralClass.URBAN_FRINGE, "fringe"),
    ("007", "东苑北里社区", UrbanRuralClass.URBAN_FRINGE, "fringe"),
    ("008", "锦绣华庭社区", UrbanRuralClass.URBAN_FRINGE, "fringe"),
    ("009", "水岸雅居社区", UrbanRuralClass.URBAN_FRINGE, "fringe"),
    # 村居委会: residents' committees set up for villagers resettled into flats (居委会 digits 001–199).
    ("101", "将军屯居委会", UrbanRuralClass.URBAN_FRINGE, "resettled"),
    ("102", "小营居委会", UrbanRuralClass.URBAN_FRINGE, "resettled"),
    ("103", "高庄居委会", UrbanRuralClass.URBAN_FRINGE, "resettled"),
    # 村委会 digits 200–399.
    ("201", "西坝河村", UrbanRuralClass.VILLAGE, "village"),
    ("202", "北窑村", UrbanRuralClass.VILLAGE, "village"),
    ("203", "柳荫村", UrbanRuralClass.VILLAGE, "village"),
    ("204", "马家营村", UrbanRuralClass.VILLAGE, "village"),
]
CENTRE_NODES = [
    ("001", "槐树社区", UrbanRuralClass.MAIN_CITY, "centre"),
    ("002", "银杏社区", UrbanRuralClass.MAIN_CITY, "centre"),
    ("003", "仓南社区", UrbanRuralClass.MAIN_CITY, "centre"),
    ("004", "箭厂社区", UrbanRuralClass.MAIN_CITY, "centre"),
    ("006", "灯市社区", UrbanRuralClass.MAIN_CITY, "centre"),
    ("007", "梅竹社区", UrbanRuralClass.MAIN_CITY, "centre"),
    ("008", "新仓社区", UrbanRuralClass.MAIN_CITY, "centre"),
]
# 仓北社区 was revoked in the 2024 adjustment and merged into 新仓社区 (a new code).
REVOKED_NODE = ("005", "仓北社区", UrbanRuralClass.MAIN_CITY)
REVOKED_ON = datetime.date(2024, 12, 31)
REPLACEMENT_DIGITS = "008"

# Relative population weight per community kind (the fringe area is the larger one).
KIND_WEIGHT = {"fringe": 1.3, "resettled": 0.8, "village": 0.9, "centre": 1.0}
HOUSEHOLD_MIX = {
    "fringe": {"family": 30, "three_gen": 12, "elderly_couple": 20, "single_elderly": 10, "migrant": 20,
               "single_adult": 5, "single_parent": 3},
    "resettled": {"family": 30, "three_gen": 20, "elderly_couple": 20, "single_elderly": 12, "migrant": 13,
                  "single_parent": 5},
    "village": {"left_behind": 18, "family": 20, "three_gen": 15, "elderly_couple": 20, "single_elderly": 12,
                "migrant": 12, "single_parent": 3},
    "centre": {"family": 30, "three_gen": 10, "elderly_couple": 27, "single_elderly": 15, "migrant": 6,
               "single_adult": 9, "single_parent": 3},
}
# Hometown address codes of migrants (GB/T 2260); a code must have existed in the birth year to be valid,
# so the unbracketed (always valid) codes at the end serve as fallbacks.
MIGRANT_PREFIXES = ["130682", "130123", "410526", "371323", "341221", "510722", "130728", "131082"]
FALLBACK_PREFIXES = ["340121", "510121", "340621", "120104", "150121"]
MINORITIES = ["满族", "回族", "蒙古族", "朝鲜族", "土家族"]
MOBILE_PREFIXES = ["130", "131", "132", "133", "135", "136", "137", "138", "139", "150", "151", "152", "153",
                   "155", "156", "158", "159", "177", "180", "185", "186", "188", "189", "199"]
SKILLS = ["文艺演出", "书法", "摄影", "心理疏导", "法律咨询", "医疗护理", "电脑维修", "理发", "烹饪", "手工编织",
          "课业辅导", "外语", "驾驶", "应急救护", "家电维修", "园艺"]
CN_NUMERALS = "一二三四五六七八"

RECREATIONAL = [
    ("夕阳红舞蹈队", "每周三个早晨在社区广场排练广场舞和民族舞，节假日参加地区文艺汇演。"),
    ("和韵合唱团", "以中老年居民为主的合唱队，每周排练两次，曲目以红色歌曲和民歌为主。"),
    ("墨香书画社", "书法和国画爱好者的交流社团，在社区活动室互相切磋，春节前为居民写春联。"),
    ("楚河汉界棋社", "象棋、围棋爱好者的棋社，每月举办一次擂台赛。"),
    ("晨练太极拳队", "清晨在小区绿地练习太极拳、太极扇，由老队员带新学员。"),
    ("红绸腰鼓队", "腰鼓和秧歌队，逢年过节参加地区民俗展演。"),
    ("巧手编织坊", "居民带着毛线聚在一起编织、做手工，作品在社区义卖。"),
    ("光影摄影小组", "摄影爱好者定期外拍，为社区活动留存照片。"),
    ("健步走队", "每晚沿亮马河步道健步走，队员互相提醒按时锻炼。"),
    ("空竹队", "抖空竹爱好者的健身队，也在社区活动中表演。"),
    ("和声模特队", "中老年模特走秀队，排练服装展示节目。"),
    ("书香读书会", "每月共读一本书，轮流领读、分享读后感。"),
]
SERVICE = [
    ("银龄互助社", ServiceOrientation.MUTUAL_AID,
     "低龄老人与高龄、独居老人结对，定期上门探访、代购代办，遇到紧急情况及时联络家属和社区。"),
    ("平安巡逻队", ServiceOrientation.SERVICE,
     "志愿者分班次巡查楼道消防通道、电动车充电和治安隐患，发现问题当天报社区。"),
    ("四点半课堂", ServiceOrientation.SERVICE,
     "放学后为双职工家庭和流动家庭的孩子提供作业辅导、阅读陪伴和安全看护。"),
    ("邻里调解小组", ServiceOrientation.MUTUAL_AID,
     "由退休干部和热心居民组成，调解漏水、噪音、停车等邻里纠纷。"),
    ("爱心助餐队", ServiceOrientation.SERVICE,
     "为行动不便的高龄老人送餐到家，并顺带了解老人的身体和生活情况。"),
    ("绿色家园环保队", ServiceOrientation.SERVICE,
     "开展垃圾分类指导、楼院清洁和旧物改造，带动居民参与环境维护。"),
]
# Organizations per community: indexes into RECREATIONAL and SERVICE (by position in the region list).
# The first three fringe communities carry the growth stories (recreational groups that now serve).
STORY_ORGS = {  # community index: (name, description before, description after, orientation after)
    0: ("乒乓球协会", "乒乓球爱好者在社区活动室切磋球技。",
        "假期为社区儿童（以流动儿童为主）开设乒乓球公益课，并组织社区比赛，促进流动家庭融入。",
        ServiceOrientation.SERVICE),
    1: ("七彩虹艺术团", "排练歌舞和小品，参加地区文艺汇演。",
        "文艺团队走进养老照料中心和独居老人家中慰问演出，队员结对陪伴高龄老人。",
        ServiceOrientation.MUTUAL_AID),
    2: ("京韵戏曲队", "京剧票友定期聚会清唱。",
        "与辖区小学合作开设戏曲欣赏与学唱课，面向流动儿童传承传统文化。",
        ServiceOrientation.SERVICE),
}
STORY_EVIDENCE = [
    (GrowthMilestone.REGISTERED, 0, "在地区社区社会组织联合会完成备案，取得备案证明。"),
    (GrowthMilestone.BOARD, 3, "召开会员大会，由会员和居民代表差额选举产生理事会，不再由居委会指定负责人。"),
    (GrowthMilestone.WRITTEN_RULES, 5, "制定章程、财务管理和活动安全制度，项目资金专款专用、单独记账。"),
    (GrowthMilestone.PROJECT_OPERATION, 8, "在项目对接展示大赛中与主责社工联合申报社区服务项目并获立项，按实施方案执行。"),
    (GrowthMilestone.SOCIAL_WORKER_GUIDES_VOLUNTEERS, 9, "主责社工为队员开展志愿服务培训，每次活动后带领复盘。"),
    (GrowthMilestone.REGISTERED_MEMBERS, 10, "建立会员名册，新会员填写入会登记表。"),
    (GrowthMilestone.MEMBERS_SERVE, 13, "过半会员每月至少参加一次公益服务，服务记录由组织登记。"),
    (GrowthMilestone.MEMBERS_GOVERN, 15, "年度计划和收支情况在会员大会上讨论通过，并在社区公示栏向居民公开。"),
    (GrowthMilestone.ORIENTATION_CHANGE, 16, "活动重心从队员自娱自乐转为面向社区居民的公益服务，服务对象和内容写入年度计划。"),
]
SERVICE_EVIDENCE = [
    (GrowthMilestone.REGISTERED, 0, "在地区社区社会组织联合会完成备案。"),
    (GrowthMilestone.BOARD, 2, "会员大会选举产生理事会和监事。"),
    (GrowthMilestone.WRITTEN_RULES, 4, "制定服务流程、志愿者管理和财务公开制度。"),
]


@dataclass
class Person:
    name: str
    sex: str
    birth_date: datetime.date
    relation: str
    groups: set[str] = field(default_factory=set)


@dataclass
class DemoLogin:
    username: str
    phone: str
    display_name: str


def demo_exists() -> bool:
    return Region.objects.filter(code=DEMO_MARKER_CODE).exists()


def demo_users():
    return User.objects.filter(email__endswith="@" + DEMO_EMAIL_DOMAIN).order_by("id")


# --- identity numbers -----------------------------------------------------------------------------------

def citizen_id(prefix: str, birth: datetime.date, sequence: int) -> str:
    """A GB 11643 number: address code, birth date, sequence (odd = male) and the check character."""
    body = f"{prefix}{birth:%Y%m%d}{sequence:03d}"
    return body + ric.calc_check_digit(body + "0")


def organization_code(body: str) -> str:
    """GB 11714 organization code: 8 characters plus the check character."""
    weights = (3, 7, 9, 10, 5, 8, 4, 2)
    total = sum(int(c, 36) * w for c, w in zip(body, weights, strict=True))
    check = 11 - total % 11
    return body + ("X" if check == 10 else "0" if check == 11 else str(check))


def credit_code(authority: str, kind: str, region6: str, body: str) -> str:
    """GB 32100 unified social credit code (e.g. authority 5 = civil affairs, kind 2 = social service org)."""
    first17 = f"{authority}{kind}{region6}{organization_code(body)}"
    return first17 + uscc.calc_check_digit(first17)


def age_on(birth: datetime.date, day: datetime.date = DEMO_TODAY) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


# --- the builder ----------------------------------------------------------------------------------------

class DemoBuilder:
    def __init__(self, *, residents: int = DEFAULT_RESIDENTS, seed: int = DEFAULT_SEED):
        self.target_residents = residents
        self.rng = random.Random(seed)
        self.fake = Faker("zh_CN")
        self.fake.seed_instance(seed)
        self.used_ids: set[str] = set()
        self.used_credit_codes: set[str] = set()
        self.logins: list[DemoLogin] = []
        self.password_hash = ""
        self.admin: User | None = None
        self.communities: list[Region] = []
        self.kinds: dict[int, str] = {}
        self.residents_by_region: dict[int, list[Resident]] = {}
        self.service_orgs: list[Organization] = []
        self.community_orgs: dict[int, list[Organization]] = {}
        self.groups = {g.code: g for g in PopulationGroup.objects.all()}

    # -- helpers
    def phone(self) -> str:
        return self.rng.choice(MOBILE_PREFIXES) + f"{self.rng.randrange(10**8):08d}"

    def birth_for_age(self, age: int) -> datetime.date:
        return DEMO_TODAY - datetime.timedelta(days=age * 365 + age // 4 + self.rng.randint(1, 364))

    def date_between(self, start: datetime.date, end: datetime.date) -> datetime.date:
        return start + datetime.timedelta(days=self.rng.randint(0, max(0, (end - start).days)))

    def id_number(self, prefix: str, birth: datetime.date, sex: str) -> str:
        """A unique, valid number; a hometown code that did not exist in the birth year falls back."""
        for candidate in [prefix, *FALLBACK_PREFIXES]:
            if not ric.is_valid(citizen_id(candidate, birth, 1)):
                continue
            for _attempt in range(100):
                number = citizen_id(candidate, birth, self.rng.randrange(1 if sex == Sex.MALE else 0, 1000, 2))
                if number not in self.used_ids:
                    self.used_ids.add(number)
                    return number
        raise RuntimeError("no valid ID number")  # pragma: no cover - the fallbacks are always valid

    def new_credit_code(self, kind: str) -> str:
        while True:
            body = "MJ" + f"{self.rng.randrange(10**6):06d}"
            code = credit_code("5", kind, LOCAL_ID_PREFIX, body)
            if code not in self.used_credit_codes:
                self.used_credit_codes.add(code)
                return code

    def given_name(self, sex: str) -> str:
        return self.fake.first_name_male() if sex == Sex.MALE else self.fake.first_name_female()

    def bulk(self, model, objs, *, history=True):
        """Insert rows and their '+' history rows (attributed to the demo admin); return the history rows."""
        for obj in objs:
            if hasattr(obj, "searchable_values"):
                obj.search_text = build_search_text(*obj.searchable_values())
        model.objects.bulk_create(objs, batch_size=500)
        if not history:
            return []
        return model.history.bulk_history_create(objs, batch_size=500, default_user=self.admin)

    def m2m_history(self, model, field_name: str, links) -> None:
        """Insert many-to-many rows (owner, owner's history row, target pk) with their history copies."""
        field = model._meta.get_field(field_name)
        through = field.remote_field.through
        source, target = field.m2m_field_name(), field.m2m_reverse_field_name()
        history_model = apps.get_model(model._meta.app_label, f"Historical{model.__name__}_{field_name}")
        rows = [through(**{f"{source}_id": owner.pk, f"{target}_id": target_pk}) for owner, _row, target_pk in links]
        through.objects.bulk_create(rows, batch_size=1000)
        history_model.objects.bulk_create([
            history_model(id=row.pk, history_id=history_row.pk, **{f"{source}_id": owner.pk, f"{target}_id": target_pk})
            for row, (owner, history_row, target_pk) in zip(rows, links, strict=True)
        ], batch_size=1000)

    def save(self, obj, *, reason: str = ""):
        if hasattr(obj, "searchable_values"):
            obj.search_text = build_search_text(*obj.searchable_values())
        obj._history_user = self.admin
        if reason:
            obj._change_reason = reason
        obj.save()
        return obj

    # -- the build
    @transaction.atomic
    def build(self) -> dict[str, int]:
        self.password_hash = make_password(DEMO_PASSWORD)
        self.admin = self.user("demo_admin", "平台管理员（演示）")
        role_assign(actor=None, user=self.admin, role=Role.PLATFORM_ADMIN)
        self.build_regions()
        self.build_people()
        self.build_organizations()
        self.build_workforce()
        self.build_volunteers()
        self.build_logins()
        from wushe.projects.demo import seed_projects

        seed_projects()
        from wushe.activities.demo import seed_activities

        seed_activities()
        from wushe.cases.demo import seed_cases

        seed_cases()
        from wushe.surveys.demo import seed_surveys
        from wushe.surveys.demo_needs import seed_needs

        seed_surveys()
        seed_needs()
        return summary()

    def user(self, username: str, display_name: str, phone: str | None = None) -> User:
        phone = phone or f"1390105{len(self.logins) + 1:04d}"
        user = User(username=username, phone=phone, display_name=display_name,
                    email=f"{username}@{DEMO_EMAIL_DOMAIN}", password=self.password_hash)
        user._history_user = self.admin
        user.full_clean(exclude=["password"])
        user.save()
        self.logins.append(DemoLogin(username, phone, display_name))
        return user

    def build_regions(self) -> None:
        def node(code, name, parent, urban_rural_class=""):
            region = Region.objects.filter(code=code).first()
            if region is None:
                region = self.save(Region(code=code, name=name, level=level_for_code(code), parent=parent,
                                          urban_rural_class=urban_rural_class))
            return region

        province = node(*PROVINCE, None)
        prefecture = node(*PREFECTURE, province)
        self.district = node(*DISTRICT, prefecture)
        self.fringe = node(*FRINGE, self.district)
        self.centre = node(*CENTRE, self.district)
        for street, nodes in ((self.fringe, FRINGE_NODES), (self.centre, CENTRE_NODES)):
            for digits, name, urban_rural_class, kind in nodes:
                region = node(street.code[:9] + digits, name, street, urban_rural_class)
                self.communities.append(region)
                self.kinds[region.pk] = kind
        digits, name, urban_rural_class = REVOKED_NODE
        old = node(self.centre.code[:9] + digits, name, self.centre, urban_rural_class)
        old.revoked_on = REVOKED_ON
        old.replaced_by = Region.objects.get(code=self.centre.code[:9] + REPLACEMENT_DIGITS)
        self.save(old, reason="2024年区划调整：仓北社区撤销，并入新设立的新仓社区")
        assert all(r.level == Level.COMMUNITY for r in self.communities)

    # -- residents and households
    def household_plan(self, kind: str) -> tuple[list[Person], str]:
        mix = HOUSEHOLD_MIX[kind]
        shape = self.rng.choices(list(mix), weights=list(mix.values()))[0]
        rng = self.rng
        surname = self.fake.last_name()
        members: list[Person] = []

        def person(sex, age, relation, last=None, groups=()):
            members.append(Person(name=(last or self.fake.last_name()) + self.given_name(sex), sex=sex,
                                  birth_date=self.birth_for_age(max(0, age)), relation=relation,
                                  groups=set(groups)))
            return members[-1]

        def children(parent_age, count, last, relation_son="子", relation_daughter="女", groups=()):
            for _i in range(count):
                sex = rng.choice([Sex.MALE, Sex.FEMALE])
                age = rng.randint(0, max(0, min(17, parent_age - 22)))
                person(sex, age, relation_son if sex == Sex.MALE else relation_daughter, last, groups)

        if shape in ("family", "three_gen", "migrant"):
            low, high = (22, 45) if shape == "migrant" else (28, 55)
            age = rng.randint(low, high)
            person(Sex.MALE, age, "本人", surname)
            if shape != "migrant" or rng.random() < 0.8:
                person(Sex.FEMALE, max(20, age + rng.randint(-4, 3)), "配偶")
            children(age, rng.choice([0, 1, 1, 2]) if shape == "migrant" else rng.choice([1, 1, 2]), surname)
            if shape == "three_gen":
                parent_age = min(94, age + rng.randint(24, 32))
                person(Sex.MALE, parent_age, "父亲", surname)
                if rng.random() < 0.7:
                    person(Sex.FEMALE, parent_age - rng.randint(0, 4), "母亲")
        elif shape == "elderly_couple":
            age = rng.randint(60, 90)
            person(Sex.MALE, age, "本人", surname)
            person(Sex.FEMALE, age - rng.randint(0, 5), "配偶")
        elif shape == "single_elderly":
            person(Sex.FEMALE if rng.random() < 0.65 else Sex.MALE, rng.randint(62, 96), "本人", surname)
        elif shape == "single_adult":
            person(rng.choice([Sex.MALE, Sex.FEMALE]), rng.randint(22, 40), "本人", surname)
        elif shape == "single_parent":
            age = rng.randint(28, 50)
            sex = Sex.FEMALE if rng.random() < 0.75 else Sex.MALE
            person(sex, age, "本人", surname, groups={"single_parent"})
            children(age, rng.choice([1, 1, 2]), surname, groups={"single_parent"})
        elif shape == "left_behind":
            age = rng.randint(56, 76)
            person(Sex.MALE, age, "本人", surname, groups={"left_behind_elderly"})
            if rng.random() < 0.8:
                person(Sex.FEMALE, age - rng.randint(0, 4), "配偶", groups={"left_behind_elderly"})
            if rng.random() < 0.5:
                person(Sex.FEMALE, rng.randint(27, 40), "儿媳", groups={"left_behind_women"})
            for _i in range(rng.choice([1, 2, 2])):
                sex = rng.choice([Sex.MALE, Sex.FEMALE])
                person(sex, rng.randint(3, 15), "孙子" if sex == Sex.MALE else "孙女", surname,
                       groups={"left_behind_children"})
        return members, shape

    def tag(self, members: list[Person], shape: str, minority: bool) -> None:
        rng = self.rng
        ages = [age_on(m.birth_date) for m in members]
        everyone_old = min(ages) >= 60
        for member, age in zip(members, ages, strict=True):
            if shape == "migrant":
                member.groups.add("migrant_children" if age < 18 else "migrant")
            if minority:
                member.groups.add("ethnic_minority")
            if age >= 60 and everyone_old:
                member.groups.add("empty_nest_elderly")
            if age >= 80:
                member.groups.add("oldest_old")
            if age >= 65 and rng.random() < 0.06:
                member.groups.add("disabled_elderly")
            if age >= 6 and rng.random() < 0.025:
                member.groups.add("disability")
                if age >= 18 and rng.random() < 0.15:
                    member.groups.add("extreme_poverty")
            if shape == "elderly_couple" and rng.random() < 0.03:
                member.groups.add("bereaved_single_child")
            if age < 18 and shape == "single_parent" and rng.random() < 0.4:
                member.groups.add("children_in_difficulty")
            if shape == "single_elderly" and rng.random() < 0.06:
                member.groups.add("extreme_poverty")

    def address(self, region: Region, kind: str) -> str:
        base = region.name.removesuffix("社区").removesuffix("居委会")
        rng = self.rng
        if kind == "village":
            return f"{base}{CN_NUMERALS[rng.randrange(6)]}队{rng.randint(1, 60)}号"
        if kind == "centre":
            lane = ["头条", "二条", "三条", "北巷", "南巷"][rng.randrange(5)]
            return f"{base}{lane}{rng.randint(1, 48)}号"
        estate = base + ("回迁小区" if kind == "resettled" else "")
        return f"{estate}{rng.randint(1, 24)}号楼{rng.randint(1, 4)}单元{rng.randint(1, 18)}{rng.randint(1, 4):02d}"

    def build_people(self) -> None:
        weights = [KIND_WEIGHT[self.kinds[r.pk]] for r in self.communities]
        total = sum(weights)
        households: list[Household] = []
        residents: list[Resident] = []
        member_groups: list[set[str]] = []
        heads: list[Resident] = []
        for region, weight in zip(self.communities, weights, strict=True):
            kind = self.kinds[region.pk]
            target = max(8, round(self.target_residents * weight / total))
            people: list[Resident] = []
            while len(people) < target:
                members, shape = self.household_plan(kind)
                minority = self.rng.random() < 0.05
                self.tag(members, shape, minority)
                ethnicity = self.rng.choice(MINORITIES) if minority else "汉族"
                prefix = self.rng.choice(MIGRANT_PREFIXES) if shape == "migrant" else LOCAL_ID_PREFIX
                address = self.address(region, kind)
                household = Household(region=region, name=f"{members[0].name}户", address=address,
                                      created_by=self.admin)
                households.append(household)
                for index, member in enumerate(members):
                    age = age_on(member.birth_date)
                    has_phone = 16 <= age <= 85 and self.rng.random() < 0.93
                    sensitive = bool(member.groups & {g for g, group in self.groups.items() if group.is_sensitive})
                    consent = (ConsentBasis.GUARDIAN_CONSENT if age < 14 else
                               ConsentBasis.CONSENT if sensitive else ConsentBasis.STATUTORY_DUTY)
                    resident = Resident(
                        region=region, name=member.name, document_type=DocumentType.RESIDENT_ID,
                        id_number=self.id_number(prefix, member.birth_date, member.sex),
                        birth_date=member.birth_date, sex=member.sex, ethnicity=ethnicity,
                        phone=self.phone() if has_phone else "", address=address, household=household,
                        relation_to_head=member.relation, consent_basis=consent, created_by=self.admin,
                    )
                    residents.append(resident)
                    member_groups.append(member.groups)
                    people.append(resident)
                    if index == 0:
                        heads.append(resident)
            self.residents_by_region[region.pk] = people
        self.bulk(Household, households, history=False)
        history = self.bulk(Resident, residents)
        for household, head in zip(households, heads, strict=True):
            household.head = head
        Household.history.bulk_history_create(households, batch_size=500, default_user=self.admin)
        Household.objects.bulk_update(households, ["head"], batch_size=500)
        self.m2m_history(Resident, "groups", [
            (resident, row, self.groups[code].pk)
            for resident, row, codes in zip(residents, history, member_groups, strict=True)
            for code in sorted(codes)
        ])
        # Two registrations were found to be duplicates and voided (history keeps who and why).
        duplicates = [people[-1] for people in list(self.residents_by_region.values())[5:7]]
        for resident in duplicates:
            record_void(actor=self.admin, obj=resident, reason="重复登记，已与本人核实后作废")

    def adults(self, region: Region, low=18, high=80) -> list[Resident]:
        return [r for r in self.residents_by_region[region.pk]
                if r.voided_at is None and low <= age_on(r.birth_date) <= high]

    # -- organizations
    def build_organizations(self) -> None:
        rng = self.rng
        agency = Organization(
            region=self.fringe, name="北京市朝阳区同行社会工作服务中心", kind=OrganizationKind.SUPPORTIVE_ORG,
            registration_status=RegistrationStatus.REGISTERED, credit_code=self.new_credit_code("2"),
            registered_on=datetime.date(2012, 11, 6), founded_on=datetime.date(2012, 9, 1),
            orientation=ServiceOrientation.SUPPORT, leader_name=self.fake.name(), contact_phone=self.phone(),
            address="东苑地区社区服务中心三层", created_by=self.admin,
            description="受地区办事处委托的支持性社会组织，驻点开展社区社会组织培育、社工督导、项目监测评估和"
                        "能力建设，协助建立三社联动联席会议和沟通专线。",
            charter="本中心为非营利性社会服务机构，理事会为决策机构，设监事一名。",
        )
        self.agency = self.save(agency)
        for name, description in (
            ("东苑地区社区社会组织联合会", "地区社区社会组织的枢纽型联合会，负责备案服务、互助交流和公益金微小项目的组织。"),
            ("东苑地区社会工作者协会", "地区持证社工的互助平台，组织专业督导会和继续教育。"),
        ):
            self.save(Organization(
                region=self.fringe, name=name, kind=OrganizationKind.OTHER,
                registration_status=RegistrationStatus.REGISTERED, credit_code=self.new_credit_code("1"),
                registered_on=datetime.date(2015, 4, 20), founded_on=datetime.date(2014, 12, 1),
                orientation=ServiceOrientation.SUPPORT, leader_name=self.fake.name(), contact_phone=self.phone(),
                address="东苑地区社区服务中心二层", description=description, created_by=self.admin,
            ))
        board_rows, member_rows, growth_rows = [], [], []
        for index, region in enumerate(self.communities):
            kind = self.kinds[region.pk]
            village = kind == "village"
            committee_name = region.name + ("村民委员会" if village else
                                            "" if region.name.endswith("居委会") else "居民委员会")
            self.save(Organization(
                region=region, name=committee_name,
                kind=OrganizationKind.VILLAGE_COMMITTEE if village else OrganizationKind.RESIDENTS_COMMITTEE,
                registration_status=RegistrationStatus.REGISTERED, orientation=ServiceOrientation.SERVICE,
                founded_on=datetime.date(2000 + index % 10, 3, 1), leader_name=self.fake.name(),
                contact_phone=self.phone(), address=region.name + "办公室", created_by=self.admin,
                description="基层群众性自治组织，协调和监督辖区内的社区服务项目。",
            ))
            plan = [("rec", (index * 5) % len(RECREATIONAL))]
            if kind in ("fringe", "centre"):
                plan.append(("rec", (index * 5 + 3) % len(RECREATIONAL)))
            if index in STORY_ORGS:
                plan.append(("story", index))
            if kind != "centre" or index % 2:
                service_index = index % len(SERVICE) if not village else (2 if index % 2 else 0)
                plan.append(("svc", service_index))
            short = region.name.removesuffix("社区").removesuffix("居委会")
            orgs = []
            for what, which in plan:
                founded = datetime.date(2008 + rng.randrange(12), rng.randint(1, 12), 1)
                if what == "rec":
                    suffix, description = RECREATIONAL[which]
                    orientation, status = ServiceOrientation.RECREATIONAL, RegistrationStatus.UNREGISTERED
                elif what == "svc":
                    suffix, orientation, description = SERVICE[which]
                    status = RegistrationStatus.FILED
                else:
                    suffix, before, description, orientation = STORY_ORGS[which]
                    status = RegistrationStatus.FILED
                candidates = (self.adults(region, 45, 75) or self.adults(region)
                              or self.residents_by_region[region.pk])
                leader = candidates[rng.randrange(len(candidates))]
                org = Organization(
                    region=region, name=short + suffix, kind=OrganizationKind.COMMUNITY_SOCIAL_ORG,
                    registration_status=status, founded_on=founded,
                    orientation=ServiceOrientation.RECREATIONAL if what == "story" else orientation,
                    leader_name=leader.name, contact_phone=leader.phone, address=region.name + "活动室",
                    description=before if what == "story" else description,
                    created_by=self.admin,
                )
                if status == RegistrationStatus.FILED:
                    org.registered_on = datetime.date(2023 + index % 2, 3 + index % 6, 15)
                    org.charter = "本组织由居民自愿组成，会员大会选举理事会，年度计划和收支向居民公开。"
                self.save(org)
                orgs.append(org)
                if what == "story":
                    # The growth story: the history shows the orientation change with its reason.
                    org.orientation = orientation
                    org.description = description
                    self.save(org, reason="经项目化运作，服务取向由自娱自乐转为面向居民的公益服务")
                if what == "svc" and index == 0:
                    self.home_org = org  # the demo organization leader's
                if what != "rec":
                    self.service_orgs.append(org)
                    board_rows += self.board(org, leader, candidates, story=what == "story")
                    evidence = STORY_EVIDENCE if what == "story" else SERVICE_EVIDENCE
                    start = org.registered_on
                    for milestone, months, text in evidence:
                        day = start + datetime.timedelta(days=30 * months + rng.randint(0, 20))
                        growth_rows.append(GrowthRecord(organization=org, milestone=milestone,
                                                        achieved_on=min(day, DEMO_TODAY), evidence=text))
                member_rows += self.members(org, leader, region, serving=what != "rec")
            self.community_orgs[region.pk] = orgs
        self.bulk(BoardMember, board_rows)
        self.bulk(OrganizationMember, member_rows)
        self.bulk(GrowthRecord, growth_rows)

    def board(self, org, leader, candidates, *, story: bool) -> list[BoardMember]:
        rng = self.rng
        term_start = org.registered_on + datetime.timedelta(days=90)
        term_end = datetime.date(term_start.year + 3, term_start.month, 1) - datetime.timedelta(days=1)
        pool = [c for c in candidates if c.pk != leader.pk]
        others = rng.sample(pool, min(len(pool), 5))
        rows = [BoardMember(organization=org, name=leader.name, resident=leader, position=BoardPosition.CHAIR,
                            term_start=term_start, term_end=term_end)]
        for person, position in zip(others, [BoardPosition.VICE_CHAIR, BoardPosition.SECRETARY,
                                             BoardPosition.DIRECTOR, BoardPosition.DIRECTOR,
                                             BoardPosition.SUPERVISOR], strict=False):
            rows.append(BoardMember(organization=org, name=person.name, resident=person, position=position,
                                    term_start=term_start, term_end=term_end))
        if story and others:
            # Before the board was elected, the committee had appointed a team leader.
            earlier = others[-1]
            rows.append(BoardMember(organization=org, name=earlier.name, resident=earlier,
                                    position=BoardPosition.CHAIR, term_start=org.founded_on,
                                    term_end=term_start - datetime.timedelta(days=1),
                                    elected_by_residents=False))
        return rows

    def members(self, org, leader, region, *, serving: bool) -> list[OrganizationMember]:
        rng = self.rng
        pool = self.adults(region, 20, 82)
        chosen = [leader] + [p for p in rng.sample(pool, min(len(pool), rng.randint(8, 24))) if p.pk != leader.pk]
        rows = []
        for person in chosen:
            joined = self.date_between(org.founded_on, DEMO_TODAY - datetime.timedelta(days=60))
            left = (self.date_between(joined, DEMO_TODAY) if rng.random() < 0.08 and person is not leader
                    else None)
            rows.append(OrganizationMember(
                organization=org, name=person.name, resident=person, joined_on=joined, left_on=left,
                serves_regularly=rng.random() < (0.65 if serving else 0.12),
                takes_part_in_governance=person is leader or rng.random() < (0.25 if serving else 0.05),
            ))
        return rows

    # -- workforce
    def worker(self, region, *, placement, level=CertificateLevel.NONE, employer=None, age_range=(24, 56),
               started=(2005, 2024)) -> SocialWorker:
        rng = self.rng
        sex = Sex.FEMALE if rng.random() < 0.72 else Sex.MALE
        birth = self.birth_for_age(rng.randint(*age_range))
        worker = SocialWorker(
            region=region, name=self.fake.last_name() + self.given_name(sex), sex=sex,
            id_number=self.id_number(LOCAL_ID_PREFIX, birth, sex), birth_date=birth, phone=self.phone(),
            certificate_level=level, placement=placement, employer=employer, created_by=self.admin,
        )
        first = max(started[0], birth.year + 21)
        worker.started_on = datetime.date(rng.randint(first, max(first, started[1])), rng.randint(1, 12), 1)
        if level != CertificateLevel.NONE:
            year = rng.randint(min(2025, max(2009, worker.started_on.year)), 2025)
            worker.certified_on = datetime.date(year, 6, 20)
            letter = {CertificateLevel.ASSISTANT: "Z", CertificateLevel.INTERMEDIATE: "S",
                      CertificateLevel.SENIOR: "G"}[level]
            worker.certificate_number = f"{letter}{year}{LOCAL_ID_PREFIX}{rng.randrange(10**5):05d}"
        return worker

    def build_workforce(self) -> None:
        rng = self.rng
        fringe = [r for r in self.communities if r.parent_id == self.fringe.pk]
        centre = [r for r in self.communities if r.parent_id == self.centre.pk]
        per_region = [(r, 6) for r in fringe] + [(r, 5 if i < 2 else 4) for i, r in enumerate(centre)]
        slots = [region for region, count in per_region for _i in range(count)]
        assert len(slots) == 126
        # 35 certificates (26 assistant, 8 intermediate, 1 senior); slot 0 is the demo social worker.
        certified = [0] + sorted(rng.sample(range(1, len(slots)), 34))
        levels = [CertificateLevel.ASSISTANT] * 25 + [CertificateLevel.INTERMEDIATE] * 8 + [CertificateLevel.SENIOR]
        rng.shuffle(levels)
        level_of = dict(zip(certified, [CertificateLevel.ASSISTANT, *levels], strict=True))
        workers = [self.worker(region, placement=Placement.COMMUNITY_WORKER,
                               level=level_of.get(i, CertificateLevel.NONE))
                   for i, region in enumerate(slots)]
        served = {id(w): [region] for w, region in zip(workers, slots, strict=True)}
        served[id(workers[0])] = [slots[0], fringe[1]]
        # The agency: a senior supervisor, a coordinator, dispatched workers (选派) and local trainees (在培).
        supervisor = self.worker(self.fringe, placement=Placement.AGENCY, level=CertificateLevel.SENIOR,
                                 employer=self.agency, age_range=(40, 52), started=(2003, 2008))
        coordinator = self.worker(self.fringe, placement=Placement.AGENCY, level=CertificateLevel.INTERMEDIATE,
                                  employer=self.agency, age_range=(30, 40))
        dispatched = [self.worker(street, placement=Placement.DISPATCHED, employer=self.agency,
                                  level=rng.choice([CertificateLevel.INTERMEDIATE, CertificateLevel.ASSISTANT]),
                                  age_range=(26, 40), started=(2012, 2020))
                      for street in (self.fringe, self.fringe, self.fringe, self.centre)]
        trainees = [self.worker(street, placement=Placement.LOCAL_TRAINEE, employer=self.agency,
                                level=CertificateLevel.ASSISTANT if i % 3 == 0 else CertificateLevel.NONE,
                                age_range=(22, 35), started=(2022, 2025))
                    for i, street in enumerate([self.fringe] * 4 + [self.centre] * 2)]
        served[id(supervisor)] = fringe[:3]
        served[id(coordinator)] = fringe[:9]
        for i, worker in enumerate(dispatched):
            pool = fringe if i < 3 else centre
            served[id(worker)] = pool[(i * 4) % len(pool):][:4] or pool[:4]
        for i, worker in enumerate(trainees):
            pool = fringe if i < 4 else centre
            served[id(worker)] = [pool[(i * 3) % len(pool)], pool[(i * 3 + 1) % len(pool)]]
        agency_workers = [supervisor, coordinator, *dispatched, *trainees]
        history = self.bulk(SocialWorker, workers + agency_workers)
        for i, trainee in enumerate(trainees):
            trainee.mentor = dispatched[i % 3] if i < 4 else dispatched[3]
        SocialWorker.objects.bulk_update(trainees, ["mentor"])
        self.m2m_history(SocialWorker, "communities", [
            (worker, row, region.pk)
            for worker, row in zip(workers + agency_workers, history, strict=True)
            for region in served[id(worker)]
        ])
        for trainee in trainees:  # the mentor link is a change with its own history row
            trainee._change_reason = "确定带教督导"
        SocialWorker.history.bulk_history_create(trainees, update=True, default_user=self.admin)
        self.demo_worker, self.supervisor_worker, self.coordinator_worker = workers[0], supervisor, coordinator
        self.trainees = trainees

    # -- volunteers and teams
    def build_volunteers(self) -> None:
        rng = self.rng
        volunteers: list[Volunteer] = []
        by_region: dict[int, list[Volunteer]] = {}
        for region in self.communities:
            pool = self.adults(region, 16, 75)
            members = {m.resident_id for org in self.community_orgs[region.pk] if org in self.service_orgs
                       for m in org.members.all() if m.serves_regularly}
            weighted = sorted(pool, key=lambda r: (r.pk not in members, rng.random()))
            count = max(min(3, len(pool)), round(len(self.residents_by_region[region.pk]) * 0.13))
            chosen = sorted(weighted[:count], key=lambda r: r.pk)
            by_region[region.pk] = []
            for sequence, resident in enumerate(chosen, start=1):
                volunteer = Volunteer(
                    region=region, volunteer_number=f"V{region.code}{sequence:04d}", name=resident.name,
                    sex=resident.sex, birth_date=resident.birth_date, id_number=resident.id_number,
                    phone=resident.phone, skills="、".join(rng.sample(SKILLS, rng.randint(1, 3))),
                    registered_on=self.date_between(datetime.date(2015, 1, 1), DEMO_TODAY),
                    resident=resident, created_by=self.admin,
                )
                volunteers.append(volunteer)
                by_region[region.pk].append(volunteer)
        self.bulk(Volunteer, volunteers)
        teams: list[Team] = []
        rosters: list[list[Volunteer]] = []
        for region in self.communities:
            pool = by_region[region.pk]
            if not pool:
                continue
            teams.append(Team(region=region, name=f"{region.name}志愿服务队", created_by=self.admin,
                              description="社区志愿者的常设队伍，承担社区日常志愿服务。",
                              founded_on=datetime.date(2015, 3, 5)))
            rosters.append(pool[:20])
            for org in self.community_orgs[region.pk]:
                if org not in self.service_orgs:
                    continue
                residents = {m.resident_id for m in org.members.all()}
                roster = [v for v in pool if v.resident_id in residents] or pool[:3]
                teams.append(Team(region=region, name=f"{org.name}志愿服务队", organization=org,
                                  created_by=self.admin, founded_on=org.registered_on,
                                  description=f"{org.name}的志愿者队伍，由主责社工指导开展服务。"))
                rosters.append(roster[:12])
        self.bulk(Team, teams)
        memberships = []
        for team, roster in zip(teams, rosters, strict=True):
            cores = max(1, min(3, len(roster) // 4))
            for position, volunteer in enumerate(roster):
                role = TeamRole.LEADER if position == 0 else TeamRole.CORE if position <= cores else TeamRole.MEMBER
                memberships.append(TeamMembership(team=team, volunteer=volunteer, role=role,
                                                  joined_on=max(volunteer.registered_on, team.founded_on)))
        self.bulk(TeamMembership, memberships)
        org_team = next(t for t in teams if t.organization_id == self.home_org.pk)
        in_team = [m.volunteer for m in memberships if m.team is org_team]
        self.demo_volunteer = in_team[1] if len(in_team) > 1 else in_team[0]

    # -- logins
    def build_logins(self) -> None:
        home = self.communities[0]
        admin = self.admin

        def login(username, display_name, phone=None):
            return self.user(username, display_name, phone)

        district = login("demo_district", "民政局干部（演示）")
        role_assign(actor=admin, user=district, role=Role.CIVIL_AFFAIRS_OFFICER, region=self.district)
        for username, street in (("demo_street", self.fringe), ("demo_street_centre", self.centre)):
            officer = login(username, f"{street.name}干部（演示）")
            role_assign(actor=admin, user=officer, role=Role.STREET_OFFICER, region=street)
        station = login("demo_station", self.coordinator_worker.name)
        role_assign(actor=admin, user=station, role=Role.STATION_STAFF, region=self.fringe)
        self.link(self.coordinator_worker, station)
        community = login("demo_community", f"{home.name}工作人员（演示）")
        role_assign(actor=admin, user=community, role=Role.COMMUNITY_STAFF, region=home)
        worker = login("demo_worker", self.demo_worker.name)
        self.link(self.demo_worker, worker)
        for region in self.demo_worker.communities.order_by("code"):
            role_assign(actor=admin, user=worker, role=Role.SOCIAL_WORKER, region=region)
        supervisor = login("demo_supervisor", self.supervisor_worker.name)
        self.link(self.supervisor_worker, supervisor)
        for supervisee in [self.demo_worker, *self.trainees]:
            role_assign(actor=admin, user=supervisor, role=Role.SUPERVISOR, target=supervisee)
        leader = login("demo_org_leader", self.home_org.leader_name)
        role_assign(actor=admin, user=leader, role=Role.ORG_LEADER, target=self.home_org)
        volunteer = login("demo_volunteer", self.demo_volunteer.name)
        role_assign(actor=admin, user=volunteer, role=Role.VOLUNTEER)
        self.link(self.demo_volunteer, volunteer)
        self.demo_volunteer.resident.phone = volunteer.phone
        self.save(self.demo_volunteer.resident, reason="更新手机号")
        expert = login("demo_expert", "评审专家（演示）")
        assignment = RoleAssignment(user=expert, role=Role.EXPERT_REVIEWER, granted_by=admin)
        assignment._history_user = admin
        assignment.save()
        taken = {self.demo_volunteer.resident_id}
        resident_record = next(r for r in self.adults(home, 25, 60) if r.pk not in taken)
        resident = login("demo_resident", resident_record.name)
        role_assign(actor=admin, user=resident, role=Role.RESIDENT)
        self.link(resident_record, resident)

    def link(self, record, user) -> None:
        """Attach a registry record to its login; the record's phone becomes the login phone."""
        record.user = user
        record.phone = user.phone
        self.save(record, reason="关联平台账号")


def summary() -> dict[str, int]:
    within = Q(region__code__gte=FRINGE[0], region__code__lte=CENTRE[0][:9] + "999")
    return {
        "regions": Region.objects.filter(code__gte=FRINGE[0], code__lte=CENTRE[0][:9] + "999").count(),
        "residents": Resident.objects.filter(within).count(),
        "households": Household.objects.filter(within).count(),
        "organizations": Organization.objects.filter(within).count(),
        "social_workers": SocialWorker.objects.filter(within).count(),
        "volunteers": Volunteer.objects.filter(within).count(),
        "teams": Team.objects.filter(within).count(),
        "users": demo_users().count(),
    }


def seed_demo(*, residents: int = DEFAULT_RESIDENTS, seed: int = DEFAULT_SEED) -> dict[str, int] | None:
    """Build the demo district; None (and no change) when it already exists."""
    validate_password(DEMO_PASSWORD)
    if demo_exists():
        return None
    return DemoBuilder(residents=residents, seed=seed).build()


# --- reset ----------------------------------------------------------------------------------------------

def _purge(queryset) -> None:
    """Delete rows and the history rows of those rows (demo data only)."""
    model = queryset.model
    ids = list(queryset.values_list("pk", flat=True))
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        model.objects.filter(pk__in=chunk).delete()
        history = getattr(model, "history", None)
        if history is not None:
            history.model.objects.filter(id__in=chunk).delete()


@transaction.atomic
def reset_demo() -> None:
    """Remove the demo district's streets, everything registered in them and the demo users."""
    low, high = FRINGE[0], CENTRE[0][:9] + "999"
    within = Q(region__code__gte=low, region__code__lte=high)
    # The history of demo rows is removed with them, so skip writing a '-' row for each deleted one.
    with override_settings(SIMPLE_HISTORY_ENABLED=False):
        _reset(within, low, high)


def _reset(within: Q, low: str, high: str) -> None:
    from wushe.activities.demo import purge_activities
    from wushe.cases.demo import purge_cases
    from wushe.projects.demo import purge_projects
    from wushe.surveys.demo import purge_surveys
    from wushe.surveys.demo_needs import purge_needs

    try:
        purge_needs(low, high)  # needs and their links point at projects and surveys
        purge_surveys(low, high, demo_users())  # surveys point at regions, users, projects and residents
        purge_cases(low, high)  # cases point at residents and workers
        purge_activities(low, high)  # activities point at projects, residents, volunteers and workers
        purge_projects(low, high)  # rounds and projects point at the demo's regions, orgs and workers
        _purge(TeamMembership.objects.filter(team__in=Team.objects.filter(within)))
        _purge(Team.objects.filter(within))
        _purge(Volunteer.objects.filter(within))
        organizations = Organization.objects.filter(within)
        for model in (GrowthRecord, BoardMember, OrganizationMember):
            _purge(model.objects.filter(organization__in=organizations))
        workers = SocialWorker.objects.filter(within)
        apps.get_model("workforce", "HistoricalSocialWorker_communities").objects.filter(
            socialworker_id__in=workers.values("pk")).delete()
        workers.update(mentor=None)
        _purge(workers)
        _purge(organizations)
        residents = Resident.objects.filter(within)
        apps.get_model("people", "HistoricalResident_groups").objects.filter(
            resident_id__in=residents.values("pk")).delete()
        Household.objects.filter(within).update(head=None)
        _purge(residents)
        _purge(Household.objects.filter(within))
        users = demo_users()
        _purge(RoleAssignment.objects.filter(user__in=users))
        regions = Region.objects.filter(code__gte=low, code__lte=high)
        regions.update(replaced_by=None)
        _purge(regions.filter(level=Level.COMMUNITY))
        _purge(regions)
        # What the demo users did while people tried the demo (denials, tokens) goes with them.
        AuditEvent.objects.filter(actor__in=users).delete()
        _purge(users)
    except ProtectedError as error:
        raise DemoResetBlocked(str(MSG_RESET_BLOCKED)) from error


class DemoResetBlocked(Exception):
    pass


# --- logins table ---------------------------------------------------------------------------------------

def _scope(assignment: RoleAssignment) -> str:
    if assignment.region_id:
        return f"{assignment.region.name}（{assignment.region.code}）"
    if assignment.object_type_id:
        return str(assignment.target)
    if assignment.role == Role.PLATFORM_ADMIN:
        return str(_("全部"))
    if assignment.role in (Role.VOLUNTEER, Role.RESIDENT):
        return str(_("本人"))
    return str(_("指派的评审"))


def demo_login_rows() -> list[dict[str, str]]:
    """One row per demo user: username, phone, name, roles and scopes (the password is shared)."""
    rows = []
    users = demo_users().prefetch_related("role_assignments__region", "role_assignments__object_type")
    for user in users:
        assignments = sorted((a for a in user.role_assignments.all() if a.revoked_at is None),
                             key=lambda a: (a.role, a.region.code if a.region_id else "", a.object_id or 0))
        roles = list(dict.fromkeys(f"{a.get_role_display()}（{a.role}）" for a in assignments))
        rows.append({
            "username": user.username,
            "phone": user.phone or "",
            "name": user.display_name,
            "roles": "、".join(roles),
            "scope": "；".join(dict.fromkeys(_scope(a) for a in assignments)),
        })
    return rows
