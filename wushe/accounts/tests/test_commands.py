import pytest
from django.core.management import CommandError, call_command

from wushe.accounts.models import ApiToken
from wushe.accounts.policy import roles_of
from wushe.accounts.roles import Role
from wushe.accounts.services import api_token_authenticate

pytestmark = pytest.mark.django_db


def test_create_api_token_prints_a_working_token(world, capsys):
    call_command("create_api_token", "street_officer")
    key = capsys.readouterr().out.strip()
    assert api_token_authenticate(key) == world.street_officer
    assert ApiToken.objects.get(user=world.street_officer).key_hash != key


def test_create_api_token_for_unknown_user_fails(world):
    with pytest.raises(CommandError, match="用户不存在"):
        call_command("create_api_token", "nobody")


def test_revoked_token_no_longer_authenticates(api_for, world):
    client = api_for("street_officer")
    ApiToken.objects.filter(user=world.street_officer).update(revoked_at="2026-01-01T00:00:00Z")
    assert client.get("/api/v1/regions/").status_code == 401


def test_assign_role_over_region(world):
    call_command("assign_role", "resident", "community_staff", "--region", world.community.code)
    world.resident.__dict__.pop("_wushe_assignments", None)
    assert Role.COMMUNITY_STAFF in roles_of(world.resident)


def test_assign_region_role_without_region_fails(world):
    with pytest.raises(CommandError, match="区划"):
        call_command("assign_role", "resident", "street_officer")
