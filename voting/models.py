"""The committee decision 讨论决定: its meeting, agenda, counted results (V1-V9) and briefs (V7).

A meeting held on paper: one clerk enters each candidate's counts (VoteResultEntry), a second clerk
re-enters them blind, and only matching numbers become the VoteResult. An online session's close writes
the VoteResult from the ballots. A result, once recorded, is never changed (V9): no update path in
services, views or admin, and a trigger (migration 0004) refuses UPDATE/DELETE on PostgreSQL.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from cadre.models import Cadre, Candidate, Selection


class DecisionMeeting(models.Model):
    """A committee meeting 常委会/全委会 that decides candidates of one selection."""

    selection = models.ForeignKey(Selection, on_delete=models.PROTECT, related_name="decision_meetings")
    held_on = models.DateField(_("会议日期"))
    title = models.CharField(_("会议名称"), max_length=200)
    entitled = models.PositiveIntegerField(_("应到会人数"))
    present = models.PositiveIntegerField(_("实到会人数"), null=True, blank=True)
    opened_at = models.DateTimeField(_("开会时间"), null=True, blank=True)
    second_vote_of = models.OneToOneField(
        "self",
        verbose_name=_("再次票决的原会议"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="second_vote",
        help_text=_("V5：原会议票决未通过（票数相同或无人过半），会议决定再次票决"),
    )
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
    # A paper result counts once a second clerk re-entered it blind; null when counted from online ballots.
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("核对确认人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("票决结果")
        verbose_name_plural = _("票决结果")
        ordering = ["meeting_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "candidate"], name="one_vote_result_per_candidate"),
            models.CheckConstraint(
                condition=Q(confirmed_by__isnull=True) | ~Q(confirmed_by=F("entered_by")),
                name="vote_result_confirmed_by_second_clerk",
            ),
        ]

    def __str__(self):
        return f"{self.candidate} 赞成{self.approve} 不赞成{self.disapprove} 弃权{self.abstain}"

    @property
    def cast(self) -> int:
        return self.approve + self.disapprove + self.abstain


class VoteResultEntry(models.Model):
    """The first entry of a paper result. It counts only when a second clerk re-enters the same numbers
    blind (then it becomes a VoteResult and this row goes); until then it may be withdrawn."""

    meeting = models.ForeignKey(DecisionMeeting, on_delete=models.PROTECT, related_name="entries")
    candidate = models.ForeignKey(Candidate, on_delete=models.PROTECT, related_name="+")
    approve = models.PositiveIntegerField(_("赞成票"))
    disapprove = models.PositiveIntegerField(_("不赞成票"))
    abstain = models.PositiveIntegerField(_("弃权票"))
    recused = models.PositiveIntegerField(_("回避人数"), default=0)
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    entered_at = models.DateTimeField(_("录入时间"), auto_now_add=True)

    COUNTS = ("approve", "disapprove", "abstain", "recused")

    class Meta:
        verbose_name = _("票决结果（待核对）")
        verbose_name_plural = _("票决结果（待核对）")
        ordering = ["meeting_id", "id"]
        constraints = [models.UniqueConstraint(fields=["meeting", "candidate"], name="one_vote_entry_per_candidate")]

    def __str__(self):
        return f"{self.candidate}（待核对）"


class FrozenApprovalForm(models.Model):
    """The candidate's 干部任免审批表 (.lrmx) as it stood when the committee's result was recorded: later edits
    of the cadre never change what was decided on. Its SHA-256 is in the `decision_result` record entry
    (`approval_form_sha256`)."""

    candidate = models.ForeignKey(Candidate, on_delete=models.PROTECT, related_name="+")
    meeting = models.ForeignKey(DecisionMeeting, on_delete=models.PROTECT, related_name="+")
    data = models.BinaryField(_("任免审批表（.lrmx）"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    frozen_at = models.DateTimeField(_("形成时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("票决时的任免审批表")
        verbose_name_plural = _("票决时的任免审批表")
        constraints = [models.UniqueConstraint(fields=["candidate", "meeting"], name="one_frozen_form_per_vote")]

    def __str__(self):
        return f"{self.candidate_id}@{self.meeting_id} {self.sha256[:12]}"


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


# ---------------------------------------------------------------------------- online secret ballots (V1-V10)
#
# Secrecy by construction (V2): who has voted (Participation) and which codes exist (BallotCode) are
# stored apart from the ballots. A Ballot row has a random UUID key, its session, its choices and a
# random receipt: no foreign key to a user or a code, no address, no user agent, no timestamp, and
# it is listed by receipt, never in casting order. One ballot per voter / code: the Participation
# row (unique) is written in the same transaction as the Ballot. Triggers (migration 0002_ballots)
# refuse UPDATE/DELETE/TRUNCATE of ballots and participation, and any change to a closed session (V9).


class MemberCadre(models.Model):
    """A committee member's own cadre record: V8 reads the cadres' kinships through it."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name=_("用户"), on_delete=models.CASCADE, related_name="member_cadre"
    )
    cadre = models.ForeignKey("cadre.Cadre", verbose_name=_("本人干部信息"), on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("委员本人干部信息")
        verbose_name_plural = _("委员本人干部信息")

    def __str__(self):
        return f"{self.user} = {self.cadre}"


class BallotSession(models.Model):
    """One online vote: a committee decision 票决, a recommendation 会议推荐 or an evaluation 民主测评."""

    class Kind(models.TextChoices):
        DECISION = "decision", _("讨论决定票决")
        RECOMMENDATION = "recommendation", _("会议推荐")
        EVALUATION = "evaluation", _("民主测评")

    class Status(models.TextChoices):
        DRAFT = "draft", _("未开始")
        OPEN = "open", _("投票中")
        CLOSED = "closed", _("已结束")

    class Body(models.TextChoices):
        STANDING = "standing", _("常委会")
        PLENARY = "plenary", _("全委会")

    kind = models.CharField(_("类别"), max_length=20, choices=Kind.choices)
    title = models.CharField(_("名称"), max_length=200)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    selection = models.ForeignKey(
        Selection, verbose_name=_("选任工作"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    meeting = models.ForeignKey(
        DecisionMeeting,
        verbose_name=_("讨论决定会议"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    positions = models.ManyToManyField("cadre.Position", verbose_name=_("推荐职位"), blank=True, related_name="+")
    # A recommendation is held in one unit (R3 reads "own unit"); an evaluation is of one year (E2).
    unit = models.ForeignKey(
        "cadre.Unit", verbose_name=_("推荐单位"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveSmallIntegerField(_("测评年度"), null=True, blank=True)
    body = models.CharField(_("表决机构"), max_length=10, choices=Body.choices, blank=True)
    entitled = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("应到会成员"), blank=True, related_name="ballot_sessions_entitled"
    )
    present = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("实到会成员"), blank=True, related_name="ballot_sessions_present"
    )
    codes_issued = models.PositiveIntegerField(_("发放投票码数"), default=0)
    second_vote_of = models.OneToOneField(
        "self",
        verbose_name=_("再次票决于"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="second_vote",
    )
    opened_at = models.DateTimeField(_("开始投票时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("结束投票时间"), null=True, blank=True)
    result = models.JSONField(_("计票结果"), null=True, blank=True)
    bulletin_root = models.CharField(_("公告板根哈希"), max_length=64, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("投票")
        verbose_name_plural = _("投票")
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind="decision") | Q(meeting__isnull=False), name="ballot_decision_has_meeting"
            ),
        ]

    def __str__(self):
        return self.title

    @property
    def uses_codes(self) -> bool:
        return self.kind != self.Kind.DECISION


class BallotItem(models.Model):
    """What is voted on: a candidate (decision), a post with its eligible cadres (recommendation), a cadre
    (evaluation)."""

    session = models.ForeignKey(BallotSession, on_delete=models.PROTECT, related_name="items")
    candidate = models.ForeignKey(Candidate, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    position = models.ForeignKey("cadre.Position", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    cadre = models.ForeignKey("cadre.Cadre", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    options = models.ManyToManyField("cadre.Cadre", blank=True, related_name="+")
    vacancies = models.PositiveIntegerField(_("可推荐人数"), default=1)

    class Meta:
        verbose_name = _("投票事项")
        verbose_name_plural = _("投票事项")
        ordering = ["id"]

    def __str__(self):
        return f"{self.session_id}#{self.pk}"


class BallotRecusal(models.Model):
    """V8: a member recused from one item, recorded by staff (kinships recuse by themselves)."""

    item = models.ForeignKey(BallotItem, on_delete=models.PROTECT, related_name="recusals")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(_("回避理由"), max_length=200)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("回避")
        verbose_name_plural = _("回避")
        constraints = [models.UniqueConstraint(fields=["item", "user"], name="ballot_one_recusal_per_member")]

    def __str__(self):
        return f"{self.item_id} 回避 {self.user_id}"


class BallotCode(models.Model):
    """A one-time code: only its sha256 is stored; the plain code is shown once, when issued."""

    session = models.ForeignKey(BallotSession, on_delete=models.PROTECT, related_name="codes")
    digest = models.CharField(_("投票码摘要"), max_length=64, unique=True)
    used = models.BooleanField(_("已使用"), default=False)

    class Meta:
        verbose_name = _("投票码")
        verbose_name_plural = _("投票码")

    def __str__(self):
        return f"{self.session_id} 投票码" + ("（已使用）" if self.used else "")


class BallotParticipation(models.Model):
    """Who has voted (a member) or which code was used: never which ballot is theirs."""

    session = models.ForeignKey(BallotSession, on_delete=models.PROTECT, related_name="participations")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    code = models.OneToOneField(BallotCode, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("投票参与")
        verbose_name_plural = _("投票参与")
        constraints = [
            models.UniqueConstraint(fields=["session", "user"], name="ballot_one_participation_per_member"),
            models.CheckConstraint(
                condition=Q(user__isnull=True, code__isnull=False) | Q(user__isnull=False, code__isnull=True),
                name="ballot_participation_user_xor_code",
            ),
        ]

    def __str__(self):
        return f"{self.session_id} 已投票"


class Ballot(models.Model):
    """One secret ballot. Deliberately nothing but its session, its choices and its receipt."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    session = models.ForeignKey(BallotSession, on_delete=models.PROTECT, related_name="ballots")
    choices = models.JSONField(_("选择"))
    receipt = models.CharField(_("回执"), max_length=32, unique=True)

    class Meta:
        verbose_name = _("选票")
        verbose_name_plural = _("选票")
        ordering = ["receipt"]

    def __str__(self):
        return self.receipt


class PaperEvaluation(models.Model):
    """民主测评 held on paper (E2's input): one year's counts for the cadres on one tally sheet. A first
    entry counts for nothing until a different clerk re-enters every number blind; equal numbers write
    each cadre's Evaluation (as a closed online evaluation ballot does), different ones are refused."""

    title = models.CharField(_("测评名称"), max_length=200)
    year = models.PositiveSmallIntegerField(_("测评年度"))
    ballots = models.PositiveIntegerField(_("收回测评票数"))
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    entered_at = models.DateTimeField(_("录入时间"), auto_now_add=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("核对确认人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    confirmed_at = models.DateTimeField(_("确认时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("纸质民主测评")
        verbose_name_plural = _("纸质民主测评")
        ordering = ["-entered_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(ballots__gt=0), name="paper_evaluation_ballots_positive"),
            models.CheckConstraint(
                condition=Q(confirmed_by__isnull=True) | ~Q(confirmed_by=F("entered_by")),
                name="paper_evaluation_second_clerk",
            ),
        ]

    def __str__(self):
        return f"{self.year} {self.title}"

    @property
    def confirmed(self) -> bool:
        return self.confirmed_by_id is not None


class PaperEvaluationRow(models.Model):
    """One cadre's four counts in the first entry of a paper evaluation (in the sheet's order)."""

    evaluation = models.ForeignKey(PaperEvaluation, on_delete=models.CASCADE, related_name="rows")
    cadre = models.ForeignKey(Cadre, verbose_name=_("干部"), on_delete=models.PROTECT, related_name="+")
    excellent = models.PositiveIntegerField(_("优秀票"))
    competent = models.PositiveIntegerField(_("称职票"))
    basically_competent = models.PositiveIntegerField(_("基本称职票"))
    incompetent = models.PositiveIntegerField(_("不称职票"))

    COUNTS = ("excellent", "competent", "basically_competent", "incompetent")

    class Meta:
        verbose_name = _("纸质民主测评票数")
        verbose_name_plural = _("纸质民主测评票数")
        ordering = ["evaluation_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["evaluation", "cadre"], name="paper_evaluation_one_row_per_cadre")
        ]

    def __str__(self):
        return f"{self.cadre_id} {self.evaluation_id}"
