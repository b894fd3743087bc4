"""Democratic recommendation 民主推荐 results (R1), the data R2 and R3 rest on."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from cadre.models import Cadre, Selection, Unit


class RecommendationMeeting(models.Model):
    class Kind(models.TextChoices):
        MEETING = "meeting", _("会议推荐")
        TALK = "talk", _("个别谈话推荐")

    selection = models.ForeignKey(Selection, on_delete=models.PROTECT, related_name="recommendation_meetings")
    unit = models.ForeignKey(Unit, verbose_name=_("推荐单位"), on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("方式"), max_length=10, choices=Kind.choices, default=Kind.MEETING)
    held_on = models.DateField(_("推荐日期"))
    entitled = models.PositiveIntegerField(_("应参加人数"))
    present = models.PositiveIntegerField(_("实参加人数"))
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("民主推荐")
        verbose_name_plural = _("民主推荐")
        ordering = ["-held_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(present__lte=F("entitled")), name="recommendation_present_le_entitled"),
        ]

    def __str__(self):
        return f"{self.unit.name} {self.held_on} {self.get_kind_display()}"


class RecommendationResult(models.Model):
    meeting = models.ForeignKey(RecommendationMeeting, on_delete=models.CASCADE, related_name="results")
    cadre = models.ForeignKey(Cadre, on_delete=models.PROTECT, related_name="recommendation_results")
    votes = models.PositiveIntegerField(_("得票数"))
    rank = models.PositiveIntegerField(_("名次"))

    class Meta:
        verbose_name = _("推荐得票")
        verbose_name_plural = _("推荐得票")
        ordering = ["rank"]
        constraints = [models.UniqueConstraint(fields=["meeting", "cadre"], name="one_result_per_cadre_per_meeting")]
