"""Reads of the decision stage, and the arithmetic of a counted result (shared by rules and pages)."""

import math
from dataclasses import dataclass
from fractions import Fraction

from django.db.models import Prefetch, QuerySet, Sum
from django.http import Http404

from cadre.models import FORWARD, Candidate, RecordKind
from cadre.selectors import selections_for_user
from supervision.selectors import open_complaints_count

from .models import AgendaItem, Brief, DecisionMeeting, VoteResult

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
            Prefetch("results", queryset=VoteResult.objects.select_related("candidate__cadre", "candidate__position")),
        )
        .get(pk=meeting.pk)
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
    return VoteResult.objects.filter(candidate=candidate).select_related("meeting").order_by("-entered_at")


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
