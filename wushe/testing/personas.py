"""Shared test world: a small region tree and one persona per role, plus an outsider from another street.

Tree (codes follow GB/T 2260 style):
  110000000000 北京市 → 110100000000 市辖区 → 110105000000 朝阳区
    110105001000 东风街道   (home street)
      110105001001 将台社区   (home community)   110105001002 丽都社区   110105001201 南十里居村
    110105002000 麦子店街道 (another street)
      110105002001 枣营社区   (the outsider's community)
"""

from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType

from wushe.accounts.models import RoleAssignment, User
from wushe.accounts.roles import Role
from wushe.regions.models import Level, Region, UrbanRuralClass

PASSWORD = "Test-Passw0rd!"


@dataclass
class World:
    province: Region
    prefecture: Region
    district: Region
    street: Region
    community: Region
    community2: Region
    village: Region
    other_street: Region
    other_community: Region
    users: dict[str, User] = field(default_factory=dict)
    objects: dict[str, object] = field(default_factory=dict)

    def __getattr__(self, name):
        users = self.__dict__.get("users", {})
        if name in users:
            return users[name]
        raise AttributeError(name)


def make_region(code, name, parent=None, urban_rural_class=""):
    from wushe.regions.models import level_for_code

    return Region.objects.create(code=code, name=name, level=level_for_code(code), parent=parent,
                                 urban_rural_class=urban_rural_class)


def build_regions() -> dict[str, Region]:
    province = make_region("110000000000", "北京市")
    prefecture = make_region("110100000000", "市辖区", province)
    district = make_region("110105000000", "朝阳区", prefecture)
    street = make_region("110105001000", "东风街道", district)
    community = make_region("110105001001", "将台社区", street, UrbanRuralClass.URBAN_FRINGE)
    community2 = make_region("110105001002", "丽都社区", street, UrbanRuralClass.URBAN_FRINGE)
    village = make_region("110105001201", "南十里居村", street, UrbanRuralClass.VILLAGE)
    other_street = make_region("110105002000", "麦子店街道", district)
    other_community = make_region("110105002001", "枣营社区", other_street, UrbanRuralClass.MAIN_CITY)
    assert community.level == Level.COMMUNITY
    return locals()


def make_user(username, *, phone=None, display_name=""):
    user = User(username=username, phone=phone, display_name=display_name or username)
    user.set_password(PASSWORD)
    user.save()
    return user


def assign(user, role, *, region=None, target=None):
    assignment = RoleAssignment(user=user, role=role, region=region)
    if target is not None:
        assignment.object_type = ContentType.objects.get_for_model(target)
        assignment.object_id = target.pk
    assignment.save()
    return assignment


def build_world() -> World:
    from wushe.orgs.models import Organization, OrganizationKind
    from wushe.people.models import Resident
    from wushe.volunteers.models import Volunteer
    from wushe.workforce.models import CertificateLevel, SocialWorker

    regions = build_regions()
    world = World(**{k: regions[k] for k in (
        "province", "prefecture", "district", "street", "community", "community2", "village",
        "other_street", "other_community")})
    u = world.users
    u["admin"] = make_user("admin", phone="13800000001")
    assign(u["admin"], Role.PLATFORM_ADMIN)
    u["district_officer"] = make_user("district_officer", phone="13800000002")
    assign(u["district_officer"], Role.CIVIL_AFFAIRS_OFFICER, region=world.district)
    u["street_officer"] = make_user("street_officer", phone="13800000003")
    assign(u["street_officer"], Role.STREET_OFFICER, region=world.street)
    u["station_staff"] = make_user("station_staff", phone="13800000004")
    assign(u["station_staff"], Role.STATION_STAFF, region=world.street)
    u["community_staff"] = make_user("community_staff", phone="13800000005")
    assign(u["community_staff"], Role.COMMUNITY_STAFF, region=world.community)
    u["social_worker"] = make_user("social_worker", phone="13800000006")
    assign(u["social_worker"], Role.SOCIAL_WORKER, region=world.community)
    worker = SocialWorker.objects.create(region=world.street, name="李社工", user=u["social_worker"],
                                         certificate_level=CertificateLevel.ASSISTANT)
    worker.communities.add(world.community)
    u["supervisor"] = make_user("supervisor", phone="13800000007")
    assign(u["supervisor"], Role.SUPERVISOR, target=worker)
    organization = Organization.objects.create(region=world.community, name="将台银龄互助队",
                                               kind=OrganizationKind.COMMUNITY_SOCIAL_ORG)
    u["org_leader"] = make_user("org_leader", phone="13800000008")
    assign(u["org_leader"], Role.ORG_LEADER, target=organization)
    u["volunteer"] = make_user("volunteer", phone="13800000009")
    assign(u["volunteer"], Role.VOLUNTEER)
    volunteer = Volunteer.objects.create(region=world.community, volunteer_number="V110105001001", name="王志愿",
                                         user=u["volunteer"])
    u["expert_reviewer"] = make_user("expert_reviewer", phone="13800000010")
    RoleAssignment.objects.create(user=u["expert_reviewer"], role=Role.EXPERT_REVIEWER)
    u["resident"] = make_user("resident", phone="13800000011")
    assign(u["resident"], Role.RESIDENT)
    resident = Resident.objects.create(region=world.community, name="赵居民", user=u["resident"])
    u["outsider"] = make_user("outsider", phone="13800000012")
    assign(u["outsider"], Role.COMMUNITY_STAFF, region=world.other_community)
    world.objects.update(worker=worker, organization=organization, volunteer=volunteer, resident=resident)
    return world


# Personas by what they may do to registries; used to parametrize permission tests.
ALL_PERSONAS = ["admin", "district_officer", "street_officer", "station_staff", "community_staff",
                "social_worker", "supervisor", "org_leader", "volunteer", "expert_reviewer", "resident", "outsider"]
