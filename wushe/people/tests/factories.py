"""factory_boy factories for residents and households (synthetic data only: Faker zh_CN, fake numbers).

    ResidentFactory(region=world.community)                 # valid, unique citizen ID derived fields
    ResidentFactory(region=world.community, groups=["empty_nest_elderly"])
    HouseholdFactory(region=world.community, members=[resident_a, resident_b], head=resident_a)

Rows are written straight to the database (with `search_text` filled) for test set-up; code under test
goes through wushe.people.services.
"""

import datetime

import factory
from factory.django import DjangoModelFactory
from stdnum.cn import ric

from wushe.core.identity import DocumentType, Sex
from wushe.core.text import build_search_text
from wushe.people.models import Household, PopulationGroup, Resident
from wushe.regions.models import Level, Region


def citizen_id(sequence: int, *, birth_date: datetime.date | None = None, female: bool | None = None,
               area: str = "110105") -> str:
    """A GB 11643 number with a correct check digit; distinct sequences give distinct numbers (the first
    25,000; up to 500 per explicit birth date). The 17th digit is odd for men, even for women."""
    birth_date = birth_date or datetime.date(1940, 1, 1) + datetime.timedelta(days=(sequence * 37) % 25000)
    parity = sequence % 2 if female is None else (0 if female else 1)
    serial = (sequence % 500) * 2 + parity
    body = f"{area}{birth_date:%Y%m%d}{serial:03d}"
    return body + ric.calc_check_digit(body + "0")  # stdnum expects a placeholder check digit


def default_community() -> Region:
    """Any community-level region, or a stand-alone one when the test has none."""
    region = Region.objects.filter(level=Level.COMMUNITY, revoked_on__isnull=True).order_by("code").first()
    if region is None:
        region = Region.objects.create(code="110105099001", name="测试社区", level=Level.COMMUNITY)
    return region


class _SearchTextMixin:
    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        obj = model_class(*args, **kwargs)
        obj.search_text = build_search_text(*obj.searchable_values())
        obj.save()
        return obj


class HouseholdFactory(_SearchTextMixin, DjangoModelFactory):
    class Meta:
        model = Household
        skip_postgeneration_save = True

    region = factory.LazyFunction(default_community)
    name = factory.Faker("name", locale="zh_CN")
    address = factory.Faker("street_address", locale="zh_CN")

    @factory.post_generation
    def members(self, create, extracted, **kwargs):
        if create and extracted:
            Resident.objects.filter(pk__in=[r.pk for r in extracted]).update(household=self)
            for resident in extracted:
                resident.household = self

    @factory.post_generation
    def head_member(self, create, extracted, **kwargs):
        if create and self.head_id:
            Resident.objects.filter(pk=self.head_id).update(household=self)


class ResidentFactory(_SearchTextMixin, DjangoModelFactory):
    class Meta:
        model = Resident
        skip_postgeneration_save = True

    region = factory.LazyFunction(default_community)
    name = factory.Faker("name", locale="zh_CN")
    document_type = DocumentType.RESIDENT_ID
    id_number = factory.Sequence(citizen_id)
    phone = factory.Sequence(lambda n: f"139{n % 100000000:08d}")
    address = factory.Faker("street_address", locale="zh_CN")

    @factory.lazy_attribute
    def birth_date(self):
        return ric.get_birth_date(self.id_number) if self.id_number and self.document_type == "ric" else None

    @factory.lazy_attribute
    def sex(self):
        if self.id_number and self.document_type == "ric":
            return Sex.MALE if int(self.id_number[16]) % 2 else Sex.FEMALE
        return Sex.UNKNOWN

    @factory.post_generation
    def groups(self, create, extracted, **kwargs):
        """groups=["empty_nest_elderly", ...] (codes) or PopulationGroup objects."""
        if create and extracted:
            codes = [g for g in extracted if isinstance(g, str)]
            objects = [g for g in extracted if not isinstance(g, str)]
            self.groups.set(objects + list(PopulationGroup.objects.filter(code__in=codes)))
