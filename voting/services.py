"""Writes of the decision stage: meeting, agenda, counted results, briefs.

Each function: keyword-only, one transaction, permission via cadre.access.ensure_can_work, input
checked by cadre.cleaning, a record entry on every candidate it concerns, written with the candidate
row locked. A refusal by the procedure is a 409 naming its rule (cadre.rules.refusal).
"""

import hashlib
import secrets
import uuid
from datetime import date

import orjson
from django.contrib.auth.models import User
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from cadre import approval_form, citations, roles
from cadre import services as cadre_services
from cadre.access import ensure_can_work
from cadre.cleaning import Cleaner, clean_text
from cadre.dates import inspection_period
from cadre.errors import Conflict, InvalidInput, NotAllowed
from cadre.models import Cadre, Candidate, Evaluation, FailedVote, Position, RecordKind, Selection, Stage, Unit
from cadre.record import record_append
from cadre.rules import refusal
from cadre.selectors import position_occupancy
from cadre.thresholds import snapshot
from nomination import services as nomination_services

from . import codes_pdf, exports
from . import selectors as _sel
from .models import (
    AgendaItem,
    Ballot,
    BallotCode,
    BallotItem,
    BallotParticipation,
    BallotRecusal,
    BallotSession,
    Brief,
    DecisionMeeting,
    FrozenApprovalForm,
    MemberCadre,
    PaperEvaluation,
    PaperEvaluationRow,
    VoteResult,
    VoteResultEntry,
)
from .selectors import DECISION_CHOICES, EVALUATION_CHOICES, approvals_for_post, quorum_met, quorum_needed, tally

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
def meeting_create(
    *, actor: User, selection: Selection, held_on: date, title: str, entitled: int, second_vote_of=None
) -> DecisionMeeting:
    ensure_can_work(actor, selection)
    clean = Cleaner()
    held_on = clean.date(held_on, "held_on", label="会议日期")
    title = clean.text(title, "title", max_length=200, label="会议名称，如“县委常委会第12次会议”")
    entitled = clean.count(entitled, "entitled", positive=True, label="应到会人数")
    clean.done()
    return DecisionMeeting.objects.create(
        selection=selection,
        held_on=held_on,
        title=title,
        entitled=entitled,
        created_by=actor,
        second_vote_of=second_vote_of,
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
    period = inspection_period(candidate)
    if period and meeting.held_on < period[1]:
        # #11: the committee decides on the inspection's findings, so not before the inspection ended.
        raise InvalidInput(
            {
                "candidate": [
                    f"会议日期 {meeting.held_on.isoformat()} 早于{candidate.cadre.name}的考察结束日期"
                    f"（考察组工作期间 {period[0].isoformat()} 至 {period[1].isoformat()}）"
                ]
            }
        )
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
    today = timezone.localdate()
    if meeting.held_on > today:  # #11: opening records that the meeting is being held
        clean.add("held_on", f"会议日期 {meeting.held_on} 晚于今天（{today}），会议尚未召开，不能开会")
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


# ---------------------------------------------------------------------------- result (a meeting on paper)
#
# One clerk enters each candidate's counts from the paper ballots (decision_result_enter); a second
# assigned clerk re-enters them blind (decision_result_confirm). Only matching numbers count: they become
# the VoteResult and the `decision_result` fact. A failed vote rejects nobody by itself (V5): staff
# record the committee's choice, a second vote (meeting_second_vote) or 不予通过 (the `reject` transition).

MISMATCH_MESSAGE = "两次录入不一致，未予确认。请对照纸质选票核对；如第一次录入有误，请撤销该次录入后重新录入。"
COUNT_LABELS = {"approve": "赞成票", "disapprove": "不赞成票", "abstain": "弃权票", "recused": "回避人数"}


def freeze_approval_form(*, candidate: Candidate, meeting: DecisionMeeting, actor: User) -> str:
    """The candidate's 任免审批表 as it stands at the vote, kept (FrozenApprovalForm); returns its SHA-256."""
    data, sha256 = approval_form.frozen_lrmx(candidate, user=actor)
    FrozenApprovalForm.objects.get_or_create(
        candidate=candidate, meeting=meeting, defaults={"data": data, "sha256": sha256}
    )
    return sha256


def decision_result_payload(*, meeting, t, thresholds, label: str) -> dict:
    """The record's `decision_result` fact, typed or cast online: supervision reads `held_on` from it."""
    return {
        "fact": "decision_result",
        "label": label,
        "meeting": meeting.pk,
        "meeting_title": meeting.title,
        "held_on": meeting.held_on,
        **t.as_dict(),
        "passed": t.passed,
        "negative_concentrated": t.negative_concentrated,
        "fewer_than_half": t.fewer_than_half,
        "thresholds": thresholds.for_rules(["V1", "V3", "V6"]),
    }


def _ensure_undecided(meeting: DecisionMeeting, candidate: Candidate) -> None:
    """M4, V9: the meeting is open, held on paper, the candidate on its agenda, deciding, and not yet decided
    — a result of the meeting this one re-votes (V5) does not count as decided."""
    if not meeting.is_open:
        raise Conflict("会议尚未开始（请先记录实到会人数），不能录入票决结果")
    if BallotSession.objects.filter(meeting=meeting).exists():
        raise Conflict("本次会议已安排网上无记名投票，票决结果以网上计票为准，不能录入纸质结果")
    if not AgendaItem.objects.filter(meeting=meeting, candidate=candidate).exists():
        raise refusal("M4", "该人选不在本次会议议题中，不能票决（不得临时动议）")
    earlier = VoteResult.objects.filter(candidate=candidate, entered_at__gte=candidate.stage_changed_at)
    if meeting.second_vote_of_id is not None:
        earlier = earlier.exclude(meeting_id=meeting.second_vote_of_id)
    if VoteResult.objects.filter(meeting=meeting, candidate=candidate).exists() or earlier.exists():
        raise refusal("V9", "该人选的票决结果已经录入，任何人不得改变")
    if candidate.stage != Stage.DECISION:
        raise Conflict(f"人选当前处于“{Stage(candidate.stage).label}”阶段，须先提交讨论决定才能录入票决结果")


def _clean_counts(meeting: DecisionMeeting, counts: dict) -> dict:
    """The typed numbers, each a count; together they never exceed those present (V1/V3 inputs)."""
    clean = Cleaner()
    cleaned = {name: clean.count(counts.get(name), name, label=label) for name, label in COUNT_LABELS.items()}
    clean.done()
    present = meeting.present or 0
    cast = cleaned["approve"] + cleaned["disapprove"] + cleaned["abstain"]
    if cleaned["recused"] > present:
        clean.add("recused", f"回避人数不能超过实到会人数（{present}）")
    elif cast > present - cleaned["recused"]:
        clean.add(
            "approve", f"赞成、不赞成、弃权票合计 {cast} 票，超过实到会人数减回避人数（{present - cleaned['recused']}）"
        )
    clean.done()
    return cleaned


def _checked_result(meeting: DecisionMeeting, candidate: Candidate, counts: dict, thresholds) -> tuple:
    """The result these counts would make, unsaved, and its tally; V1 and V4 refuse it here."""
    result = VoteResult(meeting=meeting, candidate=candidate, **counts)
    t = tally(result, thresholds)
    present = meeting.present or 0
    if not t.quorum_met:
        raise refusal("V1", f"实到会 {present} 人，未达到应到会 {meeting.entitled} 人的 {t.quorum}，会议不能票决")
    others = approvals_for_post(result)  # confirmed results of the other candidates for the same post
    if others + result.approve > present:
        raise refusal("V4", f"同一职位各人选赞成票合计将达 {others + result.approve} 票，超过实到会 {present} 人")
    return result, t


def decision_result_preview(*, actor: User, meeting_id: int, candidate_id: int, counts: dict):
    """What saving these counts would mean (V1, V3, V4, V6), with every check of the entry and no write:
    the page shows it before the clerk saves."""
    with transaction.atomic():
        meeting = _lock_meeting(meeting_id)
        ensure_can_work(actor, meeting.selection)
        candidate = _lock_candidate(candidate_id)
        _ensure_undecided(meeting, candidate)
        return _checked_result(meeting, candidate, _clean_counts(meeting, counts), snapshot())[1]


@transaction.atomic
def decision_result_enter(
    *, actor: User, meeting_id: int, candidate_id: int, approve, disapprove, abstain, recused=0
) -> VoteResultEntry:
    """First entry of one candidate's paper result. It counts only once a second clerk confirms it."""
    meeting = _lock_meeting(meeting_id)
    ensure_can_work(actor, meeting.selection)
    candidate = _lock_candidate(candidate_id)
    _ensure_undecided(meeting, candidate)
    if VoteResultEntry.objects.filter(meeting=meeting, candidate=candidate).exists():
        raise refusal("S1", "该人选的票决结果已录入，等待另一名承办人核对确认；如有误请先撤销")
    counts = _clean_counts(
        meeting, {"approve": approve, "disapprove": disapprove, "abstain": abstain, "recused": recused}
    )
    _checked_result(meeting, candidate, counts, snapshot())
    return VoteResultEntry.objects.create(meeting=meeting, candidate=candidate, entered_by=actor, **counts)


def _lock_entry(meeting: DecisionMeeting, candidate: Candidate) -> VoteResultEntry:
    entry = (
        VoteResultEntry.objects.select_for_update()
        .select_related("entered_by")
        .filter(meeting=meeting, candidate=candidate)
        .first()
    )
    if entry is None:
        raise Conflict("该人选还没有第一次录入的票决结果，请先录入")
    return entry


@transaction.atomic
def decision_result_confirm(
    *, actor: User, meeting_id: int, candidate_id: int, approve, disapprove, abstain, recused=0
) -> VoteResult:
    """Second, blind entry by a different assigned clerk. Same numbers → the result counts (V3, V4, V9
    apply now) and enters the record naming both clerks; different numbers → 409, nothing written."""
    meeting = _lock_meeting(meeting_id)
    ensure_can_work(actor, meeting.selection)
    candidate = _lock_candidate(candidate_id)
    _ensure_undecided(meeting, candidate)
    entry = _lock_entry(meeting, candidate)
    if entry.entered_by_id == actor.pk:
        raise NotAllowed("不能核对确认自己录入的票决结果，须由另一名承办人重新录入")
    counts = _clean_counts(
        meeting, {"approve": approve, "disapprove": disapprove, "abstain": abstain, "recused": recused}
    )
    differing = [COUNT_LABELS[name] for name in entry.COUNTS if getattr(entry, name) != counts[name]]
    if differing:
        # A refusal of the count (V2: the result announced is the ballots'), not malformed input: 409 V2.
        raise refusal("V2", f"{MISMATCH_MESSAGE}（不一致：{'、'.join(differing)}）")
    thresholds = snapshot()
    result, t = _checked_result(meeting, candidate, counts, thresholds)
    result.entered_by = entry.entered_by
    result.confirmed_by = actor
    result.save()
    entry.delete()
    record_append(
        candidate=candidate,
        actor=actor,
        kind=RecordKind.FACT,
        payload={
            **decision_result_payload(meeting=meeting, t=t, thresholds=thresholds, label="讨论决定票决结果"),
            "entered_by": entry.entered_by.get_username(),
            "confirmed_by": actor.get_username(),
            "approval_form_sha256": freeze_approval_form(candidate=candidate, meeting=meeting, actor=actor),
        },
    )
    return result


@transaction.atomic
def decision_result_discard(*, actor: User, meeting_id: int, candidate_id: int) -> VoteResultEntry:
    """Withdraw a first entry not yet confirmed (a typing error found at the second entry); returns it."""
    meeting = _lock_meeting(meeting_id)
    ensure_can_work(actor, meeting.selection)
    candidate = _lock_candidate(candidate_id)
    entry = _lock_entry(meeting, candidate)
    entry.delete()
    return entry


@cadre_services.records_refusals
def meeting_second_vote(*, actor: User, meeting_id: int) -> DecisionMeeting:
    """V5: on a tie or nobody passing for a post, the committee chose a second vote: a new meeting with the
    same candidates on its agenda. The first failure counts for N4 (FailedVote); a second failure is
    answered by the `reject` transition (不予通过), which records the second."""
    old = _lock_meeting(meeting_id)
    ensure_can_work(actor, old.selection)
    if BallotSession.objects.filter(meeting=old).exists():
        raise Conflict("本次会议为网上票决，请在网上投票页面安排再次票决", rule="V5")
    if old.second_vote_of_id is not None:
        raise refusal("V5", "这已是再次票决，仍未通过的应按票决未通过处理（不予通过）")
    if DecisionMeeting.objects.filter(second_vote_of=old).exists():
        raise refusal("S1", "已经安排了再次票决")
    candidates = [c for c in _sel.failed_candidates(meeting=old, thresholds=snapshot()) if c.stage == Stage.DECISION]
    if not candidates:
        raise refusal("V5", "没有票数相同或无人过半的职位，无需再次票决")
    meeting = meeting_create(
        actor=actor,
        selection=old.selection,
        held_on=timezone.localdate(),
        title=f"{old.title}（再次票决）"[:200],
        entitled=old.entitled,
        second_vote_of=old,
    )
    for candidate in sorted(candidates, key=lambda c: c.pk):
        agenda_add(actor=actor, meeting_id=meeting.pk, candidate_id=candidate.pk)
        FailedVote.objects.create(
            cadre_id=candidate.cadre_id,
            position_id=candidate.position_id,
            candidate=candidate,
            voted_on=old.held_on,
        )
        record_append(
            candidate=_lock_candidate(candidate.pk),
            actor=actor,
            kind=RecordKind.FACT,
            payload={
                "fact": "second_vote",
                "label": "票决未通过，会议决定再次票决",
                "meeting": old.pk,
                "meeting_title": old.title,
                "second_meeting": meeting.pk,
                "failed_vote_recorded": True,
            },
        )
    return meeting


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


# ---------------------------------------------------------------------------- online secret ballots
# (imports kept with the section they serve, so this block is an append to the file)
#
# Secrecy (V2): a cast writes a participation row (who / which code) and a ballot row (choices and a
# random receipt) in one transaction, with nothing that links them; nothing here logs a voter next
# to a choice, and the record gets only counts and the bulletin's root.
# Codes: 16 symbols of an unambiguous 32-symbol alphabet (80 bits) from `secrets`; only their sha256
# is stored. The plain codes are returned once, by session_create (the API's 201 answer, for the
# slips); they are kept nowhere else.


CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O, 1/I
CODE_LENGTH = 16  # 16 × 5 bits = 80 bits
RECEIPT_LENGTH = 16
MAX_CODES = 5000
MAX_ITEMS = 200
Kind = BallotSession.Kind
Status = BallotSession.Status


class WrongCode(InvalidInput):
    """A code that is not one of this session's (the API counts these per address, API.md 429)."""

    def __init__(self):
        super().__init__({"code": ["投票码无效，请核对后重新输入"]})


def code_digest(code: str) -> str:
    normalized = "".join(ch for ch in str(code).upper() if ch not in "- ")
    return hashlib.sha256(normalized.encode()).hexdigest()


def _random(length: int) -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(length))


