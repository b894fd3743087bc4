"""Writes of the motion, nomination and recommendation stages.

Each function: keyword-only, one transaction, the permission check (cadre.access.ensure_can_work),
every input checked before anything is written (cadre.cleaning), and a record entry (kind "fact") on
each candidate concerned, in the same transaction, with the candidate rows locked.
"""

from datetime import date

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from cadre import citations
from cadre.access import ensure_can_work
from cadre.cleaning import Cleaner
from cadre.dates import motion_date
from cadre.errors import Conflict, InvalidInput, NotAllowed
from cadre.models import Candidate, RecordKind, Selection, Stage, Unit
from cadre.record import record_append
from cadre.rules import refusal

from . import exports
from .models import (
    InspectionDecision,
    MotionAgenda,
    Nomination,
    NominationSource,
    RecommendationMeeting,
    RecommendationResult,
)
from .selectors import ballot_cadres, second_entry_cadres

NOMINATION_STAGES = (Stage.MOTION, Stage.NOMINATION)

MISMATCH_MESSAGE = "两次录入不一致，未予确认。请对照纸质选票核对；如第一次录入有误，请撤销该次录入后重新录入。"


class EntryMismatch(Conflict):
    """The second, blind entry of a recommendation differs from the first: nothing is confirmed.

    A refusal by the procedure (R1: the votes recorded are the ballots' — two clerks agree on them),
    so the API answers 409 naming R1 like any refusal; `errors` keeps field → messages so that the
    page marks the fields that differ (cadre.forms.call_service)."""

    def __init__(self, errors: dict[str, list[str]]):
        details = [m for messages in errors.values() for m in messages if m != MISMATCH_MESSAGE]
        super().__init__(f"{MISMATCH_MESSAGE}（{'；'.join(details)}）", rule="R1", source=citations.source_for("R1"))
        self.errors = errors


# ---------------------------------------------------------------------------- locks and facts


def _lock_selection(selection_id) -> Selection:
    try:
        return Selection.objects.select_for_update().get(pk=selection_id)
    except (Selection.DoesNotExist, ValueError, TypeError) as exc:
        raise InvalidInput({"selection": ["选任工作不存在"]}) from exc


def _lock_candidates(queryset) -> list[Candidate]:
    """Lock candidate rows in id order (a fixed order, so two services cannot deadlock)."""
    return list(queryset.select_for_update(of=("self",)).select_related("cadre", "position__unit").order_by("pk"))


def _fact(candidate, actor, fact: str, label: str, **details):
    return record_append(
        candidate=candidate, actor=actor, kind=RecordKind.FACT, payload={"fact": fact, "label": label, **details}
    )


# ---------------------------------------------------------------------------- dates (#11)


def _not_before_motion(clean: Cleaner, field: str, day: date | None, selection_id: int, label: str) -> None:
    """A stage's date is not before the motion: the first meeting that had it on its agenda (M4).
    The same day is allowed (a meeting may decide the motion and hear the nominations)."""
    motion = motion_date(selection_id) if day else None
    if motion and day < motion:
        clean.add(field, f"{label} {day.isoformat()} 早于动议会议日期 {motion.isoformat()}")


def _not_before_recommendation(clean: Cleaner, day: date, selection: Selection, candidates) -> None:
    """R5: the 部长办公会 decides the inspection objects on the recommendation, so not before it."""
    held = (
        RecommendationMeeting.objects.filter(
            selection=selection, confirmed_by__isnull=False, results__cadre__in=[c.cadre_id for c in candidates]
        )
        .order_by("-held_on")
        .values_list("held_on", flat=True)
        .first()
    )
    if held and day < held:
        clean.add("meeting_date", f"部长办公会日期 {day.isoformat()} 早于民主推荐日期 {held.isoformat()}")


# ---------------------------------------------------------------------------- motion (M4)


