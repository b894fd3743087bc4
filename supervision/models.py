"""Publicity 任前公示 (P1, P3), complaints 举报 (P2), and appointment 任职 (A1, A2)."""

import secrets

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from cadre.models import Candidate

DEFAULT_ISSUER = "中共××县委组织部"
# An unambiguous alphabet (no 0/O, 1/I/L): 12 characters of 31 symbols ≈ 59 bits, unguessable.
REFERENCE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
REFERENCE_LENGTH = 12


def default_issuer() -> str:
    """The notice's issuing authority 落款: settings.PUBLICITY_ISSUER (each county sets its own)."""
    return getattr(settings, "PUBLICITY_ISSUER", "") or DEFAULT_ISSUER


def new_reference() -> str:
    return "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(REFERENCE_LENGTH))


class Publicity(models.Model):
    """One public notice of a candidate: its period (P1) and what it says (P3). Written once."""

    candidate = models.ForeignKey(Candidate, on_delete=models.PROTECT, related_name="publicities")
    starts_on = models.DateField(_("公示开始日期"))
    ends_on = models.DateField(_("公示结束日期"))
    working_days = models.PositiveSmallIntegerField(_("公示工作日数"))
    phone = models.CharField(_("举报电话"), max_length=100)
    letter = models.CharField(_("来信地址"), max_length=300)
    online = models.CharField(_("网上举报地址"), max_length=300)
    notice_text = models.TextField(_("公示内容"))
    issuer = models.CharField(
        _("发布机关（落款）"), max_length=100, default=default_issuer, help_text=_("默认取自设置 PUBLICITY_ISSUER")
    )
    published_at = models.DateTimeField(_("发布时间"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("任前公示")
        verbose_name_plural = _("任前公示")
        ordering = ["-starts_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gte=F("starts_on")), name="publicity_ends_after_start"),
        ]

    def __str__(self):
        return f"{self.candidate.cadre.name} {self.starts_on:%Y-%m-%d}—{self.ends_on:%Y-%m-%d}"

    def channels_missing(self) -> list[str]:
        fields = ("phone", "letter", "online")
        return [str(self._meta.get_field(f).verbose_name) for f in fields if not getattr(self, f)]


class Complaint(models.Model):
    """举报 about a candidate (S3, P2): investigated and concluded before appointment.

    Filed by staff (a letter, a visit, a phone call: `created_by` is the clerk) or by anyone on the
    public notice page (`created_by` is null, channel online). The workflow is
    received 已登记 → assigned 已交办 (to a named investigator) → investigating 调查核实中 → concluded
    已办结 with an outcome; each step is a service in supervision.services and a record entry.
    The complainant's name and phone stay in this table only, never in the record or the logs.
    """

    class Channel(models.TextChoices):
        LETTER = "letter", _("来信来访")
        PHONE = "phone", _("电话")
        ONLINE = "online", _("网络")

    class Category(models.TextChoices):
        """S3 (`001` 三(三)2), codes as ../shared/API.md `public/complaints/`."""

        CANVASSING_BRIBERY = "canvassing_bribery", _("拉票贿选")
        BUYING_POSTS = "buying_posts", _("买官卖官")
        SEEKING_POSTS = "seeking_posts", _("跑官要官")
        IRREGULAR_APPOINTMENT = "irregular_appointment", _("违规用人")
        ELECTION_INTERFERENCE = "election_interference", _("干扰换届")
        PROMOTED_WITH_PROBLEMS = "promoted_with_problems", _("带病提拔")
        RUSH_PROMOTION = "rush_promotion", _("突击提拔")
        OTHER = "other", _("其他")

    class Status(models.TextChoices):
        RECEIVED = "received", _("已登记")
        ASSIGNED = "assigned", _("已交办")
        INVESTIGATING = "investigating", _("调查核实中")
        CONCLUDED = "concluded", _("已办结")

    class Outcome(models.TextChoices):
        SUBSTANTIATED = "substantiated", _("属实")
        PARTLY = "partly", _("部分属实")
        UNSUBSTANTIATED = "unsubstantiated", _("不属实")

    # P2: which outcomes stop the appointment (`substantiated` is True for them). Partly
    # substantiated counts: what was found true is a problem found true — 001 三(三)4 “经查核违纪、
    # 违规、失职选人用人属实的……该处理的处理”, and 000 二 “有信访未查清的不批”; staff then decide
    # (the candidate stays suspended / cannot be appointed until they withdraw or otherwise resolve).
    STOPPING = (Outcome.SUBSTANTIATED, Outcome.PARTLY)

    candidate = models.ForeignKey(Candidate, on_delete=models.PROTECT, related_name="complaints")
    # null only for rows older than migration 0004 filled them; the services always set one.
    reference = models.CharField(  # noqa: DJ001  (unique, so '' cannot stand for "none")
        _("查询编号"), max_length=REFERENCE_LENGTH, unique=True, null=True, editable=False
    )
    received_on = models.DateField(_("受理日期"))
    channel = models.CharField(_("举报方式"), max_length=10, choices=Channel.choices)
    category = models.CharField(_("反映问题类别"), max_length=30, choices=Category.choices, default=Category.OTHER)
    real_name = models.BooleanField(_("实名举报"), default=False)
    complainant_name = models.CharField(_("举报人姓名"), max_length=50, blank=True)
    complainant_phone = models.CharField(_("举报人电话"), max_length=30, blank=True)
    clear_lead = models.BooleanField(_("线索清楚"), default=False, help_text=_("写明了何人、何时、何事"))
    text = models.TextField(_("举报内容"))
    status = models.CharField(_("办理状态"), max_length=20, choices=Status.choices, default=Status.RECEIVED)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("承办人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assigned_complaints",
    )
    assigned_at = models.DateTimeField(_("交办时间"), null=True, blank=True)
    outcome = models.CharField(_("核查结果"), max_length=20, choices=Outcome.choices, blank=True)
    substantiated = models.BooleanField(_("反映问题属实"), default=False)  # outcome in STOPPING (P2 reads it)
    conclusion = models.TextField(_("核查结论"), blank=True)
    concluded_on = models.DateField(_("办结日期"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )  # null: filed by the public online
    created_at = models.DateTimeField(_("录入时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("举报")
        verbose_name_plural = _("举报")
        ordering = ["-received_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="concluded") | Q(substantiated=False), name="complaint_substantiated_only_concluded"
            ),
            models.CheckConstraint(
                condition=Q(real_name=True) | (Q(complainant_name="") & Q(complainant_phone="")),
                name="complaint_contact_only_real_name",
            ),
        ]
        indexes = [models.Index(fields=["received_on"], name="complaint_received_on")]

    def __str__(self):
        return f"举报第 {self.pk} 号（{self.candidate.cadre.name}）"

    @property
    def public(self) -> bool:
        return self.created_by_id is None


class PreAppointmentTalk(models.Model):
    """A1: 任前谈话."""

    candidate = models.ForeignKey(Candidate, on_delete=models.PROTECT, related_name="pre_appointment_talks")
    talked_on = models.DateField(_("谈话日期"))
    talked_by = models.CharField(_("谈话人"), max_length=200)
    summary = models.TextField(_("谈话要点"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("录入时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("任前谈话")
        verbose_name_plural = _("任前谈话")
        ordering = ["-talked_on", "-id"]

    def __str__(self):
        return f"{self.candidate.cadre.name} 任前谈话 {self.talked_on:%Y-%m-%d}"


class Appointment(models.Model):
    """The appointment document 任职文件 (A2 document number, probation end for the newly promoted)."""

    candidate = models.OneToOneField(Candidate, on_delete=models.PROTECT, related_name="appointment")
    document_number = models.CharField(_("任职文号"), max_length=100)
    effective_on = models.DateField(_("任职日期"))
    promotion = models.BooleanField(_("新提拔"), default=False)
    probation_ends_on = models.DateField(_("试用期满日期"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("录入时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("任职")
        verbose_name_plural = _("任职")
        ordering = ["-effective_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(promotion=False) | Q(probation_ends_on__isnull=False),
                name="appointment_promotion_probation",
            ),
        ]

    def __str__(self):
        return f"{self.candidate.cadre.name} {self.document_number}"


class HolidayNotice(models.Model):
    """P1: the State Council's holiday notice of one year as an administrator pasted it, and what
    supervision.holiday_notice read from it. Confirming it writes the days into the working-day
    calendar (cadre.CalendarDay) and marks the year's schedule complete (cadre.CalendarYear)."""

    year = models.PositiveSmallIntegerField(_("年度"))
    title = models.CharField(_("通知标题"), max_length=200)
    text = models.TextField(_("通知全文"))
    holidays = models.JSONField(_("放假日期"), default=list)  # [{"day": "2027-01-01", "name": "元旦"}]
    workdays = models.JSONField(_("调休上班日期"), default=list)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("录入时间"), auto_now_add=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    confirmed_at = models.DateTimeField(_("确认时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("节假日安排通知")
        verbose_name_plural = _("节假日安排通知")
        ordering = ["-year", "-id"]

    def __str__(self):
        return f"{self.title}（{'已确认' if self.confirmed_at else '待确认'}）"


class RecordArchive(models.Model):
    """A4: the 全程记实表 of one candidate as a PDF (supervision.archive), for one chain head.

    The record says so too: a FACT `archive_pdf` entry holds the PDF's SHA-256 and the head it
    shows. One archive per head (`head_hash`): archiving again with nothing new stores nothing."""

    candidate = models.ForeignKey(Candidate, verbose_name=_("人选"), on_delete=models.PROTECT, related_name="archives")
    head_seq = models.PositiveIntegerField(_("末条序号"))
    head_hash = models.CharField(_("链头哈希"), max_length=64)
    checkpoint_root = models.CharField(_("最近检查点根哈希"), max_length=64, blank=True)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    pdf = models.BinaryField(_("PDF"))
    size = models.PositiveIntegerField(_("大小（字节）"))
    created_at = models.DateTimeField(_("归档时间"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("提交人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("全程记实表归档")
        verbose_name_plural = _("全程记实表归档")
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["candidate", "head_hash"], name="one_archive_per_head")]

    def __str__(self):
        return f"{self.candidate_id}#{self.head_seq} {self.sha256[:12]}"