def _ensure_manager(actor, session: BallotSession) -> None:
    if not _sel.can_manage_session(user=actor, session=session):
        raise NotAllowed("您未被分配承办此投票")


def _lock_session(session_id) -> BallotSession:
    try:
        return (
            BallotSession.objects.select_for_update(of=("self",))
            .select_related("selection", "meeting")
            .get(pk=session_id)
        )
    except (BallotSession.DoesNotExist, ValueError, TypeError) as exc:
        raise InvalidInput({"session": ["投票不存在"]}) from exc


def _ids(value, field: str, clean: Cleaner, *, label: str) -> list[int]:
    if not isinstance(value, list | tuple) or any(isinstance(v, bool) or not isinstance(v, int) for v in value):
        clean.add(field, f"{label}必须是 id 列表")
        return []
    if len(set(value)) != len(value):
        clean.add(field, f"{label}有重复")
    return list(dict.fromkeys(value))


def plenary_decides(position: Position, thresholds) -> bool:
    """V10: the plenary 全委会 decides chief posts (and the levels the admin lists), the standing committee the rest."""
    levels = thresholds["V10.plenary_levels"]
    return ("chief" in levels and position.is_chief) or position.level in levels


def _concerned_candidates(session: BallotSession) -> list[Candidate]:
    """The candidates whose record a session concerns (locked in pk order by record_append)."""
    if session.kind == Kind.DECISION:
        ids = session.items.values_list("candidate_id", flat=True)
    elif session.kind == Kind.RECOMMENDATION:
        ids = Candidate.objects.filter(
            selection_id=session.selection_id,
            position__in=session.items.values("position_id"),
            cadre__in=BallotItem.options.through.objects.filter(ballotitem__session=session).values("cadre_id"),
        ).values_list("pk", flat=True)
    else:
        open_ = Candidate.objects.filter(cadre__in=session.items.values("cadre_id"), stage__in=OPEN_BALLOT_STAGES)
        if session.selection_id:
            open_ = open_.filter(selection_id=session.selection_id)
        ids = open_.values_list("pk", flat=True)
    return list(Candidate.objects.filter(pk__in=list(ids)).order_by("pk"))