@transaction.atomic
def motion_agenda_record(
    *, actor: User, selection_id: int, meeting_name: str, meeting_date: date, item: str
) -> MotionAgenda:
    """M4: the motion's decision item is on a meeting's agenda before the meeting opens."""
    selection = _lock_selection(selection_id)
    ensure_can_work(actor, selection)
    clean = Cleaner()
    meeting_name = clean.text(meeting_name, "meeting_name", max_length=200, label="会议名称")
    meeting_date = clean.date(meeting_date, "meeting_date", label="会议日期")
    item = clean.text(item, "item", label="议题")
    clean.done()
    # A fact about the selection, not about one candidate: it enters each candidate's record as the
    # inputs of M4 in the `nominate` transition entry (who recorded which agenda item, and when).
    return MotionAgenda.objects.create(
        selection=selection, meeting_name=meeting_name, meeting_date=meeting_date, item=item, recorded_by=actor
    )


# ---------------------------------------------------------------------------- nomination (N1)


@transaction.atomic
def nomination_record(
    *,
    actor: User,
    candidate_id: int,
    source: str,
    nominator: str,
    reasons: str = "",
    signed_by: str = "",
    signed_on: date | None = None,
) -> Nomination:
    """N1: an initial nomination; a leader's personal nomination is signed and gives reasons."""
    try:
        candidate = _lock_candidates(Candidate.objects.filter(pk=candidate_id))[0]
    except (IndexError, ValueError, TypeError) as exc:
        raise InvalidInput({"candidate": ["人选不存在"]}) from exc
    ensure_can_work(actor, candidate.selection)
    if candidate.stage not in NOMINATION_STAGES:
        raise Conflict(f"人选当前处于“{Stage(candidate.stage).label}”阶段，只能在动议或提名阶段登记提名")
    clean = Cleaner()
    sources = "、".join(str(label) for label in NominationSource.labels)
    clean.choice(source, "source", NominationSource.values, message=f"提名来源必须是：{sources}")
    leader = source == NominationSource.LEADER
    nominator = clean.text(nominator, "nominator", max_length=100, label="提名人或提名单位")
    reasons = clean.text(reasons, "reasons", required=leader, label="推荐理由")
    signed_by = clean.text(signed_by, "signed_by", required=leader, max_length=50, label="签名人")
    signed_on = clean.date(signed_on, "signed_on", required=leader, not_future=True, label="签名日期")
    _not_before_motion(clean, "signed_on", signed_on, candidate.selection_id, "签名日期")
    clean.done()
    nomination = Nomination.objects.create(
        candidate=candidate,
        source=source,
        nominator=nominator,
        reasons=reasons,
        signed_by=signed_by,
        signed_on=signed_on,
        recorded_by=actor,
    )
    _fact(
        candidate,
        actor,
        "nomination",
        "初始提名",
        rule="N1",
        nomination=nomination.pk,
        source=source,
        source_label=str(NominationSource(source).label),
        nominator=nominator,
        reasons=reasons,
        signed_by=signed_by,
        signed_on=signed_on.isoformat() if signed_on else None,
    )
    return nomination


# ---------------------------------------------------------------------------- recommendation (R1), double entry


def ranks(votes: dict[int, int]) -> dict[int, int]:
    """Competition ranking by votes: 30, 28, 28, 10 → 1, 2, 2, 4."""
    ordered = sorted(votes.values(), reverse=True)
    return {cadre_id: ordered.index(count) + 1 for cadre_id, count in votes.items()}


def _check_numbers(entitled, present, votes, clean: Cleaner) -> tuple[int | None, int | None, dict[int, int]]:
    entitled = clean.count(entitled, "entitled", positive=True, label="应参加人数")
    present = clean.count(present, "present", positive=True, label="实参加人数")
    if entitled is not None and present is not None and present > entitled:
        clean.add("present", f"实参加人数（{present}）不能多于应参加人数（{entitled}）")
    counted: dict[int, int] = {}
    if not isinstance(votes, dict):
        clean.add("__all__", "得票数格式错误")
        return entitled, present, counted
    for cadre_id, count in votes.items():
        field = f"votes_{cadre_id}"
        count = clean.count(count, field, label="得票数")
        if count is None:
            continue
        if present is not None and count > present:
            clean.add(field, f"得票数（{count}）不能多于实参加人数（{present}）")
            continue
        counted[cadre_id] = count
    return entitled, present, counted


