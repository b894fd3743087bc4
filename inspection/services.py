"""Writes of inspection 考察 and deliberation 酝酿.

Every function: keyword-only, one transaction, the permission check, and one record entry (kind
"fact") for each candidate the fact concerns, written with those candidates' rows locked.
"""

import re

from django.contrib.auth.models import User
from django.db import transaction

from cadre import roles
from cadre.access import ensure_can_work
from cadre.cleaning import Cleaner
from cadre.dates import before_inspection
from cadre.errors import Conflict, InvalidInput, NotAllowed
from cadre.models import Cadre, Candidate, Position, RecordKind, Selection, Stage
from cadre.record import record_append
from cadre.rules import refusal
from cadre.services import record_important

from . import selectors
from .models import (
    Comparison,
    Consultation,
    ConsultationLevel,
    DepartmentOpinion,
    EconomicAudit,
    Factor,
    FactorAssessment,
    FactorGrade,
    InspectionNotice,
    InspectionProcedure,
    InspectionReport,
    InspectionTeam,
    InspectionTeamMember,
    Talk,
    TeamAssignment,
)
from .rules import related_cadre_ids

MAX_TEXT = 5000
PHONE = re.compile(r"^[0-9+\-()（）\s]{7,30}$")


def _ensure_can_record(actor, candidate: Candidate):
    if not selectors.can_record_inspection(user=actor, candidate=candidate):
        raise NotAllowed("只有承办人或该人选考察组成员可以记录考察情况")


def _lock(candidate_ids) -> list[Candidate]:
    """Lock the candidates' rows, always in id order so two writers cannot deadlock."""
    return list(
        Candidate.objects.select_for_update(of=("self",))
        .select_related("selection", "position__unit", "cadre")
        .filter(pk__in=list(candidate_ids))
        .order_by("pk")
    )


def _lock_one(candidate: Candidate) -> Candidate:
    locked = _lock([candidate.pk])
    if not locked:
        raise InvalidInput({"candidate": ["人选不存在"]})
    return locked[0]


def _ensure_stage(candidate: Candidate, stage: str, what: str):
    if candidate.stage != stage:
        raise Conflict(f"人选当前处于“{Stage(candidate.stage).label}”阶段，不能{what}")


def _record(actor, candidates, fact: str, label: str, **payload):
    for candidate in candidates:
        record_append(
            candidate=candidate, actor=actor, kind=RecordKind.FACT, payload={"fact": fact, "label": label, **payload}
        )


def _open_candidate_ids(selection: Selection, position: Position | None = None) -> list[int]:
    return list(selectors.open_candidates(selection=selection, position=position).values_list("pk", flat=True))


# ---------------------------------------------------------------------------- I1 notice


@transaction.atomic
def notice_publish(
    *, actor: User, selection: Selection, published_on, team_text: str, contact_phone: str, text: str
) -> InspectionNotice:
    """I1: the inspection notice and the inspection objects' notice, naming the team and a phone."""
    ensure_can_work(actor, selection)
    clean = Cleaner(max_length=MAX_TEXT)
    published_on = clean.date(published_on, "published_on", not_future=True)
    team_text = clean.text(team_text, "team_text", max_length=500)
    contact_phone = clean.text(contact_phone, "contact_phone", max_length=30)
    if contact_phone and not PHONE.match(contact_phone):
        clean.add("contact_phone", "请填写有效的联系电话（数字、空格、横线或括号）")
    text = clean.text(text, "text")
    clean.done()
    candidates = _lock(_open_candidate_ids(selection))
    notice = InspectionNotice.objects.create(
        selection=selection,
        published_on=published_on,
        team_text=team_text,
        contact_phone=contact_phone,
        text=text,
        published_by=actor,
    )
    _record(
        actor,
        candidates,
        "inspection_notice",
        "发布考察预告",
        notice=notice.pk,
        published_on=published_on,
        team=team_text,
        contact_phone=contact_phone,
    )
    return notice


# ---------------------------------------------------------------------------- I2 team, I9 recusal


def _ensure_no_kinship(members: list[tuple[User, Cadre | None]], candidates: list[Candidate]):
    """I9: a member related to a candidate (or who is the candidate) cannot inspect them (409 I9)."""
    problems = []
    for candidate in candidates:
        related = related_cadre_ids(candidate.cadre_id)
        problems += [
            f"{user.get_username()}（{cadre.name}）与考察对象{candidate.cadre.name}是本人或有亲属关系，"
            "应当回避，不能参加对其的考察"
            for user, cadre in members
            if cadre is not None and cadre.pk in related
        ]
    if problems:
        raise refusal("I9", "；".join(problems))


