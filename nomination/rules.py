"""Rules of motion, nomination, recommendation and the eligibility of inspection objects.

Each function is one rule of ../shared/DOMAIN.md, registered under its id for the transitions
where it applies. They read; they never write.
"""

from datetime import timedelta

from django.db.models import Q
from django.utils.translation import gettext_noop

from cadre.models import (
    EDUCATION_RANK,
    AssessmentGrade,
    Candidate,
    Education,
    FailedVote,
    MotionReason,
    PersonalReportStatus,
    Stage,
)
from cadre.rules import Finding, register
from cadre.selectors import is_promotion, position_occupancy

from .models import InspectionDecision, MotionAgenda, RecommendationMeeting, RecommendationResult

# ---------------------------------------------------------------------------- motion


@register(
    "M1",
    title=gettext_noop("动议理由"),
    source="001 附件1 第五条, 附件2 第五条",
    transitions=["nominate"],
)
def motion_reason(candidate, ctx):
    selection = candidate.selection
    inputs = {"reason": selection.reason, "reason_text": selection.reason_text}
    if selection.reason not in MotionReason.values:
        return Finding(inputs, ["动议理由不是规定的理由之一"])
    if selection.reason == MotionReason.OTHER and not selection.reason_text.strip():
        return Finding(inputs, ["动议理由为“其他”时必须写明具体理由"])
    return Finding(inputs)


@register(
    "M2",
    title=gettext_noop("机构变动或书记调动期间不得动议"),
    source="001 附件2 第十条(一)",
    transitions=["nominate"],
)
def motion_frozen(candidate, ctx):
    unit = candidate.position.unit
    approval = candidate.selection.superior_approval.strip()
    inputs = {
        "unit": unit.pk,
        "under_restructuring": unit.under_restructuring,
        "secretary_transferring": unit.secretary_transferring,
        "superior_approval": approval,
    }
    if approval:
        return Finding(inputs)
    problems = []
    if unit.under_restructuring:
        problems.append(f"{unit.name}正处于机构变动期间，未经上级组织部门同意不得动议")
    if unit.secretary_transferring:
        problems.append(f"{unit.name}书记即将调动，未经上级组织部门同意不得动议")
    return Finding(inputs, problems)


@register(
    "M3",
    title=gettext_noop("不得超职数配备"),
    source="001 附件2 第十条(二); 002 #24; 004 三(一)",
    transitions=["nominate", "decide", "publicize", "appoint"],
)
def within_quota(candidate, ctx):
    occupancy = position_occupancy(position=candidate.position, cadre=candidate.cadre)
    if not occupancy["vacant"]:
        return Finding(
            occupancy,
            [
                f"{candidate.position}职数 {occupancy['quota']} 名，现有 {occupancy['holders']} 名在任、"
                f"{occupancy['pending']} 名待任，没有空缺，不得超职数配备"
            ],
        )
    return Finding(occupancy)


@register(
    "M4",
    title=gettext_noop("不得临时动议"),
    source="001 附件2 第十条(三)",
    transitions=["nominate"],
    soft=True,
)
def motion_on_agenda(candidate, ctx):
    items = MotionAgenda.objects.filter(selection=candidate.selection).select_related("recorded_by")
    inputs = {
        "agenda_items": [
            {
                "meeting": a.meeting_name,
                "date": a.meeting_date.isoformat(),
                "item": a.item,
                "recorded_by": a.recorded_by.get_username(),
                "recorded_at": a.recorded_at.isoformat(),
            }
            for a in items
        ]
    }
    if not inputs["agenda_items"]:
        return Finding(inputs, ["动议事项未在会前列入会议议题，属临时动议"])
    return Finding(inputs)


# ---------------------------------------------------------------------------- nomination


