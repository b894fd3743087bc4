"""Reads of the decision stage, and the arithmetic of a counted result (shared by rules and pages)."""

import hashlib
import math
from collections import Counter
from dataclasses import dataclass
from fractions import Fraction

import orjson
from django.db import connection
from django.db.models import Prefetch, Q, QuerySet, Sum
from django.http import Http404

from cadre import roles
from cadre.models import FORWARD, Cadre, Candidate, Kinship, RecordKind
from cadre.selectors import selections_for_user
from supervision.selectors import open_complaints_count

from .models import (
    AgendaItem,
    BallotRecusal,
    BallotSession,
    Brief,
    DecisionMeeting,
    MemberCadre,
    VoteResult,
    VoteResultEntry,
)

# "Fewer than half approving" (V6) is the definition of 半数, not a configurable threshold.
HALF = Fraction(1, 2)
# The forward transitions a candidate must have gone through to stand before the committee (V6).
STEPS = ("nominate", "recommend", "inspect", "deliberate", "decide")
STEP_LABELS = {
    "nominate": "提名",
    "recommend": "民主推荐",
    "inspect": "考察",
    "deliberate": "酝酿",
    "decide": "提交讨论决定",
}


def meetings_for_user(*, user) -> QuerySet[DecisionMeeting]:
    return DecisionMeeting.objects.filter(selection__in=selections_for_user(user=user).values("pk")).select_related(
        "selection"
    )