MEMBER_ROLES = (roles.INSPECTOR, roles.ORG_STAFF)
# The same answer for an unknown id, an inactive account and one without the role (issue #10).
MEMBER_REFUSED = "用户不存在或不能担任考察组成员（须为考察组成员或组工干部角色）"


def _check_member(clean: Cleaner, user, field: str):
    if not isinstance(user, User) or not user.is_active or not roles.has_role(user, *MEMBER_ROLES):
        clean.add(field, MEMBER_REFUSED)


def _team_payload(team: InspectionTeam) -> dict:
    members = list(team.members.select_related("user"))
    return {
        "team": team.pk,
        "name": team.name,
        "members": [m.user.get_username() for m in members],
        "leader": next((m.user.get_username() for m in members if m.is_leader), None),
        "starts_on": team.starts_on,
        "ends_on": team.ends_on,
        "place": team.place,
        "scope": team.scope,
        "forum_size": team.forum_size,
    }


@transaction.atomic
def team_create(
    *,
    actor: User,
    selection: Selection,
    name: str,
    leader: User,
    leader_cadre: Cadre | None = None,
    starts_on,
    ends_on,
    place: str,
    scope: str,
    forum_size,
    candidates: list[Candidate],
) -> InspectionTeam:
    """I2: register a team with its leader, time, place, forum scope and size, and the candidates it inspects."""
    ensure_can_work(actor, selection)
    clean = Cleaner(max_length=MAX_TEXT)
    name = clean.text(name, "name", max_length=100)
    _check_member(clean, leader, "leader")
    starts_on = clean.date(starts_on, "starts_on")
    ends_on = clean.date(ends_on, "ends_on")
    if starts_on and ends_on and ends_on < starts_on:
        clean.add("ends_on", "结束日期不能早于开始日期")
    place = clean.text(place, "place", max_length=200)
    scope = clean.text(scope, "scope", max_length=500)
    forum_size = clean.count(forum_size, "forum_size", positive=True, label="座谈人数")
    if not candidates:
        clean.add("candidates", "至少选择一名考察对象")
    clean.done()
    locked = _lock(c.pk for c in candidates)
    _ensure_assignable(locked, selection)
    _ensure_period_after(starts_on, locked)
    _ensure_no_kinship([(leader, leader_cadre)], locked)
    team = InspectionTeam.objects.create(
        selection=selection,
        name=name,
        starts_on=starts_on,
        ends_on=ends_on,
        place=place,
        scope=scope,
        forum_size=forum_size,
        created_by=actor,
    )
    InspectionTeamMember.objects.create(team=team, user=leader, cadre=leader_cadre, is_leader=True)
    TeamAssignment.objects.bulk_create(TeamAssignment(team=team, candidate=c) for c in locked)
    _record(actor, locked, "inspection_team", "登记考察组", **_team_payload(team))
    return team


def _ensure_assignable(candidates: list[Candidate], selection: Selection):
    """Another selection's candidate is bad input (400); a wrong stage (409 "stage") and a candidate
    already in a team (409 S1, 一人一表: one team inspects a candidate) are the procedure's refusals."""
    clean = Cleaner(max_length=MAX_TEXT)
    for candidate in candidates:
        if candidate.selection_id != selection.pk:
            clean.add("candidates", f"{candidate.cadre.name}不是此选任工作的人选")
    clean.done()
    late = [c for c in candidates if c.stage not in (Stage.RECOMMENDATION, Stage.INSPECTION)]
    if late:
        raise Conflict(
            "；".join(f"{c.cadre.name}当前处于“{Stage(c.stage).label}”阶段，不能分配考察组" for c in late),
            field="candidates",
        )
    assigned = [c.cadre.name for c in candidates if TeamAssignment.objects.filter(candidate=c).exists()]
    if assigned:
        raise refusal("S1", f"{'、'.join(assigned)}已分配考察组", field="candidates")


def _ensure_period_after(starts_on, candidates: list[Candidate]):
    """#11: a team's period starts on or after the dates of the stages before inspection — the motion
    meeting, a signed nomination, the recommendation, the 部长办公会's decision — of each candidate."""
    clean = Cleaner(max_length=MAX_TEXT)
    for candidate in candidates:
        for label, day in before_inspection(candidate):
            if starts_on < day:
                clean.add(
                    "starts_on",
                    f"考察开始日期 {starts_on.isoformat()} 早于{candidate.cadre.name}的{label} {day.isoformat()}",
                )
    clean.done()


