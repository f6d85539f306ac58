"""factory_boy factories for the workforce app (synthetic data only: Faker zh_CN)."""

import datetime

import factory
from faker import Faker

from wushe.core.text import build_search_text
from wushe.workforce.models import CertificateLevel, Placement, SocialWorker

fake = Faker("zh_CN")

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def citizen_id(birth: datetime.date, sequence: int = 123, area: str = "110105") -> str:
    """A valid (synthetic) GB 11643 number: odd sequence → male, even → female."""
    body = f"{area}{birth:%Y%m%d}{sequence:03d}"
    check = "10X98765432"[sum(int(d) * w for d, w in zip(body, WEIGHTS, strict=True)) % 11]
    return body + check


class SocialWorkerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SocialWorker
        skip_postgeneration_save = True

    name = factory.LazyFunction(fake.name)
    placement = Placement.COMMUNITY_WORKER
    certificate_level = CertificateLevel.NONE
    search_text = factory.LazyAttribute(lambda o: build_search_text(o.name, o.certificate_number))

    class Params:
        certified = factory.Trait(
            certificate_level=CertificateLevel.ASSISTANT,
            certificate_number=factory.Sequence(lambda n: f"ZS{2020000 + n}"),
            certified_on=datetime.date(2021, 6, 1),
        )

    @factory.post_generation
    def communities(self, create, extracted, **kwargs):
        if create and extracted:
            self.communities.add(*extracted)
