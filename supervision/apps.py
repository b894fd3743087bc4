from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SupervisionConfig(AppConfig):
    name = "supervision"
    verbose_name = _("公示与监督")

    def ready(self):
        from cadre import effects

        from . import rules  # noqa: F401  (registers P1, P2, P3, A1 and A2 in the rules registry)
        from .archive import archive_request

        # A4: an appointed candidate's 记实表 is archived in the background, once per candidate.
        @effects.after("appoint")
        def archive_when_appointed(*, candidate, actor):
            archive_request(candidate_id=candidate.pk, on_appointment=True)
