"""System checks: the rules registry matches DOMAIN.md's catalog."""

from django.core import checks

from . import rules


@checks.register()
def rules_registry(app_configs, **kwargs):
    errors = []
    for rule_id in rules.duplicates():
        errors.append(checks.Error(f"Rule {rule_id} is registered more than once.", id="cadre.E001"))
    for rule_id in rules.registered():
        if rule_id not in rules.CATALOG:
            errors.append(checks.Error(f"Rule {rule_id} is not in DOMAIN.md's catalog.", id="cadre.E002"))
    return errors