@register(
    "N1",
    title=gettext_noop("提名来源与领导干部个人推荐"),
    source="001 三(一)1, 附件1 第七条(七)",
    transitions=["recommend"],
)
def nominated(candidate, ctx):
    nominations = list(candidate.nominations.all())
    inputs = {
        "nominations": [{"source": n.source, "nominator": n.nominator, "problems": n.problems} for n in nominations]
    }
    if not nominations:
        return Finding(inputs, ["没有初始提名记录"])
    if not any(not n.problems for n in nominations):
        return Finding(inputs, [p for n in nominations for p in n.problems])
    return Finding(inputs)


# Stages in which a candidate is no longer on the reference list.
ENDED = [Stage.ELIMINATED, Stage.WITHDRAWN, Stage.REJECTED]


@register(
    "N2",
    title=gettext_noop("党政正职参考人选比例"),
    source="001 附件1 第六条",
    transitions=["recommend"],
)
def reference_list(candidate, ctx):
    ratio = ctx.thresholds["N2.reference_ratio"]
    position = candidate.position
    if not position.is_chief:
        return Finding({"is_chief": False})
    count = Candidate.objects.filter(selection=candidate.selection, position=position).exclude(stage__in=ENDED).count()
    inputs = {"is_chief": True, "reference_candidates": count, "posts": 1, "ratio": ratio}
    if count < ratio:
        return Finding(
            inputs, [f"{position}为党政正职，参考人选 {count} 名，不足职位数的 1:{ratio}（至少 {ratio} 名）"]
        )
    return Finding(inputs)


@register(
    "N3",
    title=gettext_noop("新提拔干部学历要求"),
    source="004 二(一)",
    transitions=["nominate"],
)
def education_minimum(candidate, ctx):
    minimums = ctx.thresholds["N3.min_education"]
    required = minimums.get(candidate.position.level, minimums.get("*"))
    promotion = is_promotion(candidate)
    inputs = {"education": candidate.cadre.education, "required": required, "promotion": promotion}
    if not promotion or required is None:
        return Finding(inputs)
    if EDUCATION_RANK[candidate.cadre.education] < EDUCATION_RANK[required]:
        return Finding(inputs, [f"新提拔干部须具有{Education(required).label}以上学历"])
    return Finding(inputs)


@register(
    "N4",
    title=gettext_noop("两次票决未通过一年内不得再提名"),
    source="001 附件3 差额票决",
    transitions=["nominate"],
)
def failed_twice(candidate, ctx):
    since = ctx.today - timedelta(days=ctx.thresholds["N4.bar_days"])
    failures = FailedVote.objects.filter(cadre=candidate.cadre, position=candidate.position, voted_on__gt=since).count()
    inputs = {"failed_votes": failures, "since": since.isoformat()}
    if failures >= ctx.thresholds["N4.failed_votes"]:
        return Finding(inputs, [f"该干部一年内已 {failures} 次在同一职位票决中未通过，不得再次提名"])
    return Finding(inputs)


# ---------------------------------------------------------------------------- recommendation


def valid_since(today, thresholds):
    """R2: the oldest recommendation date still valid on `today`."""
    return today - timedelta(days=thresholds["R2.valid_days"])


def has_majority(votes: int, present: int, min_share) -> bool:
    """R3: at least `min_share` (half) of those present recommended the cadre."""
    return present > 0 and votes >= min_share * present


def _results(candidate, ctx):
    """Recommendation results of this candidate's cadre in this selection: confirmed meetings only (R1);
    a count for one post (an online ballot's) only when it is the candidate's post. R2 and R3 both
    look at them: read once per evaluation (`ctx.once`), one query for the two rules."""
    return ctx.once(
        ("recommendation_results", candidate.pk),
        lambda: list(
            RecommendationResult.objects.filter(
                cadre=candidate.cadre, meeting__selection=candidate.selection, meeting__confirmed_by__isnull=False
            )
            .filter(Q(meeting__position__isnull=True) | Q(meeting__position=candidate.position_id))
            .select_related("meeting")
        ),
    )


