"""Motion agenda (M4), nominations (N1), democratic recommendation results (R1, entered twice and
confirmed by a second person) and the 部长办公会 decision on inspection objects (R5)."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from cadre.models import Cadre, Candidate, Position, Selection, Unit


class MotionAgenda(models.Model):
    """M4: the decision item was put on a meeting's agenda before the meeting opened (no 临时动议)."""

    selection = models.ForeignKey(Selection, on_delete=models.PROTECT, related_name="agenda_items")
    meeting_name = models.CharField(_("会议名称"), max_length=200)
    meeting_date = models.DateField(_("会议日期"))
    item = models.TextField(_("议题"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("动议议题")
        verbose_name_plural = _("动议议题")
        ordering = ["meeting_date", "id"]

    def __str__(self):
        return f"{self.meeting_name} {self.meeting_date}"


class NominationSource(models.TextChoices):
    """N1: who may nominate."""

    PLENARY = "plenary", _("全委会")
    STANDING = "standing", _("常委会")
    ORG_DEPT = "org_dept", _("组织部门")
    PARTY_ORG = "party_org", _("基层党组织")
    LEADER = "leader", _("领导干部个人")
    SELF = "self", _("个人自荐")


class Nomination(models.Model):
    """N1: an initial nomination 初始提名 of a candidate. A leader's personal one is signed with reasons."""

    candidate = models.ForeignKey(Candidate, on_delete=models.PROTECT, related_name="nominations")
    source = models.CharField(_("提名来源"), max_length=20, choices=NominationSource.choices)
    nominator = models.CharField(_("提名人/提名单位"), max_length=100)
    reasons = models.TextField(_("提名理由"), blank=True)
    signed_by = models.CharField(_("签名人"), max_length=50, blank=True)
    signed_on = models.DateField(_("签名日期"), null=True, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("初始提名")
        verbose_name_plural = _("初始提名")
        ordering = ["recorded_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(source="leader") | (~Q(signed_by="") & Q(signed_on__isnull=False) & ~Q(reasons="")),
                name="leader_nomination_signed_with_reasons",
            )
        ]

    def __str__(self):
        return f"{self.get_source_display()} {self.nominator}"

    @property
    def problems(self) -> list[str]:
        """Why this nomination does not satisfy N1 (empty: it does)."""
        if self.source not in NominationSource.values:
            return ["提名来源不是规定的来源之一"]
        if not self.nominator.strip():
            return ["未写明提名人或提名单位"]
        if self.source == NominationSource.LEADER:
            missing = []
            if not self.signed_by.strip() or self.signed_on is None:
                missing.append("签名")
            if not self.reasons.strip():
                missing.append("推荐理由")
            if missing:
                return [f"领导干部个人提名缺少{'和'.join(missing)}"]
        return []


class RecommendationMeeting(models.Model):
    """R1: one recommendation (a meeting ballot or individual talks) typed in from paper twice.

    The first staff member enters it (`entered_by`); it counts only once a second, different
    staff member re-entered the same numbers blind and they matched (`confirmed_by`).
    """

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
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("核对确认人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    confirmed_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
    # Counted by an online secret ballot (voting.BallotSession id; nomination does not import voting):
    # the count is the machine's, so no second entry. Such a count is per post.
    ballot_session = models.PositiveIntegerField(_("网上投票编号"), null=True, blank=True, editable=False)
    position = models.ForeignKey(
        Position, verbose_name=_("推荐职位"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("民主推荐")
        verbose_name_plural = _("民主推荐")
        ordering = ["-held_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(present__lte=F("entitled")), name="recommendation_present_le_entitled"),
            models.CheckConstraint(
                condition=Q(confirmed_by__isnull=True)
                | ~Q(confirmed_by=F("entered_by"))
                | Q(ballot_session__isnull=False),
                name="recommendation_confirmed_by_second_person",
            ),
            models.CheckConstraint(
                condition=Q(confirmed_by__isnull=True, confirmed_at__isnull=True)
                | Q(confirmed_by__isnull=False, confirmed_at__isnull=False),
                name="recommendation_confirmation_complete",
            ),
        ]

    def __str__(self):
        return f"{self.unit.name} {self.held_on} {self.get_kind_display()}"

    @property
    def confirmed(self) -> bool:
        return self.confirmed_by_id is not None


class RecommendationResult(models.Model):
    meeting = models.ForeignKey(RecommendationMeeting, on_delete=models.CASCADE, related_name="results")
    cadre = models.ForeignKey(Cadre, on_delete=models.PROTECT, related_name="recommendation_results")
    votes = models.PositiveIntegerField(_("得票数"))
    rank = models.PositiveIntegerField(_("名次"))

    class Meta:
        verbose_name = _("推荐得票")
        verbose_name_plural = _("推荐得票")
        ordering = ["rank"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "cadre"], name="one_result_per_cadre_per_meeting"),
            models.CheckConstraint(condition=Q(rank__gte=1), name="recommendation_rank_positive"),
        ]

    def __str__(self):
        return f"{self.cadre.name} {self.votes}"


class InspectionDecision(models.Model):
    """R5: the 部长办公会 decides the inspection objects, with reasons (not by votes alone)."""

    selection = models.ForeignKey(Selection, on_delete=models.PROTECT, related_name="inspection_decisions")
    meeting_date = models.DateField(_("部长办公会日期"))
    reasons = models.TextField(_("研究意见和理由"))
    candidates = models.ManyToManyField(
        Candidate, verbose_name=_("确定的考察对象"), related_name="inspection_decisions"
    )
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("确定考察对象")
        verbose_name_plural = _("确定考察对象")
        ordering = ["-meeting_date", "-id"]

    def __str__(self):
        return f"部长办公会 {self.meeting_date}"
