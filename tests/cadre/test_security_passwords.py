"""Passwords (validators on every path), sessions (idle and absolute limits), API tokens (expiry, revocation)."""

import time
from datetime import timedelta

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from cadre.middleware import LOGIN_AT, SEEN_AT
from cadre.models import SecurityEvent
from cadre.passwords import CharacterClassValidator

PASSWORD = "pw-12345678"  # tests/factories.py
TOKEN = "/api/v1/auth/token/"

pytestmark = pytest.mark.django_db


# ---------------------------------------------------------------------------- passwords


@pytest.mark.parametrize(
    "password", ["password", "11111111", "Password1", "abcdefghij", "qwertyuiop12", "zhangsan-2024"]
)
def test_weak_passwords_are_refused(password):
    from django.contrib.auth.models import User

    with pytest.raises(ValidationError):
        validate_password(password, user=User(username="zhangsan"))


@pytest.mark.parametrize("password", ["Xk7#pq2-Lm", "county-Gate-42", "绿水青山Ab3!xyzw"])
def test_strong_passwords_are_accepted(password):
    from django.contrib.auth.models import User

    validate_password(password, user=User(username="zhangsan"))


def test_character_class_message_is_chinese():
    with pytest.raises(ValidationError) as exc:
        CharacterClassValidator(min_classes=3).validate("abcdefghijk")
    assert "大写字母、小写字母、数字、符号中的 3 类" in exc.value.messages[0]


def test_adduser_refuses_weak_passwords():
    from django.contrib.auth.models import User

    for weak in ("a", "password", "11111111"):
        with pytest.raises(CommandError, match="密码不符合要求"):
            call_command("adduser", "wangwu", "--role", "org_staff", "--password", weak)
    assert not User.objects.filter(username="wangwu").exists()
    call_command("adduser", "wangwu", "--role", "org_staff", "--password", "Strong-pass-2026")
    assert User.objects.get(username="wangwu").check_password("Strong-pass-2026")


def test_password_change_page_applies_the_validators(client, staff):
    client.force_login(staff)
    response = client.post(
        "/accounts/password_change/",
        {"old_password": PASSWORD, "new_password1": "11111111", "new_password2": "11111111"},
    )
    assert response.status_code == 200  # the form again, with the errors
    staff.refresh_from_db()
    assert staff.check_password(PASSWORD)


# ---------------------------------------------------------------------------- sessions


def test_session_limits_default_to_thirty_minutes_idle_and_twelve_hours(settings):
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    assert settings.SESSION_ABSOLUTE_SECONDS == 12 * 3600


def _signed_in(client, user):
    assert client.post("/accounts/login/", {"username": user.username, "password": PASSWORD}).status_code == 302
    return client


def _age(client, key, seconds):
    session = client.session
    session[key] = session[key] - seconds
    session.save()


def test_session_ends_after_thirty_idle_minutes(client, staff):
    _signed_in(client, staff)
    _age(client, SEEN_AT, 30 * 60 + 1)
    response = client.get("/")
    assert response.status_code == 302 and response.url.startswith("/accounts/login/")


def test_activity_renews_the_idle_limit(client, staff):
    _signed_in(client, staff)
    _age(client, SEEN_AT, 29 * 60)
    assert client.get("/").status_code == 200  # renewed: seen now, the cookie's expiry restarts
    assert abs(client.session[SEEN_AT] - time.time()) < 60
    assert client.cookies["sessionid"]["max-age"] == 30 * 60
    _age(client, SEEN_AT, 29 * 60)
    assert client.get("/").status_code == 200


def test_a_request_within_a_minute_does_not_write_the_session(client, staff):
    _signed_in(client, staff)
    before = client.session[SEEN_AT]
    client.get("/")
    assert client.session[SEEN_AT] == before


def test_session_ends_after_the_absolute_limit(client, staff):
    assert client.post("/accounts/login/", {"username": staff.username, "password": PASSWORD}).status_code == 302
    assert client.get("/").status_code == 200
    assert abs(client.session[LOGIN_AT] - time.time()) < 60
    session = client.session
    session[LOGIN_AT] = time.time() - 12 * 3600 - 1  # signed in 12 hours ago, active all the time
    session.save()
    response = client.get("/")
    assert response.status_code == 302 and response.url.startswith("/accounts/login/")
    assert "_auth_user_id" not in client.session


def test_session_within_the_absolute_limit_stays(client, staff):
    client.post("/accounts/login/", {"username": staff.username, "password": PASSWORD})
    session = client.session
    session[LOGIN_AT] = time.time() - 11 * 3600
    session.save()
    assert client.get("/").status_code == 200


def test_session_limits_come_from_the_environment(monkeypatch):
    import importlib

    import config.settings as module

    monkeypatch.setenv("SESSION_IDLE_MINUTES", "10")
    monkeypatch.setenv("SESSION_ABSOLUTE_HOURS", "8")
    monkeypatch.setenv("API_TOKEN_HOURS", "9")
    try:
        reloaded = importlib.reload(module)
        assert reloaded.SESSION_COOKIE_AGE == 600
        assert reloaded.SESSION_ABSOLUTE_SECONDS == 8 * 3600
        assert reloaded.API_TOKEN_SECONDS == 9 * 3600
    finally:
        monkeypatch.undo()
        importlib.reload(module)


# ---------------------------------------------------------------------------- API tokens


def _token(user) -> str:
    response = APIClient().post(TOKEN, {"username": user.username, "password": PASSWORD}, format="json")
    assert response.status_code == 200
    return response.json()["token"]


def _me(key):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client.get("/api/v1/selections/")


def test_token_expires(staff, settings):
    key = _token(staff)
    assert _me(key).status_code == 200
    Token.objects.filter(key=key).update(created=timezone.now() - timedelta(seconds=settings.API_TOKEN_SECONDS + 1))
    response = _me(key)
    assert response.status_code == 401
    assert "过期" in response.json()["detail"]
    new = _token(staff)  # a new one is issued
    assert new != key and _me(new).status_code == 200


def test_token_is_revoked_by_a_password_change(staff):
    key = _token(staff)
    staff.set_password("Another-pass-2026")
    staff.save()
    assert _me(key).status_code == 401
    assert SecurityEvent.objects.filter(kind="password_changed", username=staff.username).exists()


def test_token_is_revoked_by_its_user_with_delete(staff):
    key = _token(staff)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert client.delete(TOKEN).status_code == 204
    assert _me(key).status_code == 401
    assert SecurityEvent.objects.filter(kind="token_revoked", username=staff.username).exists()


def test_token_delete_without_credentials_is_401():
    response = APIClient().delete(TOKEN)
    assert response.status_code == 401
