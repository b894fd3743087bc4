"""Rules of inspection 考察 (I1–I9) and deliberation 酝酿 (D1–D3).

The inspection must be complete before a candidate is deliberated, so I1–I9 guard `deliberate`;
D1–D3 guard `decide`. Each function is one rule of DOMAIN.md; they read, never write.
"""

from django.utils.translation import gettext_noop

from cadre.models import Kinship, RecordKind
from cadre.rules import Finding, register

from .models import (
    Comparison,
    ConsultationLevel,
    DepartmentOpinion,
    Factor,
    FactorAssessment,
    InspectionNotice,
    InspectionProcedure,
    InspectionReport,
    InspectionTeamMember,
    Talk,
    TeamAssignment,
)

INSPECTION = ["deliberate"]
DELIBERATION = ["decide"]

# D1: the levels every candidate must have been deliberated at before the committee decides.
REQUIRED_LEVELS = (ConsultationLevel.MINISTER_MEETING, ConsultationLevel.SECRETARIES_MEETING)


def related_cadre_ids(cadre_id) -> set[int]:
    """The cadre and every cadre recorded as their relative, in either direction (回避)."""
    pairs = Kinship.objects.filter(cadre_id=cadre_id).values_list("relative_id", flat=True)
    reverse = Kinship.objects.filter(relative_id=cadre_id).values_list("cadre_id", flat=True)
    return {cadre_id, *pairs, *reverse}


def team_of(candidate):
    assignment = TeamAssignment.objects.filter(candidate=candidate).select_related("team").first()
    return assignment.team if assignment else None


# ---------------------------------------------------------------------------- inspection


@register(
    "I1",
    title=gettext_noop("考察预告"),
    source="001 附件3; 000 二",
    transitions=INSPECTION,
)
def notice_published(candidate, ctx):
    notices = [
        n
        for n in InspectionNotice.objects.filter(selection=candidate.selection, published_on__lte=ctx.today)
        if n.team_text.strip() and n.contact_phone.strip()
    ]
    inputs = {"notices": [{"id": n.pk, "published_on": n.published_on.isoformat()} for n in notices]}
    if not notices:
        return Finding(inputs, ["尚未发布考察预告（须公开考察组人员名单和联系电话）"])
    team = team_of(candidate)
    first = min(n.published_on for n in notices)
    if team is not None and first > team.starts_on:
        inputs["team_starts_on"] = team.starts_on.isoformat()
        return Finding(inputs, [f"考察预告（{first:%Y-%m-%d}）晚于考察开始日期（{team.starts_on:%Y-%m-%d}）"])
    return Finding(inputs)


@register(
    "I2",
    title=gettext_noop("考察组登记备案"),
    source="000 一",
    transitions=INSPECTION,
)
def team_registered(candidate, ctx):
    team = team_of(candidate)
    if team is None:
        return Finding({"team": None}, ["尚未为该人选登记考察组"])
    members = list(team.members.all())
    inputs = {
        "team": team.pk,
        "members": len(members),
        "leader": next((m.user_id for m in members if m.is_leader), None),
        "starts_on": team.starts_on.isoformat(),
        "ends_on": team.ends_on.isoformat(),
        "place": team.place,
        "scope": team.scope,
        "forum_size": team.forum_size,
    }
    problems = []
    if inputs["leader"] is None:
        problems.append("考察组没有组长")
    if not (team.place.strip() and team.scope.strip() and team.forum_size):
        problems.append("考察组未登记考察地点、座谈范围或座谈人数")
    return Finding(inputs, problems)


@register(
    "I3",
    title=gettext_noop("考察必经程序"),
    source="001 附件3; 000 二",
    transitions=INSPECTION,
)
def procedures_done(candidate, ctx):
    required = ctx.thresholds["I3.procedures"]
    done = sorted(set(InspectionProcedure.objects.filter(candidate=candidate).values_list("name", flat=True)))
    missing = [name for name in required if name not in done]
    inputs = {"required": required, "done": done}
    return Finding(inputs, [f"尚未完成必经程序：{'、'.join(missing)}"] if missing else [])


@register(
    "I4",
    title=gettext_noop("必谈对象"),
    source="001 附件3; 000 二",
    transitions=INSPECTION,
)
def categories_covered(candidate, ctx):
    required = ctx.thresholds["I4.categories"]
    covered = sorted(set(Talk.objects.filter(candidate=candidate).values_list("category", flat=True)))
    missing = [c for c in required if c not in covered]
    inputs = {"required": required, "covered": covered}
    return Finding(inputs, [f"尚未与以下类别对象谈话：{'、'.join(missing)}"] if missing else [])


@register(
    "I5",
    title=gettext_noop("五项必考要素"),
    source="000 二",
    transitions=INSPECTION,
)
def factors_assessed(candidate, ctx):
    assessed = dict(
        FactorAssessment.objects.filter(candidate=candidate).exclude(text="").values_list("factor", "grade")
    )
    missing = [str(f.label) for f in Factor if f.value not in assessed]
    inputs = {"assessed": assessed}
    return Finding(inputs, [f"尚未评价：{'、'.join(missing)}"] if missing else [])


