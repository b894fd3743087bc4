"""System checks: the rules registry matches DOMAIN.md's catalog; the database role and demo passwords (deploy)."""

from django.conf import settings
from django.core import checks
from django.db import DatabaseError

from . import dbrole, rules


@checks.register()
def rules_registry(app_configs, **kwargs):
    errors = []
    for rule_id in rules.duplicates():
        errors.append(checks.Error(f"Rule {rule_id} is registered more than once.", id="cadre.E001"))
    for rule_id in rules.registered():
        if rule_id not in rules.CATALOG:
            errors.append(checks.Error(f"Rule {rule_id} is not in DOMAIN.md's catalog.", id="cadre.E002"))
    return errors


@checks.register(checks.Tags.security, deploy=True)
def database_role(app_configs, **kwargs):
    """S1: in production the application connects as a role that cannot disable the record's guards."""
    try:
        found = dbrole.problems()
    except DatabaseError:
        return []
    level = checks.Error if settings.PRODUCTION else checks.Warning
    hint = "按 README“生产部署”一节创建应用角色并运行 python manage.py db_grant_app ROLE；迁移以所有者身份运行"
    return [level(problem, hint=hint, id="cadre.E003" if settings.PRODUCTION else "cadre.W003") for problem in found]


DEMO_PASSWORDS = ("demo-12345",)  # cadre/management/commands/load_demo.py PASSWORD


@checks.register(checks.Tags.security, deploy=True)
def demo_passwords(app_configs, **kwargs):
    """No active account signs in with a published demo password (load_demo's): an Error in production.

    One hash per active account (never saved back: no setter), so it takes a moment with PBKDF2."""
    from django.contrib.auth.hashers import check_password
    from django.contrib.auth.models import User

    try:
        users = list(User.objects.filter(is_active=True).only("username", "password"))
    except DatabaseError:
        return []
    found = sorted(u.username for u in users if any(check_password(p, u.password) for p in DEMO_PASSWORDS))
    if not found:
        return []
    level = checks.Error if settings.PRODUCTION else checks.Warning
    return [
        level(
            f"以下启用的账号仍使用演示密码：{'、'.join(found)}",
            hint="用 python manage.py changepassword 用户名 修改密码，或在管理后台停用这些账号",
            id="cadre.E004" if settings.PRODUCTION else "cadre.W004",
        )
    ]
