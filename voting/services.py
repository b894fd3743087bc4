"""Writes of the decision stage: meeting, agenda, counted results, briefs.

Each function: keyword-only, one transaction, permission via can_work_on, a record entry on every
candidate it concerns, written with the candidate row locked.
"""

from datetime import date

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from cadre import services as cadre_services
from cadre.errors import Conflict, InvalidInput, NotAllowed
from cadre.models import Candidate, RecordKind, Selection, Stage
from cadre.record import record_append
from cadre.selectors import can_work_on
from cadre.thresholds import snapshot

from .models import AgendaItem, Brief, DecisionMeeting, VoteResult
from .selectors import approvals_for_post, tally

MAX_TEXT = 5000
# A candidate may be put on the agenda once deliberated (酝酿) or already waiting for the decision.
AGENDA_STAGES = (Stage.DELIBERATION, Stage.DECISION)
BRIEF_STAGES = (Stage.INSPECTION, Stage.DELIBERATION, Stage.DECISION)


def _ensure_can_work(actor, selection: Selection):
    if not can_work_on(user=actor, selection=selection):
        raise NotAllowed("您未被分配承办此选任工作")


def _count(value, field: str, errors: dict) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        errors.setdefault(field, []).append("必须是不小于 0 的整数")
        return 0
    return value


def _lock_candidate(candidate_id) -> Candidate:
    try:
        return (
            Candidate.objects.select_for_update(of=("self",))
            .select_related("selection", "position", "cadre")
            .get(pk=candidate_id)
        )
    except (Candidate.DoesNotExist, ValueError, TypeError) as exc:
        raise InvalidInput({"candidate": ["人选不存在"]}) from exc


def _lock_meeting(meeting_id) -> DecisionMeeting:
    try:
        return DecisionMeeting.objects.select_for_update(of=("self",)).select_related("selection").get(pk=meeting_id)
    except (DecisionMeeting.DoesNotExist, ValueError, TypeError) as exc:
        raise InvalidInput({"meeting": ["会议不存在"]}) from exc


# ---------------------------------------------------------------------------- meeting


@transaction.atomic
def meeting_create(*, actor: User, selection: Selection, held_on: date, title: str, entitled: int) -> DecisionMeeting:
    _ensure_can_work(actor, selection)
    errors: dict[str, list[str]] = {}
    if not isinstance(held_on, date):
        errors["held_on"] = ["请填写会议日期"]
    title = (title or "").strip()
    if not title:
        errors["title"] = ["请填写会议名称，如“县委常委会第12次会议”"]
    elif len(title) > 200:
        errors["title"] = ["不能超过 200 个字符"]
    entitled = _count(entitled, "entitled", errors)
    if not errors.get("entitled") and entitled == 0:
        errors["entitled"] = ["应到会人数必须大于 0"]
    if errors:
        raise InvalidInput(errors)
    return DecisionMeeting.objects.create(
        selection=selection, held_on=held_on, title=title, entitled=entitled, created_by=actor
    )


@transaction.atomic
def agenda_add(*, actor: User, meeting_id: int, candidate_id: int) -> AgendaItem:
    """M4: a candidate is decided only as an agenda item recorded before the meeting opens."""
    meeting = _lock_meeting(meeting_id)
    _ensure_can_work(actor, meeting.selection)
    candidate = _lock_candidate(candidate_id)
    if candidate.selection_id != meeting.selection_id:
        raise InvalidInput({"candidate": ["该人选不属于此会议的选任工作"]})
    if meeting.is_open:
        raise Conflict("会议已经开始，不能临时增加议题（M4 不得临时动议）")
    if candidate.stage not in AGENDA_STAGES:
        raise InvalidInput({"candidate": [f"人选当前处于“{Stage(candidate.stage).label}”阶段，不能列入讨论决定议题"]})
    if AgendaItem.objects.filter(meeting=meeting, candidate=candidate).exists():
        raise InvalidInput({"candidate": ["该人选已在本次会议议题中"]})
    item = AgendaItem.objects.create(meeting=meeting, candidate=candidate, added_by=actor)
    record_append(
        candidate=candidate,
        actor=actor,
        kind=RecordKind.FACT,
        payload={
            "fact": "decision_agenda",
            "label": "列入讨论决定会议议题",
            "meeting": meeting.pk,
            "meeting_title": meeting.title,
            "held_on": meeting.held_on,
        },
    )
    return item


@transaction.atomic
def meeting_open(*, actor: User, meeting_id: int, present: int) -> DecisionMeeting:
    """The meeting opens with `present` members: the agenda is closed from now on."""
    meeting = _lock_meeting(meeting_id)
    _ensure_can_work(actor, meeting.selection)
    if meeting.is_open:
        raise Conflict("会议已经开始，实到会人数已记录，不能更改")
    errors: dict[str, list[str]] = {}
    present = _count(present, "present", errors)
    if not errors and present > meeting.entitled:
        errors["present"] = [f"实到会人数不能超过应到会人数（{meeting.entitled}）"]
    items = list(meeting.agenda.values_list("candidate_id", flat=True))
    if not items:
        errors.setdefault("present", []).append("会议还没有议题，请先把要讨论决定的人选列入议题")
    if errors:
        raise InvalidInput(errors)
    meeting.present = present
    meeting.opened_at = timezone.now()
    meeting.save(update_fields=["present", "opened_at"])
    quorum = snapshot()["V1.quorum"]
    for candidate_id in items:
        record_append(
            candidate=_lock_candidate(candidate_id),
            actor=actor,
            kind=RecordKind.FACT,
            payload={
                "fact": "decision_meeting_opened",
                "label": "讨论决定会议召开",
                "meeting": meeting.pk,
                "meeting_title": meeting.title,
                "held_on": meeting.held_on,
                "entitled": meeting.entitled,
                "present": present,
                "quorum": str(quorum),
                "quorum_met": present >= quorum * meeting.entitled,
            },
        )
    return meeting


