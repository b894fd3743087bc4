"""Data that lets a candidate pass the rules of this app's stages, for demo data and tests.

PREPARE maps a transition name to a function (candidate, actor) -> None that creates, through
this app's services, what the rules registered for that transition need (idempotent).
"""

from datetime import timedelta

from django.utils import timezone

from cadre import demo_dates
from cadre.dates import before_inspection, inspection_period
from cadre.people import person_name
from cadre.thresholds import snapshot

from . import services
from .models import (
    Comparison,
    ConsultationLevel,
    DepartmentOpinion,
    Factor,
    FactorAssessment,
    FactorGrade,
    InspectionNotice,
    InspectionProcedure,
    InspectionReport,
    InspectionTeam,
    Talk,
    TeamAssignment,
)
from .rules import REQUIRED_LEVELS


def prepare_deliberate(candidate, actor):
    """I1–I9: notice, team (the actor as leader), procedures, talks, five factors, opinions, audit, report."""
    today = timezone.localdate()
    thresholds = snapshot()
    selection = candidate.selection
    if not InspectionNotice.objects.filter(selection=selection, published_on__lte=today).exists():
        services.notice_publish(
            actor=actor,
            selection=selection,
            published_on=demo_dates.days_ago(demo_dates.INSPECTION_NOTICE, today),
            team_text=f"组长 {person_name(actor)}",
            contact_phone="0000-1234567",
            text=f"拟对{selection.title}的考察对象进行考察，欢迎反映情况。",
        )
    existing = InspectionTeam.objects.filter(selection=selection, members__user=actor, members__is_leader=True).first()
    if TeamAssignment.objects.filter(candidate=candidate).exists():
        pass
    elif existing is not None:
        services.team_candidate_add(actor=actor, team=existing, candidate=candidate)
    else:
        # #11: the period starts on or after the stages before it and ends before the committee meets.
        starts_on = demo_dates.on_or_after(
            demo_dates.days_ago(demo_dates.TEAM_STARTS, today), *(day for _, day in before_inspection(candidate))
        )
        services.team_create(
            actor=actor,
            selection=selection,
            name=f"{selection.title}考察组",
            leader=actor,
            starts_on=starts_on,
            ends_on=demo_dates.on_or_after(demo_dates.days_ago(demo_dates.TEAM_ENDS, today), starts_on),
            place=candidate.cadre.unit.name,
            scope="单位领导班子成员、中层干部",
            forum_size=20,
            candidates=[candidate],
        )
    # What the team did is dated inside its period (#11): its last day, or today while it still works.
    worked_on = _team_day(candidate, today)
    done = set(InspectionProcedure.objects.filter(candidate=candidate).values_list("name", flat=True))
    for name in thresholds["I3.procedures"]:
        if name not in done:
            services.procedure_create(actor=actor, candidate=candidate, name=name, done_on=worked_on)
    covered = set(Talk.objects.filter(candidate=candidate).values_list("category", flat=True))
    for category in thresholds["I4.categories"]:
        if category not in covered:
            services.talk_create(
                actor=actor,
                candidate=candidate,
                interviewee=f"{category}代表",
                category=category,
                talked_on=worked_on,
                summary="反映该同志工作扎实、作风正派。",
            )
    assessed = set(FactorAssessment.objects.filter(candidate=candidate).values_list("factor", flat=True))
    for factor in Factor:
        if factor.value not in assessed:
            services.factor_assess(
                actor=actor, candidate=candidate, factor=factor.value, grade=FactorGrade.GOOD, text="表现较好。"
            )
    on_file = set(DepartmentOpinion.objects.filter(candidate=candidate).values_list("department", flat=True))
    for department in thresholds["I6.opinions"]:
        if department not in on_file:
            services.opinion_create(
                actor=actor,
                candidate=candidate,
                department=department,
                received_on=worked_on,
                opinion="未发现影响使用的问题。",
            )
    if candidate.position.requires_audit and not candidate.economic_audits.exists():
        services.audit_create(
            actor=actor,
            candidate=candidate,
            auditor="县审计局",
            concluded_on=worked_on,
            conclusion="未发现违反财经纪律的问题。",
        )
    report = InspectionReport.objects.filter(selection=selection, position=candidate.position).first()
    if report is None or report.heard_on is None or not report.comparison.strip():
        services.report_save(
            actor=actor,
            selection=selection,
            position=candidate.position,
            comparison="对考察对象的德才表现进行了对比分析。",
            recommendation=f"建议{candidate.cadre.name}为拟任人选。",
            recommended=candidate,
            heard_on=worked_on,
        )


def _team_day(candidate, today):
    """The last day of the candidate's inspection team's period, or today if that is later than today."""
    period = inspection_period(candidate)
    return min(period[1], today) if period else today


def prepare_decide(candidate, actor):
    """D1–D2: the 部长办公会 and 书记碰头会 consultations, and the comparison for the post."""
    today = timezone.localdate()
    # after the inspection, before the committee's meeting (voting.demo.decision_day)
    held_on = min(_team_day(candidate, today) + timedelta(days=1), today)
    levels = set(candidate.consultations.values_list("level", flat=True))
    participants = {
        ConsultationLevel.MINISTER_MEETING: "组织部部长、副部长",
        ConsultationLevel.SECRETARIES_MEETING: "县委书记、副书记、组织部长、纪委书记",
    }
    for level in REQUIRED_LEVELS:
        if level not in levels:
            services.consultation_create(
                actor=actor,
                selection=candidate.selection,
                level=level,
                held_on=held_on,
                participants=participants[level],
                opinions="同意该人选提交常委会讨论。",
                candidates=[candidate],
            )
    if not Comparison.objects.filter(selection=candidate.selection, position=candidate.position).exists():
        services.comparison_save(
            actor=actor,
            selection=candidate.selection,
            position=candidate.position,
            virtue_talent="德才兼备。",
            performance="实绩突出。",
            potential="有发展潜力。",
            mass_base="群众基础较好。",
            personality="性格稳重。",
            post_fit="符合岗位要求，人岗相适。",
        )


PREPARE: dict = {"deliberate": prepare_deliberate, "decide": prepare_decide}
