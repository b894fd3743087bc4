"""Deadlines that pass: closing the publicity periods that ended (P1, P2).

Deadlines are data: a publicity stores its end (`Publicity.ends_on`, the last day of the period as
counted on the working-day calendar when it was published). Whether a period is over is read from
that end and today, exactly as P1 reads it (`supervision.rules.publicity_period`: over once
`today > ends_on`); the `publicity_closed` fact written here never decides it. This service only
makes the end visible in time, in the candidate's record:

- no complaint open (P2's test: a complaint not yet `concluded`) and none substantiated →
  a FACT `publicity_closed` (公示期满，无未办结的举报): the candidate is ready for appointment.
  Nobody is appointed here: `appoint` needs a document number, a pre-appointment talk and the
  staff's act (A1, A2);
- otherwise → a FACT `publicity_overdue_complaint`, and the dashboard lists the candidate for the
  staff (supervision.reminders).

Each is written once per publicity (一事一记): running it twice changes nothing. Called by the beat
task through the outbox (supervision.tasks), with the system as actor.
"""

from datetime import date

from django.db import transaction
from django.db.models import BigIntegerField, Exists, OuterRef, QuerySet, Subquery
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast
from django.utils import timezone

from cadre.models import Candidate, RecordEntry, RecordKind, Stage
from cadre.record import record_append

from .models import Complaint, Publicity

CLOSED = "publicity_closed"
OVERDUE = "publicity_overdue_complaint"
CLOSED_LABEL = "公示期满，无未办结的举报"


def _fact_for(fact: str):
    """The record's `fact` entries about the outer publicity."""
    return (
        RecordEntry.objects.filter(candidate=OuterRef("candidate"), kind=RecordKind.FACT, payload__fact=fact)
        .annotate(publicity=Cast(KeyTextTransform("publicity", "payload"), BigIntegerField()))
        .filter(publicity=OuterRef("pk"))
    )


def ended_publicities(*, today: date) -> QuerySet[Publicity]:
    """The latest publicity of each candidate still in publicity whose period ended before `today`,
    annotated with `closed` and `flagged` (the facts already written for it)."""
    latest = Publicity.objects.filter(candidate=OuterRef("candidate")).order_by("-published_at", "-id").values("pk")
    return (
        Publicity.objects.filter(candidate__stage=Stage.PUBLICITY, ends_on__lt=today, pk=Subquery(latest[:1]))
        .annotate(closed=Exists(_fact_for(CLOSED)), flagged=Exists(_fact_for(OVERDUE)))
        .order_by("ends_on", "pk")
    )


def _complaints(candidate: Candidate) -> tuple[list[int], list[int]]:
    """P2's reading: (open complaints, substantiated ones)."""
    rows = list(Complaint.objects.filter(candidate=candidate).values_list("pk", "status", "substantiated"))
    open_ = [pk for pk, status, _ in rows if status != Complaint.Status.CONCLUDED]
    substantiated = [pk for pk, _, found in rows if found]
    return open_, substantiated


def _numbers(pks: list[int]) -> str:
    return "、".join(map(str, pks))


@transaction.atomic
def publicity_close(*, publicity_id: int, today: date | None = None) -> str:
    """Close one ended publicity. Returns "closed", "flagged", or "unchanged" (not ended, no longer
    the candidate's current publicity, or already written)."""
    today = today or timezone.localdate()
    publicity = Publicity.objects.filter(pk=publicity_id).first()
    if publicity is None:
        return "unchanged"
    candidate = Candidate.objects.select_for_update(of=("self",)).get(pk=publicity.candidate_id)
    current = ended_publicities(today=today).filter(candidate=candidate).first()
    if current is None or current.pk != publicity.pk or current.closed:
        return "unchanged"
    open_, substantiated = _complaints(candidate)
    period = {
        "publicity": publicity.pk,
        "starts_on": publicity.starts_on,
        "ends_on": publicity.ends_on,
        "working_days": publicity.working_days,
        "checked_on": today,
    }
    if not open_ and not substantiated:
        record_append(
            candidate=candidate,
            actor=None,
            kind=RecordKind.FACT,
            payload={"fact": CLOSED, "label": CLOSED_LABEL, **period, "complaints_open": []},
        )
        return "closed"
    if current.flagged:
        return "unchanged"
    if substantiated:
        label = (
            f"公示期满，举报反映的问题经核查属实（第 {'、'.join(map(str, substantiated))} 号），不得任用，请研究处理"
        )
    else:
        label = f"公示期满，仍有 {len(open_)} 件举报未办结（第 {'、'.join(map(str, open_))} 号），须查核办结后方可任职"
    record_append(
        candidate=candidate,
        actor=None,
        kind=RecordKind.FACT,
        payload={
            "fact": OVERDUE,
            "label": label,
            **period,
            "complaints_open": open_,
            "complaints_substantiated": substantiated,
        },
    )
    return "flagged"


def publicity_close_due(*, today: date | None = None) -> dict:
    """Close every publicity that ended before `today` and is not closed yet; counts by outcome.
    Each candidate in its own transaction (one failure does not undo the others' entries)."""
    today = today or timezone.localdate()
    counts = {"closed": 0, "flagged": 0, "unchanged": 0}
    due = ended_publicities(today=today).filter(closed=False).values_list("pk", "flagged")
    for pk, _flagged in list(due):
        counts[publicity_close(publicity_id=pk, today=today)] += 1
    return counts