# ---------------------------------------------------------------------------- result


@cadre_services.records_refusals
def decision_result_record(
    *,
    actor: User,
    meeting_id: int,
    candidate_id: int,
    approve: int,
    disapprove: int,
    abstain: int,
    recused: int = 0,
) -> VoteResult:
    """Record the counted paper result of one candidate. Never changed afterwards (V9).

    When the quorum was met and the candidate did not pass (V3), the candidate is rejected at once
    through the transition service, with the reason 票决未通过 (that also records the FailedVote N4 counts).
    """
    meeting = _lock_meeting(meeting_id)
    _ensure_can_work(actor, meeting.selection)
    candidate = _lock_candidate(candidate_id)
    if not meeting.is_open:
        raise Conflict("会议尚未开始（请先记录实到会人数），不能录入票决结果")
    if not AgendaItem.objects.filter(meeting=meeting, candidate=candidate).exists():
        raise InvalidInput({"candidate": ["该人选不在本次会议议题中，不能票决（M4 不得临时动议）"]})
    if (
        VoteResult.objects.filter(meeting=meeting, candidate=candidate).exists()
        or VoteResult.objects.filter(candidate=candidate, entered_at__gte=candidate.stage_changed_at).exists()
    ):
        raise Conflict("V9 该人选的票决结果已经录入，任何人不得改变")
    if candidate.stage != Stage.DECISION:
        raise InvalidInput(
            {"candidate": [f"人选当前处于“{Stage(candidate.stage).label}”阶段，须先提交讨论决定才能录入票决结果"]}
        )
    errors: dict[str, list[str]] = {}
    approve = _count(approve, "approve", errors)
    disapprove = _count(disapprove, "disapprove", errors)
    abstain = _count(abstain, "abstain", errors)
    recused = _count(recused, "recused", errors)
    present = meeting.present or 0
    if not errors:
        if recused > present:
            errors["recused"] = [f"V8 回避人数不能超过实到会人数（{present}）"]
        elif approve + disapprove + abstain > present - recused:
            errors["approve"] = [
                f"赞成、不赞成、弃权票合计 {approve + disapprove + abstain} 票，"
                f"超过实到会人数减回避人数（{present - recused}）"
            ]
    if errors:
        raise InvalidInput(errors)
    thresholds = snapshot()
    result = VoteResult(
        meeting=meeting,
        candidate=candidate,
        approve=approve,
        disapprove=disapprove,
        abstain=abstain,
        recused=recused,
        entered_by=actor,
    )
    t = tally(result, thresholds)
    if not t.quorum_met:
        raise InvalidInput(
            {"present": [f"V1 实到会 {present} 人，未达到应到会 {meeting.entitled} 人的 {t.quorum}，会议不能票决"]}
        )
    others = approvals_for_post(result)  # not yet saved: the approvals of the other candidates for the post
    if others + approve > present:
        raise InvalidInput(
            {"approve": [f"V4 同一职位各人选赞成票合计将达 {others + approve} 票，超过实到会 {present} 人"]}
        )
    result.save()
    record_append(
        candidate=candidate,
        actor=actor,
        kind=RecordKind.FACT,
        payload={
            "fact": "decision_result",
            "label": "讨论决定票决结果",
            "meeting": meeting.pk,
            "meeting_title": meeting.title,
            "held_on": meeting.held_on,
            **t.as_dict(),
            "passed": t.passed,
            "negative_concentrated": t.negative_concentrated,
            "fewer_than_half": t.fewer_than_half,
            "thresholds": thresholds.for_rules(["V1", "V3", "V6"]),
        },
    )
    if not t.passed:
        cadre_services.candidate_transition(
            actor=actor, candidate_id=candidate.pk, transition="reject", reason="票决未通过"
        )
    return result


# ---------------------------------------------------------------------------- brief (V7)


@transaction.atomic
def brief_save(
    *,
    actor: User,
    candidate_id: int,
    recommendation: str,
    evaluation: str,
    traits: str,
    shortcomings: str,
    reasons: str,
) -> Brief:
    """任职推荐材料: written before the committee votes; frozen once a result is recorded."""
    candidate = _lock_candidate(candidate_id)
    _ensure_can_work(actor, candidate.selection)
    if candidate.stage not in BRIEF_STAGES:
        raise Conflict(f"人选当前处于“{Stage(candidate.stage).label}”阶段，不能再修改任职推荐材料")
    if VoteResult.objects.filter(candidate=candidate, entered_at__gte=candidate.stage_changed_at).exists():
        raise Conflict("票决结果已录入，任职推荐材料不能再修改")
    values = {
        "recommendation": recommendation,
        "evaluation": evaluation,
        "traits": traits,
        "shortcomings": shortcomings,
        "reasons": reasons,
    }
    errors: dict[str, list[str]] = {}
    for name, value in values.items():
        text = value.strip() if isinstance(value, str) else ""
        if not text:
            errors[name] = ["此项为必填项"]
        elif len(text) > MAX_TEXT:
            errors[name] = [f"不能超过 {MAX_TEXT} 个字符"]
        values[name] = text
    if errors:
        raise InvalidInput(errors)
    brief, created = Brief.objects.update_or_create(candidate=candidate, defaults={**values, "updated_by": actor})
    record_append(
        candidate=candidate,
        actor=actor,
        kind=RecordKind.FACT,
        payload={"fact": "brief", "label": "任职推荐材料" + ("形成" if created else "修改"), **values},
    )
    return brief
