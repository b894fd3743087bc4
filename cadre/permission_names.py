"""Django's four model permissions under Chinese names (issue #11).

Django names them "Can add 选任工作" when it creates them after `migrate`; the admin's user and group
pages, guardian's pages and the security log then show English. After every `migrate` each such
default name becomes 可增加选任工作 / 可修改… / 可删除… / 可查看… — a name an administrator changed
is left alone. Custom permissions carry their Chinese names in their models' `Meta.permissions`.
"""

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, router
from django.utils import translation

ACTIONS = {"add": "可增加", "change": "可修改", "delete": "可删除", "view": "可查看"}


def rename(app_config, *, using: str = DEFAULT_DB_ALIAS) -> int:
    """Rename the default permissions of one app still under Django's English names; returns how many."""
    from django.contrib.auth.models import Permission

    if not router.allow_migrate_model(using, Permission):
        return 0
    english = {}  # (model, codename) -> (Django's prefix, the Chinese name)
    for model in app_config.get_models():
        opts = model._meta
        with translation.override(settings.LANGUAGE_CODE):
            name = str(opts.verbose_name)  # third-party models: their own Chinese catalog (日志记录)
        for action, chinese in ACTIONS.items():
            if action in opts.default_permissions:
                english[(opts.model_name, f"{action}_{opts.model_name}")] = (f"Can {action} ", f"{chinese}{name}"[:255])
    if not english:
        return 0
    found = (
        Permission.objects.using(using)
        .filter(content_type__app_label=app_config.label, name__startswith="Can ")
        .select_related("content_type")
    )
    changed = []
    for permission in found:
        # Django's name is "Can <action> <verbose name at creation>"; a name someone chose stays.
        prefix, new = english.get((permission.content_type.model, permission.codename), ("", ""))
        if new and permission.name.startswith(prefix):
            permission.name = new
            changed.append(permission)
    Permission.objects.using(using).bulk_update(changed, ["name"])
    return len(changed)


def _migrated(sender, using=DEFAULT_DB_ALIAS, **kwargs):
    # `sender` is the app just migrated; auth's own receiver, connected before this one (auth is
    # ready first), has just created its permissions.
    rename(sender, using=using)


def connect() -> None:
    """Called from `CadreConfig.ready()`."""
    from django.db.models.signals import post_migrate

    post_migrate.connect(_migrated, dispatch_uid="cadre.permission_names")
