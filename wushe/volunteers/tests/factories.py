"""factory_boy factories for the volunteers app (synthetic data only: Faker zh_CN)."""

import factory
from faker import Faker

from wushe.core.text import build_search_text
from wushe.volunteers.models import Team, TeamMembership, TeamRole, Volunteer
from wushe.volunteers.services import next_volunteer_number

fake = Faker("zh_CN")


class VolunteerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Volunteer

    name = factory.LazyFunction(fake.name)
    volunteer_number = factory.LazyAttribute(lambda o: next_volunteer_number(o.region))
    skills = "助老陪伴"
    search_text = factory.LazyAttribute(lambda o: build_search_text(o.name, o.volunteer_number, o.skills))


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team

    name = factory.Sequence(lambda n: f"测试服务队{n}")
    search_text = factory.LazyAttribute(lambda o: build_search_text(o.name))


class TeamMembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TeamMembership

    role = TeamRole.MEMBER
