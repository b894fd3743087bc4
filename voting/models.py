"""The committee decision 讨论决定: its meeting, agenda, counted results (V1-V9) and briefs (V7).

Until the online ballot exists, staff enter the result counted from the paper ballots. A result,
once recorded, is never changed (V9): there is no update path in services, views or admin.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from cadre.models import Candidate, Selection


class DecisionMeeting(models.Model):
    """A committee meeting 常委会/全委会 that decides candidates of one selection."""

    selection = models.ForeignKey(Selection, on_delete=models.PROTECT, related_name="decision_meetings")
    held_on = models.DateField(_("会议日期"))
    title = models.CharField(_("会议名称"), max_length=200)
    entitled = models.PositiveIntegerField(_("应到会人数"))
    present = models.PositiveIntegerField(_("实到会人数"), null=True, blank=True)
    opened_at = models.DateTimeField(_("开会时间"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("讨论决定会议")
        verbose_name_plural = _("讨论决定会议")
        ordering = ["-held_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(entitled__gt=0), name="decision_entitled_positive"),
            models.CheckConstraint(
                condition=Q(present__isnull=True) | Q(present__lte=F("entitled")), name="decision_present_le_entitled"
            ),
        ]

    def __str__(self):
        return f"{self.held_on:%Y-%m-%d} {self.title}"

    @property
    def is_open(self) -> bool:
        return self.opened_at is not None


class AgendaItem(models.Model):
    """M4: a candidate to be decided is put on the agenda before the meeting opens."""

    meeting = models.ForeignKey(DecisionMeeting, on_delete=models.PROTECT, related_name="agenda")
    candidate = models.ForeignKey(Candidate, on_delete=models.PROTECT, related_name="agenda_items")
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    added_at = models.DateTimeField(_("列入议题时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("会议议题")
        verbose_name_plural = _("会议议题")
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["meeting", "candidate"], name="one_agenda_item_per_candidate")]

    def __str__(self):
        return f"{self.meeting}：{self.candidate}"


class VoteResult(models.Model):
    """The counted result of one candidate's vote in one meeting (V3, V6, V8). Never changed (V9)."""

    meeting = models.ForeignKey(DecisionMeeting, on_delete=models.PROTECT, related_name="results")
    candidate = models.ForeignKey(Candidate, on_delete=models.PROTECT, related_name="vote_results")
    approve = models.PositiveIntegerField(_("赞成票"))
    disapprove = models.PositiveIntegerField(_("不赞成票"))
    abstain = models.PositiveIntegerField(_("弃权票"))
    recused = models.PositiveIntegerField(_("回避人数"), default=0)
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    entered_at = models.DateTimeField(_("录入时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("票决结果")
        verbose_name_plural = _("票决结果")
        ordering = ["meeting_id", "id"]
        constraints = [models.UniqueConstraint(fields=["meeting", "candidate"], name="one_vote_result_per_candidate")]

    def __str__(self):
        return f"{self.candidate} 赞成{self.approve} 不赞成{self.disapprove} 弃权{self.abstain}"

    @property
    def cast(self) -> int:
        return self.approve + self.disapprove + self.abstain


class Brief(models.Model):
    """V7: 任职推荐材料, given to the members before they vote."""

    candidate = models.OneToOneField(Candidate, on_delete=models.PROTECT, related_name="brief")
    recommendation = models.TextField(_("推荐情况"))
    evaluation = models.TextField(_("考察评价"))
    traits = models.TextField(_("主要特点"))
    shortcomings = models.TextField(_("主要不足"))
    reasons = models.TextField(_("拟任理由"))
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    FIELDS = ("recommendation", "evaluation", "traits", "shortcomings", "reasons")

    class Meta:
        verbose_name = _("任职推荐材料")
        verbose_name_plural = _("任职推荐材料")

    def __str__(self):
        return f"{self.candidate} 任职推荐材料"

    def missing(self) -> list[str]:
        return [str(self._meta.get_field(f).verbose_name) for f in self.FIELDS if not getattr(self, f).strip()]
