"""System checks: the rules registry matches DOMAIN.md's catalog; the database role (deploy)."""

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
