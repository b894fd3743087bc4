from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NominationConfig(AppConfig):
    name = "nomination"
    verbose_name = _("动议、提名与民主推荐")

    def ready(self):
        from . import rules  # noqa: F401  (registers M*, N*, R* and E* in the rules registry)