@register(
    "R2",
    title=gettext_noop("民主推荐结果一年内有效"),
    source="004 一(三)",
    transitions=["inspect"],
)
def recommendation_valid(candidate, ctx):
    since = valid_since(ctx.today, ctx.thresholds)
    dates = sorted(r.meeting.held_on for r in _results(candidate, ctx))
    inputs = {"recommendation_dates": [d.isoformat() for d in dates], "valid_since": since.isoformat()}
    if not dates:
        pending = RecommendationMeeting.objects.filter(
            selection=candidate.selection, confirmed_by__isnull=True, results__cadre=candidate.cadre
        ).count()
        note = f"（另有 {pending} 场推荐尚待第二人核对确认）" if pending else ""
        return Finding(inputs, [f"没有民主推荐结果，不能列为考察对象{note}"])
    if dates[-1] < since:
        return Finding(inputs, [f"民主推荐结果（{dates[-1]:%Y-%m-%d}）已超过一年有效期"])
    return Finding(inputs)


@register(
    "R3",
    title=gettext_noop("本单位推荐得票未过半不列为考察对象"),
    source="002 #19; 001 附件4 (三)2",
    transitions=["inspect"],
    soft=True,
)
def own_unit_majority(candidate, ctx):
    minimum = ctx.thresholds["R3.min_share"]
    own = [r for r in _results(candidate, ctx) if r.meeting.unit_id == candidate.cadre.unit_id and r.meeting.present]
    inputs = {"own_unit_results": [{"votes": r.votes, "present": r.meeting.present} for r in own]}
    problems = [
        f"在本单位民主推荐中得票 {r.votes}/{r.meeting.present}，未达到 {minimum}"
        for r in own
        if not has_majority(r.votes, r.meeting.present, minimum)
    ]
    return Finding(inputs, problems)


@register(
    "R4",
    title=gettext_noop("差额考察"),
    source="001 附件3",
    transitions=["deliberate"],
)
def competitive_inspection(candidate, ctx):
    selection = candidate.selection
    inspected = Candidate.objects.filter(
        selection=selection, position=candidate.position, inspected_at__isnull=False
    ).count()
    inputs = {"competitive": selection.competitive, "inspection_objects": inspected, "posts": 1}
    if selection.competitive and inspected <= 1:
        return Finding(inputs, [f"差额选拔中{candidate.position}的考察对象（{inspected} 名）须多于职位数（1 名）"])
    return Finding(inputs)


@register(
    "R5",
    title=gettext_noop("部长办公会研究确定考察对象"),
    source="004 一(四); 000 二",
    transitions=["inspect"],
)
def decided_by_ministers(candidate, ctx):
    decisions = list(
        InspectionDecision.objects.filter(selection=candidate.selection, candidates=candidate).values_list(
            "pk", "meeting_date"
        )
    )
    inputs = {"decisions": [{"decision": pk, "meeting_date": on.isoformat()} for pk, on in decisions]}
    if not decisions:
        return Finding(inputs, ["部长办公会尚未研究确定其为考察对象"])
    return Finding(inputs)


# ---------------------------------------------------------------------------- eligibility (E1–E7)

ELIGIBILITY = ["inspect", "decide"]


@register(
    "E1",
    title=gettext_noop("近三年年度考核基本称职以下"),
    source="004 一(四)",
    transitions=ELIGIBILITY,
)
def assessments_good(candidate, ctx):
    first_year = ctx.today.year - ctx.thresholds["E1.years"]
    recent = {a.year: a.grade for a in candidate.cadre.assessments.all() if a.year >= first_year}
    bad = {
        year: grade
        for year, grade in recent.items()
        if grade in (AssessmentGrade.BASICALLY_COMPETENT, AssessmentGrade.INCOMPETENT)
    }
    inputs = {"assessments": {str(k): v for k, v in sorted(recent.items())}, "since_year": first_year}
    return Finding(inputs, [f"{year} 年度考核为{AssessmentGrade(grade).label}" for year, grade in sorted(bad.items())])