OPEN_BALLOT_STAGES = [
    s for s in Stage.values if s not in (Stage.APPOINTED, Stage.ELIMINATED, Stage.WITHDRAWN, Stage.REJECTED)
]


def _record_all(session: BallotSession, actor, payload: dict) -> None:
    for candidate in _concerned_candidates(session):
        record_append(candidate=candidate, actor=actor, kind=RecordKind.FACT, payload=payload)


def _session_label(session: BallotSession) -> dict:
    return {"session": session.pk, "session_kind": session.kind, "session_title": session.title}


@transaction.atomic
def ballot_session_create(
    *,
    actor: User,
    kind: str,
    title: str,
    meeting_id: int | None = None,
    selection_id: int | None = None,
    position_ids: list | None = None,
    cadre_ids: list | None = None,
    body: str = "",
    entitled: list | None = None,
    codes: int | None = None,
    second_vote_of: BallotSession | None = None,
    unit_id: int | None = None,
    year: int | None = None,
) -> tuple[BallotSession, list[str]]:
    """A draft session with its items and roll. Returns the session and the plain codes (shown once)."""
    if not roles.has_role(actor, roles.ORG_STAFF):
        raise NotAllowed("只有组工干部可以组织投票")
    clean = Cleaner()
    clean.choice(kind, "kind", Kind.values, message="类别应为 decision、recommendation 或 evaluation")
    title = clean.text(title, "title", max_length=200, label="投票名称")
    clean.done()
    thresholds = snapshot()
    meeting = selection = None
    plain: list[str] = []
    items: list[dict] = []
    entitled_ids: list[int] = []
    if kind == Kind.DECISION:
        meeting = _lock_meeting(meeting_id)
        selection = meeting.selection
        ensure_can_work(actor, selection)
        entitled_ids = _ids(entitled if entitled is not None else [], "entitled", clean, label="应到会成员")
        if body not in ("", *BallotSession.Body.values):
            clean.add("body", "表决机构应为 standing（常委会）或 plenary（全委会）")
        clean.done()
        members = set(
            User.objects.filter(pk__in=entitled_ids, groups__name=roles.COMMITTEE_MEMBER).values_list("pk", flat=True)
        )
        if not entitled_ids:
            clean.add("entitled", "请列出应到会成员")
        elif set(entitled_ids) - members:
            others = "、".join(map(str, sorted(set(entitled_ids) - members)))
            clean.add("entitled", f"应到会成员须是常委/委员账号：{others}")
        elif len(entitled_ids) != meeting.entitled:
            clean.add(
                "entitled", f"应到会成员 {len(entitled_ids)} 人，与会议登记的应到会人数 {meeting.entitled} 人不一致"
            )
        clean.done()
        if meeting.is_open:
            raise refusal("M4", "会议已经开始，不能再组织本次会议的网上票决")
        if BallotSession.objects.filter(meeting=meeting).exists():
            raise refusal("S1", "本次会议已有网上票决")
        agenda = list(meeting.agenda.select_related("candidate__position").order_by("id"))
        if not agenda:
            raise refusal("M4", "会议还没有议题，请先把要讨论决定的人选列入议题")
        if not body:
            plenary = any(plenary_decides(a.candidate.position, thresholds) for a in agenda)
            body = BallotSession.Body.PLENARY if plenary else BallotSession.Body.STANDING
        items = [{"candidate": a.candidate} for a in agenda]
    elif kind == Kind.RECOMMENDATION:
        selection = _selection(selection_id)
        ensure_can_work(actor, selection)
        wanted = _ids(position_ids or [], "positions", clean, label="推荐职位")
        codes = clean.count(codes, "codes", positive=True, label="投票码数量")
        clean.done()
        posts = {p.pk: p for p in selection.positions.filter(pk__in=wanted)}
        if not wanted:
            clean.add("positions", "请选择推荐的职位")
        elif set(wanted) - set(posts):
            clean.add("positions", "职位不属于此选任工作")
        clean.done()
        for position_id in wanted:
            position = posts[position_id]
            options = list(
                Cadre.objects.filter(
                    candidacies__selection=selection,
                    candidacies__position=position,
                    candidacies__stage=Stage.RECOMMENDATION,
                ).order_by("pk")
            )
            if not options:  # a well-formed post whose candidates are not in 民主推荐: 409 "stage"
                raise Conflict(f"“{position}”没有处于民主推荐阶段的人选", field="positions")
            occupancy = position_occupancy(position=position)
            vacancies = occupancy["quota"] - occupancy["holders"] - occupancy["pending"]
            if vacancies < 1:
                raise refusal("M3", f"“{position}”没有空缺职数，不能推荐")
            items.append({"position": position, "options": options, "vacancies": vacancies})
        clean.done()
        unit = _recommending_unit(unit_id, [i["position"] for i in items], clean)
    else:
        if selection_id is not None:
            selection = _selection(selection_id)
            ensure_can_work(actor, selection)
        wanted = _ids(cadre_ids or [], "cadres", clean, label="测评对象")
        codes = clean.count(codes, "codes", positive=True, label="投票码数量")
        clean.done()
        found = {c.pk: c for c in Cadre.objects.filter(pk__in=wanted)}
        if not wanted:
            clean.add("cadres", "请选择测评对象")
        elif set(wanted) - set(found):
            clean.add("cadres", "干部不存在：" + "、".join(map(str, sorted(set(wanted) - set(found)))))
        clean.done()
        items = [{"cadre": found[pk]} for pk in wanted]
        year = timezone.localdate().year if year is None else clean.count(year, "year", positive=True, label="测评年度")
        clean.done()
        if year > timezone.localdate().year:
            raise InvalidInput({"year": ["测评年度不能晚于今年"]})
        rated = Evaluation.objects.filter(cadre_id__in=wanted, year=year).select_related("cadre")
        if rated:
            names = "、".join(e.cadre.name for e in rated)
            raise refusal("S1", f"{names}已有 {year} 年度民主测评结果，不能再组织同一年度的测评")
    if kind != Kind.DECISION:
        if codes > MAX_CODES:
            clean.add("codes", f"投票码数量不能超过 {MAX_CODES}")
        clean.done()
    if len(items) > MAX_ITEMS:
        raise InvalidInput({"non_field_errors": [f"投票事项不能超过 {MAX_ITEMS} 项"]})
    session = BallotSession.objects.create(
        kind=kind,
        title=title,
        selection=selection,
        meeting=meeting,
        body=body if kind == Kind.DECISION else "",
        codes_issued=codes or 0,
        second_vote_of=second_vote_of,
        unit=unit if kind == Kind.RECOMMENDATION else None,
        year=year if kind == Kind.EVALUATION else None,
        created_by=actor,
    )
    if kind == Kind.RECOMMENDATION:
        session.positions.set([i["position"] for i in items])
    if entitled_ids:
        session.entitled.set(entitled_ids)
    for spec in items:
        options = spec.pop("options", None)
        item = BallotItem.objects.create(session=session, **spec)
        if options:
            item.options.set(options)
    if codes:
        digests = set()
        while len(digests) < codes:
            code = _random(CODE_LENGTH)
            digest = code_digest(code)
            if digest not in digests:
                digests.add(digest)
                plain.append(code)
        BallotCode.objects.bulk_create([BallotCode(session=session, digest=d) for d in digests])
    _record_all(
        session,
        actor,
        {
            "fact": "ballot_session_created",
            "label": f"组织网上{Kind(kind).label}",
            **_session_label(session),
            "body": session.body,
            "entitled": len(entitled_ids),
            "codes_issued": session.codes_issued,
            "thresholds": thresholds.for_rules(["V10"]) if kind == Kind.DECISION else {},
        },
    )
    return session, [f"{c[:4]}-{c[4:8]}-{c[8:12]}-{c[12:]}" for c in plain]


