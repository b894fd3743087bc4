"""Inspection 考察 (I1–I9) and deliberation 酝酿 (D1–D3): what was done, by whom, when.

Rows here are written only by inspection.services, each with its entry in the full-process record.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from cadre.models import Cadre, Candidate, Position, Selection

# ---------------------------------------------------------------------------- inspection


class InspectionNotice(models.Model):
    """I1: the inspection notice 考察预告 and the inspection objects' notice, naming the team and a phone."""

    selection = models.ForeignKey(Selection, on_delete=models.PROTECT, related_name="inspection_notices")
    published_on = models.DateField(_("发布日期"))
    team_text = models.CharField(_("考察组人员名单"), max_length=500)
    contact_phone = models.CharField(_("联系电话"), max_length=30)
    text = models.TextField(_("预告内容（含考察对象基本情况）"))
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("考察预告")
        verbose_name_plural = _("考察预告")
        ordering = ["-published_on", "-id"]

    def __str__(self):
        return f"{self.selection} {self.published_on}"


class InspectionTeam(models.Model):
    """I2: the inspection team 考察组 registered with time, place, scope and forum size."""

    selection = models.ForeignKey(Selection, on_delete=models.PROTECT, related_name="inspection_teams")
    name = models.CharField(_("考察组名称"), max_length=100)
    starts_on = models.DateField(_("考察开始日期"))
    ends_on = models.DateField(_("考察结束日期"))
    place = models.CharField(_("考察地点"), max_length=200)
    scope = models.CharField(_("座谈范围"), max_length=500)
    forum_size = models.PositiveIntegerField(_("座谈人数"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("考察组")
        verbose_name_plural = _("考察组")
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gte=F("starts_on")), name="inspection_team_ends_after_start"),
            models.CheckConstraint(condition=Q(forum_size__gt=0), name="inspection_team_forum_size_positive"),
        ]

    def __str__(self):
        return self.name