def ballot_cadre_ids(selection: Selection) -> set[int]:
    return set(selection.candidates.values_list("cadre_id", flat=True))


@transaction.atomic
def recommendation_enter(
    *,
    actor: User,
    selection_id: int,
    unit_id: int,
    kind: str,
    held_on: date,
    entitled: int,
    present: int,
    votes: dict[int, int],
) -> RecommendationMeeting:
    """R1, first entry: a recommendation typed in from the paper ballots. It counts only once confirmed."""
    selection = _lock_selection(selection_id)
    ensure_can_work(actor, selection)
    clean = Cleaner()
    unit = Unit.objects.filter(pk=unit_id).first() if isinstance(unit_id, int) else None
    if unit is None:
        clean.add("unit", "请选择推荐单位")
    clean.choice(kind, "kind", RecommendationMeeting.Kind.values, message="推荐方式必须是会议推荐或个别谈话推荐")
    held_on = clean.date(held_on, "held_on", not_future=True, label="推荐日期")
    _not_before_motion(clean, "held_on", held_on, selection.pk, "推荐日期")
    entitled, present, votes = _check_numbers(entitled, present, votes, clean)
    unknown = set(votes) - ballot_cadre_ids(selection)
    if unknown:
        clean.add("__all__", "得票干部必须是本次选任工作的人选")
    if not votes and not clean.errors:
        clean.add("__all__", "请至少填写一名人选的得票数")
    clean.done()
    meeting = RecommendationMeeting.objects.create(
        selection=selection,
        unit=unit,
        kind=kind,
        held_on=held_on,
        entitled=entitled,
        present=present,
        entered_by=actor,
    )
    _save_results(meeting, votes)
    return meeting


def _save_results(meeting: RecommendationMeeting, votes: dict[int, int]) -> dict[int, int]:
    """Each cadre's votes with its rank; returns the ranks."""
    ranking = ranks(votes)
    RecommendationResult.objects.bulk_create(
        RecommendationResult(meeting=meeting, cadre_id=cadre_id, votes=count, rank=ranking[cadre_id])
        for cadre_id, count in votes.items()
    )
    return ranking


def _lock_meeting(meeting_id) -> RecommendationMeeting:
    try:
        return (
            RecommendationMeeting.objects.select_for_update(of=("self",))
            .select_related("unit", "entered_by")
            .get(pk=meeting_id)
        )
    except (RecommendationMeeting.DoesNotExist, ValueError, TypeError) as exc:
        raise InvalidInput({"meeting": ["民主推荐记录不存在"]}) from exc


def _ensure_second_clerk(actor: User, meeting: RecommendationMeeting) -> None:
    ensure_can_work(actor, meeting.selection)
    if meeting.confirmed:  # a once-only fact that already exists (一事一记)
        raise refusal("S1", "该民主推荐结果已经确认，无需再次核对")
    if meeting.entered_by_id == actor.pk:
        raise NotAllowed("不能核对确认自己录入的推荐结果，须由另一名承办人重新录入")