def _recommending_unit(unit_id, positions: list[Position], clean: Cleaner) -> Unit:
    """R3 reads the cadre's own unit's recommendation: the unit the meeting is held in — by default the
    posts' unit, when they are all in one."""
    if unit_id is not None:
        unit = Unit.objects.filter(pk=unit_id).first() if isinstance(unit_id, int) else None
        if unit is None:
            clean.add("unit", "推荐单位不存在")
    else:
        units = {p.unit_id for p in positions}
        unit = positions[0].unit if len(units) == 1 else None
        if unit is None:
            clean.add("unit", "所选职位不在同一单位，请选择召开推荐会议的单位")
    clean.done()
    return unit


def _selection(selection_id) -> Selection:
    try:
        return Selection.objects.get(pk=selection_id)
    except (Selection.DoesNotExist, ValueError, TypeError) as exc:
        raise InvalidInput({"selection": ["选任工作不存在"]}) from exc


@transaction.atomic
def ballot_session_open(*, actor: User, session_id: int, present: list | None = None) -> BallotSession:
    """Opens the vote. Decision: attendance is taken now and must reach the quorum (V1)."""
    session = _lock_session(session_id)
    _ensure_manager(actor, session)
    if session.status == Status.CLOSED:
        raise refusal("V9", "投票已经结束，不能再开始")
    if session.status == Status.OPEN:
        raise refusal("S1", "投票已经开始")
    payload = {"fact": "ballot_session_opened", "label": "网上投票开始", **_session_label(session)}
    if session.kind == Kind.DECISION:
        clean = Cleaner()
        present_ids = _ids(present if present is not None else [], "present", clean, label="实到会成员")
        clean.done()
        entitled = set(session.entitled.values_list("pk", flat=True))
        if set(present_ids) - entitled:
            raise InvalidInput({"present": ["实到会成员须在应到会名单中"]})
        quorum = snapshot()["V1.quorum"]
        if not quorum_met(present=len(present_ids), entitled=len(entitled), quorum=quorum):
            raise refusal(
                "V1",
                f"实到会 {len(present_ids)} 人，未达到应到会 {len(entitled)} 人的 {quorum}"
                f"（至少 {quorum_needed(entitled=len(entitled), quorum=quorum)} 人），不能开始票决",
            )
        not_deciding = [
            str(i.candidate.cadre)
            for i in session.items.select_related("candidate__cadre")
            if i.candidate.stage != Stage.DECISION
        ]
        if not_deciding:
            raise Conflict("以下人选不在“讨论决定”阶段，不能票决：" + "、".join(not_deciding))
        session.present.set(present_ids)
        meeting_open(actor=actor, meeting_id=session.meeting_id, present=len(present_ids))
        payload.update(entitled=len(entitled), present=len(present_ids), quorum=str(quorum))
    session.status = Status.OPEN
    session.opened_at = timezone.now()
    session.save(update_fields=["status", "opened_at"])
    if session.kind != Kind.DECISION:  # a decision's opening is recorded by meeting_open
        _record_all(session, actor, {**payload, "codes_issued": session.codes_issued})
    return session


@transaction.atomic
def ballot_recusal_record(*, actor: User, session_id: int, item_id: int, user_id: int, reason: str) -> BallotRecusal:
    """V8: staff record that a member recuses from one item (beyond the kinships, which recuse by themselves)."""
    session = _lock_session(session_id)
    _ensure_manager(actor, session)
    if session.status == Status.CLOSED:
        raise refusal("V9", "投票已经结束")
    reason = clean_text(reason, field="reason", max_length=200, label="回避理由")
    item = session.items.filter(pk=item_id).first()
    if item is None or session.kind != Kind.DECISION:
        raise InvalidInput({"item": ["投票事项不存在"]})
    if not session.entitled.filter(pk=user_id).exists():
        raise InvalidInput({"user": ["该成员不在应到会名单中"]})
    if session.status == Status.OPEN and BallotParticipation.objects.filter(session=session, user_id=user_id).exists():
        raise refusal("V2", "该成员已投票，不能再登记回避")
    recusal, _ = BallotRecusal.objects.get_or_create(
        item=item, user_id=user_id, defaults={"reason": reason, "recorded_by": actor}
    )
    record_append(
        candidate=item.candidate,
        actor=actor,
        kind=RecordKind.FACT,
        payload={
            "fact": "ballot_recusal",
            "label": "票决回避",
            **_session_label(session),
            "member": user_id,
            "reason": reason,
        },
    )
    return recusal


