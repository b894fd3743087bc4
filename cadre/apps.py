from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CadreConfig(AppConfig):
    name = "cadre"
    verbose_name = _("干部与选任")

    def ready(self):
        from . import (
            checks,  # noqa: F401  (registers the system checks)
            citations,  # noqa: F401  (forgets cached rule sources when they change)
            people,
            permission_names,
            security_log,
        )

        security_log.connect()
        people.connect()  # forgets cached full names when a user changes
        permission_names.connect()  # Django's "Can add …" permissions under Chinese names