@transaction.atomic
def recommendation_confirm(
    *, actor: User, meeting_id: int, entitled: int, present: int, votes: dict[int, int]
) -> RecommendationMeeting:
    """R1, second entry: a different assigned staff member re-enters the numbers blind.

    They match → the meeting is confirmed (both people recorded) and its results enter each
    candidate's record. They differ → EntryMismatch names what differs; nothing is written.
    """
    meeting = _lock_meeting(meeting_id)
    _ensure_second_clerk(actor, meeting)
    clean = Cleaner()
    entitled, present, votes = _check_numbers(entitled, present, votes, clean)
    clean.done()
    first = {r.cadre_id: r for r in meeting.results.select_related("cadre")}
    mismatch: dict[str, list[str]] = {}
    if entitled != meeting.entitled:
        mismatch["entitled"] = ["与第一次录入不一致"]
    if present != meeting.present:
        mismatch["present"] = ["与第一次录入不一致"]
    for cadre_id, result in first.items():
        if votes.get(cadre_id) != result.votes:
            mismatch[f"votes_{cadre_id}"] = [f"{result.cadre.name}的得票数与第一次录入不一致"]
    if set(votes) - set(first):
        mismatch["__all__"] = ["第二次录入的人选与第一次录入不同"]
    if mismatch:
        mismatch.setdefault("__all__", []).insert(0, MISMATCH_MESSAGE)
        raise EntryMismatch(mismatch)
    meeting.confirmed_by = actor
    meeting.confirmed_at = timezone.now()
    meeting.save(update_fields=["confirmed_by", "confirmed_at"])
    candidates = _lock_candidates(meeting.selection.candidates.filter(cadre_id__in=list(first)))
    for candidate in candidates:
        result = first[candidate.cadre_id]
        _record_result(
            candidate,
            actor,
            meeting,
            votes=result.votes,
            rank=result.rank,
            label="民主推荐结果",
            entered_by=meeting.entered_by.get_username(),
            confirmed_by=actor.get_username(),
        )
    return meeting


def _record_result(candidate, actor, meeting: RecommendationMeeting, *, votes: int, rank: int, label: str, **extra):
    """The `recommendation` fact a confirmed result gives each candidate's record (R1)."""
    _fact(
        candidate,
        actor,
        "recommendation",
        label,
        rule="R1",
        meeting=meeting.pk,
        unit=meeting.unit_id,
        unit_name=meeting.unit.name,
        kind=meeting.kind,
        kind_label=str(meeting.get_kind_display()),
        held_on=meeting.held_on.isoformat(),
        entitled=meeting.entitled,
        present=meeting.present,
        votes=votes,
        rank=rank,
        **extra,
    )


# ---------------------------------------------------------------------------- the same entries from Excel


@transaction.atomic
def recommendation_enter_xlsx(
    *, actor: User, selection_id: int, unit_id: int, kind: str, held_on: date, data: bytes
) -> RecommendationMeeting:
    """R1, first entry from a filled template (nomination/exports.py): the same checks and writes as
    `recommendation_enter`; any bad cell → one InvalidInput naming each (row, column, reason)."""
    selection = _lock_selection(selection_id)
    ensure_can_work(actor, selection)
    tally = exports.read_tally(data, cadres=ballot_cadres(selection=selection), blank_means_absent=True)
    try:
        return recommendation_enter(
            actor=actor,
            selection_id=selection_id,
            unit_id=unit_id,
            kind=kind,
            held_on=held_on,
            entitled=tally.entitled,
            present=tally.present,
            votes=tally.votes,
        )
    except InvalidInput as exc:
        raise exports.located(exc, tally) from exc


@transaction.atomic
def recommendation_confirm_xlsx(*, actor: User, meeting_id: int, data: bytes) -> RecommendationMeeting:
    """R1, second (blind) entry from a filled template listing the first entry's cadres in ballot order."""
    meeting = _lock_meeting(meeting_id)
    _ensure_second_clerk(actor, meeting)  # refused before the file is read: no hint about the numbers
    tally = exports.read_tally(data, cadres=second_entry_cadres(meeting=meeting), blank_means_absent=False)
    try:
        return recommendation_confirm(
            actor=actor, meeting_id=meeting_id, entitled=tally.entitled, present=tally.present, votes=tally.votes
        )
    except (InvalidInput, EntryMismatch) as exc:
        raise exports.located(exc, tally) from exc


@transaction.atomic
def recommendation_discard(*, actor: User, meeting_id: int) -> None:
    """Withdraw a first entry that was not confirmed (e.g. a typing error found at the second entry)."""
    meeting = _lock_meeting(meeting_id)
    ensure_can_work(actor, meeting.selection)
    if meeting.confirmed:  # recorded in the candidates' records: never removed (S1)
        raise refusal("S1", "已确认的民主推荐结果不能撤销")
    meeting.results.all().delete()
    meeting.delete()