def _voter(session: BallotSession, *, user, code) -> BallotCode | None:
    """Who votes: a present member, or a code of this session. Raises the refusal otherwise."""
    if code is not None:
        if not session.uses_codes or not isinstance(code, str):
            raise WrongCode()
        found = BallotCode.objects.filter(session=session, digest=code_digest(code)).first()
        if found is None:
            raise WrongCode()
        return found
    if user is None or not user.is_authenticated:
        raise InvalidInput({"code": ["请输入投票码"]})
    if session.uses_codes:
        raise InvalidInput({"code": ["请输入投票码"]})
    if not session.entitled.filter(pk=user.pk).exists():
        raise NotAllowed("您不在本次票决的应到会名单中")
    if session.status != Status.DRAFT and not session.present.filter(pk=user.pk).exists():
        raise refusal("V1", "您未被登记为实到会成员，不能投票")
    return None


def ballot_for(*, session_id: int, user=None, code: str | None = None) -> dict:
    """What this voter may vote on: the items, each with `recused` (V8), and whether they have voted."""
    session = BallotSession.objects.filter(pk=session_id).select_related("selection").first()
    if session is None:
        if code is not None:
            raise WrongCode()
        raise InvalidInput({"session": ["投票不存在"]})
    found = _voter(session, user=user, code=code)
    recused = _sel.recused_item_ids(session=session, user=None if found else user)
    if found is not None:
        voted = found.used
    else:
        voted = BallotParticipation.objects.filter(session=session, user=user).exists()
    return {
        "session": session.pk,
        "kind": session.kind,
        "title": session.title,
        "status": session.status,
        "voted": voted,
        "items": [{**row, "recused": row["id"] in recused} for row in _sel.ballot_items(session=session)],
    }


def _session_for_cast(session_id) -> BallotSession | None:
    """The session, read once with its row held FOR SHARE: casts run side by side, a close waits for them
    (and they for it)."""
    if isinstance(session_id, bool) or not str(session_id).isdigit():
        return None
    if connection.vendor == "postgresql":
        sql = "SELECT * FROM voting_ballotsession WHERE id = %s FOR SHARE"
        found = list(BallotSession.objects.raw(sql, [int(session_id)]))
        return found[0] if found else None
    return BallotSession.objects.filter(pk=session_id).first()


# The items of an open session never change (migration 0002's triggers): a worker keeps what a cast checks
# against, per session and opening, instead of reading it for every ballot.
_ITEMS: dict[tuple, dict] = {}
_ITEMS_KEPT = 64


def _items_for_cast(session: BallotSession) -> dict[int, dict]:
    """item id → {"vacancies", "position" (decision: the candidate's post), "options" (cadre ids)}."""
    key = (session.pk, session.opened_at)
    if session.status == Status.OPEN and key in _ITEMS:
        return _ITEMS[key]
    items = {
        pk: {"vacancies": vacancies, "position": position, "options": set()}
        for pk, vacancies, position in session.items.values_list("pk", "vacancies", "candidate__position_id")
    }
    through = BallotItem.options.through.objects.filter(ballotitem__session=session)
    for item_id, cadre_id in through.values_list("ballotitem_id", "cadre_id"):
        items[item_id]["options"].add(cadre_id)
    if session.status == Status.OPEN:
        if len(_ITEMS) >= _ITEMS_KEPT:
            _ITEMS.pop(next(iter(_ITEMS)))
        _ITEMS[key] = items
    return items


def _clean_choices(session: BallotSession, choices, recused: set[int]) -> dict:
    """Malformed input, unknown items or cadres, too many marks → 400; a recused item → V8, two approvals for
    one post → V4 (409). Returns the choices as the ballot stores them."""
    if not isinstance(choices, dict) or not choices:
        raise InvalidInput({"choices": ["选票格式不正确：应为 {事项 id: 选择}"]})
    items = _items_for_cast(session)
    errors = Cleaner()
    picked: dict[int, object] = {}
    for key, value in choices.items():
        try:
            item_id = int(key)
        except (TypeError, ValueError):
            item_id = None
        if item_id not in items or str(item_id) != str(key).strip():
            errors.add("choices", f"未知的投票事项：{key}")
            continue
        picked[item_id] = value
    errors.done()
    stored: dict[str, object] = {}
    if session.kind == Kind.RECOMMENDATION:
        for item_id, value in picked.items():
            item = items[item_id]
            options = item["options"]
            if not isinstance(value, list) or any(isinstance(v, bool) or not isinstance(v, int) for v in value):
                errors.add(str(item_id), "应为推荐的干部 id 列表")
                continue
            if len(set(value)) != len(value):
                errors.add(str(item_id), "同一干部只能推荐一次")
            if set(value) - options:
                errors.add(str(item_id), "只能从推荐名单中选择，不能另行推荐他人")
            if len(set(value)) > item["vacancies"]:
                errors.add(str(item_id), f"最多推荐 {item['vacancies']} 人")
            stored[str(item_id)] = sorted(set(value))
        errors.done()
        return stored
    allowed = DECISION_CHOICES if session.kind == Kind.DECISION else EVALUATION_CHOICES
    for item_id, value in picked.items():
        if value not in allowed:
            errors.add(str(item_id), "选择应为：" + "、".join(allowed))
    for item_id in items:
        if item_id not in picked and item_id not in recused:
            errors.add(str(item_id), "请对此事项作出选择")
    errors.done()
    refused = sorted(set(picked) & recused)
    if refused:
        raise refusal("V8", "您与以下事项的人选有亲属关系或已登记回避，不能对其投票：" + "、".join(map(str, refused)))
    approvals: dict[int, int] = {}
    for item_id, value in picked.items():
        if value == "approve" and session.kind == Kind.DECISION:
            post = items[item_id]["position"]
            approvals[post] = approvals.get(post, 0) + 1
    if any(n > 1 for n in approvals.values()):
        raise refusal("V4", "同一职位只能赞成一名人选，不能另选他人")
    return {str(k): v for k, v in picked.items()}


@transaction.atomic
def ballot_cast(*, session_id: int, choices, user=None, code: str | None = None) -> str:
    """One secret ballot. Returns its receipt. One per member / code, under concurrency too (V2)."""
    session = _session_for_cast(session_id)
    if session is None:
        if code is not None:
            raise WrongCode()
        raise InvalidInput({"session": ["投票不存在"]})
    if code is not None and session.status == Status.OPEN and session.uses_codes and isinstance(code, str):
        return _cast_by_code(session, choices, code)
    found = _voter(session, user=user, code=code)
    if found is not None and found.used:
        raise refusal("V2", "已投票：此投票码已经使用")
    if session.status == Status.DRAFT:
        raise refusal("V9", "投票尚未开始")
    if session.status == Status.CLOSED:
        raise refusal("V9", "投票已经结束，不能再投票")
    if found is None and BallotParticipation.objects.filter(session=session, user=user).exists():
        raise refusal("V2", "已投票：每人只能投一次")
    recused = _sel.recused_item_ids(session=session, user=None if found else user)
    stored = _clean_choices(session, choices, recused)
    if found is not None:  # not reached while open: _cast_by_code
        raise refusal("V9", "投票未在进行中")
    else:
        try:
            with transaction.atomic():
                BallotParticipation.objects.create(session=session, user=user)
        except IntegrityError as exc:
            raise refusal("V2", "已投票：每人只能投一次") from exc
    return _store(session, stored)


