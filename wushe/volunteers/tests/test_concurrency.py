import threading

import pytest
from django.db import connection

from wushe.volunteers import services
from wushe.volunteers.models import Volunteer


@pytest.mark.django_db(transaction=True)
def test_concurrent_registrations_in_one_region_get_distinct_numbers(world):
    """Two desks registering at the same moment must not compute the same next number."""
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def register(name):
        try:
            barrier.wait(timeout=10)
            services.volunteer_create(actor=world.community_staff, region=world.community, name=name)
        except BaseException as error:  # noqa: BLE001 - reported by the assertion below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=register, args=(name,)) for name in ("甲", "乙")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    numbers = sorted(Volunteer.objects.filter(name__in=["甲", "乙"]).values_list("volunteer_number", flat=True))
    assert numbers == [f"V{world.community.code}0001", f"V{world.community.code}0002"]