def get_meeting_for_user(*, user, pk) -> DecisionMeeting:
    try:
        return meetings_for_user(user=user).get(pk=pk)
    except (DecisionMeeting.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404("会议不存在") from exc


def meetings_of_selection(*, selection) -> QuerySet[DecisionMeeting]:
    return selection.decision_meetings.prefetch_related(
        Prefetch("agenda", queryset=AgendaItem.objects.select_related("candidate__cadre", "candidate__position__unit"))
    )


def meeting_detail(*, meeting: DecisionMeeting) -> DecisionMeeting:
    return (
        DecisionMeeting.objects.select_related("selection")
        .prefetch_related(
            Prefetch(
                "agenda", queryset=AgendaItem.objects.select_related("candidate__cadre", "candidate__position__unit")
            ),
            Prefetch("results", queryset=meeting_results(meeting=meeting)),
            Prefetch("entries", queryset=meeting_entries(meeting=meeting)),
        )
        .get(pk=meeting.pk)
    )


def meeting_results(*, meeting: DecisionMeeting) -> QuerySet[VoteResult]:
    """The counted results of a meeting (paper results once confirmed, online ones at close)."""
    return (
        VoteResult.objects.filter(meeting=meeting)
        .select_related("meeting", "candidate__cadre", "candidate__position", "entered_by", "confirmed_by")
        .order_by("candidate_id")
    )


def meeting_entries(*, meeting: DecisionMeeting) -> QuerySet[VoteResultEntry]:
    """First entries of a paper meeting waiting for the second clerk."""
    return (
        VoteResultEntry.objects.filter(meeting=meeting)
        .select_related("candidate__cadre", "entered_by")
        .order_by("candidate_id")
    )


def brief_of(candidate: Candidate) -> Brief | None:
    return Brief.objects.filter(candidate=candidate).first()


def current_result(candidate: Candidate) -> VoteResult | None:
    """The result recorded since the candidate last entered its current stage (what publicize looks at)."""
    return (
        VoteResult.objects.filter(candidate=candidate, entered_at__gte=candidate.stage_changed_at)
        .select_related("meeting")
        .order_by("-entered_at")
        .first()
    )


def results_of_candidate(candidate: Candidate) -> QuerySet[VoteResult]:
    return (
        VoteResult.objects.filter(candidate=candidate)
        .select_related("meeting", "entered_by", "confirmed_by")
        .order_by("-entered_at")
    )


def approvals_for_post(result: VoteResult) -> int:
    """V4: approvals given to every candidate for the same post in the same meeting."""
    total = VoteResult.objects.filter(
        meeting_id=result.meeting_id, candidate__position_id=result.candidate.position_id
    ).aggregate(n=Sum("approve"))["n"]
    return total or 0


def quorum_met(*, present: int | None, entitled: int, quorum: Fraction) -> bool:
    """V1: at least `quorum` of the members entitled to attend are present."""
    return present is not None and present >= quorum * entitled


def quorum_needed(*, entitled: int, quorum: Fraction) -> int:
    """V1: the fewest members present that make the quorum."""
    return math.ceil(quorum * entitled)


def passes(*, approve: int, entitled: int, pass_share: Fraction) -> bool:
    """V3: more than `pass_share` (half) of the members ENTITLED to attend approve, not of those present."""
    return approve > pass_share * entitled


def votes_to_pass(*, entitled: int, pass_share: Fraction) -> int:
    """V3: the fewest approvals that pass."""
    return math.floor(pass_share * entitled) + 1


@dataclass
class Tally:
    """What a counted result means under the thresholds in force."""

    entitled: int
    present: int
    approve: int
    disapprove: int
    abstain: int
    recused: int
    quorum: Fraction
    pass_share: Fraction
    negative_share: Fraction

    @property
    def quorum_met(self) -> bool:  # V1
        return quorum_met(present=self.present, entitled=self.entitled, quorum=self.quorum)

    @property
    def passed(self) -> bool:  # V3
        return passes(approve=self.approve, entitled=self.entitled, pass_share=self.pass_share)

    @property
    def negative_concentrated(self) -> bool:  # V6
        return self.present > 0 and Fraction(self.disapprove, self.present) >= self.negative_share

    @property
    def fewer_than_half(self) -> bool:  # V6
        return self.approve < HALF * self.present

    def as_dict(self) -> dict:
        return {
            "entitled": self.entitled,
            "present": self.present,
            "approve": self.approve,
            "disapprove": self.disapprove,
            "abstain": self.abstain,
            "recused": self.recused,
        }


def tally(result: VoteResult, thresholds) -> Tally:
    return Tally(
        entitled=result.meeting.entitled,
        present=result.meeting.present or 0,
        approve=result.approve,
        disapprove=result.disapprove,
        abstain=result.abstain,
        recused=result.recused,
        quorum=thresholds["V1.quorum"],
        pass_share=thresholds["V3.pass_share"],
        negative_share=thresholds["V6.negative_share"],
    )


def missing_steps(candidate: Candidate) -> list[str]:
    """V6: the forward steps the record does not show, replaying transitions and send-backs in order."""
    done: set[str] = set()
    entries = candidate.record.filter(kind__in=[RecordKind.TRANSITION, RecordKind.SEND_BACK]).order_by("seq")
    for kind, payload in entries.values_list("kind", "payload"):
        if kind == RecordKind.TRANSITION and payload.get("transition") in STEPS:
            done.add(payload["transition"])
        elif kind == RecordKind.SEND_BACK and payload.get("to") in FORWARD:
            reached = FORWARD.index(payload["to"])
            done = {step for step in done if STEPS.index(step) + 1 <= reached}
    return [step for step in STEPS if step not in done]


def open_complaints(candidate: Candidate) -> int:
    """V6: complaints not yet concluded (supervision's; voting reads supervision, never the reverse)."""
    return open_complaints_count(candidate=candidate)


# ---------------------------------------------------------------------------- online secret ballots
# (imports kept with the section they serve, so this block is an append to the file)


DECISION_CHOICES = ("approve", "disapprove", "abstain")
EVALUATION_CHOICES = ("excellent", "competent", "basically_competent", "incompetent")


def ballot_sessions_for_user(*, user) -> QuerySet[BallotSession]:
    """Supervisors and admins: every session; staff: the sessions of their selections (and those they
    created without one); committee members: the sessions they are entitled to attend."""
    qs = BallotSession.objects.select_related("meeting", "selection")
    if roles.reads_everything(user):
        return qs
    visible = Q(pk__in=[])
    if roles.has_role(user, roles.ORG_STAFF):
        visible |= Q(selection__in=selections_for_user(user=user).values("pk")) | Q(
            selection__isnull=True, created_by=user
        )
    if roles.has_role(user, roles.COMMITTEE_MEMBER):
        visible |= Q(pk__in=BallotSession.entitled.through.objects.filter(user=user).values("ballotsession_id"))
    return qs.filter(visible)


def get_ballot_session_for_user(*, user, pk) -> BallotSession:
    try:
        return ballot_sessions_for_user(user=user).get(pk=pk)
    except (BallotSession.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404("投票不存在") from exc


def can_manage_session(*, user, session: BallotSession) -> bool:
    """Staff who may create, open, close a session: assigned to its selection (or its creator)."""
    from cadre.selectors import can_work_on

    if session.selection_id is not None:
        return can_work_on(user=user, selection=session.selection)
    return roles.has_role(user, roles.ORG_STAFF) and session.created_by_id == user.pk


def related_cadre_ids(*, user) -> set[int]:
    """V8: the member's own cadre and every cadre related to it by a kinship, whichever side it was entered."""
    link = MemberCadre.objects.filter(user=user).values_list("cadre_id", flat=True).first()
    if link is None:
        return set()
    related = {link}
    for cadre_id, relative_id in Kinship.objects.filter(Q(cadre_id=link) | Q(relative_id=link)).values_list(
        "cadre_id", "relative_id"
    ):
        related.update((cadre_id, relative_id))
    return related


def recused_item_ids(*, session: BallotSession, user) -> set[int]:
    """V8: the items of a decision session the member may not vote on (kinship or recorded by staff)."""
    if session.kind != BallotSession.Kind.DECISION or user is None:
        return set()
    related = related_cadre_ids(user=user)
    recused = set(BallotRecusal.objects.filter(item__session=session, user=user).values_list("item_id", flat=True))
    for item_id, cadre_id in session.items.values_list("id", "candidate__cadre_id"):
        if cadre_id in related:
            recused.add(item_id)
    return recused


def recused_counts(*, session: BallotSession) -> dict[int, int]:
    """V8: per item, how many of the members present are recused from it."""
    counts: dict[int, int] = {}
    for user in session.present.all():
        for item_id in recused_item_ids(session=session, user=user):
            counts[item_id] = counts.get(item_id, 0) + 1
    return counts


def ballot_items(*, session: BallotSession) -> list[dict]:
    """The items as the API shows them: id, what is voted on, and the options of a recommendation."""
    items = []
    for item in session.items.select_related("candidate__cadre", "position", "cadre").prefetch_related("options"):
        row = {"id": item.pk}
        if session.kind == BallotSession.Kind.DECISION:
            row.update(candidate=item.candidate_id, cadre_name=item.candidate.cadre.name)
            row["position"] = item.candidate.position_id
        elif session.kind == BallotSession.Kind.RECOMMENDATION:
            row.update(
                position=item.position_id,
                position_name=str(item.position),
                vacancies=item.vacancies,
                options=sorted(c.pk for c in item.options.all()),
                option_names={str(c.pk): c.name for c in item.options.all()},
            )
        else:
            row.update(cadre=item.cadre_id, cadre_name=item.cadre.name)
        items.append(row)
    return items


BULLETIN_SQL = """
SELECT coalesce(
    json_agg(json_build_object('receipt', receipt, 'choices', choices) ORDER BY receipt COLLATE "C"), '[]'
)::text
FROM voting_ballot WHERE session_id = %s
"""


def bulletin_entries(*, session: BallotSession) -> list[dict]:
    """Every (receipt, choices) pair, sorted by receipt: an order unrelated to casting. Receipts are
    [2-9A-Z] only, so code-point order (COLLATE "C", Python's sort) is every collation's order too.
    PostgreSQL builds the whole list as one JSON text that orjson decodes at once: per-row decoding was
    most of a 10,000-ballot tally."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(BULLETIN_SQL, [session.pk])
            return orjson.loads(cursor.fetchone()[0])
        cursor.execute("SELECT receipt, choices FROM voting_ballot WHERE session_id = %s", [session.pk])
        rows = sorted(cursor.fetchall())
    return [{"receipt": receipt, "choices": orjson.loads(choices)} for receipt, choices in rows]


def _marks(entries: list[dict]) -> Counter:
    """(item key, choice or cadre id) → how many ballots mark it, in one pass over the bulletin."""
    marks: Counter = Counter()
    for entry in entries:
        choices = entry["choices"]
        if not isinstance(choices, dict):
            continue
        for key, value in choices.items():
            for mark in value if isinstance(value, list) else (value,):
                if isinstance(mark, str | int) and not isinstance(mark, bool):
                    marks[(key, mark)] += 1
    return marks


def bulletin_root(entries: list[dict]) -> str:
    """Hex sha256 of the entries as canonical JSON (sorted keys, no spaces, UTF-8)."""
    return hashlib.sha256(orjson.dumps(entries, option=orjson.OPT_SORT_KEYS)).hexdigest()


def _share(part: int, whole: int) -> str:
    return f"{part}/{whole}"


def tally_entries(*, session: BallotSession, entries: list[dict], thresholds) -> dict:
    """The tally of a session computed from its bulletin alone (anyone can recount the same way).

    decision: approvals, disapprovals, abstentions per candidate; passed = approvals > half of those
    ENTITLED (V3). recommendation: votes, share of the ballots and rank per cadre; passed = at least
    half of the ballots (R3). evaluation: the four grades per cadre; passed = 优秀+称职 ≥ 2/3 and
    不称职 ≤ 1/3 of the ballots rating them (E2)."""
    options = Prefetch("options", queryset=Cadre.objects.only("pk"))
    items = list(session.items.select_related("candidate").prefetch_related(options).order_by("id"))
    n = len(entries)
    marks = _marks(entries)
    out = []
    if session.kind == BallotSession.Kind.DECISION:
        entitled = session.entitled.count()
        present = session.present.count()
        recused = recused_counts(session=session)
        pass_share = thresholds["V3.pass_share"]
        for item in items:
            counts = {choice: marks[(str(item.pk), choice)] for choice in DECISION_CHOICES}
            out.append(
                {
                    "item": item.pk,
                    "candidate": item.candidate_id,
                    "position": item.candidate.position_id,
                    **counts,
                    "recused": recused.get(item.pk, 0),
                    "passed": passes(approve=counts["approve"], entitled=entitled, pass_share=pass_share),
                }
            )
        return {
            "ballots": n,
            "entitled": entitled,
            "present": present,
            "pass_share": str(pass_share),
            "items": out,
        }
    if session.kind == BallotSession.Kind.RECOMMENDATION:
        min_share = thresholds["R3.min_share"]
        for item in items:
            votes = {c.pk: marks[(str(item.pk), c.pk)] for c in item.options.all()}
            ordered = sorted(votes.items(), key=lambda kv: (-kv[1], kv[0]))
            cadres = []
            for cadre_id, count in ordered:
                rank = 1 + sum(1 for other in votes.values() if other > count)
                cadres.append(
                    {
                        "cadre": cadre_id,
                        "votes": count,
                        "share": _share(count, n),
                        "rank": rank,
                        "passed": n > 0 and count >= min_share * n,
                    }
                )
            out.append(
                {
                    "item": item.pk,
                    "position": item.position_id,
                    "vacancies": item.vacancies,
                    "cadres": cadres,
                    "recused": 0,
                    "passed": [c["cadre"] for c in cadres if c["passed"]],
                }
            )
        return {"ballots": n, "min_share": str(min_share), "items": out}
    good_min, bad_max = thresholds["E2.min_good_share"], thresholds["E2.max_incompetent_share"]
    for item in items:
        counts = {choice: marks[(str(item.pk), choice)] for choice in EVALUATION_CHOICES}
        total = sum(counts.values())
        good = counts["excellent"] + counts["competent"]
        passed = total > 0 and good >= good_min * total and counts["incompetent"] <= bad_max * total
        out.append(
            {
                "item": item.pk,
                "cadre": item.cadre_id,
                **counts,
                "total": total,
                "good_share": _share(good, total),
                "incompetent_share": _share(counts["incompetent"], total),
                "recused": 0,
                "passed": passed,
            }
        )
    return {
        "ballots": n,
        "min_good_share": str(good_min),
        "max_incompetent_share": str(bad_max),
        "items": out,
    }


def failed_candidates(*, meeting: DecisionMeeting, thresholds) -> list[Candidate]:
    """V5 on paper: the candidates of the posts where, every result of the post being in, nobody passed
    (a tie included)."""
    results = {r.candidate_id: r for r in meeting.results.all()}
    by_post: dict[int, list[Candidate]] = {}
    for item in meeting.agenda.select_related("candidate"):
        by_post.setdefault(item.candidate.position_id, []).append(item.candidate)
    failed = []
    for candidates in by_post.values():
        counted = [results.get(c.pk) for c in candidates]
        if all(counted) and not any(tally(r, thresholds).passed for r in counted):
            failed += candidates
    return failed


def second_vote_of(*, meeting: DecisionMeeting) -> DecisionMeeting | None:
    """V5: the meeting that re-votes this one's failed posts, if the committee chose a second vote."""
    return DecisionMeeting.objects.filter(second_vote_of=meeting).first()


def failed_posts(*, result: dict) -> dict[int, list[dict]]:
    """V5: the posts of a decision tally where nobody passed (a tie included): position -> its items."""
    by_post: dict[int, list[dict]] = {}
    for row in result["items"]:
        by_post.setdefault(row["position"], []).append(row)
    return {post: rows for post, rows in by_post.items() if not any(r["passed"] for r in rows)}