def _store(session: BallotSession, stored: dict) -> str:
    receipt = _random(RECEIPT_LENGTH)
    Ballot.objects.create(session=session, choices=stored, receipt=receipt)
    return receipt


def _cast_by_code(session: BallotSession, choices, code: str) -> str:
    """The common case of a code session, in few statements: the ballot is checked first (400 writes
    nothing), then the code is marked used by one UPDATE that only an unused code of this session passes
    (two casts with one code: the second waits for the first's row lock, then finds it used)."""
    try:
        stored = _clean_choices(session, choices, set())
    except (InvalidInput, Conflict):
        if not BallotCode.objects.filter(session=session, digest=code_digest(code)).exists():
            raise WrongCode() from None  # a wrong code learns nothing about the ballot
        raise
    digest = code_digest(code)
    if connection.vendor == "postgresql":
        # One round trip for the three writes: the code marked used, its participation row, the ballot —
        # each only when the one before it happened (the same triggers and constraints apply).
        receipt = _random(RECEIPT_LENGTH)
        with connection.cursor() as cursor:
            cursor.execute(
                CAST_BY_CODE,
                [session.pk, digest, session.pk, uuid.uuid4(), session.pk, orjson.dumps(stored).decode(), receipt],
            )
            if cursor.fetchone() is not None:
                return receipt
    else:
        with connection.cursor() as cursor:
            sql = (
                "UPDATE voting_ballotcode SET used = %s WHERE session_id = %s AND digest = %s AND NOT used RETURNING id"
            )
            cursor.execute(sql, [True, session.pk, digest])
            row = cursor.fetchone()
        if row is not None:
            BallotParticipation.objects.create(session=session, code_id=row[0])
            return _store(session, stored)
    if BallotCode.objects.filter(session=session, digest=digest).exists():
        raise refusal("V2", "已投票：此投票码已经使用")
    raise WrongCode()


CAST_BY_CODE = """
WITH code AS (
    UPDATE voting_ballotcode SET used = true WHERE session_id = %s AND digest = %s AND NOT used RETURNING id
), participation AS (
    INSERT INTO voting_ballotparticipation (session_id, code_id) SELECT %s, id FROM code RETURNING id
)
INSERT INTO voting_ballot (id, session_id, choices, receipt) SELECT %s, %s, %s::jsonb, %s FROM participation
RETURNING receipt
"""


@transaction.atomic
def ballot_session_close(*, actor: User, session_id: int) -> dict:
    """Closes the vote and announces the tally at once (V2). The counts must reconcile (ballots = participation
    = codes used ≤ codes issued). Decision: each candidate's counted result is recorded as the fact the rules
    read (V1, V3, V4, V6, V5); the bulletin's root goes into the record of every candidate concerned."""
    session = _lock_session(session_id)
    _ensure_manager(actor, session)
    if session.status == Status.DRAFT:
        raise Conflict("投票尚未开始，不能结束")
    if session.status == Status.CLOSED:
        raise refusal("V9", "投票已经结束")
    ballots = session.ballots.count()
    participation = session.participations.count()
    problems = []
    if ballots != participation:
        problems.append(f"选票 {ballots} 张，投票参与记录 {participation} 条")
    if session.uses_codes:
        used = session.codes.filter(used=True).count()
        if used != ballots or used > session.codes_issued:
            problems.append(f"已使用投票码 {used} 个，选票 {ballots} 张，发放投票码 {session.codes_issued} 个")
    if session.kind == Kind.DECISION:
        typed = VoteResult.objects.filter(
            meeting_id=session.meeting_id, candidate__in=session.items.values("candidate_id")
        ).select_related("candidate__cadre")
        pending = VoteResultEntry.objects.filter(
            meeting_id=session.meeting_id, candidate__in=session.items.values("candidate_id")
        ).select_related("candidate__cadre")
        if typed or pending:
            names = "、".join(r.candidate.cadre.name for r in [*typed, *pending])
            problems.append(f"本次会议已录入纸质票决结果（{names}），与网上票决重复")
    if problems:
        raise refusal("V2", "计票核对不符，结果暂不公布：" + "；".join(problems))
    if session.kind == Kind.EVALUATION:
        year = session.year or timezone.localdate().year
        typed = Evaluation.objects.filter(cadre_id__in=session.items.values("cadre_id"), year=year).select_related(
            "cadre"
        )
        if typed:  # entered by hand after the session was made (S1 was checked at creation)
            names = "、".join(e.cadre.name for e in typed)
            raise refusal(
                "S1",
                f"{names}的 {year} 年度民主测评已另行录入，网上测评结果不能重复记录；请核对后处理该录入，再结束投票",
            )
    _mix_ballots(session, ballots)
    thresholds = snapshot()
    entries = _sel.bulletin_entries(session=session)
    root = _sel.bulletin_root(entries)
    result = _sel.tally_entries(session=session, entries=entries, thresholds=thresholds)
    session.status = Status.CLOSED
    session.closed_at = timezone.now()
    session.result = result
    session.bulletin_root = root
    session.save(update_fields=["status", "closed_at", "result", "bulletin_root"])
    if session.uses_codes:
        transaction.on_commit(lambda: codes_pdf.codes_pdf_delete(session.pk))
    common = {**_session_label(session), "ballots": ballots, "bulletin_root": root}
    if session.kind == Kind.DECISION:
        meeting = session.meeting
        by_item = {row["item"]: row for row in result["items"]}
        for item in session.items.select_related("candidate").order_by("candidate_id"):
            row = by_item[item.pk]
            candidate = _lock_candidate(item.candidate_id)
            if candidate.stage != Stage.DECISION:
                continue
            vote = VoteResult.objects.create(
                meeting=meeting,
                candidate=candidate,
                approve=row["approve"],
                disapprove=row["disapprove"],
                abstain=row["abstain"],
                recused=row["recused"],
                entered_by=actor,
            )
            t = tally(vote, thresholds)
            record_append(
                candidate=candidate,
                actor=actor,
                kind=RecordKind.FACT,
                payload={
                    **decision_result_payload(
                        meeting=meeting, t=t, thresholds=thresholds, label="讨论决定票决结果（网上无记名投票）"
                    ),
                    "body": session.body,
                    **common,
                    "approval_form_sha256": freeze_approval_form(candidate=candidate, meeting=meeting, actor=actor),
                },
            )
    else:
        _feed_rules(session=session, result=result, actor=actor, root=root)
        concerned = _concerned_candidates(session)
        for candidate in concerned:
            rows = [
                r
                for r in result["items"]
                if r.get("cadre") == candidate.cadre_id
                or any(c["cadre"] == candidate.cadre_id for c in r.get("cadres", []))
            ]
            record_append(
                candidate=candidate,
                actor=actor,
                kind=RecordKind.FACT,
                payload={
                    "fact": "ballot_result",
                    "label": f"网上{Kind(session.kind).label}结果",
                    **common,
                    "results": rows,
                    "thresholds": thresholds.for_rules(["R3"] if session.kind == Kind.RECOMMENDATION else ["E2"]),
                },
            )
    return result


