"""The spine: units, positions, cadres and their facts, selections, candidates, the record."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_fsm import RETURN_VALUE, ConcurrentTransitionMixin, FSMField, transition

# ---------------------------------------------------------------------------- people and places


class Unit(models.Model):
    name = models.CharField(_("名称"), max_length=100)
    parent = models.ForeignKey(
        "self", verbose_name=_("上级单位"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    under_restructuring = models.BooleanField(_("机构变动中"), default=False)
    secretary_transferring = models.BooleanField(_("书记即将调动"), default=False)

    class Meta:
        verbose_name = _("单位")
        verbose_name_plural = _("单位")
        ordering = ["id"]

    def __str__(self):
        return self.name


class Level(models.TextChoices):
    # Ordered from the highest; LEVEL_RANK below gives the order used to tell a promotion.
    DEPT_CHIEF = "dept_chief", _("正处")
    DEPT_DEPUTY = "dept_deputy", _("副处")
    SECTION_CHIEF = "section_chief", _("正科")
    SECTION_DEPUTY = "section_deputy", _("副科")
    STAFF = "staff", _("股级")


LEVEL_RANK = {
    Level.STAFF: 1,
    Level.SECTION_DEPUTY: 2,
    Level.SECTION_CHIEF: 3,
    Level.DEPT_DEPUTY: 4,
    Level.DEPT_CHIEF: 5,
}


class Position(models.Model):
    unit = models.ForeignKey(Unit, verbose_name=_("单位"), on_delete=models.PROTECT, related_name="positions")
    title = models.CharField(_("职务名称"), max_length=100)
    level = models.CharField(_("职级"), max_length=20, choices=Level.choices)
    is_chief = models.BooleanField(_("党政正职"), default=False)
    is_key_post = models.BooleanField(_("关键岗位"), default=False)
    requires_audit = models.BooleanField(_("需任前审计"), default=False)
    quota = models.PositiveSmallIntegerField(_("职数"), default=1)

    class Meta:
        verbose_name = _("职位")
        verbose_name_plural = _("职位")
        ordering = ["unit_id", "id"]

    def __str__(self):
        return f"{self.unit.name}{self.title}"


class Education(models.TextChoices):
    SECONDARY = "secondary", _("中专及以下")
    ASSOCIATE = "associate", _("大专")
    BACHELOR = "bachelor", _("大学本科")
    MASTER = "master", _("硕士研究生")
    DOCTOR = "doctor", _("博士研究生")


EDUCATION_RANK = {e: i for i, e in enumerate(Education.values)}


class Gender(models.TextChoices):
    MALE = "M", _("男")
    FEMALE = "F", _("女")


class PersonalReportStatus(models.TextChoices):
    UNCHECKED = "unchecked", _("未查核")
    CHECKED = "checked", _("已查核无问题")
    CONCEALED = "concealed", _("查核发现隐瞒")


class Cadre(models.Model):
    name = models.CharField(_("姓名"), max_length=50)
    id_number = models.CharField(_("身份证号"), max_length=18, blank=True)
    gender = models.CharField(_("性别"), max_length=1, choices=Gender.choices)
    ethnicity = models.CharField(_("民族"), max_length=20, default="汉族")
    hometown = models.CharField(_("成长地"), max_length=100, blank=True)
    native_place = models.CharField(_("籍贯"), max_length=100, blank=True)
    birthplace = models.CharField(_("出生地"), max_length=100, blank=True)
    health = models.CharField(_("健康状况"), max_length=50, blank=True, default="健康")
    professional_title = models.CharField(_("专业技术职务"), max_length=100, blank=True)
    specialty = models.CharField(_("熟悉专业有何专长"), max_length=200, blank=True)
    education = models.CharField(_("学历"), max_length=20, choices=Education.choices)
    birth_date = models.DateField(_("出生日期"))
    party_date = models.DateField(_("入党时间"), null=True, blank=True)
    work_start_date = models.DateField(_("参加工作时间"))
    unit = models.ForeignKey(Unit, verbose_name=_("单位"), on_delete=models.PROTECT, related_name="cadres")
    position = models.ForeignKey(
        Position, verbose_name=_("现任职务"), null=True, blank=True, on_delete=models.SET_NULL, related_name="holders"
    )
    rank_since = models.DateField(_("任现职级时间"), null=True, blank=True)
    position_since = models.DateField(_("任现职时间"), null=True, blank=True)
    has_spouse = models.BooleanField(_("有配偶"), default=True)
    spouse_emigrated = models.BooleanField(_("配偶已移居国（境）外"), default=False)
    children_emigrated = models.BooleanField(_("子女均已移居国（境）外"), default=False)
    canvassing_finding = models.BooleanField(_("有跑官要官、拉票行为"), default=False)
    veto_item_year = models.PositiveSmallIntegerField(_("一票否决年度"), null=True, blank=True)
    personal_report_status = models.CharField(
        _("个人有关事项报告"),
        max_length=20,
        choices=PersonalReportStatus.choices,
        default=PersonalReportStatus.UNCHECKED,
    )
    photo = models.ImageField(_("照片"), upload_to="photos/", blank=True)

    class Meta:
        verbose_name = _("干部")
        verbose_name_plural = _("干部")
        ordering = ["id"]
        # The roster (干部名册) lists a unit's cadres by name: read from this index one unit at a
        # time instead of sorting every cadre (cadre.roster_views._ByUnit); the cadre pickers show
        # the first 50 by name (selectors.cadre_choices) from the second (issue #10).
        indexes = [
            models.Index(fields=["unit", "name", "id"], name="cadre_unit_name_id"),
            models.Index(fields=["name", "id"], name="cadre_name_id"),
        ]

    def __str__(self):
        return self.name


class AssessmentGrade(models.TextChoices):
    EXCELLENT = "excellent", _("优秀")
    COMPETENT = "competent", _("称职")
    BASICALLY_COMPETENT = "basically_competent", _("基本称职")
    INCOMPETENT = "incompetent", _("不称职")


class Assessment(models.Model):
    """年度考核 — one grade a year."""

    cadre = models.ForeignKey(Cadre, verbose_name=_("干部"), on_delete=models.CASCADE, related_name="assessments")
    year = models.PositiveSmallIntegerField(_("年度"))
    grade = models.CharField(_("等次"), max_length=20, choices=AssessmentGrade.choices)

    class Meta:
        verbose_name = _("年度考核")
        verbose_name_plural = _("年度考核")
        ordering = ["year"]
        constraints = [models.UniqueConstraint(fields=["cadre", "year"], name="one_assessment_per_year")]

    def __str__(self):
        return f"{self.year} {self.get_grade_display()}"


class Evaluation(models.Model):
    """民主测评 — the vote counts of one year's democratic evaluation."""

    cadre = models.ForeignKey(Cadre, verbose_name=_("干部"), on_delete=models.CASCADE, related_name="evaluations")
    year = models.PositiveSmallIntegerField(_("年度"))
    excellent = models.PositiveIntegerField(_("优秀票"), default=0)
    competent = models.PositiveIntegerField(_("称职票"), default=0)
    basically_competent = models.PositiveIntegerField(_("基本称职票"), default=0)
    incompetent = models.PositiveIntegerField(_("不称职票"), default=0)

    class Meta:
        verbose_name = _("民主测评")
        verbose_name_plural = _("民主测评")
        ordering = ["year"]
        constraints = [models.UniqueConstraint(fields=["cadre", "year"], name="one_evaluation_per_year")]

    def __str__(self):
        return f"{self.year} 民主测评"

    @property
    def total(self):
        return self.excellent + self.competent + self.basically_competent + self.incompetent


