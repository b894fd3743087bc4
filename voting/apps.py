from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VotingConfig(AppConfig):
    name = "voting"
    verbose_name = _("投票")

    def ready(self):
        from . import rules  # noqa: F401  (registers V1, V3, V4, V6 and V7 in the rules registry)
