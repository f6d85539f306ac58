"""factory_boy factories for the orgs app. Pass `region=` (e.g. world.community) for organizations."""

import datetime

import factory
from factory.django import DjangoModelFactory
from stdnum.cn import uscc

from wushe.core.text import build_search_text
from wushe.orgs.models import (
    BoardMember,
    BoardPosition,
    GrowthMilestone,
    GrowthRecord,
    Organization,
    OrganizationKind,
    OrganizationMember,
)


def make_credit_code(number: int) -> str:
    """A valid, obviously synthetic unified social credit code: 51 (民政·社会团体) + 110105 + serial + check."""
    body = f"51110105{number:09d}"
    return body + uscc.calc_check_digit(body)


class OrganizationFactory(DjangoModelFactory):
    class Meta:
        model = Organization

    name = factory.Sequence(lambda n: f"测试互助队{n}")
    kind = OrganizationKind.COMMUNITY_SOCIAL_ORG
    leader_name = factory.Faker("name", locale="zh_CN")
    contact_phone = factory.Sequence(lambda n: f"139{n:08d}")
    credit_code = ""
    address = ""
    search_text = factory.LazyAttribute(lambda o: build_search_text(o.name, o.leader_name, o.credit_code, o.address))


class BoardMemberFactory(DjangoModelFactory):
    class Meta:
        model = BoardMember

    organization = factory.SubFactory(OrganizationFactory)
    name = factory.Faker("name", locale="zh_CN")
    position = BoardPosition.DIRECTOR
    term_start = datetime.date(2023, 1, 1)
    term_end = None


class OrganizationMemberFactory(DjangoModelFactory):
    class Meta:
        model = OrganizationMember

    organization = factory.SubFactory(OrganizationFactory)
    name = factory.Faker("name", locale="zh_CN")
    joined_on = datetime.date(2023, 3, 1)


class GrowthRecordFactory(DjangoModelFactory):
    class Meta:
        model = GrowthRecord

    organization = factory.SubFactory(OrganizationFactory)
    milestone = GrowthMilestone.WRITTEN_RULES
    achieved_on = datetime.date(2024, 5, 1)
    evidence = "制定了活动管理制度（测试数据）"
