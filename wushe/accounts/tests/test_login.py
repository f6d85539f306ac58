import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from wushe.accounts.validators import CharacterClassValidator
from wushe.testing.personas import PASSWORD

pytestmark = pytest.mark.django_db


def test_login_by_phone_number(world):
    client = Client()
    response = client.post(reverse("accounts:login"), {"username": "13800000005", "password": PASSWORD})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(world.community_staff.pk)


def test_login_by_username(world):
    client = Client()
    response = client.post(reverse("accounts:login"), {"username": "community_staff", "password": PASSWORD})
    assert response.status_code == 302


def test_wrong_password_shows_translated_error(world):
    response = Client().post(reverse("accounts:login"), {"username": "community_staff", "password": "nope"})
    assert response.status_code == 200
    assert "密码不正确" in response.content.decode()


def test_lockout_after_repeated_failures(world, settings):
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 3
    client = Client()
    for _ in range(3):
        client.post(reverse("accounts:login"), {"username": "community_staff", "password": "wrong"})
    response = client.post(reverse("accounts:login"), {"username": "community_staff", "password": PASSWORD})
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_weak_password_is_refused():
    with pytest.raises(ValidationError):
        CharacterClassValidator().validate("abcdefghij")
    CharacterClassValidator().validate("Abcdefgh12")


def test_anonymous_is_sent_to_login(db):
    response = Client().get(reverse("core:home"))
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]


def test_session_expiry_settings(settings):
    assert settings.SESSION_COOKIE_AGE <= 12 * 3600 and settings.SESSION_SAVE_EVERY_REQUEST


def test_profile_creates_token_shown_once(client_for, world):
    client = client_for("street_officer")
    response = client.post(reverse("accounts:profile"), {"name": "脚本"})
    key = response.context["new_key"]
    assert key.startswith("wst_")
    assert key not in client.get(reverse("accounts:profile")).content.decode()
    api = Client(HTTP_AUTHORIZATION=f"Bearer {key}")
    assert api.get("/api/v1/regions/").status_code == 200