@register(
    "E2",
    title=gettext_noop("民主测评称职以上票不足"),
    source="001 三(一)6; 002 #29",
    transitions=ELIGIBILITY,
)
def evaluation_good(candidate, ctx):
    latest = candidate.cadre.evaluations.order_by("-year").first()
    if latest is None or latest.total == 0:
        return Finding({"evaluation": None})
    good_min, bad_max = ctx.thresholds["E2.min_good_share"], ctx.thresholds["E2.max_incompetent_share"]
    good = latest.excellent + latest.competent
    inputs = {"year": latest.year, "good": good, "incompetent": latest.incompetent, "total": latest.total}
    problems = []
    if good < good_min * latest.total:
        problems.append(f"{latest.year} 年民主测评优秀和称职票 {good}/{latest.total}，低于 {good_min}")
    if latest.incompetent > bad_max * latest.total:
        problems.append(f"{latest.year} 年民主测评不称职票 {latest.incompetent}/{latest.total}，超过 {bad_max}")
    return Finding(inputs, problems)


@register(
    "E3",
    title=gettext_noop("跑官要官、拉票"),
    source="004 一(四)",
    transitions=ELIGIBILITY,
)
def no_canvassing(candidate, ctx):
    found = candidate.cadre.canvassing_finding
    return Finding({"canvassing_finding": found}, ["有跑官要官或拉票行为，不得列为考察对象"] if found else [])


@register(
    "E4",
    title=gettext_noop("裸官"),
    source="004 一(四)",
    transitions=ELIGIBILITY,
)
def family_at_home(candidate, ctx):
    cadre = candidate.cadre
    inputs = {
        "has_spouse": cadre.has_spouse,
        "spouse_emigrated": cadre.spouse_emigrated,
        "children_emigrated": cadre.children_emigrated,
    }
    if cadre.has_spouse and cadre.spouse_emigrated:
        return Finding(inputs, ["配偶已移居国（境）外"])
    if not cadre.has_spouse and cadre.children_emigrated:
        return Finding(inputs, ["没有配偶，子女均已移居国（境）外"])
    return Finding(inputs)


@register(
    "E5",
    title=gettext_noop("处分或组织处理影响期内"),
    source="004 一(四)",
    transitions=ELIGIBILITY,
)
def no_sanction_in_force(candidate, ctx):
    active = [s for s in candidate.cadre.sanctions.all() if s.influence_ends_on >= ctx.today]
    inputs = {"active_sanctions": [{"kind": s.kind, "ends": s.influence_ends_on.isoformat()} for s in active]}
    return Finding(inputs, [f"在“{s.kind}”影响期内（至 {s.influence_ends_on:%Y-%m-%d}）" for s in active])


@register(
    "E6",
    title=gettext_noop("个人有关事项报告"),
    source="004 六(三)",
    transitions=ELIGIBILITY,
)
def personal_report_checked(candidate, ctx):
    status = candidate.cadre.personal_report_status
    inputs = {"personal_report_status": status}
    if status == PersonalReportStatus.CONCEALED:
        return Finding(inputs, ["个人有关事项报告查核发现隐瞒不报"])
    if status != PersonalReportStatus.CHECKED:
        return Finding(inputs, ["个人有关事项报告尚未查核"])
    return Finding(inputs)


@register(
    "E7",
    title=gettext_noop("一票否决"),
    source="001 三(一)6",
    transitions=ELIGIBILITY,
)
def no_veto(candidate, ctx):
    year = candidate.cadre.veto_item_year
    first_year = ctx.today.year - ctx.thresholds["E7.years"]
    inputs = {"veto_item_year": year, "since_year": first_year}
    if year is not None and year >= first_year:
        return Finding(inputs, [f"{year} 年度管理考核有一票否决事项"])
    return Finding(inputs)
