"""load_demo: a demo county (某县委) with units, positions, cadres, demo users and selections.

Idempotent: when the demo county exists it does nothing. Master data is written with the ORM;
selections and candidates go through cadre.services, so every candidate's record is real and
every rule is checked. Before each transition the stage apps' `demo.PREPARE` steps fill in what
their rules need. A transition the rules still refuse stops that candidate where it is, with a
warning (or, with --strict, aborts the whole load).
"""

import importlib
import random
import unicodedata
from datetime import date, timedelta

from django.apps import apps
from django.conf import settings
from django.contrib.auth.models import User
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone
from django_fsm import can_proceed

from cadre import roles, services
from cadre.errors import DomainError
from cadre.models import (
    Assessment,
    AssessmentGrade,
    Cadre,
    Candidate,
    Education,
    EducationRecord,
    Evaluation,
    FamilyMember,
    Gender,
    Kinship,
    Level,
    MotionReason,
    PersonalReportStatus,
    Position,
    ReserveCadre,
    ResumeEntry,
    RewardPunishment,
    Sanction,
    Selection,
    Stage,
    Unit,
)
from cadre.people import person_name

ROOT_UNIT = "某县委"
PASSWORD = "demo-12345"  # cadre.checks.demo_passwords fails `check --deploy` while an active account has it


def refuse_in_production() -> None:
    """Demo data and its well-known accounts never reach a production database."""
    if settings.PRODUCTION:
        raise CommandError("DJANGO_ENV=production：拒绝载入演示数据（演示账号的密码是公开的）。")


SEED = 20240601
TOTAL_CADRES = 200

# Login, roles, 姓, 名: pages show people by their full names, never by their login (issue #11).
DEMO_USERS = [
    ("staff1", [roles.ORG_STAFF], "王", "建国"),
    ("staff2", [roles.ORG_STAFF], "李", "晓梅"),
    ("inspector1", [roles.INSPECTOR], "赵", "志强"),
    ("member1", [roles.COMMITTEE_MEMBER], "陈", "国华"),
    ("supervisor1", [roles.SUPERVISOR], "刘", "敏"),
    ("admin", [roles.ADMIN], "周", "立新"),
]

CHIEF, DEPUTY, STAFF = Level.SECTION_CHIEF, Level.SECTION_DEPUTY, Level.STAFF

# Unit -> positions: (title, level, is_chief, is_key_post, requires_audit, quota, holders).
UNITS: dict[str, list[tuple]] = {
    "县委办公室": [
        ("主任", CHIEF, True, False, False, 1, 1),
        ("副主任", DEPUTY, False, False, False, 3, 3),
        ("秘书科科长", STAFF, False, False, False, 1, 1),
        ("督查室主任", STAFF, False, False, False, 1, 0),
    ],
    "县政府办公室": [
        ("主任", CHIEF, True, False, False, 1, 1),
        ("副主任", DEPUTY, False, False, False, 3, 2),
    ],
    "组织部": [
        ("常务副部长", CHIEF, False, False, False, 1, 1),
        ("副部长", DEPUTY, False, False, False, 2, 2),
        ("干部科科长", STAFF, False, False, False, 1, 1),
    ],
    "宣传部": [
        ("常务副部长", CHIEF, False, False, False, 1, 1),
        ("副部长", DEPUTY, False, False, False, 2, 1),
    ],
    "发改局": [
        ("局长", CHIEF, True, True, True, 1, 1),
        ("副局长", DEPUTY, False, False, False, 2, 1),
        ("项目股股长", STAFF, False, True, False, 1, 1),
    ],
    "财政局": [
        ("局长", CHIEF, True, True, True, 1, 1),
        ("副局长", DEPUTY, False, True, False, 3, 2),
        ("预算股股长", STAFF, False, True, False, 1, 1),
        ("国库股股长", STAFF, False, True, False, 1, 1),
    ],
    "教育局": [
        ("局长", CHIEF, True, False, False, 1, 1),
        ("副局长", DEPUTY, False, False, False, 3, 2),
        ("人事股股长", STAFF, False, False, False, 1, 1),
    ],
    "卫健局": [
        ("局长", CHIEF, True, False, False, 1, 0),
        ("副局长", DEPUTY, False, False, False, 2, 2),
        ("医政股股长", STAFF, False, False, False, 1, 1),
    ],
    "住建局": [
        ("局长", CHIEF, True, True, True, 1, 1),
        ("副局长", DEPUTY, False, False, False, 2, 1),
        ("工程股股长", STAFF, False, True, False, 1, 1),
    ],
    "农业农村局": [
        ("局长", CHIEF, True, False, False, 1, 1),
        ("副局长", DEPUTY, False, False, False, 2, 2),
    ],
    "审计局": [
        ("局长", CHIEF, True, True, True, 1, 1),
        ("副局长", DEPUTY, False, False, False, 2, 1),
    ],
    "人社局": [
        ("局长", CHIEF, True, False, False, 1, 1),
        ("副局长", DEPUTY, False, False, False, 2, 2),
    ],
    "某某镇": [
        ("党委书记", CHIEF, True, False, False, 1, 1),
        ("镇长", CHIEF, True, False, False, 1, 1),
        ("党委副书记", DEPUTY, False, False, False, 2, 1),
        ("副镇长", DEPUTY, False, False, False, 3, 3),
    ],
    "某某乡": [
        ("党委书记", CHIEF, True, False, False, 1, 1),
        ("乡长", CHIEF, True, False, False, 1, 1),
        ("副乡长", DEPUTY, False, False, False, 3, 2),
    ],
}
RESTRUCTURING_UNIT = "农业农村局"  # M2: no motion there without the superior department's approval
SECRETARY_TRANSFERRING_UNIT = "某某乡"
TOWNSHIPS = {"某某镇", "某某乡"}

