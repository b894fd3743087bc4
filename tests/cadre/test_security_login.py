"""Sign-in limits (cadre.auth, django-axes): per account, per address, 429 in Chinese with Retry-After."""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from axes.utils import reset
from django.db.models import F
from rest_framework.test import APIClient

from cadre.models import SecurityEvent

PASSWORD = "pw-12345678"  # tests/factories.py
LOGIN = "/accounts/login/"
TOKEN = "/api/v1/auth/token/"

pytestmark = pytest.mark.django_db


def _login(client, username, password):
    return client.post(LOGIN, {"username": username, "password": password})


def _token(username, password, address="127.0.0.1"):
    return APIClient(REMOTE_ADDR=address).post(TOKEN, {"username": username, "password": password}, format="json")


def _fail_five(post, username):
    return [post(username, "wrong-password").status_code for _ in range(5)]


def test_login_page_locks_account_after_five_failures_even_with_right_password(client, staff):
    codes = _fail_five(lambda u, p: _login(client, u, p), staff.username)
    assert codes[:4] == [200] * 4 and codes[4] == 429
    response = _login(client, staff.username, PASSWORD)
    assert response.status_code == 429
    assert int(response["Retry-After"]) >= 15 * 60
    page = response.content.decode()
    assert "登录已暂时锁定" in page and "15 分钟" in page
    assert "_auth_user_id" not in client.session


def test_token_endpoint_locks_account_with_json_429(staff):
    codes = _fail_five(_token, staff.username)
    assert codes[:4] == [400] * 4 and codes[4] == 429
    response = _token(staff.username, PASSWORD)
    assert response.status_code == 429
    assert int(response["Retry-After"]) >= 15 * 60
    assert "锁定" in response.json()["detail"]
    assert "token" not in response.json()


def test_failures_on_login_page_and_token_endpoint_add_up(client, staff):
    for _ in range(3):
        _login(client, staff.username, "wrong-password")
    for _ in range(2):
        _token(staff.username, "wrong-password")
    assert _token(staff.username, PASSWORD).status_code == 429


def test_account_lock_holds_from_another_address(staff):
    _fail_five(_token, staff.username)
    assert _token(staff.username, PASSWORD, address="10.0.0.9").status_code == 429


def test_another_account_from_the_same_address_is_not_locked(client, staff, other_staff):
    _fail_five(lambda u, p: _login(client, u, p), staff.username)
    assert _login(client, other_staff.username, PASSWORD).status_code == 302
    assert _token(other_staff.username, PASSWORD).status_code == 200


def test_address_is_locked_after_fifty_failures_for_any_accounts(staff, settings):
    assert settings.LOGIN_ADDRESS_FAILURE_LIMIT == 50
    # 49 failures for 49 names from one address (rows as axes writes them), then one more.
    AccessAttempt.objects.bulk_create(
        AccessAttempt(
            username=f"guess{i}",
            ip_address="127.0.0.1",
            user_agent="",
            get_data="",
            post_data="",
            http_accept="",
            path_info=TOKEN,
            failures_since_start=1,
        )
        for i in range(49)
    )
    assert _token(staff.username, PASSWORD).status_code == 200  # 49: not yet
    assert _token("guess-50", "x").status_code == 429  # the 50th failure locks the address
    assert _token(staff.username, PASSWORD).status_code == 429
    assert _token(staff.username, PASSWORD, address="10.0.0.9").status_code == 200  # the account is not locked


def test_lock_ends_after_the_window(client, staff):
    _fail_five(lambda u, p: _login(client, u, p), staff.username)
    assert _login(client, staff.username, PASSWORD).status_code == 429
    # 16 minutes later (the attempts as axes would find them then):
    AccessAttempt.objects.update(attempt_time=F("attempt_time") - timedelta(minutes=16))
    assert _login(client, staff.username, PASSWORD).status_code == 302


def test_admin_lifts_the_lock(client, staff):
    _fail_five(_token, staff.username)
    assert _token(staff.username, PASSWORD).status_code == 429
    reset(username=staff.username)  # what 管理 → 登录失败记录 → 删除 does
    assert _token(staff.username, PASSWORD).status_code == 200


def test_admin_page_lists_and_deletes_attempts_in_chinese(client, staff, admin_user):
    _fail_five(_token, staff.username)
    client.force_login(admin_user)
    page = client.get("/admin/axes/accessattempt/").content.decode()
    assert staff.username in page and "登录失败记录" in page
    attempt = AccessAttempt.objects.get(username=staff.username)
    response = client.post(f"/admin/axes/accessattempt/{attempt.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not AccessAttempt.objects.exists()
    assert SecurityEvent.objects.filter(kind="lock_lifted", username=staff.username, actor=admin_user.username).exists()
    assert _token(staff.username, PASSWORD).status_code == 200