def _ensure_in_period(clean: Cleaner, field: str, day, candidate: Candidate, label: str):
    """#11: what the team did for a candidate is dated inside the team's period (考察组工作期间)."""
    if day is None:
        return
    assignment = TeamAssignment.objects.filter(candidate=candidate).select_related("team").first()
    if assignment is None:
        clean.add(field, "尚未为该人选登记考察组，请先登记考察组（考察时间、地点、范围）再记录")
        return
    team = assignment.team
    if not team.starts_on <= day <= team.ends_on:
        where = "早于" if day < team.starts_on else "晚于"
        period = f"{team.starts_on.isoformat()} 至 {team.ends_on.isoformat()}"
        clean.add(field, f"{label} {day.isoformat()} {where}考察组工作期间（{period}）")


@transaction.atomic
def team_member_add(
    *, actor: User, team: InspectionTeam, user: User, cadre: Cadre | None = None
) -> InspectionTeamMember:
    """Add a member; refused (I9) when the member is related to a candidate the team inspects."""
    ensure_can_work(actor, team.selection)
    clean = Cleaner(max_length=MAX_TEXT)
    _check_member(clean, user, "user")
    clean.done()
    locked = _lock(team.assignments.values_list("candidate_id", flat=True))
    if team.members.filter(user=user).exists():  # a once-only fact that exists (一事一记): 409 S1
        raise refusal("S1", "该用户已是此考察组成员", field="user")
    _ensure_no_kinship([(user, cadre)], locked)
    member = InspectionTeamMember.objects.create(team=team, user=user, cadre=cadre)
    _record(actor, locked, "inspection_team_member", "增加考察组成员", **_team_payload(team), added=user.get_username())
    return member


@transaction.atomic
def team_candidate_add(*, actor: User, team: InspectionTeam, candidate: Candidate) -> TeamAssignment:
    """Give the team one more inspection object; refused (I9) when a member is related to them."""
    ensure_can_work(actor, team.selection)
    locked = _lock_one(candidate)
    _ensure_assignable([locked], team.selection)
    _ensure_period_after(team.starts_on, [locked])
    members = [(m.user, m.cadre) for m in team.members.select_related("user", "cadre")]
    _ensure_no_kinship(members, [locked])
    assignment = TeamAssignment.objects.create(team=team, candidate=locked)
    _record(actor, [locked], "inspection_team", "分配考察组", **_team_payload(team))
    return assignment


# ---------------------------------------------------------------------------- I3 procedures, I4 talks, I5 factors


@transaction.atomic
def procedure_create(*, actor: User, candidate: Candidate, name: str, done_on, note: str = "") -> InspectionProcedure:
    """I3: a procedure done for a candidate."""
    candidate = _lock_one(candidate)
    _ensure_can_record(actor, candidate)
    _ensure_stage(candidate, Stage.INSPECTION, "记录考察程序")
    clean = Cleaner(max_length=MAX_TEXT)
    name = clean.choice(name, "name", selectors.procedure_choices())
    done_on = clean.date(done_on, "done_on", not_future=True)
    _ensure_in_period(clean, "done_on", done_on, candidate, "考察程序日期")
    note = clean.text(note, "note", required=False)
    clean.done()
    procedure = InspectionProcedure.objects.create(
        candidate=candidate, name=name, done_on=done_on, note=note, recorded_by=actor
    )
    _record(
        actor,
        [candidate],
        "inspection_procedure",
        "考察程序",
        procedure=procedure.pk,
        name=name,
        done_on=done_on,
        note=note,
    )
    return procedure


@transaction.atomic
def talk_create(*, actor: User, candidate: Candidate, interviewee: str, category: str, talked_on, summary: str) -> Talk:
    """I4: an individual talk. The record names its category and date only: what was said stays confidential."""
    candidate = _lock_one(candidate)
    _ensure_can_record(actor, candidate)
    _ensure_stage(candidate, Stage.INSPECTION, "记录个别谈话")
    clean = Cleaner(max_length=MAX_TEXT)
    interviewee = clean.text(interviewee, "interviewee", max_length=50)
    category = clean.choice(category, "category", selectors.category_choices())
    talked_on = clean.date(talked_on, "talked_on", not_future=True)
    _ensure_in_period(clean, "talked_on", talked_on, candidate, "谈话日期")
    summary = clean.text(summary, "summary")
    clean.done()
    talk = Talk.objects.create(
        candidate=candidate,
        interviewee=interviewee,
        category=category,
        talked_on=talked_on,
        summary=summary,
        recorded_by=actor,
    )
    _record(actor, [candidate], "inspection_talk", "个别谈话", talk=talk.pk, category=category, talked_on=talked_on)
    return talk


