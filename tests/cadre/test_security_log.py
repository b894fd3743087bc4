"""The security log (cadre.security_log): what is written, that it cannot be changed, who can read it."""

from datetime import date

import pytest
from django.contrib.auth.models import Group
from django.db import DatabaseError, transaction
from guardian.shortcuts import assign_perm, remove_perm
from rest_framework.test import APIClient

from cadre import roles, services
from cadre.models import CalendarDay, CalendarYear, SecurityEvent, Threshold

from ..factories import UserFactory

PASSWORD = "pw-12345678"
pytestmark = pytest.mark.django_db


def kinds(**filters) -> list[str]:
    return list(SecurityEvent.objects.filter(**filters).order_by("id").values_list("kind", flat=True))


def test_sign_in_failure_and_lockout_are_logged(client, staff):
    client.post("/accounts/login/", {"username": staff.username, "password": PASSWORD})
    event = SecurityEvent.objects.get(kind="login")
    assert event.username == staff.username and event.address == "127.0.0.1"
    client.post("/accounts/logout/")
    for _ in range(5):
        APIClient().post("/api/v1/auth/token/", {"username": staff.username, "password": "bad"}, format="json")
    assert kinds(username=staff.username, kind__in=["login", "logout", "login_failed", "locked_out"]) == [
        "login",
        "logout",
    ] + ["login_failed"] * 4 + ["locked_out"]


def test_password_change_is_logged_with_its_actor(client, admin_user, staff):
    client.force_login(admin_user)
    response = client.post(
        f"/admin/auth/user/{staff.pk}/password/",
        {"password1": "Quite-new-pass-7", "password2": "Quite-new-pass-7", "usable_password": "true"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    event = SecurityEvent.objects.filter(kind="password_changed").latest("id")
    assert event.username == staff.username and event.actor == admin_user.username


def test_role_changes_are_logged(staff):
    inspector = Group.objects.get_or_create(name=roles.INSPECTOR)[0]
    staff.groups.add(inspector)
    staff.groups.remove(inspector)
    events = SecurityEvent.objects.filter(kind="roles_changed", username=staff.username).order_by("id")
    assert [e.detail["action"] for e in events][-2:] == ["post_add", "post_remove"]
    assert roles.INSPECTOR in events.reverse()[1].detail["roles"]


def test_new_user_roles_are_logged():
    services.user_create(username="lisi", password="Strong-pass-2026", role_names=[roles.SUPERVISOR])
    event = SecurityEvent.objects.get(kind="roles_changed", username="lisi")
    assert event.detail["roles"] == [roles.SUPERVISOR]


def test_object_permissions_are_logged(selection, other_staff):
    assign_perm(roles.WORK_ON_SELECTION, other_staff, selection)
    remove_perm(roles.WORK_ON_SELECTION, other_staff, selection)
    events = SecurityEvent.objects.filter(kind="permission_changed", username=other_staff.username).order_by("id")
    assert [e.summary.split()[0] for e in events] == ["授予", "撤销"]
    assert events[0].detail["object"] == f"cadre.selection#{selection.pk}"


def test_threshold_and_calendar_changes_are_logged():
    threshold = Threshold.objects.first()
    threshold.save()
    CalendarDay.objects.create(day=date(2031, 1, 2), is_workday=False, note="测试")
    CalendarYear.objects.create(year=2031, complete=False)
    CalendarDay.objects.get(day=date(2031, 1, 2)).delete()
    assert kinds(kind__in=["threshold_changed", "calendar_changed"]) == ["threshold_changed"] + ["calendar_changed"] * 3
    assert SecurityEvent.objects.filter(kind="calendar_changed", detail__deleted=True).count() == 1


def test_log_cannot_be_changed_or_deleted_in_the_database(staff):
    staff.groups.add(Group.objects.get_or_create(name=roles.INSPECTOR)[0])
    assert SecurityEvent.objects.exists()
    with pytest.raises(DatabaseError), transaction.atomic():
        SecurityEvent.objects.update(summary="抹掉")
    with pytest.raises(DatabaseError), transaction.atomic():
        SecurityEvent.objects.all().delete()


def test_admin_shows_the_log_read_only(client, admin_user, staff):
    staff.groups.add(Group.objects.get_or_create(name=roles.INSPECTOR)[0])
    event = SecurityEvent.objects.first()
    client.force_login(admin_user)
    page = client.get("/admin/cadre/securityevent/").content.decode()
    assert "安全审计日志" in page and staff.username in page
    assert client.get("/admin/cadre/securityevent/add/").status_code == 403
    assert client.post(f"/admin/cadre/securityevent/{event.pk}/delete/", {"post": "yes"}).status_code == 403
    client.post(f"/admin/cadre/securityevent/{event.pk}/change/", {"summary": "x"})
    event.refresh_from_db()
    assert event.summary != "x"


def test_supervisors_and_admins_read_the_log_page(client, supervisor, admin_user, staff):
    client.post("/accounts/login/", {"username": staff.username, "password": "bad"})
    for reader in (supervisor, admin_user):
        client.force_login(reader)
        response = client.get("/security-log/?kind=login_failed")
        assert response.status_code == 200
        assert staff.username in response.content.decode() and "登录失败" in response.content.decode()
    client.force_login(staff)
    assert client.get("/security-log/").status_code == 404
    client.force_login(UserFactory(roles=[roles.INSPECTOR]))
    assert client.get("/security-log/").status_code == 404