def _mix_ballots(session: BallotSession, ballots: int) -> None:
    """V2: every ballot is rewritten in a random order in the closing transaction, so that no ballot row
    shares a transaction id (xmin) with its voter's participation row or keeps its casting position in
    the table (migration 0005). Receipts and choices are unchanged; the ids are new random UUIDs."""
    if connection.vendor != "postgresql":  # the embedded demo database has no such columns to read
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT set_config('voting.mixing', %s, true)", [str(session.pk)])
        cursor.execute(
            "CREATE TEMP TABLE voting_ballot_mix ON COMMIT DROP AS "
            "SELECT choices, receipt FROM voting_ballot WHERE session_id = %s ORDER BY random()",
            [session.pk],
        )
        cursor.execute("DELETE FROM voting_ballot WHERE session_id = %s", [session.pk])
        cursor.execute(
            "INSERT INTO voting_ballot (id, session_id, choices, receipt) "
            "SELECT gen_random_uuid(), %s, choices, receipt FROM voting_ballot_mix",
            [session.pk],
        )
        mixed = cursor.rowcount
        cursor.execute("DROP TABLE voting_ballot_mix")
        cursor.execute("SELECT set_config('voting.mixing', '', true)")
    if mixed != ballots:  # cannot happen under the session lock; never close on a different count
        raise refusal("V2", f"选票混合前后张数不一致（{ballots} / {mixed}），结果暂不公布")


def _feed_rules(*, session: BallotSession, result: dict, actor: User, root: str) -> None:
    """The closed count becomes the facts the rules read, with no retyping: a recommendation per post for
    R2/R3 (nomination's confirmed results), an evaluation of the session's year per cadre for E2."""
    if session.kind == Kind.RECOMMENDATION:
        for row in result["items"]:
            nomination_services.recommendation_from_ballot(
                actor=actor,
                selection_id=session.selection_id,
                unit_id=session.unit_id,
                position_id=row["position"],
                held_on=timezone.localdate(),
                entitled=session.codes_issued,
                present=result["ballots"],
                votes={c["cadre"]: c["votes"] for c in row["cadres"]},
                ballot_session=session.pk,
                bulletin_root=root,
            )
        return
    cadres = {c.pk: c for c in Cadre.objects.filter(pk__in=[row["cadre"] for row in result["items"]])}
    for row in result["items"]:
        cadre_services.cadre_evaluation_counted(
            actor=actor,
            cadre=cadres[row["cadre"]],
            year=session.year or session.closed_at.year,  # sessions made before the year was asked for
            counts={grade: row[grade] for grade in EVALUATION_CHOICES},
            source={"ballot_session": session.pk, "bulletin_root": root},
        )


@cadre_services.records_refusals
def ballot_second_vote(*, actor: User, session_id: int) -> BallotSession:
    """V5: after a tie or nobody passing for a post, the committee chose a second vote: a new meeting and
    session on the same items. The first failure counts for N4 (FailedVote); a second failure is answered by
    the `reject` transition (未通过), which records the second."""
    session = _lock_session(session_id)
    _ensure_manager(actor, session)
    if session.kind != Kind.DECISION:
        raise Conflict("只有讨论决定票决可以再次票决", rule="V5")
    if session.status != Status.CLOSED:
        raise Conflict("投票尚未结束", rule="V5")
    if session.second_vote_of_id is not None:
        raise refusal("V5", "这已是再次票决，仍未通过的应按票决未通过处理（不予通过）")
    if BallotSession.objects.filter(second_vote_of=session).exists():
        raise refusal("S1", "已经安排了再次票决")
    failed = _sel.failed_posts(result=session.result)
    if not failed:
        raise refusal("V5", "各职位均有人选票决通过，无需再次票决")
    item_ids = [row["item"] for rows in failed.values() for row in rows]
    items = list(session.items.filter(pk__in=item_ids).select_related("candidate").order_by("candidate_id"))
    not_deciding = [i for i in items if i.candidate.stage != Stage.DECISION]
    if not_deciding:
        raise Conflict("有人选已不在“讨论决定”阶段，不能再次票决")
    old = session.meeting
    meeting = meeting_create(
        actor=actor,
        selection=old.selection,
        held_on=timezone.localdate(),
        title=f"{old.title}（再次票决）"[:200],
        entitled=old.entitled,
        second_vote_of=old,
    )
    for item in items:
        agenda_add(actor=actor, meeting_id=meeting.pk, candidate_id=item.candidate_id)
        FailedVote.objects.create(
            cadre_id=item.candidate.cadre_id,
            position_id=item.candidate.position_id,
            candidate=item.candidate,
            voted_on=timezone.localdate(),
        )
    second, _ = ballot_session_create(
        actor=actor,
        kind=Kind.DECISION,
        title=f"{session.title}（再次票决）"[:200],
        meeting_id=meeting.pk,
        body=session.body,
        entitled=list(session.entitled.values_list("pk", flat=True)),
        second_vote_of=session,
    )
    for item in items:
        record_append(
            candidate=item.candidate,
            actor=actor,
            kind=RecordKind.FACT,
            payload={
                "fact": "second_vote",
                "label": "票决未通过，常委会决定再次票决",
                **_session_label(session),
                "second_session": second.pk,
                "meeting": meeting.pk,
                "failed_vote_recorded": True,
            },
        )
    return second


@transaction.atomic
def member_cadre_set(*, actor: User, user_id: int, cadre_id: int | None) -> MemberCadre | None:
    """An admin links a user to their own cadre record (V8 reads the cadres' kinships through it)."""
    if not roles.has_role(actor, roles.ADMIN):
        raise NotAllowed("只有管理员可以设置用户本人的干部信息")
    user = User.objects.filter(pk=user_id).first()
    if user is None:
        raise InvalidInput({"user": ["用户不存在"]})
    if cadre_id is None:
        MemberCadre.objects.filter(user=user).delete()
        return None
    cadre = Cadre.objects.filter(pk=cadre_id).first()
    if cadre is None:
        raise InvalidInput({"cadre": ["干部不存在"]})
    link, _ = MemberCadre.objects.update_or_create(user=user, defaults={"cadre": cadre})
    return link


# ---------------------------------------------------------------------------- 民主测评 on paper (E2), double entry

GRADE_LABELS = {
    "excellent": "优秀票",
    "competent": "称职票",
    "basically_competent": "基本称职票",
    "incompetent": "不称职票",
}
FIRST_EVALUATION_YEAR = 2000


def _ensure_evaluation_clerk(actor: User) -> None:
    # The counts become cadre facts (Evaluation): the same people who keep cadre facts type them.
    if not roles.can_write_cadres(actor):
        raise NotAllowed("只有组工干部和系统管理员可以录入民主测评结果")


def _clean_evaluation(ballots, rows, clean: Cleaner) -> tuple[int | None, dict[int, dict[str, int]]]:
    """收回测评票数 and each cadre's four counts; a cadre's four together never exceed the ballots."""
    ballots = clean.count(ballots, "ballots", positive=True, label="收回测评票数")
    cleaned: dict[int, dict[str, int]] = {}
    if not isinstance(rows, dict) or not rows:
        clean.add("__all__", "请至少填写一名干部的测评票数")
        return ballots, cleaned
    for cadre_id, counts in rows.items():
        counts = counts if isinstance(counts, dict) else {}
        got = {g: clean.count(counts.get(g), f"{g}_{cadre_id}", label=GRADE_LABELS[g]) for g in GRADE_LABELS}
        if any(v is None for v in got.values()):
            continue
        total = sum(got.values())
        if ballots is not None and total > ballots:
            clean.add(f"total_{cadre_id}", f"四项票数合计（{total}）不能多于收回测评票数（{ballots}）")
            continue
        cleaned[cadre_id] = got
    return ballots, cleaned