@transaction.atomic
def factor_assess(*, actor: User, candidate: Candidate, factor: str, grade: str, text: str) -> FactorAssessment:
    """I5: assess one of the five factors; assessing it again replaces the current grade."""
    candidate = _lock_one(candidate)
    _ensure_can_record(actor, candidate)
    _ensure_stage(candidate, Stage.INSPECTION, "评价考察要素")
    clean = Cleaner(max_length=MAX_TEXT)
    factor = clean.choice(factor, "factor", Factor.values)
    grade = clean.choice(grade, "grade", FactorGrade.values)
    text = clean.text(text, "text")
    clean.done()
    assessment, created = FactorAssessment.objects.update_or_create(
        candidate=candidate, factor=factor, defaults={"grade": grade, "text": text, "recorded_by": actor}
    )
    _record(
        actor,
        [candidate],
        "factor_assessment",
        "考察要素评价" if created else "修改考察要素评价",
        factor=factor,
        factor_label=str(Factor(factor).label),
        grade=grade,
        grade_label=str(FactorGrade(grade).label),
        text=text,
    )
    return assessment


# ---------------------------------------------------------------------------- I6 opinions, I7 audit, I8 report


@transaction.atomic
def opinion_create(
    *, actor: User, candidate: Candidate, department: str, received_on, opinion: str
) -> DepartmentOpinion:
    """I6: a department's opinion (纪检 always required)."""
    candidate = _lock_one(candidate)
    ensure_can_work(actor, candidate.selection)
    _ensure_stage(candidate, Stage.INSPECTION, "记录部门意见")
    clean = Cleaner(max_length=MAX_TEXT)
    department = clean.choice(department, "department", selectors.department_choices())
    received_on = clean.date(received_on, "received_on", not_future=True)
    opinion = clean.text(opinion, "opinion")
    clean.done()
    row = DepartmentOpinion.objects.create(
        candidate=candidate, department=department, received_on=received_on, opinion=opinion, recorded_by=actor
    )
    _record(
        actor,
        [candidate],
        "department_opinion",
        "征求部门意见",
        opinion_id=row.pk,
        department=department,
        received_on=received_on,
        opinion=opinion,
    )
    return row


@transaction.atomic
def audit_create(*, actor: User, candidate: Candidate, auditor: str, concluded_on, conclusion: str) -> EconomicAudit:
    """I7: a pre-appointment economic-responsibility audit's conclusion."""
    candidate = _lock_one(candidate)
    ensure_can_work(actor, candidate.selection)
    _ensure_stage(candidate, Stage.INSPECTION, "记录任前审计")
    clean = Cleaner(max_length=MAX_TEXT)
    auditor = clean.text(auditor, "auditor", max_length=100)
    concluded_on = clean.date(concluded_on, "concluded_on", not_future=True)
    conclusion = clean.text(conclusion, "conclusion")
    clean.done()
    audit = EconomicAudit.objects.create(
        candidate=candidate, auditor=auditor, concluded_on=concluded_on, conclusion=conclusion, recorded_by=actor
    )
    _record(
        actor,
        [candidate],
        "economic_audit",
        "任前经济责任审计",
        audit=audit.pk,
        auditor=auditor,
        concluded_on=concluded_on,
        conclusion=conclusion,
    )
    return audit


