"""Writes of the decision stage: meeting, agenda, counted results, briefs.

Each function: keyword-only, one transaction, permission via cadre.access.ensure_can_work, input
checked by cadre.cleaning, a record entry on every candidate it concerns, written with the candidate
row locked. A refusal by the procedure is a 409 naming its rule (cadre.rules.refusal).
"""

from datetime import date

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from cadre import services as cadre_services
from cadre.access import ensure_can_work
from cadre.cleaning import Cleaner
from cadre.errors import Conflict, InvalidInput
from cadre.models import Candidate, RecordKind, Selection, Stage
from cadre.record import record_append
from cadre.rules import refusal
from cadre.thresholds import snapshot

from .models import AgendaItem, Brief, DecisionMeeting, VoteResult
from .selectors import approvals_for_post, quorum_met, tally

MAX_TEXT = 5000
# A candidate may be put on the agenda once deliberated (酝酿) or already waiting for the decision.
AGENDA_STAGES = (Stage.DELIBERATION, Stage.DECISION)
BRIEF_STAGES = (Stage.INSPECTION, Stage.DELIBERATION, Stage.DECISION)


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
    ensure_can_work(actor, selection)
    clean = Cleaner()
    held_on = clean.date(held_on, "held_on", label="会议日期")
    title = clean.text(title, "title", max_length=200, label="会议名称，如“县委常委会第12次会议”")
    entitled = clean.count(entitled, "entitled", positive=True, label="应到会人数")
    clean.done()
    return DecisionMeeting.objects.create(
        selection=selection, held_on=held_on, title=title, entitled=entitled, created_by=actor
    )


@transaction.atomic
def agenda_add(*, actor: User, meeting_id: int, candidate_id: int) -> AgendaItem:
    """M4: a candidate is decided only as an agenda item recorded before the meeting opens."""
    meeting = _lock_meeting(meeting_id)
    ensure_can_work(actor, meeting.selection)
    candidate = _lock_candidate(candidate_id)
    if candidate.selection_id != meeting.selection_id:
        raise InvalidInput({"candidate": ["该人选不属于此会议的选任工作"]})
    if meeting.is_open:
        raise refusal("M4", "会议已经开始，不能临时增加议题（不得临时动议）")
    if candidate.stage not in AGENDA_STAGES:
        raise Conflict(f"人选当前处于“{Stage(candidate.stage).label}”阶段，不能列入讨论决定议题")
    if AgendaItem.objects.filter(meeting=meeting, candidate=candidate).exists():
        raise refusal("S1", "该人选已在本次会议议题中")
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
    ensure_can_work(actor, meeting.selection)
    if meeting.is_open:
        raise refusal("S1", "会议已经开始，实到会人数已记录，不能更改")
    clean = Cleaner()
    present = clean.count(present, "present", label="实到会人数")
    if present is not None and present > meeting.entitled:
        clean.add("present", f"实到会人数不能超过应到会人数（{meeting.entitled}）")
    clean.done()
    items = list(meeting.agenda.values_list("candidate_id", flat=True))
    if not items:
        raise refusal("M4", "会议还没有议题，请先把要讨论决定的人选列入议题（议题须在会前列入）")
    meeting.present = present
    meeting.opened_at = timezone.now()
    meeting.save(update_fields=["present", "opened_at"])
    quorum = snapshot()["V1.quorum"]
    met = quorum_met(present=present, entitled=meeting.entitled, quorum=quorum)
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
                "quorum_met": met,
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
    ensure_can_work(actor, meeting.selection)
    candidate = _lock_candidate(candidate_id)
    if not meeting.is_open:
        raise Conflict("会议尚未开始（请先记录实到会人数），不能录入票决结果")
    if not AgendaItem.objects.filter(meeting=meeting, candidate=candidate).exists():
        raise refusal("M4", "该人选不在本次会议议题中，不能票决（不得临时动议）")
    if (
        VoteResult.objects.filter(meeting=meeting, candidate=candidate).exists()
        or VoteResult.objects.filter(candidate=candidate, entered_at__gte=candidate.stage_changed_at).exists()
    ):
        raise refusal("V9", "该人选的票决结果已经录入，任何人不得改变")
    if candidate.stage != Stage.DECISION:
        raise Conflict(f"人选当前处于“{Stage(candidate.stage).label}”阶段，须先提交讨论决定才能录入票决结果")
    clean = Cleaner()
    approve = clean.count(approve, "approve", label="赞成票")
    disapprove = clean.count(disapprove, "disapprove", label="不赞成票")
    abstain = clean.count(abstain, "abstain", label="弃权票")
    recused = clean.count(recused, "recused", label="回避人数")
    clean.done()
    present = meeting.present or 0
    if recused > present:
        clean.add("recused", f"回避人数不能超过实到会人数（{present}）")
    elif approve + disapprove + abstain > present - recused:
        clean.add(
            "approve",
            f"赞成、不赞成、弃权票合计 {approve + disapprove + abstain} 票，"
            f"超过实到会人数减回避人数（{present - recused}）",
        )
    clean.done()
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
        raise refusal("V1", f"实到会 {present} 人，未达到应到会 {meeting.entitled} 人的 {t.quorum}，会议不能票决")
    others = approvals_for_post(result)  # not yet saved: the approvals of the other candidates for the post
    if others + approve > present:
        raise refusal("V4", f"同一职位各人选赞成票合计将达 {others + approve} 票，超过实到会 {present} 人")
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
    ensure_can_work(actor, candidate.selection)
    if candidate.stage not in BRIEF_STAGES:
        raise Conflict(f"人选当前处于“{Stage(candidate.stage).label}”阶段，不能再修改任职推荐材料")
    if VoteResult.objects.filter(candidate=candidate, entered_at__gte=candidate.stage_changed_at).exists():
        raise refusal("V9", "票决结果已录入，任职推荐材料不能再修改")
    clean = Cleaner(max_length=MAX_TEXT)
    values = {
        "recommendation": clean.text(recommendation, "recommendation"),
        "evaluation": clean.text(evaluation, "evaluation"),
        "traits": clean.text(traits, "traits"),
        "shortcomings": clean.text(shortcomings, "shortcomings"),
        "reasons": clean.text(reasons, "reasons"),
    }
    clean.done()
    brief, created = Brief.objects.update_or_create(candidate=candidate, defaults={**values, "updated_by": actor})
    record_append(
        candidate=candidate,
        actor=actor,
        kind=RecordKind.FACT,
        payload={"fact": "brief", "label": "任职推荐材料" + ("形成" if created else "修改"), **values},
    )
    return brief
