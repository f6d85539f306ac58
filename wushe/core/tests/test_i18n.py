import pytest
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_chinese_is_the_default_language(db):
    body = Client().get(reverse("accounts:login")).content.decode()
    assert 'lang="zh-hans"' in body and "登录五社联动平台" in body


def test_english_is_switchable(db):
    client = Client()
    response = client.post(reverse("set_language"), {"language": "en", "next": reverse("accounts:login")})
    assert response.status_code == 302
    body = client.get(reverse("accounts:login")).content.decode()
    assert 'lang="en"' in body
    assert "登录五社联动平台" not in body


def test_api_errors_follow_the_language(db):
    response = Client(HTTP_ACCEPT_LANGUAGE="en").get("/api/v1/regions/")
    message = response.json()["error"]["message"]
    assert message and "登录" not in message


def test_pages_load_no_asset_from_the_internet(client_for):
    body = client_for("community_staff").get(reverse("core:home")).content.decode()
    assert "http://" not in body.replace("http://testserver", "") and "https://" not in body


def test_language_switcher_names_each_language_in_itself(db):
    body = Client().get(reverse("accounts:login")).content.decode()
    assert ">English</button>" in body and ">简体中文</button>" in body


def test_api_docs_load_swagger_from_local_static_files(client_for):
    body = client_for("admin").get("/api/v1/docs").content.decode()
    assert "swagger-ui-bundle.js" in body
    assert "cdn" not in body.lower() and "https://" not in body