@transaction.atomic
def report_save(
    *,
    actor: User,
    selection: Selection,
    position: Position,
    comparison: str,
    recommendation: str,
    recommended: Candidate | None = None,
    heard_on=None,
) -> InspectionReport:
    """I8: the comparative report for one post, and the date the 部长办公会 heard it; saving again amends it."""
    ensure_can_work(actor, selection)
    clean = Cleaner(max_length=MAX_TEXT)
    if not selection.positions.filter(pk=position.pk).exists():
        clean.add("position", "该职位不在此选任工作的职位中")
    comparison = clean.text(comparison, "comparison")
    recommendation = clean.text(recommendation, "recommendation")
    heard_on = clean.date(heard_on, "heard_on", required=False, not_future=True)
    if recommended is not None and (recommended.selection_id != selection.pk or recommended.position_id != position.pk):
        clean.add("recommended", "建议人选须是该职位的人选")
    clean.done()
    candidates = _lock(_open_candidate_ids(selection, position))
    report, created = InspectionReport.objects.update_or_create(
        selection=selection,
        position=position,
        defaults={
            "comparison": comparison,
            "recommendation": recommendation,
            "recommended": recommended,
            "heard_on": heard_on,
            "recorded_by": actor,
        },
    )
    _record(
        actor,
        candidates,
        "inspection_report",
        "考察对比分析报告" if created else "修改考察对比分析报告",
        report=report.pk,
        position=position.pk,
        comparison=comparison,
        recommendation=recommendation,
        recommended=recommended.pk if recommended else None,
        heard_on=heard_on,
    )
    return report


# ---------------------------------------------------------------------------- D1 consultations, D2 comparison, D3


@transaction.atomic
def consultation_create(
    *,
    actor: User,
    selection: Selection,
    level: str,
    held_on,
    participants: str,
    opinions: str,
    candidates: list[Candidate],
    disagreement: bool = False,
    disagreement_text: str = "",
) -> Consultation:
    """D1: one consultation about candidates in deliberation; D3: a serious disagreement is an important situation."""
    ensure_can_work(actor, selection)
    clean = Cleaner(max_length=MAX_TEXT)
    level = clean.choice(level, "level", ConsultationLevel.values)
    held_on = clean.date(held_on, "held_on", not_future=True)
    participants = clean.text(participants, "participants", max_length=500)
    opinions = clean.text(opinions, "opinions")
    disagreement_text = clean.text(disagreement_text, "disagreement_text", required=bool(disagreement))
    if not candidates:
        clean.add("candidates", "至少选择一名人选")
    clean.done()
    locked = _lock(c.pk for c in candidates)
    for candidate in locked:
        if candidate.selection_id != selection.pk:
            clean.add("candidates", f"{candidate.cadre.name}不是此选任工作的人选")
    clean.done()
    late = [c for c in locked if c.stage != Stage.DELIBERATION]
    if late:  # the procedure refuses (409 "stage"), the input was well-formed
        raise Conflict(
            "；".join(f"{c.cadre.name}当前处于“{Stage(c.stage).label}”阶段，不在酝酿阶段" for c in late),
            field="candidates",
        )
    consultation = Consultation.objects.create(
        selection=selection,
        level=level,
        held_on=held_on,
        participants=participants,
        opinions=opinions,
        disagreement=bool(disagreement),
        disagreement_text=disagreement_text,
        recorded_by=actor,
    )
    consultation.candidates.set(locked)
    label = str(ConsultationLevel(level).label)
    _record(
        actor,
        locked,
        "consultation",
        f"酝酿（{label}）",
        consultation=consultation.pk,
        level=level,
        held_on=held_on,
        participants=participants,
        opinions=opinions,
        disagreement=bool(disagreement),
    )
    if disagreement:
        for candidate in locked:
            record_important(
                actor=actor,
                candidate=candidate,
                category="disagreement",
                text=f"{held_on:%Y-%m-%d}{label}酝酿中意见不一致或有重大分歧：{disagreement_text}",
            )
    return consultation


@transaction.atomic
def comparison_save(*, actor: User, selection: Selection, position: Position, **aspects) -> Comparison:
    """D2: compare the post's candidates on five qualities and against the post; saving again amends it."""
    ensure_can_work(actor, selection)
    clean = Cleaner(max_length=MAX_TEXT)
    if not selection.positions.filter(pk=position.pk).exists():
        clean.add("position", "该职位不在此选任工作的职位中")
    unknown = set(aspects) - set(Comparison.ASPECTS)
    if unknown:
        clean.add("non_field_errors", f"未知的比较项：{'、'.join(sorted(unknown))}")
    values = {a: clean.text(aspects.get(a), a) for a in Comparison.ASPECTS}
    clean.done()
    candidates = _lock(_open_candidate_ids(selection, position))
    comparison, created = Comparison.objects.update_or_create(
        selection=selection, position=position, defaults={**values, "recorded_by": actor}
    )
    _record(
        actor,
        candidates,
        "comparison",
        "人选比较" if created else "修改人选比较",
        comparison=comparison.pk,
        position=position.pk,
        **values,
    )
    return comparison
