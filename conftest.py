import pytest
from django.test import Client

from wushe.testing.personas import build_world


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _no_axes_lockout_between_tests(settings):
    settings.AXES_ENABLED = False


@pytest.fixture
def world(db):
    """Regions and one user per role (see wushe/testing/personas.py)."""
    return build_world()


@pytest.fixture
def client_for(world):
    """client_for("community_staff") → a Django test client logged in as that persona."""

    def make(persona: str) -> Client:
        client = Client()
        client.force_login(world.users[persona])
        return client

    return make


@pytest.fixture
def api_for(world):
    """api_for("street_officer") → a client sending that persona's personal API token."""
    from wushe.accounts.services import api_token_create

    def make(persona: str) -> Client:
        _token, key = api_token_create(actor=None, user=world.users[persona], name="test")
        return Client(HTTP_AUTHORIZATION=f"Bearer {key}")

    return make


@pytest.fixture
def phone_pages(live_server):
    """A factory of phone-sized Chromium pages against the live server (wushe/testing/browser.py)."""
    from wushe.testing.browser import phone_browser

    with phone_browser(live_server.url) as new_page:
        yield new_page


@pytest.fixture
def phone_page(phone_pages):
    return phone_pages()