# ---------------------------------------------------------------------------- inspection objects (R5)


@transaction.atomic
def inspection_decision_record(
    *, actor: User, selection_id: int, meeting_date: date, reasons: str, candidate_ids: list[int]
) -> InspectionDecision:
    """R5: the 部长办公会 decides the inspection objects, with reasons."""
    selection = _lock_selection(selection_id)
    ensure_can_work(actor, selection)
    clean = Cleaner()
    meeting_date = clean.date(meeting_date, "meeting_date", not_future=True, label="部长办公会日期")
    reasons = clean.text(reasons, "reasons", label="研究意见和理由")
    ids = list(candidate_ids or [])
    candidates = _lock_candidates(selection.candidates.filter(pk__in=[i for i in ids if isinstance(i, int)]))
    if not ids:
        clean.add("candidates", "请至少选择一名考察对象")
    elif len(candidates) != len(set(ids)):
        clean.add("candidates", "考察对象必须是本次选任工作的人选")
    _not_before_motion(clean, "meeting_date", meeting_date, selection.pk, "部长办公会日期")
    if meeting_date and candidates:
        _not_before_recommendation(clean, meeting_date, selection, candidates)
    clean.done()
    late = [c.cadre.name for c in candidates if c.stage != Stage.RECOMMENDATION]
    if late:  # the procedure refuses (409 "stage"), the input was well-formed
        raise Conflict(f"{'、'.join(late)}不在民主推荐阶段，不能确定为考察对象", field="candidates")
    decision = InspectionDecision.objects.create(
        selection=selection, meeting_date=meeting_date, reasons=reasons, recorded_by=actor
    )
    decision.candidates.set(candidates)
    names = [c.cadre.name for c in candidates]
    for candidate in candidates:
        _fact(
            candidate,
            actor,
            "inspection_decision",
            "部长办公会确定考察对象",
            rule="R5",
            decision=decision.pk,
            meeting_date=meeting_date.isoformat(),
            reasons=reasons,
            inspection_objects=names,
        )
    return decision


# ---------------------------------------------------------------------------- online ballots (R1, R3)


@transaction.atomic
def recommendation_from_ballot(
    *,
    actor: User,
    selection_id: int,
    unit_id: int,
    position_id: int,
    held_on: date,
    entitled: int,
    present: int,
    votes: dict[int, int],
    ballot_session: int,
    bulletin_root: str,
) -> RecommendationMeeting | None:
    """A recommendation counted by an online secret ballot for one post (voting closes the session and
    calls this): confirmed at once — the count is the bulletin's, not a clerk's typing (R1) — and the
    candidates' records get the same `recommendation` fact a confirmed paper entry gives them."""
    selection = _lock_selection(selection_id)
    ensure_can_work(actor, selection)
    if not present:
        return None  # nobody voted: no recommendation to count (R3 reads only meetings with ballots)
    if RecommendationMeeting.objects.filter(ballot_session=ballot_session, position_id=position_id).exists():
        raise refusal("S1", "该网上推荐结果已经登记")
    now = timezone.now()
    meeting = RecommendationMeeting.objects.create(
        selection=selection,
        unit_id=unit_id,
        kind=RecommendationMeeting.Kind.MEETING,
        held_on=held_on,
        entitled=entitled,
        present=present,
        entered_by=actor,
        confirmed_by=actor,
        confirmed_at=now,
        ballot_session=ballot_session,
        position_id=position_id,
    )
    ranking = _save_results(meeting, votes)
    candidates = _lock_candidates(
        selection.candidates.filter(cadre_id__in=list(votes), position_id=position_id, stage=Stage.RECOMMENDATION)
    )
    for candidate in candidates:
        _record_result(
            candidate,
            actor,
            meeting,
            votes=votes[candidate.cadre_id],
            rank=ranking[candidate.cadre_id],
            label="民主推荐结果（网上无记名投票）",
            ballot_session=ballot_session,
            bulletin_root=bulletin_root,
        )
    return meeting