class Sanction(models.Model):
    """处分或组织处理, with the end of its influence period 影响期."""

    cadre = models.ForeignKey(Cadre, verbose_name=_("干部"), on_delete=models.CASCADE, related_name="sanctions")
    kind = models.CharField(_("种类"), max_length=100)
    starts_on = models.DateField(_("开始日期"))
    influence_ends_on = models.DateField(_("影响期截止"))

    class Meta:
        verbose_name = _("处分/组织处理")
        verbose_name_plural = _("处分/组织处理")
        ordering = ["starts_on"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(influence_ends_on__gte=models.F("starts_on")), name="sanction_ends_after_start"
            )
        ]

    def __str__(self):
        return f"{self.kind}（至 {self.influence_ends_on}）"


class EducationRecord(models.Model):
    """学历学位 for the approval form: full-time 全日制 or in-service 在职."""

    cadre = models.ForeignKey(Cadre, verbose_name=_("干部"), on_delete=models.CASCADE, related_name="education_records")
    full_time = models.BooleanField(_("全日制"), default=True)
    degree_level = models.CharField(_("学历"), max_length=50)
    degree = models.CharField(_("学位"), max_length=50, blank=True)
    school = models.CharField(_("毕业院校系及专业"), max_length=200)

    class Meta:
        verbose_name = _("学历学位")
        verbose_name_plural = _("学历学位")

    def __str__(self):
        return f"{self.degree_level} {self.school}"


