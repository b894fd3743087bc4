from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InspectionConfig(AppConfig):
    name = "inspection"
    verbose_name = _("考察与酝酿")

    def ready(self):
        from . import rules  # noqa: F401  (registers I1–I9 and D1–D3 in the rules registry)
