from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SupervisionConfig(AppConfig):
    name = "supervision"
    verbose_name = _("公示与监督")

    def ready(self):
        from . import rules  # noqa: F401  (registers P1, P2, P3, A1 and A2 in the rules registry)