class ResumeEntry(models.Model):
    cadre = models.ForeignKey(Cadre, verbose_name=_("干部"), on_delete=models.CASCADE, related_name="resume")
    starts = models.DateField(_("起"))
    ends = models.DateField(_("止"), null=True, blank=True)
    description = models.CharField(_("经历"), max_length=300)

    class Meta:
        verbose_name = _("简历")
        verbose_name_plural = _("简历")
        ordering = ["starts"]

    def __str__(self):
        return f"{self.starts:%Y.%m} {self.description}"


class RewardPunishment(models.Model):
    cadre = models.ForeignKey(Cadre, verbose_name=_("干部"), on_delete=models.CASCADE, related_name="rewards")
    on = models.DateField(_("日期"))
    text = models.CharField(_("奖惩情况"), max_length=300)

    class Meta:
        verbose_name = _("奖惩")
        verbose_name_plural = _("奖惩")
        ordering = ["on"]

    def __str__(self):
        return self.text


class FamilyMember(models.Model):
    cadre = models.ForeignKey(Cadre, verbose_name=_("干部"), on_delete=models.CASCADE, related_name="family")
    relation = models.CharField(_("称谓"), max_length=20)
    name = models.CharField(_("姓名"), max_length=50)
    birth_date = models.DateField(_("出生年月"), null=True, blank=True)
    political_status = models.CharField(_("政治面貌"), max_length=50, blank=True)
    work = models.CharField(_("工作单位及职务"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("家庭成员")
        verbose_name_plural = _("家庭成员")

    def __str__(self):
        return f"{self.relation} {self.name}"


class Kinship(models.Model):
    """Two cadres who are related: grounds for recusal 回避 (I9, V8)."""

    cadre = models.ForeignKey(Cadre, verbose_name=_("干部"), on_delete=models.CASCADE, related_name="kinships")
    relative = models.ForeignKey(Cadre, verbose_name=_("亲属"), on_delete=models.CASCADE, related_name="+")
    relation = models.CharField(_("关系"), max_length=50)

    class Meta:
        verbose_name = _("亲属关系")
        verbose_name_plural = _("亲属关系")

    def __str__(self):
        return f"{self.relation} {self.relative_id}"


class ReserveCadre(models.Model):
    class Status(models.TextChoices):
        RESERVE = "reserve", _("后备")
        INSPECTION = "inspection", _("考察对象")
        USED = "used", _("已使用")
        WITHDRAWN = "withdrawn", _("已退出")

    cadre = models.OneToOneField(Cadre, verbose_name=_("干部"), on_delete=models.CASCADE, related_name="reserve")
    source = models.CharField(_("推荐来源"), max_length=200)
    since = models.DateField(_("入库日期"))
    status = models.CharField(_("状态"), max_length=20, choices=Status.choices, default=Status.RESERVE)
    positions = models.ManyToManyField(
        "Position", verbose_name=_("拟考虑职位"), blank=True, related_name="reserve_cadres"
    )

    class Meta:
        verbose_name = _("后备干部")
        verbose_name_plural = _("后备干部")

    def __str__(self):
        return f"{self.cadre_id} {self.get_status_display()}"


class ReserveChange(models.Model):
    """One step of a reserve cadre's status, kept (entering the pool included): who, when, why."""

    reserve = models.ForeignKey(ReserveCadre, on_delete=models.PROTECT, related_name="changes")
    from_status = models.CharField(_("原状态"), max_length=20, choices=ReserveCadre.Status.choices, blank=True)
    to_status = models.CharField(_("新状态"), max_length=20, choices=ReserveCadre.Status.choices)
    reason = models.CharField(_("事由"), max_length=500)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("操作人"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(_("时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("后备干部状态变化")
        verbose_name_plural = _("后备干部状态变化")
        ordering = ["reserve_id", "at", "id"]

    def __str__(self):
        return f"{self.reserve_id} → {self.get_to_status_display()}"


# ---------------------------------------------------------------------------- thresholds


class Threshold(models.Model):
    """A rule threshold an admin may edit; defaults and types live in cadre.thresholds."""

    key = models.CharField(_("键"), max_length=50, unique=True)
    rule = models.CharField(_("规则"), max_length=10)
    value = models.CharField(_("取值"), max_length=200)
    description = models.CharField(_("说明"), max_length=200)

    class Meta:
        verbose_name = _("规则阈值")
        verbose_name_plural = _("规则阈值")
        ordering = ["rule", "key"]

    def __str__(self):
        from .threshold_forms import description  # the wording without codes (issue #11)

        return f"{self.rule} {description(self)}"

    def clean(self):
        from .thresholds import validate_value

        validate_value(self.key, self.value)


# ---------------------------------------------------------------------------- selection


class MotionReason(models.TextChoices):
    """M1: the reasons a motion may state."""

    TERM_CHANGE = "term_change", _("换届")
    RESTRUCTURING = "restructuring", _("机构改革")
    VACANCY = "vacancy", _("职位空缺")
    STRUCTURE = "structure", _("班子结构需要")
    ROTATION = "rotation", _("交流轮岗/回避")
    TEAM_PROBLEM = "team_problem", _("班子突出问题")
    UNFIT = "unfit", _("不胜任/处分")
    SUPERIOR_REQUEST = "superior_request", _("上级要求")
    EMERGENCY = "emergency", _("应急处置")
    OTHER = "other", _("其他")


class Selection(models.Model):
    title = models.CharField(_("名称"), max_length=200)
    reason = models.CharField(_("动议理由"), max_length=20, choices=MotionReason.choices)
    reason_text = models.TextField(_("理由说明"), blank=True)
    competitive = models.BooleanField(_("差额选拔"), default=True)
    single_candidate_reason = models.TextField(_("等额理由"), blank=True)
    superior_approval = models.CharField(_("上级组织部门批复"), max_length=200, blank=True)
    positions = models.ManyToManyField(Position, verbose_name=_("职位"), related_name="selections")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("发起人"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("选任工作")
        verbose_name_plural = _("选任工作")
        ordering = ["-id"]
        permissions = [("work_on_selection", _("承办选任工作"))]

    def __str__(self):
        return self.title


class Stage(models.TextChoices):
    MOTION = "motion", _("动议")
    NOMINATION = "nomination", _("提名")
    RECOMMENDATION = "recommendation", _("民主推荐")
    INSPECTION = "inspection", _("考察")
    DELIBERATION = "deliberation", _("酝酿")
    DECISION = "decision", _("讨论决定")
    PUBLICITY = "publicity", _("任前公示")
    APPOINTED = "appointed", _("任职")
    ELIMINATED = "eliminated", _("未列入/落选")
    WITHDRAWN = "withdrawn", _("撤回")
    REJECTED = "rejected", _("未通过")
    SUSPENDED = "suspended", _("暂缓")


# The forward path, in order; send-back goes to an earlier stage of it.
FORWARD = [
    Stage.MOTION,
    Stage.NOMINATION,
    Stage.RECOMMENDATION,
    Stage.INSPECTION,
    Stage.DELIBERATION,
    Stage.DECISION,
    Stage.PUBLICITY,
    Stage.APPOINTED,
]
OPEN_STAGES = FORWARD[:-1] + [Stage.SUSPENDED]
# Stages in which a candidate is about to fill the post (M3 counts them as pending appointments).
PENDING_STAGES = [Stage.PUBLICITY, Stage.SUSPENDED]


class Candidate(ConcurrentTransitionMixin, models.Model):
    """A cadre in a selection, for one position. Moved only by cadre.services.candidate_transition."""

    selection = models.ForeignKey(
        Selection, verbose_name=_("选任工作"), on_delete=models.PROTECT, related_name="candidates"
    )
    position = models.ForeignKey(Position, verbose_name=_("职位"), on_delete=models.PROTECT, related_name="candidates")
    cadre = models.ForeignKey(Cadre, verbose_name=_("干部"), on_delete=models.PROTECT, related_name="candidacies")
    stage = FSMField(_("阶段"), default=Stage.MOTION, choices=Stage.choices, protected=True, db_index=True)
    stage_changed_at = models.DateTimeField(_("进入本阶段时间"), auto_now_add=True)
    inspected_at = models.DateTimeField(_("列为考察对象时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("人选")
        verbose_name_plural = _("人选")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["selection", "position", "cadre"], name="one_candidacy_per_post")
        ]
        # A list filtered by stage is paged by id (cadre.pagination): this index serves the page's
        # ids in order without reading every candidate of the stage (issue #10).
        indexes = [models.Index(fields=["stage", "id"], name="candidate_stage_id")]

    def __str__(self):
        return f"{self.cadre.name} → {self.position}"

    # The FSM. Each method is a transition named by the verb that leads to its target; the bodies
    # are empty because every side effect lives in the transition service.
    @transition(field=stage, source=Stage.MOTION, target=Stage.NOMINATION)
    def nominate(self):
        pass

    @transition(field=stage, source=Stage.NOMINATION, target=Stage.RECOMMENDATION)
    def recommend(self):
        pass

    @transition(field=stage, source=Stage.RECOMMENDATION, target=Stage.INSPECTION)
    def inspect(self):
        pass

    @transition(field=stage, source=Stage.INSPECTION, target=Stage.DELIBERATION)
    def deliberate(self):
        pass

    @transition(field=stage, source=Stage.DELIBERATION, target=Stage.DECISION)
    def decide(self):
        pass

    @transition(field=stage, source=Stage.DECISION, target=Stage.PUBLICITY)
    def publicize(self):
        pass

    @transition(field=stage, source=Stage.PUBLICITY, target=Stage.APPOINTED)
    def appoint(self):
        pass

    @transition(field=stage, source=OPEN_STAGES, target=Stage.ELIMINATED)
    def eliminate(self):
        pass

    @transition(field=stage, source=OPEN_STAGES, target=Stage.WITHDRAWN)
    def withdraw(self):
        pass

    @transition(field=stage, source=Stage.DECISION, target=Stage.REJECTED)
    def reject(self):
        pass

    @transition(field=stage, source=Stage.PUBLICITY, target=Stage.SUSPENDED)
    def suspend(self):
        pass

    @transition(field=stage, source=Stage.SUSPENDED, target=Stage.PUBLICITY)
    def resume(self):
        pass

    @transition(field=stage, source=FORWARD[1:-1], target=RETURN_VALUE(*FORWARD[:-2]))
    def send_back(self, to_stage):
        return to_stage


class FailedVote(models.Model):
    """A cadre failed the committee vote for a post (V5 → N4)."""

    cadre = models.ForeignKey(Cadre, verbose_name=_("干部"), on_delete=models.CASCADE, related_name="failed_votes")
    position = models.ForeignKey(Position, verbose_name=_("职位"), on_delete=models.CASCADE, related_name="+")
    candidate = models.ForeignKey(
        Candidate, verbose_name=_("人选"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    voted_on = models.DateField(_("票决日期"))

    class Meta:
        verbose_name = _("票决未通过")
        verbose_name_plural = _("票决未通过")

    def __str__(self):
        return f"{self.voted_on} {self.position_id}"


# ---------------------------------------------------------------------------- the record (S1)


class RecordKind(models.TextChoices):
    CREATED = "created", _("列为人选")
    TRANSITION = "transition", _("阶段变更")
    REFUSED = "refused", _("操作被拒绝")
    SEND_BACK = "send_back", _("退回")
    IMPORTANT = "important", _("重要情况")
    FACT = "fact", _("记实事项")
    CADRE_CHANGED = "cadre_changed", _("干部信息变更")


class RecordEntry(models.Model):
    """One entry of a candidate's full-process record: append-only, hash-chained."""

    candidate = models.ForeignKey(Candidate, verbose_name=_("人选"), on_delete=models.PROTECT, related_name="record")
    seq = models.PositiveIntegerField(_("序号"))
    at = models.DateTimeField(_("时间"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("操作人"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_name = models.CharField(_("操作人"), max_length=150)
    kind = models.CharField(_("类别"), max_length=20, choices=RecordKind.choices)
    payload = models.JSONField(_("内容"))
    prev_hash = models.CharField(_("前一哈希"), max_length=64)
    hash = models.CharField(_("哈希"), max_length=64, unique=True)

    class Meta:
        verbose_name = _("纪实记录")
        verbose_name_plural = _("纪实记录")
        ordering = ["candidate_id", "seq"]
        constraints = [models.UniqueConstraint(fields=["candidate", "seq"], name="record_seq_unique")]
        indexes = [models.Index(fields=["candidate", "-seq"])]

    def __str__(self):
        from .record_text import entry_title  # Chinese, as the admin shows it (issue #11)

        return entry_title(self)

    @property
    def is_important(self):
        return self.kind == RecordKind.IMPORTANT or bool(self.payload.get("overrides"))


class RecordHead(models.Model):
    """The head of one candidate's chain (last seq and hash), kept apart from the entries and moved
    in the same transaction as each append: an entry removed from the end no longer matches it.
    A PostgreSQL trigger lets the head only move forward one entry at a time (migration 0006)."""

    candidate = models.OneToOneField(
        Candidate, verbose_name=_("人选"), primary_key=True, on_delete=models.PROTECT, related_name="record_head"
    )
    seq = models.PositiveIntegerField(_("末条序号"))
    hash = models.CharField(_("末条哈希"), max_length=64)

    class Meta:
        verbose_name = _("纪实记录链头")
        verbose_name_plural = _("纪实记录链头")
        ordering = ["candidate_id"]

    def __str__(self):
        return f"{self.candidate_id}#{self.seq}"


class RecordCheckpoint(models.Model):
    """A signed statement of every chain's head and a Merkle root over them (cadre.checkpoint).

    `statement` and `heads` hold the exact canonical bytes signed and hashed (text, not jsonb, so
    nothing rewrites them); a trigger rejects UPDATE, DELETE and TRUNCATE (migration 0006).
    """

    at = models.DateTimeField(_("签署时间"))
    chains = models.PositiveIntegerField(_("链数"))
    entries = models.PositiveBigIntegerField(_("条数"))
    root = models.CharField(_("根哈希"), max_length=64)
    statement = models.TextField(_("签署内容"))
    heads = models.TextField(_("链头"))
    signature = models.CharField(_("签名"), max_length=200)
    public_key = models.CharField(_("公钥"), max_length=200)

    class Meta:
        verbose_name = _("纪实记录检查点")
        verbose_name_plural = _("纪实记录检查点")
        ordering = ["-id"]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.chains}"


class CalendarYear(models.Model):
    """P1: a year the chinesecalendar package does not know is usable only once an administrator
    has entered its whole State Council schedule and marked it complete."""

    year = models.PositiveSmallIntegerField(_("年度"), unique=True)
    complete = models.BooleanField(_("已录入全年安排"), default=False)
    source = models.CharField(_("依据"), max_length=200, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("确认人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    confirmed_at = models.DateTimeField(_("确认时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("节假日安排年度")
        verbose_name_plural = _("节假日安排年度")
        ordering = ["-year"]

    def __str__(self):
        return f"{self.year} {'已完整' if self.complete else '未完整'}"


class CalendarDay(models.Model):
    """An administrator's entry in the working-day calendar (P1).

    The chinesecalendar package knows the State Council's holiday schedule only for the years it
    ships. Rows here override it for any day, and for a year the package does not know, entering
    that year's holidays and adjusted working days here makes the year usable (the other days
    follow Monday–Friday).
    """

    day = models.DateField(_("日期"), unique=True)
    is_workday = models.BooleanField(_("工作日"))
    note = models.CharField(_("说明"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("工作日历")
        verbose_name_plural = _("工作日历")
        ordering = ["day"]

    def __str__(self):
        return f"{self.day} {'工作日' if self.is_workday else '休息日'}"


class RecordVerification(models.Model):
    """One run of the record check (scheduled nightly by Celery beat, or on demand)."""

    at = models.DateTimeField(_("校验时间"), auto_now_add=True)
    ok = models.BooleanField(_("完整"))
    entries = models.PositiveIntegerField(_("校验条数"))
    broken = models.JSONField(_("断裂位置"), default=list)
    seconds = models.FloatField(_("耗时（秒）"))

    class Meta:
        verbose_name = _("纪实记录校验")
        verbose_name_plural = _("纪实记录校验")
        ordering = ["-at"]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {'完整' if self.ok else '发现篡改'}"


# ---------------------------------------------------------------------------- rule sources (依据)


class RuleDocument(models.Model):
    """A document rules cite as their 依据 (DOMAIN.md, "The source documents"). Each county adopts
    its own: the administrator edits the titles; `code` is the developers' file number (`001-2`)."""

    code = models.CharField(_("编号"), max_length=20, unique=True)
    title = models.CharField(
        _("文件名称"), max_length=200, help_text=_("用户看到的名称，如《县差额选拔干部办法（试行）》")
    )

    class Meta:
        verbose_name = _("规则依据文件")
        verbose_name_plural = _("规则依据文件")
        ordering = ["code"]

    def __str__(self):
        return self.title


class RuleCitation(models.Model):
    """One place a rule cites: a document and the article in it. The 依据 users see for a rule is
    its citations in order, each the document's title followed by the article (cadre.citations)."""

    rule = models.CharField(_("规则编号"), max_length=10)
    document = models.ForeignKey(
        RuleDocument, verbose_name=_("文件"), on_delete=models.PROTECT, related_name="citations"
    )
    article = models.CharField(
        _("条款"), max_length=100, blank=True, help_text=_("如：第十条（三）；引用整份文件时留空")
    )
    order = models.PositiveSmallIntegerField(_("顺序"), default=1)

    class Meta:
        verbose_name = _("规则依据")
        verbose_name_plural = _("规则依据")
        ordering = ["rule", "order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["rule", "document", "article"], name="rulecitation_once"),
        ]

    def __str__(self):
        return f"{self.rule} {self.text}"

    @property
    def text(self) -> str:
        return f"{self.document.title}{self.article}"

    def clean(self):
        from django.core.exceptions import ValidationError

        from .rules import CATALOG

        if self.rule not in CATALOG:
            raise ValidationError({"rule": _("规则编号须是规则目录中的编号，如 M4、V1")})


class Job(models.Model):
    """The outbox: one row per piece of background work, written in the transaction that asks for it
    (cadre.outbox.enqueue). The Celery message only says "run job N"; the row is the truth, so a
    broker that was down loses nothing (a sweep re-sends pending rows). Arguments are ids only."""

    class Status(models.TextChoices):
        PENDING = "pending", _("待执行")
        RUNNING = "running", _("执行中")
        DONE = "done", _("已完成")
        FAILED = "failed", _("失败")

    name = models.CharField(_("任务"), max_length=100)
    args = models.JSONField(_("参数"), default=dict, blank=True)
    # null = no key; two jobs with one key cannot exist (job_key_once), "" would be a key.
    key = models.CharField(_("幂等键"), max_length=200, null=True, blank=True)  # noqa: DJ001
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(_("执行次数"), default=0)
    last_error = models.TextField(_("最近错误"), blank=True)
    result = models.JSONField(_("结果"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    sent_at = models.DateTimeField(_("最近发送时间"), null=True, blank=True)
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("提交人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("后台任务")
        verbose_name_plural = _("后台任务")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["key"], condition=models.Q(key__isnull=False), name="job_key_once"),
        ]
        indexes = [models.Index(fields=["status", "created_at"], name="job_status_created")]

    def __str__(self):
        return f"{self.name} #{self.pk}（{self.get_status_display()}）"


# ---------------------------------------------------------------------------- 干部任免审批表 exchange (.lrmx)


class ApprovalFormKept(models.Model):
    """What an imported 任免审批表 said that the cadre's fields cannot hold (the Version string,
    the 呈报单位, 现任职务 as text, a democratic party, unknown elements …), written back on the next
    export (cadre/lrmx.py `from_cadre`)."""

    cadre = models.OneToOneField(
        Cadre, verbose_name=_("干部"), on_delete=models.CASCADE, related_name="approval_form_kept"
    )
    values = models.JSONField(_("保留内容"), default=dict, blank=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("任免审批表保留内容")
        verbose_name_plural = _("任免审批表保留内容")

    def __str__(self):
        return f"{self.cadre_id} 任免审批表保留内容"


class ApprovalFormImport(models.Model):
    """An uploaded .lrmx or zip between its preview and its application (cadre/lrmx_import.py)."""

    token = models.CharField(_("令牌"), max_length=64, unique=True)
    file_name = models.CharField(_("文件名"), max_length=255)
    data = models.BinaryField(_("文件内容"))
    unit = models.ForeignKey(
        Unit, verbose_name=_("新干部所在单位"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("上传人"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("上传时间"), auto_now_add=True)
    applied_at = models.DateTimeField(_("导入时间"), null=True, blank=True)
    result = models.JSONField(_("结果"), null=True, blank=True)

    class Meta:
        verbose_name = _("任免审批表导入")
        verbose_name_plural = _("任免审批表导入")
        ordering = ["-created_at"]

    def __str__(self):
        return self.file_name


# ---------------------------------------------------------------------------- security log


class SecurityEvent(models.Model):
    """安全审计日志 (等保 2.0 三级: 安全审计): sign-ins, failures, lockouts, password, role and
    permission changes, thresholds and the calendar. Written by cadre.security_log from signals;
    append-only (no change or delete in admin; on PostgreSQL a trigger refuses UPDATE and DELETE)."""

    class Kind(models.TextChoices):
        LOGIN = "login", _("登录成功")
        LOGIN_FAILED = "login_failed", _("登录失败")
        LOCKED_OUT = "locked_out", _("登录锁定")
        LOCK_LIFTED = "lock_lifted", _("解除锁定")
        LOGOUT = "logout", _("退出登录")
        PASSWORD_CHANGED = "password_changed", _("修改密码")
        ROLES_CHANGED = "roles_changed", _("角色变更")
        PERMISSION_CHANGED = "permission_changed", _("对象权限变更")
        THRESHOLD_CHANGED = "threshold_changed", _("规则阈值变更")
        CALENDAR_CHANGED = "calendar_changed", _("工作日历变更")
        TOKEN_REVOKED = "token_revoked", _("撤销 API 令牌")

    at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)
    kind = models.CharField(_("事件"), max_length=30, choices=Kind.choices, db_index=True)
    # Names, not foreign keys: the log outlives the accounts it names and never changes with them.
    actor = models.CharField(_("操作人"), max_length=150, blank=True)
    username = models.CharField(_("涉及账号"), max_length=150, blank=True, db_index=True)
    address = models.CharField(_("地址"), max_length=45, blank=True)
    summary = models.CharField(_("摘要"), max_length=300)
    detail = models.JSONField(_("详情"), default=dict, blank=True)

    class Meta:
        verbose_name = _("安全审计日志")
        verbose_name_plural = _("安全审计日志")
        ordering = ["-at", "-id"]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.get_kind_display()} {self.summary}"