def _ensure_not_rated(cadre_ids, year: int, clean: Cleaner) -> None:
    """S1 (一事一记): a cadre has one democratic evaluation a year; a second one is refused, not merged."""
    for cadre in Cadre.objects.filter(pk__in=list(cadre_ids), evaluations__year=year).order_by("pk"):
        clean.add(f"total_{cadre.pk}", f"{cadre.name}已有 {year} 年度的民主测评结果")


@transaction.atomic
def paper_evaluation_enter(*, actor: User, title: str, year: int, ballots: int, rows: dict) -> PaperEvaluation:
    """E2, first entry of a paper 民主测评: `rows` = {cadre id: {excellent, competent, basically_competent,
    incompetent}}. It counts for nothing until another clerk confirms it (`paper_evaluation_confirm`)."""
    _ensure_evaluation_clerk(actor)
    clean = Cleaner()
    title = clean.text(title, "title", max_length=200, label="测评名称")
    this_year = timezone.localdate().year
    if isinstance(year, bool) or not isinstance(year, int) or not FIRST_EVALUATION_YEAR <= year <= this_year:
        clean.add("year", f"测评年度应在 {FIRST_EVALUATION_YEAR} 年至 {this_year} 年之间")
    ballots, rows = _clean_evaluation(ballots, rows, clean)
    known = set(Cadre.objects.filter(pk__in=[k for k in rows if isinstance(k, int)]).values_list("pk", flat=True))
    if set(rows) - known:
        clean.add("__all__", "测评对象必须是系统中的干部")
    if not clean.errors:
        _ensure_not_rated(rows, year, clean)
    clean.done()
    evaluation = PaperEvaluation.objects.create(title=title, year=year, ballots=ballots, entered_by=actor)
    PaperEvaluationRow.objects.bulk_create(
        PaperEvaluationRow(evaluation=evaluation, cadre_id=cadre_id, **counts) for cadre_id, counts in rows.items()
    )
    return evaluation


def _lock_paper_evaluation(evaluation_id) -> PaperEvaluation:
    try:
        return PaperEvaluation.objects.select_for_update().select_related("entered_by").get(pk=evaluation_id)
    except (PaperEvaluation.DoesNotExist, ValueError, TypeError) as exc:
        raise InvalidInput({"evaluation": ["民主测评记录不存在"]}) from exc


def ensure_second_evaluation_clerk(actor: User, evaluation: PaperEvaluation) -> None:
    _ensure_evaluation_clerk(actor)
    if evaluation.confirmed:  # a once-only fact that already exists (一事一记)
        raise refusal("S1", "该民主测评结果已经确认，无需再次核对")
    if evaluation.entered_by_id == actor.pk:
        raise NotAllowed("不能核对确认自己录入的民主测评结果，须由另一名承办人重新录入")


@transaction.atomic
def paper_evaluation_confirm(*, actor: User, evaluation_id: int, ballots: int, rows: dict) -> PaperEvaluation:
    """E2, second entry: a different clerk re-enters every number blind. Equal → each cadre's Evaluation
    is written (with both clerks in the record of their open candidacies); different → 409 naming
    every differing number, nothing written; the same clerk → 403."""
    evaluation = _lock_paper_evaluation(evaluation_id)
    ensure_second_evaluation_clerk(actor, evaluation)
    clean = Cleaner()
    ballots, rows = _clean_evaluation(ballots, rows, clean)
    clean.done()
    first = {r.cadre_id: r for r in evaluation.rows.select_related("cadre")}
    differing = []
    if ballots != evaluation.ballots:
        differing.append("收回测评票数")
    for cadre_id, row in first.items():
        typed = rows.get(cadre_id, {})
        wrong = [GRADE_LABELS[g] for g in GRADE_LABELS if typed.get(g) != getattr(row, g)]
        if wrong:
            differing.append(f"{row.cadre.name}的{'、'.join(wrong)}")
    if set(rows) - set(first):
        differing.append("第二次录入的测评对象与第一次录入不同")
    if differing:
        message = f"{MISMATCH_MESSAGE}（不一致：{'；'.join(differing)}）"
        raise Conflict(message, rule="E2", source=citations.source_for("E2"))
    clean = Cleaner()
    _ensure_not_rated(first, evaluation.year, clean)  # one may have been typed in meanwhile
    if clean.errors:
        raise refusal("S1", "；".join(m for ms in clean.errors.values() for m in ms))
    evaluation.confirmed_by, evaluation.confirmed_at = actor, timezone.now()
    evaluation.save(update_fields=["confirmed_by", "confirmed_at"])
    for cadre_id in sorted(first):
        row = first[cadre_id]
        cadre_services.cadre_evaluation_counted(
            actor=actor,
            cadre=row.cadre,
            year=evaluation.year,
            counts={g: getattr(row, g) for g in GRADE_LABELS},
            source={
                "paper_evaluation": evaluation.pk,
                "entered_by": evaluation.entered_by.get_username(),
                "confirmed_by": actor.get_username(),
            },
        )
    return evaluation


@transaction.atomic
def paper_evaluation_discard(*, actor: User, evaluation_id: int) -> None:
    """Withdraw a first entry that was not confirmed (a typing error found at the second entry)."""
    evaluation = _lock_paper_evaluation(evaluation_id)
    _ensure_evaluation_clerk(actor)
    if evaluation.confirmed:  # its counts are the cadres' facts now (S1)
        raise refusal("S1", "已确认的民主测评结果不能撤销")
    evaluation.delete()


@transaction.atomic
def paper_evaluation_enter_xlsx(*, actor: User, title: str, year: int, data: bytes) -> PaperEvaluation:
    """The first entry from a filled template (voting/exports.py): the same checks and writes as
    `paper_evaluation_enter`; any bad cell → one InvalidInput naming each (row, column, reason)."""
    _ensure_evaluation_clerk(actor)
    tally = exports.read_evaluation(data, cadres_by_pk=lambda ids: Cadre.objects.in_bulk(ids))
    try:
        return paper_evaluation_enter(actor=actor, title=title, year=year, ballots=tally.ballots, rows=tally.rows)
    except InvalidInput as exc:
        raise exports.evaluation_located(exc, tally) from exc


@transaction.atomic
def paper_evaluation_confirm_xlsx(*, actor: User, evaluation_id: int, data: bytes) -> PaperEvaluation:
    """The second, blind entry from a filled template listing the first entry's cadres (no numbers)."""
    evaluation = _lock_paper_evaluation(evaluation_id)
    ensure_second_evaluation_clerk(actor, evaluation)  # refused before the file is read
    expected = {r.cadre_id: r.cadre for r in evaluation.rows.select_related("cadre")}
    tally = exports.read_evaluation(data, cadres_by_pk=None, expected=expected)
    try:
        return paper_evaluation_confirm(
            actor=actor, evaluation_id=evaluation_id, ballots=tally.ballots, rows=tally.rows
        )
    except InvalidInput as exc:
        raise exports.evaluation_located(exc, tally) from exc