SPECIALTIES = {
    "县委办公室": "文字综合",
    "县政府办公室": "政务服务",
    "组织部": "干部人事管理",
    "宣传部": "新闻宣传",
    "发改局": "项目管理",
    "财政局": "财政预算管理",
    "教育局": "教育管理",
    "卫健局": "公共卫生管理",
    "住建局": "工程建设管理",
    "农业农村局": "农业技术推广",
    "审计局": "审计",
    "人社局": "劳动保障",
    "某某镇": "基层治理",
    "某某乡": "乡村振兴",
}
MAJORS = ["汉语言文学", "法学", "财政学", "会计学", "经济学", "行政管理", "计算机科学与技术", "土木工程", "农学"]
SCHOOLS = ["某省大学", "某省师范大学", "某省财经学院", "某省农业大学", "某省理工大学", "某市职业技术学院"]
SURNAMES = list(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢"
    "姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
MALE_CHARS = list("伟刚勇毅俊峰强军平保东文辉力明永健世广志义兴良海山仁波宁贵福生龙元全国胜学祥才发武新利清飞彬富顺信")
FEMALE_CHARS = list(
    "秀娟英华慧巧美娜静淑惠珠翠雅芝玉萍红娥玲芬芳燕彩春菊兰凤洁梅琳素云莲真环雪荣爱妹霞香月莺媛艳瑞凡佳"
)
ETHNICITIES = ["回族", "壮族", "苗族", "土家族", "彝族"]
HOMETOWNS = ["某县城关镇", "某县某某镇", "某县某某乡", "某县东山镇", "某县西河乡", "邻县南岭镇", "某市城区"]


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


class Command(BaseCommand):
    help = "载入演示数据（某县委的单位、职位、干部、演示用户和各阶段的选任工作）；已载入时不做任何事"

    def add_arguments(self, parser):
        parser.add_argument(
            "--strict",
            action="store_true",
            help="规则拒绝任何一次阶段变更时中止并回滚（默认：该人选停在当前阶段并警告）",
        )

    def handle(self, *args, strict: bool = False, **options):
        refuse_in_production()
        if Unit.objects.filter(name=ROOT_UNIT, parent__isnull=True).exists():
            self.stdout.write(f"演示数据已存在（{ROOT_UNIT}），未做任何更改。")
            return
        self.strict = strict
        self.warnings: list[str] = []
        self.rng = random.Random(SEED)
        self.today = timezone.localdate()
        self.year = self.today.year
        self.used_names: set[str] = set()
        self.prepare_steps = self._prepare_steps()
        try:
            with transaction.atomic():
                created = self._users()
                self._master_data()
                self._selections()
        except DomainError as exc:  # e.g. an existing "staff1" without the org_staff role
            raise CommandError(f"载入演示数据失败，未写入任何数据：{exc}") from exc
        # S1: the demo's record starts out under a signed checkpoint, as a night's beat would leave it.
        services.record_checkpoint_sign()
        self._report(created)

    # ------------------------------------------------------------------------ users

    def _users(self) -> list[tuple[str, list[str]]]:
        created = []
        self.users: dict[str, User] = {}
        for username, role_names, last_name, first_name in DEMO_USERS:
            user = User.objects.filter(username=username).first()
            if user is None:
                user = services.user_create(
                    username=username,
                    password=PASSWORD,
                    role_names=role_names,
                    last_name=last_name,
                    first_name=first_name,
                )
                created.append((username, role_names))
            self.users[username] = user
        self.staff = self.users["staff1"]
        return created

    def _report(self, created):
        counts = (
            f"{Unit.objects.count()} 个单位、{Position.objects.count()} 个职位、{Cadre.objects.count()} 名干部、"
            f"{Selection.objects.count()} 项选任工作、{Candidate.objects.count()} 名人选"
        )
        self.stdout.write(self.style.SUCCESS(f"已载入演示数据：{counts}。"))
        if created:
            rows = [("用户名", "姓名", "角色", "密码")] + [
                (name, person_name(self.users[name]), "、".join(roles.ROLE_LABELS[r] for r in role_names), PASSWORD)
                for name, role_names in created
            ]
            widths = [max(_width(row[i]) for row in rows) for i in range(4)]
            self.stdout.write("\n演示用户（密码只显示这一次）：")
            for i, row in enumerate(rows):
                self.stdout.write("  " + "  ".join(_pad(cell, widths[j]) for j, cell in enumerate(row)).rstrip())
                if i == 0:
                    self.stdout.write("  " + "  ".join("-" * w for w in widths))
            self.stdout.write("")
        skipped = [name for name, *_ in DEMO_USERS if name not in {c[0] for c in created}]
        if skipped:
            self.stdout.write(f"以下用户已存在，未修改其密码：{'、'.join(skipped)}")
        for warning in self.warnings:
            self.stderr.write(self.style.WARNING(warning))

    # ------------------------------------------------------------------------ master data

    def _name(self, gender: str) -> str:
        chars = MALE_CHARS if gender == Gender.MALE else FEMALE_CHARS
        while True:
            given = "".join(self.rng.choice(chars) for _ in range(1 if self.rng.random() < 0.3 else 2))
            name = self.rng.choice(SURNAMES) + given
            if name not in self.used_names:
                self.used_names.add(name)
                return name

    def _birth(self, low: int, high: int) -> date:
        return date(self.year - self.rng.randint(low, high), self.rng.randint(1, 12), self.rng.randint(1, 28))

    def _cadre(self, unit: Unit, *, position: Position | None = None, ages=(25, 50), **facts) -> Cadre:
        rng = self.rng
        gender = facts.pop("gender", Gender.MALE if rng.random() < (0.7 if position else 0.55) else Gender.FEMALE)
        birth = facts.pop("birth_date", self._birth(*ages))
        education = rng.choices(
            [Education.ASSOCIATE, Education.BACHELOR, Education.MASTER],
            weights=[1, 6, 2] if position else [3, 6, 1],
        )[0]
        hometown = rng.choice(HOMETOWNS)
        work_start = date(birth.year + rng.randint(21, 23), rng.choice([7, 8, 9]), 1)
        values = {
            "name": self._name(gender),
            "gender": gender,
            "ethnicity": "汉族" if rng.random() < 0.92 else rng.choice(ETHNICITIES),
            "hometown": hometown,
            "native_place": "某省邻县" if hometown.startswith("邻县") else "某省某县",
            "birthplace": "某省" + hometown,
            "health": "健康",
            "professional_title": rng.choice(["", "", "", "经济师", "工程师", "高级教师", "会计师"]),
            "specialty": SPECIALTIES[unit.name],
            "education": education,
            "birth_date": birth,
            "party_date": date(birth.year + rng.randint(20, 28), rng.randint(1, 12), 1)
            if position or rng.random() < 0.8
            else None,
            "work_start_date": work_start,
            "unit": unit,
            "position": position,
            "rank_since": self.today - timedelta(days=rng.randint(400, 3000)) if position else None,
            "position_since": self.today - timedelta(days=rng.randint(300, 2500)) if position else None,
            "personal_report_status": PersonalReportStatus.CHECKED
            if rng.random() < 0.88
            else PersonalReportStatus.UNCHECKED,
        }
        values.update(facts)
        cadre = Cadre.objects.create(**values)
        self.cadres.append(cadre)
        return cadre

    def _master_data(self):
        self.cadres: list[Cadre] = []
        self.units: dict[str, Unit] = {}
        self.posts: dict[tuple[str, str], Position] = {}
        self.holders: dict[tuple[str, str], list[Cadre]] = {}
        self.staff_of: dict[str, list[Cadre]] = {}  # cadres without a post, by unit
        root = Unit.objects.create(name=ROOT_UNIT)
        for unit_name, posts in UNITS.items():
            unit = Unit.objects.create(
                name=unit_name,
                parent=root,
                under_restructuring=unit_name == RESTRUCTURING_UNIT,
                secretary_transferring=unit_name == SECRETARY_TRANSFERRING_UNIT,
            )
            self.units[unit_name] = unit
            for title, level, is_chief, is_key, audit, quota, holders in posts:
                position = Position.objects.create(
                    unit=unit,
                    title=title,
                    level=level,
                    is_chief=is_chief,
                    is_key_post=is_key,
                    requires_audit=audit,
                    quota=quota,
                )
                self.posts[unit_name, title] = position
                ages = {CHIEF: (42, 56), DEPUTY: (35, 52), STAFF: (31, 45)}[level]
                self.holders[unit_name, title] = [
                    self._cadre(unit, position=position, ages=ages) for _ in range(holders)
                ]
        # The rest of the cadres hold no leadership post; townships have more people.
        remaining = TOTAL_CADRES - len(self.cadres)
        weights = {name: (2 if name in TOWNSHIPS else 1) for name in UNITS}
        per_weight = remaining / sum(weights.values())
        names = list(UNITS)
        for i, unit_name in enumerate(names):
            count = round(per_weight * weights[unit_name]) if i < len(names) - 1 else TOTAL_CADRES - len(self.cadres)
            self.staff_of[unit_name] = [self._cadre(self.units[unit_name]) for _ in range(count)]
        self._candidates_eligible()
        self._facts()
        self._hazards()
        self._stories()
        self._reserve()

    def _candidates_eligible(self):
        """Pick the demo candidates and make them eligible: report checked, a degree, a plausible age."""
        self.cast = {
            "motion": [self.staff_of["某某镇"][0], self.staff_of["某某镇"][1]],
            "recommendation": [self.holders["教育局", "人事股股长"][0], self.staff_of["教育局"][0]],
            "recommendation_weak": self.staff_of["教育局"][1],
            "inspection": [self.holders["财政局", "预算股股长"][0], self.holders["财政局", "国库股股长"][0]],
            "inspection_low_votes": self.staff_of["财政局"][0],
            "publicity": self.holders["住建局", "工程股股长"][0],
            "appointed": self.holders["发改局", "项目股股长"][0],
            "rejected": self.staff_of["发改局"][0],
        }
        for cadre in self._cast_list():
            cadre.personal_report_status = PersonalReportStatus.CHECKED
            cadre.education = self.rng.choice([Education.BACHELOR, Education.BACHELOR, Education.MASTER])
            if cadre.party_date is None:
                cadre.party_date = date(cadre.birth_date.year + 24, 7, 1)
            if not 30 <= self.year - cadre.birth_date.year <= 48:
                cadre.birth_date = cadre.birth_date.replace(year=self.year - self.rng.randint(32, 44))
                cadre.work_start_date = date(cadre.birth_date.year + 22, 8, 1)
                cadre.party_date = date(cadre.birth_date.year + 24, 7, 1)
            cadre.save()

    def _cast_list(self) -> list[Cadre]:
        out = []
        for value in self.cast.values():
            out.extend(value if isinstance(value, list) else [value])
        return out

    def _facts(self):
        """Three years of annual assessments and two of democratic evaluation for everybody."""
        rng = self.rng
        assessments, evaluations = [], []
        for cadre in self.cadres:
            for year in range(self.year - 3, self.year):
                grade = AssessmentGrade.EXCELLENT if rng.random() < 0.22 else AssessmentGrade.COMPETENT
                assessments.append(Assessment(cadre=cadre, year=year, grade=grade))
            for year in (self.year - 2, self.year - 1):
                total = rng.randint(25, 60)
                excellent = round(total * rng.uniform(0.35, 0.7))
                basically, incompetent = rng.randint(0, 3), rng.randint(0, 1)
                evaluations.append(
                    Evaluation(
                        cadre=cadre,
                        year=year,
                        excellent=excellent,
                        competent=total - excellent - basically - incompetent,
                        basically_competent=basically,
                        incompetent=incompetent,
                    )
                )
        Assessment.objects.bulk_create(assessments)
        Evaluation.objects.bulk_create(evaluations)

    def _hazards(self):
        """The cadres the eligibility rules (E1–E7) are about; only one of them is a candidate (for E1)."""
        cast = {c.pk for c in self._cast_list()} - {self.cast["recommendation_weak"].pk}
        rng = self.rng
        # E1: 基本称职 in the last three years — one of them is a candidate in the recommendation demo.
        weak = [self.cast["recommendation_weak"], self.staff_of["县政府办公室"][0], self.staff_of["某某乡"][2]]
        for cadre in weak:
            Assessment.objects.filter(cadre=cadre, year=self.year - 2).update(grade=AssessmentGrade.BASICALLY_COMPETENT)
        # E2: a poor democratic evaluation.
        Evaluation.objects.filter(cadre=self.staff_of["县政府办公室"][1], year=self.year - 1).update(
            excellent=5, competent=18, basically_competent=10, incompetent=7
        )
        # E3: canvassing; E4: 裸官; E6: concealed report; E7: one-vote veto.
        self._set(self.staff_of["住建局"][1], canvassing_finding=True)
        self._set(self.holders["卫健局", "副局长"][1], has_spouse=True, spouse_emigrated=True)
        self._set(self.staff_of["宣传部"][0], personal_report_status=PersonalReportStatus.CONCEALED)
        self._set(self.holders["某某镇", "副镇长"][2], veto_item_year=self.year - 1)
        # E5: sanctions, two in force and one whose influence period is over.
        Sanction.objects.bulk_create(
            [
                Sanction(
                    cadre=self.staff_of["农业农村局"][0],
                    kind="诫勉",
                    starts_on=self.today - timedelta(days=120),
                    influence_ends_on=self.today + timedelta(days=245),
                ),
                Sanction(
                    cadre=self.staff_of["某某乡"][3],
                    kind="党内警告",
                    starts_on=self.today - timedelta(days=200),
                    influence_ends_on=self.today + timedelta(days=165),
                ),
                Sanction(
                    cadre=self.staff_of["审计局"][0],
                    kind="警告",
                    starts_on=date(self.year - 5, 3, 15),
                    influence_ends_on=date(self.year - 4, 9, 15),
                ),
            ]
        )
        # A few personal-matters reports not yet checked never touch the cast.
        for cadre in rng.sample([c for c in self.cadres if c.pk not in cast], 6):
            if cadre.personal_report_status == PersonalReportStatus.CHECKED:
                self._set(cadre, personal_report_status=PersonalReportStatus.UNCHECKED)
        # Recusal (I9, V8): two cadres married to each other.
        Kinship.objects.create(cadre=self.staff_of["财政局"][2], relative=self.staff_of["审计局"][1], relation="配偶")

    def _set(self, cadre: Cadre, **fields):
        for name, value in fields.items():
            setattr(cadre, name, value)
        cadre.save(update_fields=list(fields))

    def _stories(self):
        """Résumé, education, family and rewards: every candidate and some thirty others."""
        others = [c for c in self.cadres if c.pk not in {x.pk for x in self._cast_list()}]
        people = self._cast_list() + self.rng.sample(others, 30)
        resume, education, family, rewards = [], [], [], []
        for cadre in people:
            rng = self.rng
            school = rng.choice(SCHOOLS)
            major = rng.choice(MAJORS)
            entered = date(cadre.birth_date.year + 18, 9, 1)
            graduated = date(entered.year + (3 if cadre.education == Education.ASSOCIATE else 4), 7, 1)
            degree_level = {
                Education.SECONDARY: "中专",
                Education.ASSOCIATE: "大专",
                Education.BACHELOR: "大学本科",
                Education.MASTER: "大学本科",
                Education.DOCTOR: "大学本科",
            }[cadre.education]
            education.append(
                EducationRecord(
                    cadre=cadre,
                    full_time=True,
                    degree_level=degree_level,
                    degree="" if cadre.education == Education.ASSOCIATE else f"{major[-2:]}学士",
                    school=f"{school}{major}专业",
                )
            )
            if cadre.education == Education.MASTER:
                education.append(
                    EducationRecord(
                        cadre=cadre,
                        full_time=False,
                        degree_level="硕士研究生",
                        degree="公共管理硕士",
                        school="某省大学公共管理学院公共管理专业",
                    )
                )
            resume.append(
                ResumeEntry(cadre=cadre, starts=entered, ends=graduated, description=f"{school}{major}专业学习")
            )
            first_job = cadre.work_start_date
            middle = first_job + (self.today - first_job) / 2
            resume.append(
                ResumeEntry(cadre=cadre, starts=first_job, ends=middle, description=f"某县{cadre.unit.name}科员")
            )
            current = f"某县{cadre.unit.name}{cadre.position.title if cadre.position_id else '干部'}"
            resume.append(ResumeEntry(cadre=cadre, starts=middle, ends=None, description=current))
            spouse_gender = "妻子" if cadre.gender == Gender.MALE else "丈夫"
            family.append(
                FamilyMember(
                    cadre=cadre,
                    relation=spouse_gender,
                    name=self._name(Gender.FEMALE if spouse_gender == "妻子" else Gender.MALE),
                    birth_date=cadre.birth_date.replace(year=cadre.birth_date.year + rng.randint(-3, 3), day=1),
                    political_status=rng.choice(["中共党员", "群众"]),
                    work=rng.choice(["某县人民医院护士", "某县第一中学教师", "某县农商银行职员", "个体经营"]),
                )
            )
            child = rng.choice(["儿子", "女儿"])
            child_birth = date(cadre.birth_date.year + rng.randint(26, 32), rng.randint(1, 12), 1)
            family.append(
                FamilyMember(
                    cadre=cadre,
                    relation=child,
                    name=self._name(Gender.MALE if child == "儿子" else Gender.FEMALE),
                    birth_date=child_birth,
                    political_status="共青团员" if self.year - child_birth.year >= 14 else "群众",
                    work="学生" if self.year - child_birth.year < 23 else "某市某公司职员",
                )
            )
            if rng.random() < 0.4:
                rewards.append(
                    RewardPunishment(
                        cadre=cadre,
                        on=date(self.year - rng.randint(1, 3), 7, 1),
                        text=rng.choice(["被评为县优秀共产党员", "年度考核优秀，嘉奖", "被评为县脱贫攻坚先进个人"]),
                    )
                )
        ResumeEntry.objects.bulk_create(resume)
        EducationRecord.objects.bulk_create(education)
        FamilyMember.objects.bulk_create(family)
        RewardPunishment.objects.bulk_create(rewards)

    def _reserve(self):
        reserve = [c for c in self._cast_list() if c.pk != self.cast["recommendation_weak"].pk]
        others = [c for c in self.cadres if c.position_id is None and c not in reserve]
        reserve += self.rng.sample(others, 8)
        ReserveCadre.objects.bulk_create(
            [
                ReserveCadre(
                    cadre=cadre,
                    source=self.rng.choice(["县委组织部年度集中推荐", "单位党组织推荐", "领导干部个人推荐"]),
                    since=self.today - timedelta(days=self.rng.randint(120, 700)),
                )
                for cadre in reserve
            ]
        )

    # ------------------------------------------------------------------------ selections

    def _prepare_steps(self) -> list[dict]:
        """Each installed app's demo.PREPARE (transition -> step), found without importing stage apps by name."""
        steps = []
        for config in apps.get_app_configs():
            try:
                module = importlib.import_module(f"{config.name}.demo")
            except ModuleNotFoundError as exc:
                if exc.name != f"{config.name}.demo":
                    raise
                continue
            steps.append(getattr(module, "PREPARE", {}))
        return steps

    def _selection(self, title, post, **kwargs) -> Selection:
        return services.selection_create(actor=self.staff, title=title, positions=[post], **kwargs)

    def _candidates(self, selection: Selection, post: Position, cadres: list[Cadre]) -> list[Candidate]:
        return [
            services.candidate_create(actor=self.staff, selection=selection, position=post, cadre=c) for c in cadres
        ]

    def _move(self, candidate: Candidate, *transitions: str, reason: str = "") -> Candidate | None:
        """Advance through `transitions`; stop (and warn, or abort with --strict) at a refusal."""
        for transition in transitions:
            current = self._fresh(candidate)
            if not can_proceed(getattr(current, transition)):
                return self._stopped(current, transition, "当前阶段不能进行此操作")
            try:
                for steps in self.prepare_steps:
                    step = steps.get(transition)
                    if step is not None:
                        with transaction.atomic():
                            step(self._fresh(candidate), self.staff)
            except DomainError as exc:
                return self._stopped(current, transition, f"准备数据失败：{exc}")
            current = self._fresh(candidate)
            evaluation = services.candidate_check(candidate=current, transition=transition)
            if evaluation.violations:
                return self._stopped(
                    current, transition, "；".join(f"{v.rule} {v.message}" for v in evaluation.violations)
                )
            candidate = services.candidate_transition(
                actor=self.staff, candidate_id=candidate.pk, transition=transition, reason=reason
            )
        return candidate

    def _stopped(self, candidate: Candidate, transition: str, why: str) -> None:
        message = (
            f"演示人选 {candidate.cadre.name}（{candidate.position}）未能{services.TRANSITION_LABELS[transition]}，"
            f"停在“{Stage(candidate.stage).label}”阶段：{why}"
        )
        if self.strict:
            raise CommandError(message)
        self.warnings.append(message)
        return None

    def _fresh(self, candidate: Candidate) -> Candidate:
        return Candidate.objects.select_related("selection", "position__unit", "cadre").get(pk=candidate.pk)

    # Stage data goes through the stage apps' own services, looked up by name: load_demo is where
    # every app meets, while the cadre app itself imports none of them.

    def _service(self, app_label: str, name: str):
        return getattr(importlib.import_module(f"{app_label}.services"), name)

    def _stage_data(self, label: str, app_label: str, function: str, /, **kwargs):
        """Write one piece of stage data; a refusal becomes a warning (or aborts with --strict)."""
        try:
            with transaction.atomic():
                return self._service(app_label, function)(**kwargs)
        except DomainError as exc:
            message = f"演示数据“{label}”未能写入：{exc}"
            if self.strict:
                raise CommandError(message) from exc
            self.warnings.append(message)
            return None

    def _assign_second(self, selection: Selection) -> User:
        """staff2 is the second clerk: the blind second entry of recommendation results is theirs."""
        services.selection_assign(actor=self.staff, selection=selection, user=self.users["staff2"])
        self.users["staff2"] = User.objects.get(pk=self.users["staff2"].pk)  # no cached permissions
        return self.users["staff2"]

    def _recommendation(
        self, selection, unit_name, *, days_ago, entitled, present, votes, kind="meeting", confirm=True
    ):
        """R1: staff1 enters a recommendation from the paper ballots; staff2 re-enters it blind to confirm it."""
        numbers = {"entitled": entitled, "present": present, "votes": {cadre.pk: n for cadre, n in votes}}
        meeting = self._stage_data(
            f"{selection.title} 民主推荐",
            "nomination",
            "recommendation_enter",
            actor=self.staff,
            selection_id=selection.pk,
            unit_id=self.units[unit_name].pk,
            kind=kind,
            held_on=self.today - timedelta(days=days_ago),
            **numbers,
        )
        if meeting is not None and confirm:
            self._stage_data(
                f"{selection.title} 民主推荐核对确认",
                "nomination",
                "recommendation_confirm",
                actor=self.users["staff2"],
                meeting_id=meeting.pk,
                **numbers,
            )

    def _inspection_objects(self, selection, candidates, *, days_ago):
        """R5: the 部长办公会 decides the inspection objects, with reasons."""
        self._stage_data(
            f"{selection.title} 确定考察对象",
            "nomination",
            "inspection_decision_record",
            actor=self.staff,
            selection_id=selection.pk,
            meeting_date=self.today - timedelta(days=days_ago),
            reasons="综合民主推荐得票、年度考核和一贯表现，经部长办公会研究确定为考察对象",
            candidate_ids=[c.pk for c in candidates],
        )

    def _inspection_team(self, selection, candidates, *, starts_ago: int, ends_ago: int):
        """I1, I2: the inspection notice, then inspector1's team for these inspection objects."""
        self._stage_data(
            f"{selection.title} 考察预告",
            "inspection",
            "notice_publish",
            actor=self.staff,
            selection=selection,
            published_on=self.today - timedelta(days=starts_ago + 3),
            team_text="组长 inspector1（县委组织部干部科）",
            contact_phone="0000-1234567",
            text=f"根据工作安排，拟对{selection.title}的考察对象进行考察，欢迎干部群众反映情况。",
        )
        self._stage_data(
            f"{selection.title} 考察组",
            "inspection",
            "team_create",
            actor=self.staff,
            selection=selection,
            name=f"{selection.title}考察组",
            leader=self.users["inspector1"],
            starts_on=self.today - timedelta(days=starts_ago),
            ends_on=self.today - timedelta(days=ends_ago),
            place=f"某县{candidates[0].position.unit.name}",
            scope="单位领导班子成员、中层干部、服务对象代表",
            forum_size=25,
            candidates=candidates,
        )

    def _committee_vote(self, selection, results):
        """The committee's meeting: the candidates on the agenda, the quorum, each counted result (V1–V4).
        The selection has staff2 assigned (`_assign_second`): the second clerk."""
        meeting = self._stage_data(
            f"{selection.title} 常委会会议",
            "voting",
            "meeting_create",
            actor=self.staff,
            selection=selection,
            # before the publicity that has ended by today, which may not start before the decision
            held_on=importlib.import_module("voting.demo").decision_day(),
            title="县委常委会第 12 次会议",
            entitled=11,
        )
        if meeting is None:
            return
        for candidate, _ in results:
            self._stage_data(
                "列入会议议题",
                "voting",
                "agenda_add",
                actor=self.staff,
                meeting_id=meeting.pk,
                candidate_id=candidate.pk,
            )
        self._stage_data("会议召开", "voting", "meeting_open", actor=self.staff, meeting_id=meeting.pk, present=11)
        # Held on paper: staff1 enters each result, staff2 re-enters it blind and it counts (V3, V4, V9).
        for candidate, (approve, disapprove, abstain) in results:
            numbers = {"approve": approve, "disapprove": disapprove, "abstain": abstain}
            entries = ((self.staff, "decision_result_enter"), (self.users["staff2"], "decision_result_confirm"))
            for clerk, function in entries:
                self._stage_data(
                    f"{candidate.cadre.name} 票决结果",
                    "voting",
                    function,
                    actor=clerk,
                    meeting_id=meeting.pk,
                    candidate_id=candidate.pk,
                    **numbers,
                )

    def _reserve_status(self, cadre: Cadre, status: str):
        ReserveCadre.objects.filter(cadre=cadre).update(status=status)

    def _selections(self):
        cast = self.cast

        # 1. At motion: the township's deputy party secretary post is vacant.
        post = self.posts["某某镇", "党委副书记"]
        selection = self._selection(
            "某某镇党委副书记选拔任用", post, reason=MotionReason.VACANCY, reason_text="原党委副书记交流任职，职位空缺"
        )
        self._candidates(selection, post, cast["motion"])

        # 2. At recommendation: three nominated; the ballots are entered by staff1 and wait for staff2's
        #    second entry. One of them has a 基本称职 (E1) and will be refused as an inspection object.
        post = self.posts["教育局", "副局长"]
        selection = self._selection(
            "教育局副局长选拔任用", post, reason=MotionReason.STRUCTURE, reason_text="班子缺少熟悉人事工作的年轻干部"
        )
        self._assign_second(selection)
        trio = cast["recommendation"] + [cast["recommendation_weak"]]
        for candidate in self._candidates(selection, post, trio):
            self._move(candidate, "nominate", "recommend")
        self._recommendation(
            selection,
            "教育局",
            days_ago=3,
            entitled=42,
            present=39,
            votes=[(trio[0], 28), (trio[1], 21), (trio[2], 15)],
            confirm=False,
        )

        # 3. At inspection: two inspection objects for one post (差额考察); a third was not listed.
        post = self.posts["财政局", "副局长"]
        selection = self._selection(
            "财政局副局长选拔任用", post, reason=MotionReason.VACANCY, reason_text="原副局长退休，职位空缺"
        )
        self._assign_second(selection)
        first, second = cast["inspection"]
        low = cast["inspection_low_votes"]
        candidates = self._candidates(selection, post, [first, second, low])
        for candidate in candidates:
            self._move(candidate, "nominate", "recommend")
        self._recommendation(
            selection, "财政局", days_ago=25, entitled=45, present=43, votes=[(first, 31), (second, 26), (low, 12)]
        )
        self._recommendation(
            selection, "财政局", days_ago=24, entitled=15, present=15, votes=[(first, 11), (second, 9)], kind="talk"
        )
        self._inspection_objects(selection, candidates[:2], days_ago=20)
        for candidate in candidates[:2]:
            if self._move(candidate, "inspect"):
                self._reserve_status(candidate.cadre, ReserveCadre.Status.INSPECTION)
        self._move(candidates[2], "eliminate", reason="民主推荐得票未过半数，经部长办公会研究不列为考察对象")
        self._inspection_team(selection, candidates[:2], starts_ago=2, ends_ago=-5)

        # 4. In publicity: a single suitable candidate (等额), recorded with reasons; the notice is out.
        post = self.posts["住建局", "副局长"]
        selection = self._selection(
            "住建局副局长选拔任用",
            post,
            reason=MotionReason.VACANCY,
            reason_text="原副局长调任，职位空缺",
            competitive=False,
            single_candidate_reason="该职位专业性强，经部长办公会综合分析，只有一名符合条件的合适人选",
        )
        self._assign_second(selection)
        (candidate,) = self._candidates(selection, post, [cast["publicity"]])
        self._move(candidate, "nominate", "recommend")
        self._recommendation(selection, "住建局", days_ago=40, entitled=36, present=35, votes=[(cast["publicity"], 30)])
        self._inspection_objects(selection, [candidate], days_ago=35)
        if self._move(candidate, "inspect"):
            self._reserve_status(candidate.cadre, ReserveCadre.Status.INSPECTION)
        self._inspection_team(selection, [candidate], starts_ago=30, ends_ago=25)
        if self._move(candidate, "deliberate", "decide", "publicize"):
            self._stage_data(
                f"{selection.title} 任前公示",
                "supervision",
                "publicity_start",
                actor=self.staff,
                candidate_id=candidate.pk,
                starts_on=self.today,
                phone="0000-12380（县委组织部干部监督室）",
                letter="县委组织部干部监督室（县行政中心3楼）",
                online="12380 举报网站",
            )

        # 5. Appointed: two inspected, the committee passed one and not the other (票决未通过 → N4).
        post = self.posts["发改局", "副局长"]
        selection = self._selection(
            "发改局副局长选拔任用", post, reason=MotionReason.VACANCY, reason_text="原副局长到龄退休，职位空缺"
        )
        self._assign_second(selection)
        winner, loser = self._candidates(selection, post, [cast["appointed"], cast["rejected"]])
        for candidate in (winner, loser):
            self._move(candidate, "nominate", "recommend")
        self._recommendation(
            selection,
            "发改局",
            days_ago=60,
            entitled=38,
            present=36,
            votes=[(cast["appointed"], 29), (cast["rejected"], 22)],
        )
        self._inspection_objects(selection, [winner, loser], days_ago=55)
        inspected = [c for c in (winner, loser) if self._move(c, "inspect")]
        self._inspection_team(selection, inspected, starts_ago=50, ends_ago=45)
        decided = [c for c in inspected if self._move(c, "deliberate", "decide")]
        if len(decided) == 2:
            self._committee_vote(selection, [(winner, (8, 1, 2)), (loser, (2, 6, 3))])
        if self._fresh(loser).stage == Stage.DECISION:
            self._move(loser, "reject", reason="常委会票决赞成票未超过应到会成员半数")
        if self._move(winner, "publicize", "appoint"):
            self._reserve_status(winner.cadre, ReserveCadre.Status.USED)