@register(
    "I6",
    title=gettext_noop("征求纪检等部门意见"),
    source="001 三(一)5, 附件3",
    transitions=INSPECTION,
)
def opinions_on_file(candidate, ctx):
    required = ctx.thresholds["I6.opinions"]
    on_file = sorted(set(DepartmentOpinion.objects.filter(candidate=candidate).values_list("department", flat=True)))
    missing = [d for d in required if d not in on_file]
    inputs = {"required": required, "on_file": on_file}
    return Finding(inputs, [f"尚未征求{'、'.join(missing)}部门意见"] if missing else [])


@register(
    "I7",
    title=gettext_noop("任前经济责任审计"),
    source="000 三",
    transitions=INSPECTION,
    soft=True,
)
def audit_on_file(candidate, ctx):
    required = candidate.position.requires_audit
    audits = candidate.economic_audits.count() if required else 0
    inputs = {"requires_audit": required, "audits": audits}
    if required and not audits:
        return Finding(inputs, [f"{candidate.position}须进行任前经济责任审计，尚无审计结论"])
    return Finding(inputs)


@register(
    "I8",
    title=gettext_noop("考察对比分析与部长办公会听取汇报"),
    source="001 附件3",
    transitions=INSPECTION,
)
def report_heard(candidate, ctx):
    report = InspectionReport.objects.filter(selection=candidate.selection, position=candidate.position).first()
    if report is None:
        return Finding({"report": None}, [f"尚无{candidate.position}的考察对比分析报告"])
    inputs = {
        "report": report.pk,
        "recommended": report.recommended_id,
        "heard_on": report.heard_on.isoformat() if report.heard_on else None,
    }
    problems = []
    if not (report.comparison.strip() and report.recommendation.strip()):
        problems.append("考察对比分析报告须对人选进行对比分析并提出使用建议")
    if report.heard_on is None or report.heard_on > ctx.today:
        problems.append("部长办公会尚未听取考察组汇报")
    return Finding(inputs, problems)


@register(
    "I9",
    title=gettext_noop("考察组成员回避"),
    source="001 附件2 第十条(五)",
    transitions=INSPECTION,
)
def team_recusal(candidate, ctx):
    team = team_of(candidate)
    if team is None:
        return Finding({"team": None})
    members = list(InspectionTeamMember.objects.filter(team=team).select_related("user"))
    related = related_cadre_ids(candidate.cadre_id)
    conflicted = [m for m in members if m.cadre_id is not None and m.cadre_id in related]
    inputs = {
        "team": team.pk,
        "members": [{"user": m.user_id, "cadre": m.cadre_id} for m in members],
        "conflicted": [m.user_id for m in conflicted],
    }
    return Finding(inputs, [f"考察组成员 {m.user.get_username()} 与该人选有亲属关系，应当回避" for m in conflicted])


# ---------------------------------------------------------------------------- deliberation


@register(
    "D1",
    title=gettext_noop("分层酝酿"),
    source="001 附件3, 附件4 (二)6",
    transitions=DELIBERATION,
)
def consultations_recorded(candidate, ctx):
    levels = sorted(set(candidate.consultations.values_list("level", flat=True)))
    missing = [str(ConsultationLevel(level).label) for level in REQUIRED_LEVELS if level not in levels]
    inputs = {"levels": levels, "required": list(REQUIRED_LEVELS)}
    return Finding(inputs, [f"尚未经过{'、'.join(missing)}酝酿"] if missing else [])


@register(
    "D2",
    title=gettext_noop("人选比较与人岗相适"),
    source="001 附件3",
    transitions=DELIBERATION,
)
def candidates_compared(candidate, ctx):
    comparison = Comparison.objects.filter(selection=candidate.selection, position=candidate.position).first()
    if comparison is None:
        return Finding({"comparison": None}, [f"尚未对{candidate.position}的人选进行比较"])
    empty = [
        Comparison._meta.get_field(a).verbose_name for a in Comparison.ASPECTS if not getattr(comparison, a).strip()
    ]
    inputs = {"comparison": comparison.pk}
    return Finding(inputs, [f"人选比较缺少：{'、'.join(str(e) for e in empty)}"] if empty else [])


@register(
    "D3",
    title=gettext_noop("重大分歧作为重要情况记实"),
    source="001 附件4 (三)4",
    transitions=DELIBERATION,
)
def disagreement_recorded(candidate, ctx):
    disagreements = candidate.consultations.filter(disagreement=True).count()
    recorded = candidate.record.filter(kind=RecordKind.IMPORTANT, payload__category="disagreement").count()
    inputs = {"disagreements": disagreements, "important_records": recorded}
    if recorded < disagreements:
        return Finding(inputs, ["酝酿中的重大分歧尚未作为重要情况记实"])
    return Finding(inputs)
