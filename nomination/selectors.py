"""Reads of the motion, nomination and recommendation stages (constant query counts)."""

from dataclasses import dataclass
from datetime import date, timedelta
from fractions import Fraction

from django.db.models import F, Max, Min, Prefetch, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from cadre.models import Cadre, Candidate, Selection, Stage
from cadre.selectors import candidates_list_for_user
from cadre.thresholds import Snapshot, snapshot

from . import rules
from .models import InspectionDecision, MotionAgenda, Nomination, RecommendationMeeting, RecommendationResult
from .rules import ENDED


def agenda_for_selection(*, selection: Selection) -> QuerySet[MotionAgenda]:
    return selection.agenda_items.select_related("recorded_by")


def nominations_for_candidate(*, candidate: Candidate) -> QuerySet[Nomination]:
    return candidate.nominations.select_related("recorded_by")


def ballot_cadres(*, selection: Selection) -> list[Cadre]:
    """The cadres a recommendation ballot of this selection lists: those of its open candidates."""
    cadres: dict[int, Cadre] = {}
    for candidate in selection.candidates.exclude(stage__in=ENDED).select_related("cadre__unit").order_by("pk"):
        cadres.setdefault(candidate.cadre_id, candidate.cadre)
    return list(cadres.values())


def second_entry_cadres(*, meeting) -> list[Cadre]:
    """The cadres of a first entry in the ballot's order (their candidacies' order in the selection, as
    `ballot_cadres` lists them), never in the first entry's ranking: the second entry is blind."""
    first = dict(
        meeting.selection.candidates.order_by()
        .values("cadre_id")
        .annotate(first=Min("pk"))
        .values_list("cadre_id", "first")
    )
    cadres = [r.cadre for r in meeting.results.select_related("cadre__unit")]
    return sorted(cadres, key=lambda c: (first.get(c.pk, 0), c.pk))


@dataclass
class ResultRow:
    """One cadre's result in one confirmed meeting, with what R2 and R3 make of it (nomination.rules)."""

    meeting: RecommendationMeeting
    result: RecommendationResult
    share: Fraction
    valid: bool  # R2: within the validity period
    majority: bool  # R3: at least the minimum share of those present
    own_unit: bool  # R3 applies to the cadre's own unit

    @property
    def percent(self) -> str:
        return f"{float(self.share) * 100:.1f}%"


def _row(meeting, result, *, cadre_unit_id, valid_since: date, min_share: Fraction) -> ResultRow:
    share = Fraction(result.votes, meeting.present) if meeting.present else Fraction(0)
    return ResultRow(
        meeting=meeting,
        result=result,
        share=share,
        valid=meeting.held_on >= valid_since,
        majority=rules.has_majority(result.votes, meeting.present, min_share),
        own_unit=meeting.unit_id == cadre_unit_id,
    )


def _limits(thresholds: Snapshot | None):
    thresholds = thresholds or snapshot()
    return rules.valid_since(timezone.localdate(), thresholds), thresholds["R3.min_share"]


def meetings_for_selection(*, selection: Selection) -> QuerySet[RecommendationMeeting]:
    results = RecommendationResult.objects.select_related("cadre").order_by("rank", "cadre_id")
    return selection.recommendation_meetings.select_related("unit", "entered_by", "confirmed_by").prefetch_related(
        Prefetch("results", queryset=results)
    )


def meeting_tables(*, selection: Selection, thresholds: Snapshot | None = None) -> list[dict]:
    """Every meeting of the selection; confirmed ones with rank, share and the R2/R3 marks per cadre."""
    valid_since, min_share = _limits(thresholds)
    tables = []
    for meeting in meetings_for_selection(selection=selection):
        rows = [
            _row(meeting, r, cadre_unit_id=r.cadre.unit_id, valid_since=valid_since, min_share=min_share)
            for r in meeting.results.all()
        ]
        tables.append({"meeting": meeting, "rows": rows})
    return tables


def results_for_candidate(*, candidate: Candidate, thresholds: Snapshot | None = None) -> dict:
    """The candidate's confirmed results in this selection (with marks) and how many await confirmation."""
    valid_since, min_share = _limits(thresholds)
    results = (
        RecommendationResult.objects.filter(cadre=candidate.cadre, meeting__selection=candidate.selection)
        .select_related("meeting__unit", "meeting__entered_by", "meeting__confirmed_by")
        .order_by("-meeting__held_on", "-meeting_id")
    )
    confirmed, pending = [], 0
    for r in results:
        if r.meeting.confirmed:
            row = _row(
                r.meeting, r, cadre_unit_id=candidate.cadre.unit_id, valid_since=valid_since, min_share=min_share
            )
            confirmed.append(row)
        else:
            pending += 1
    return {"rows": confirmed, "pending": pending, "min_share": min_share, "valid_since": valid_since}


def decisions_for_selection(*, selection: Selection) -> QuerySet[InspectionDecision]:
    return selection.inspection_decisions.select_related("recorded_by").prefetch_related(
        Prefetch("candidates", queryset=Candidate.objects.select_related("cadre", "position__unit"))
    )


def decisions_for_candidate(*, candidate: Candidate) -> QuerySet[InspectionDecision]:
    return candidate.inspection_decisions.select_related("recorded_by")


def decidable_candidates(*, selection: Selection) -> QuerySet[Candidate]:
    """Candidates the 部长办公会 may make inspection objects: those in the recommendation stage."""
    return selection.candidates.filter(stage="recommendation").select_related("cadre", "position__unit")


DEADLINE_HORIZON_DAYS = 30


def upcoming_deadlines(*, user) -> list[dict]:
    """R2: recommendation results of candidates not yet inspected that expire within the horizon.

    Read from what can make a deadline (issue #10): a candidate's last confirmed result falls in the
    window only if one of its selection's confirmed meetings was held in it, so only those
    selections' candidates are grouped, not every candidate the user sees; and a staff member's
    selections are read as ids first (candidates_list_for_user)."""
    valid_days = snapshot()["R2.valid_days"]
    today = timezone.localdate()
    earliest = today - timedelta(days=valid_days)
    latest = today + timedelta(days=DEADLINE_HORIZON_DAYS - valid_days)
    in_window = RecommendationMeeting.objects.filter(
        confirmed_by__isnull=False, held_on__gte=earliest, held_on__lte=latest
    ).values("selection_id")
    last_held = Max(
        "cadre__recommendation_results__meeting__held_on",
        filter=Q(
            cadre__recommendation_results__meeting__selection=F("selection"),
            cadre__recommendation_results__meeting__confirmed_by__isnull=False,  # R1: confirmed results only
        ),
    )
    candidates = (
        candidates_list_for_user(user=user)
        .filter(stage__in=[Stage.MOTION, Stage.NOMINATION, Stage.RECOMMENDATION], selection__in=in_window)
        .annotate(last_held=last_held)
        .filter(last_held__gte=earliest, last_held__lte=latest)
    )
    return [
        {
            "date": c.last_held + timedelta(days=valid_days),
            "label": _("%(name)s（%(position)s）的民主推荐结果到期") % {"name": c.cadre.name, "position": c.position},
            "kind": "R2",
            "url": reverse("cadre:candidate", kwargs={"pk": c.pk}),
        }
        for c in candidates
    ]
