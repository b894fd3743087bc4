"""Production is safe by construction: demo data refused, demo passwords fail the deploy check, CSP
without inline script, Permissions-Policy, Chinese error pages, 401 for the API; NUL filters; assign errors."""

import re
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.test import Client, override_settings
from rest_framework.test import APIClient

from cadre import checks, roles, services
from cadre.management.commands.load_demo import PASSWORD as DEMO_PASSWORD

from ..factories import UserFactory

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
pytestmark = pytest.mark.django_db


def test_load_demo_refuses_in_production(settings):
    from cadre.models import Unit

    settings.PRODUCTION = True
    with pytest.raises(CommandError, match="DJANGO_ENV=production"):
        call_command("load_demo")
    assert not Unit.objects.exists()


def test_deploy_check_fails_on_a_demo_password(settings):
    user = UserFactory()
    assert checks.demo_passwords(None) == []
    user.set_password(DEMO_PASSWORD)
    user.save()
    settings.PRODUCTION = True
    errors = checks.demo_passwords(None)
    assert [e.id for e in errors] == ["cadre.E004"] and user.username in errors[0].msg
    settings.PRODUCTION = False
    assert [e.id for e in checks.demo_passwords(None)] == ["cadre.W004"]
    user.is_active = False
    user.save()
    assert checks.demo_passwords(None) == []


def test_deploy_check_is_registered_for_deploy():
    from django.core.checks.registry import registry

    assert checks.demo_passwords in registry.get_checks(include_deployment_checks=True)
    assert checks.demo_passwords not in registry.get_checks(include_deployment_checks=False)


# ---------------------------------------------------------------------------- headers and pages


def test_pages_carry_csp_without_unsafe_inline_script_and_permissions_policy(client, staff):
    client.force_login(staff)
    response = client.get("/")
    csp = response["Content-Security-Policy"]
    script_src = re.search(r"script-src ([^;]*)", csp).group(1)
    assert "'self'" in script_src and "unsafe-inline" not in script_src and "unsafe-eval" not in script_src
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp and "object-src 'none'" in csp
    assert "camera=()" in response["Permissions-Policy"] and "geolocation=()" in response["Permissions-Policy"]


def test_templates_have_no_inline_script_or_handler():
    offenders = []
    for path in TEMPLATES.rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        if re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text) and "_pdf" not in path.name:
            offenders.append(f"{path.name}: inline <script>")
        if re.search(r"\son[a-z]+=", text) or "javascript:" in text:
            offenders.append(f"{path.name}: handler")
    assert offenders == []


def test_moved_scripts_are_served(client, staff):
    for name in ("page.js", "home-charts.js", "ballot-code.js", "ballot-bulletin.js", "ballot-form.js"):
        assert client.get(f"/static/js/{name}").status_code == 200


@override_settings(DEBUG=False)
def test_error_pages_are_chinese_without_debug_information(client, staff):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    page = response.content.decode()
    assert "页面不存在" in page and "Traceback" not in page and "urlpatterns" not in page.lower()
    # A bad Host header (DisallowedHost) is a 400 with our page.
    response = client.get("/", HTTP_HOST="evil.example")
    assert response.status_code == 400 and "请求有误" in response.content.decode()


@override_settings(DEBUG=False)
def test_500_page_is_chinese(client):
    from django.test import RequestFactory
    from django.views.defaults import server_error

    response = server_error(RequestFactory().get("/"))
    assert response.status_code == 500 and "系统错误" in response.content.decode()


def test_403_pages_are_chinese():
    from django.template.loader import render_to_string

    assert "无权访问" in render_to_string("403.html")
    assert "请求已过期" in render_to_string("403_csrf.html")


def test_csrf_failure_page_is_chinese(staff):
    client = Client(enforce_csrf_checks=True)
    client.force_login(staff)
    response = client.post("/accounts/logout/")
    assert response.status_code == 403
    page = response.content.decode()
    assert "请求已过期" in page and "CSRF" not in page


# ---------------------------------------------------------------------------- API: 401


def test_api_without_credentials_is_401_with_www_authenticate():
    response = APIClient().get("/api/v1/selections/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert response.json()["detail"]


def test_api_with_a_bad_token_is_401():
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token nope")
    assert client.get("/api/v1/selections/").status_code == 401


def test_api_signed_in_but_not_allowed_is_still_403(staff):
    client = APIClient()
    client.force_authenticate(staff)
    assert client.post("/api/v1/units/", {"name": "x"}, format="json").status_code == 403


# ---------------------------------------------------------------------------- NUL in filters


@pytest.mark.parametrize(
    "url", ["/api/v1/candidates/?stage=%00", "/api/v1/candidates/?selection=1%00", "/api/v1/cadres/?q=%00"]
)
def test_nul_in_api_filters_is_400(staff, url):
    client = APIClient()
    client.force_authenticate(staff)
    response = client.get(url)
    assert response.status_code == 400
    assert "空字符" in str(response.json()["errors"])


def test_nul_in_page_filters_is_dropped(client, staff, candidate):
    client.force_login(staff)
    for url in ("/cadres/options/?q=%00", "/cadres/?q=%00", "/security-log/?username=%00", "/selections/?stage=%00"):
        assert client.get(url).status_code in (200, 404), url  # 404: the security log is not staff's
    assert client.get("/cadres/options/?q=%00").content == client.get("/cadres/options/?q=").content


# ---------------------------------------------------------------------------- assign reveals nothing


def test_assign_answers_alike_for_missing_user_and_wrong_role(staff, selection):
    client = APIClient()
    client.force_authenticate(staff)
    url = f"/api/v1/selections/{selection.pk}/assign/"
    inspector = UserFactory(roles=[roles.INSPECTOR])
    inactive = UserFactory(roles=[roles.ORG_STAFF], is_active=False)
    answers = [client.post(url, {"user": pk}, format="json") for pk in (999999, inspector.pk, inactive.pk)]
    assert {a.status_code for a in answers} == {400}
    assert len({a.content for a in answers}) == 1
    colleague = UserFactory(roles=[roles.ORG_STAFF])
    assert client.post(url, {"user": colleague.pk}, format="json").status_code == 204


def test_assign_by_someone_not_allowed_to_assign_is_403_whatever_the_id(selection, other_staff):
    client = APIClient()
    client.force_authenticate(UserFactory(roles=[roles.ADMIN]))
    admin_answer = client.post(f"/api/v1/selections/{selection.pk}/assign/", {"user": 999999}, format="json")
    assert admin_answer.status_code == 400
    supervisor = UserFactory(roles=[roles.SUPERVISOR])  # sees the selection, may not assign
    client.force_authenticate(supervisor)
    codes = {
        client.post(f"/api/v1/selections/{selection.pk}/assign/", {"user": pk}, format="json").status_code
        for pk in (999999, other_staff.pk)
    }
    assert codes == {403}


def test_selection_assign_service_still_refuses_wrong_role(staff, selection):
    from cadre.errors import InvalidInput

    with pytest.raises(InvalidInput):
        services.selection_assign(actor=staff, selection=selection, user=UserFactory(roles=[roles.INSPECTOR]))