class InspectionTeamMember(models.Model):
    """A member of a team. `cadre` is who the member is as a cadre, so kinship (I9) can be checked.

    A ForeignKey rather than a OneToOne: the same person sits on many teams over the years.
    """

    team = models.ForeignKey(InspectionTeam, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("成员"), on_delete=models.PROTECT, related_name="+"
    )
    cadre = models.ForeignKey(
        Cadre, verbose_name=_("对应干部"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    is_leader = models.BooleanField(_("组长"), default=False)

    class Meta:
        verbose_name = _("考察组成员")
        verbose_name_plural = _("考察组成员")
        ordering = ["-is_leader", "id"]
        constraints = [
            models.UniqueConstraint(fields=["team", "user"], name="one_membership_per_team"),
            models.UniqueConstraint(fields=["team"], condition=Q(is_leader=True), name="one_leader_per_team"),
        ]

    def __str__(self):
        return self.user.get_username()


class TeamAssignment(models.Model):
    """Which team inspects a candidate: one team per candidate."""

    team = models.ForeignKey(InspectionTeam, on_delete=models.CASCADE, related_name="assignments")
    candidate = models.OneToOneField(Candidate, on_delete=models.PROTECT, related_name="inspection_assignment")

    class Meta:
        verbose_name = _("考察对象分组")
        verbose_name_plural = _("考察对象分组")

    def __str__(self):
        return f"{self.team} → {self.candidate_id}"


class InspectionProcedure(models.Model):
    """I3: a procedure 考察程序 carried out for a candidate."""

    candidate = models.ForeignKey(Candidate, on_delete=models.PROTECT, related_name="inspection_procedures")
    name = models.CharField(_("程序"), max_length=50)
    done_on = models.DateField(_("日期"))
    note = models.TextField(_("情况说明"), blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("考察程序")
        verbose_name_plural = _("考察程序")
        ordering = ["done_on", "id"]

    def __str__(self):
        return f"{self.name} {self.done_on}"


class Talk(models.Model):
    """I4: one individual talk 个别谈话 about a candidate. Confidential: see selectors.talks_for_user."""

    candidate = models.ForeignKey(Candidate, on_delete=models.PROTECT, related_name="inspection_talks")
    interviewee = models.CharField(_("谈话对象"), max_length=50)
    category = models.CharField(_("谈话对象类别"), max_length=50)
    talked_on = models.DateField(_("谈话日期"))
    summary = models.TextField(_("谈话要点"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("谈话记录")
        verbose_name_plural = _("谈话记录")
        ordering = ["talked_on", "id"]

    def __str__(self):
        return f"{self.category} {self.talked_on}"


class Factor(models.TextChoices):
    """I5: the five factors 五项必考要素."""

    POLITICS = "politics", _("思想政治素质")
    ABILITY = "ability", _("工作能力水平")
    PERFORMANCE = "performance", _("工作实绩成效")
    INTEGRITY = "integrity", _("廉洁自律")
    CONDUCT = "conduct", _("群众基础和工作作风")


class FactorGrade(models.TextChoices):
    EXCELLENT = "excellent", _("优秀")
    GOOD = "good", _("良好")
    FAIR = "fair", _("一般")
    POOR = "poor", _("较差")


class FactorAssessment(models.Model):
    """I5: one factor assessed for a candidate; assessing it again replaces the grade (the record keeps both)."""

    candidate = models.ForeignKey(Candidate, on_delete=models.PROTECT, related_name="factor_assessments")
    factor = models.CharField(_("要素"), max_length=20, choices=Factor.choices)
    grade = models.CharField(_("评价等次"), max_length=20, choices=FactorGrade.choices)
    text = models.TextField(_("评价"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("要素评价")
        verbose_name_plural = _("要素评价")
        ordering = ["candidate_id", "id"]
        constraints = [models.UniqueConstraint(fields=["candidate", "factor"], name="one_assessment_per_factor")]

    def __str__(self):
        return f"{self.get_factor_display()}：{self.get_grade_display()}"


class DepartmentOpinion(models.Model):
    """I6: an opinion asked of a department (纪检 always; others by threshold)."""

    candidate = models.ForeignKey(Candidate, on_delete=models.PROTECT, related_name="department_opinions")
    department = models.CharField(_("部门"), max_length=50)
    received_on = models.DateField(_("回复日期"))
    opinion = models.TextField(_("意见"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("部门意见")
        verbose_name_plural = _("部门意见")
        ordering = ["received_on", "id"]

    def __str__(self):
        return f"{self.department} {self.received_on}"


class EconomicAudit(models.Model):
    """I7: a pre-appointment economic-responsibility audit 任前经济责任审计."""

    candidate = models.ForeignKey(Candidate, on_delete=models.PROTECT, related_name="economic_audits")
    auditor = models.CharField(_("审计机关"), max_length=100)
    concluded_on = models.DateField(_("审计结论日期"))
    conclusion = models.TextField(_("审计结论"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("任前审计")
        verbose_name_plural = _("任前审计")
        ordering = ["concluded_on", "id"]

    def __str__(self):
        return f"{self.auditor} {self.concluded_on}"


class InspectionReport(models.Model):
    """I8: the comparative report for one post: compares the candidates, recommends, heard by 部长办公会."""

    selection = models.ForeignKey(Selection, on_delete=models.PROTECT, related_name="inspection_reports")
    position = models.ForeignKey(Position, on_delete=models.PROTECT, related_name="+")
    comparison = models.TextField(_("对比分析"))
    recommendation = models.TextField(_("使用建议"))
    recommended = models.ForeignKey(
        Candidate, verbose_name=_("建议人选"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    heard_on = models.DateField(_("部长办公会听取汇报日期"), null=True, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("考察对比分析报告")
        verbose_name_plural = _("考察对比分析报告")
        constraints = [models.UniqueConstraint(fields=["selection", "position"], name="one_report_per_post")]

    def __str__(self):
        return f"{self.selection_id}/{self.position_id}"


# ---------------------------------------------------------------------------- deliberation


class ConsultationLevel(models.TextChoices):
    """D1: the levels at which candidates are deliberated."""

    MINISTER_MEETING = "minister_meeting", _("部长办公会")
    SECRETARIES_MEETING = "secretaries_meeting", _("书记碰头会")
    UNIT_LEADERS = "unit_leaders", _("单位领导意见")
    DEPARTMENTS = "departments", _("有关部门意见")


class Consultation(models.Model):
    """D1: one consultation 酝酿 about one or more candidates of a selection; D3 when it disagreed."""

    selection = models.ForeignKey(Selection, on_delete=models.PROTECT, related_name="consultations")
    level = models.CharField(_("酝酿层面"), max_length=30, choices=ConsultationLevel.choices)
    held_on = models.DateField(_("日期"))
    participants = models.CharField(_("参加人员"), max_length=500)
    opinions = models.TextField(_("酝酿意见"))
    disagreement = models.BooleanField(_("意见不一致或有重大分歧"), default=False)
    disagreement_text = models.TextField(_("分歧情况"), blank=True)
    candidates = models.ManyToManyField(Candidate, verbose_name=_("涉及人选"), related_name="consultations")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("酝酿记录")
        verbose_name_plural = _("酝酿记录")
        ordering = ["held_on", "id"]

    def __str__(self):
        return f"{self.get_level_display()} {self.held_on}"


class Comparison(models.Model):
    """D2: per post, the candidates compared on five qualities and against the post (人岗相适)."""

    selection = models.ForeignKey(Selection, on_delete=models.PROTECT, related_name="comparisons")
    position = models.ForeignKey(Position, on_delete=models.PROTECT, related_name="+")
    virtue_talent = models.TextField(_("德才素质"))
    performance = models.TextField(_("工作实绩"))
    potential = models.TextField(_("发展潜力"))
    mass_base = models.TextField(_("群众基础"))
    personality = models.TextField(_("个性特征"))
    post_fit = models.TextField(_("人岗相适"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    ASPECTS = ("virtue_talent", "performance", "potential", "mass_base", "personality", "post_fit")

    class Meta:
        verbose_name = _("人选比较")
        verbose_name_plural = _("人选比较")
        constraints = [models.UniqueConstraint(fields=["selection", "position"], name="one_comparison_per_post")]

    def __str__(self):
        return f"{self.selection_id}/{self.position_id}"
