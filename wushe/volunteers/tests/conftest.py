import pytest

from wushe.volunteers.models import TeamRole

from .factories import TeamFactory, TeamMembershipFactory


@pytest.fixture
def team(world):
    """The organization's team in 将台社区; the volunteer persona 王志愿 leads it."""
    team = TeamFactory(name="将台银龄服务队", region=world.community, organization=world.objects["organization"])
    TeamMembershipFactory(team=team, volunteer=world.objects["volunteer"], role=TeamRole.LEADER)
    return team
