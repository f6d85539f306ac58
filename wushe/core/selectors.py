from django.utils.translation import gettext_lazy as _

from wushe.accounts.policy import Resource, may_ever, restrict


def home_counts(user) -> list[dict]:
    """Counts on the home page: only what the viewer may see."""
    from wushe.orgs.models import Organization
    from wushe.people.models import Resident
    from wushe.volunteers.models import Volunteer
    from wushe.workforce.models import SocialWorker

    tiles = [
        (Resource.RESIDENT, Resident, _("居民")),
        (Resource.ORGANIZATION, Organization, _("组织")),
        (Resource.SOCIAL_WORKER, SocialWorker, _("社工")),
        (Resource.VOLUNTEER, Volunteer, _("志愿者")),
    ]
    return [
        {"label": label, "count": restrict(user, resource, model.objects.active()).count()}
        for resource, model, label in tiles
        if may_ever(user, resource)
    ]
