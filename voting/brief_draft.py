"""V7: a draft of the brief 任职推荐材料 from what the system already holds (issue #11).

The committee members get, before they vote, each candidate's recommendation, evaluation, traits,
shortcomings and reasons (V7; `001` 附件3: 介绍拟任人选的基本情况、民主推荐、民主测评、主要特点及
不足和任用理由). This module reads — the nomination's confirmed recommendation results and ranks,
the inspection's factor assessments, talks, department opinions, audit and report, the cadre's own
facts — and returns the five texts for the clerk to edit. It writes nothing: the clerk saves the
edited text through `voting.services.brief_save` like any brief.

Stage apps: voting reads nomination and inspection (the stages before the decision), never the
other way round.
"""

from collections import Counter

from django.db.models import Prefetch

from cadre.models import Candidate
from inspection.models import (
    DepartmentOpinion,
    EconomicAudit,
    Factor,
    FactorAssessment,
    FactorGrade,
    InspectionReport,
    Talk,
)
from nomination import selectors as nomination_selectors
from nomination.models import InspectionDecision, Nomination

# Grades that make a factor a trait, and those that make it a shortcoming.
TRAIT_GRADES = (FactorGrade.EXCELLENT,)
SHORTCOMING_GRADES = (FactorGrade.FAIR, FactorGrade.POOR)
TO_COMPLETE = "（请根据考察情况补充）"


def _month(day) -> str:
    return f"{day.year}年{day.month}月" if day else ""


def _facts(candidate: Candidate) -> str:
    """基本情况: the cadre's facts in the usual order of a brief."""
    cadre = candidate.cadre
    parts = [cadre.name, cadre.get_gender_display()]
    if cadre.ethnicity:
        parts.append(cadre.ethnicity)
    parts.append(f"{_month(cadre.birth_date)}生")
    if cadre.hometown:
        parts.append(f"{cadre.hometown}人")
    parts.append(cadre.get_education_display())
    if cadre.party_date:
        parts.append(f"{_month(cadre.party_date)}入党")
    parts.append(f"{_month(cadre.work_start_date)}参加工作")
    current = f"现任{cadre.unit.name}{cadre.position.title}" if cadre.position else f"现在{cadre.unit.name}工作"
    if cadre.rank_since:
        current += f"（{_month(cadre.rank_since)}任现职级）"
    parts.append(current)
    return "，".join(parts) + "。"


def _recommendation(candidate: Candidate) -> str:
    lines = []
    nominations = Nomination.objects.filter(candidate=candidate).order_by("recorded_at", "pk")
    for n in nominations:
        lines.append(
            f"由{n.nominator}（{n.get_source_display()}）提名。" + (f"提名理由：{n.reasons}" if n.reasons else "")
        )
    results = nomination_selectors.results_for_candidate(candidate=candidate)
    for row in results["rows"]:
        m, r = row.meeting, row.result
        lines.append(
            f"{m.held_on:%Y年%-m月%-d日}在{m.unit.name}{m.get_kind_display()}中，应参加{m.entitled}人、"
            f"实参加{m.present}人，得{r.votes}票（占实参加人数的{row.percent}），排第{r.rank}名"
            + ("。" if row.majority or not row.own_unit else "，未达到规定比例。")
        )
    decision = InspectionDecision.objects.filter(candidates=candidate).order_by("-meeting_date", "-pk").first()
    if decision is not None:
        lines.append(f"{decision.meeting_date:%Y年%-m月%-d日}部长办公会研究确定为考察对象：{decision.reasons}")
    if not lines:
        lines.append("尚无已确认的民主推荐结果。" + TO_COMPLETE)
    return "\n".join(lines)


def _evaluation(candidate: Candidate, factors: list[FactorAssessment]) -> str:
    lines = [_facts(candidate)]
    talks = Counter(Talk.objects.filter(candidate=candidate).values_list("category", flat=True))
    if talks:
        lines.append(
            f"考察组个别谈话{sum(talks.values())}人次（"
            + "、".join(f"{category}{n}人" for category, n in talks.items())
            + "）。"
        )
    for f in factors:
        lines.append(f"{f.get_factor_display()}（{f.get_grade_display()}）：{f.text}")
    missing = [str(label) for value, label in Factor.choices if value not in {f.factor for f in factors}]
    if missing:
        lines.append("尚未评价：" + "、".join(missing) + "。" + TO_COMPLETE)
    for o in DepartmentOpinion.objects.filter(candidate=candidate).order_by("received_on", "pk"):
        lines.append(f"{o.department}意见（{o.received_on:%Y年%-m月%-d日}回复）：{o.opinion}")
    for a in EconomicAudit.objects.filter(candidate=candidate).order_by("concluded_on", "pk"):
        lines.append(f"任前经济责任审计（{a.auditor}，{a.concluded_on:%Y年%-m月%-d日}）：{a.conclusion}")
    return "\n".join(lines)


def _graded(factors, grades) -> str:
    return "\n".join(f"{f.get_factor_display()}：{f.text}" for f in factors if f.grade in grades)


def _reasons(candidate: Candidate) -> str:
    report = (
        InspectionReport.objects.filter(selection=candidate.selection_id, position=candidate.position_id)
        .select_related("recommended__cadre")
        .first()
    )
    lines = []
    if report is not None and report.recommended_id == candidate.pk:
        lines.append(f"考察组建议：{report.recommendation}")
    lines.append(f"{candidate.cadre.name}同志德才素质与{candidate.position}职位要求相适应，拟任{candidate.position}。")
    return "\n".join(lines)


def brief_draft(*, candidate: Candidate) -> dict[str, str]:
    """The five texts of a brief (Brief.FIELDS), drafted from the record; nothing is written."""
    candidate = (
        Candidate.objects.select_related("cadre__unit", "cadre__position", "position__unit", "selection")
        .prefetch_related(Prefetch("factor_assessments", queryset=FactorAssessment.objects.all()))
        .get(pk=candidate.pk)
    )
    order = {value: i for i, value in enumerate(Factor.values)}
    factors = sorted(candidate.factor_assessments.all(), key=lambda f: order.get(f.factor, 99))
    return {
        "recommendation": _recommendation(candidate),
        "evaluation": _evaluation(candidate, factors),
        "traits": _graded(factors, TRAIT_GRADES) or TO_COMPLETE,
        "shortcomings": _graded(factors, SHORTCOMING_GRADES) or TO_COMPLETE,
        "reasons": _reasons(candidate),
    }
