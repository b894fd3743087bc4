"""Publicity 任前公示 (P1, P3), complaints 举报 (P2), and appointment 任职 (A1, A2)."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from cadre.models import Candidate


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
    """举报 about a candidate (S3, P2): investigated and concluded before appointment."""

    class Channel(models.TextChoices):
        LETTER = "letter", _("来信来访")
        PHONE = "phone", _("电话")
        ONLINE = "online", _("网络")

    class Status(models.TextChoices):
        RECEIVED = "received", _("已受理")
        INVESTIGATING = "investigating", _("调查核实中")
        CONCLUDED = "concluded", _("已办结")

    candidate = models.ForeignKey(Candidate, on_delete=models.PROTECT, related_name="complaints")
    received_on = models.DateField(_("受理日期"))
    channel = models.CharField(_("举报方式"), max_length=10, choices=Channel.choices)
    real_name = models.BooleanField(_("实名举报"), default=False)
    text = models.TextField(_("举报内容"))
    status = models.CharField(_("办理状态"), max_length=20, choices=Status.choices, default=Status.RECEIVED)
    substantiated = models.BooleanField(_("反映问题属实"), default=False)
    conclusion = models.TextField(_("核查结论"), blank=True)
    concluded_on = models.DateField(_("办结日期"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("录入时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("举报")
        verbose_name_plural = _("举报")
        ordering = ["-received_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="concluded") | Q(substantiated=False), name="complaint_substantiated_only_concluded"
            ),
        ]

    def __str__(self):
        return f"举报第 {self.pk} 号（{self.candidate.cadre.name}）"


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
