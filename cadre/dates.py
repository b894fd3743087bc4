"""The dates a candidate's earlier stages recorded, for the services that check a new date against
them (#11: every stage's dates follow the ones before it).

Read from the candidate's record (the facts each stage writes, so no stage app imports another) and,
for the motion meeting, from nomination's agenda through the app registry (cadre imports no stage
app). A later entry of the same fact wins: after a send-back the stage's latest data count.
"""

from datetime import date

from django.apps import apps

from .models import Candidate, RecordKind, Selection

# (fact, payload key, what the date is, in the messages)
BEFORE_INSPECTION = (
    ("nomination", "signed_on", "提名签名日期"),
    ("recommendation", "held_on", "民主推荐日期"),
    ("inspection_decision", "meeting_date", "部长办公会确定考察对象日期"),
)


def iso(day: date | None) -> str:
    return day.isoformat() if day else ""


def motion_date(selection: Selection | int) -> date | None:
    """The first meeting that had the motion on its agenda (M4), or None when none is recorded."""
    agenda = apps.get_model("nomination", "MotionAgenda")
    selection_id = getattr(selection, "pk", selection)
    return (
        agenda.objects.filter(selection_id=selection_id)
        .order_by("meeting_date")
        .values_list("meeting_date", flat=True)
        .first()
    )


def fact_date(candidate: Candidate, fact: str, key: str) -> date | None:
    """The date `key` of the candidate's latest `fact` entry that has one."""
    values = (
        candidate.record.filter(kind=RecordKind.FACT, payload__fact=fact)
        .order_by("-seq")
        .values_list(f"payload__{key}", flat=True)
    )
    for value in values:
        if isinstance(value, str):
            try:
                return date.fromisoformat(value)
            except ValueError:
                continue
    return None


def inspection_period(candidate: Candidate) -> tuple[date, date] | None:
    """The candidate's inspection team's period (考察组工作期间), from the latest `inspection_team` fact."""
    start, end = (
        fact_date(candidate, "inspection_team", "starts_on"),
        fact_date(candidate, "inspection_team", "ends_on"),
    )
    return (start, end) if start and end else None


def before_inspection(candidate: Candidate) -> list[tuple[str, date]]:
    """What must not be later than the start of the candidate's inspection: the motion meeting, the
    signed nomination, the recommendation and the 部长办公会's decision on the inspection objects."""
    found = [("动议会议日期", motion_date(candidate.selection_id))]
    found += [(label, fact_date(candidate, fact, key)) for fact, key, label in BEFORE_INSPECTION]
    return [(label, day) for label, day in found if day is not None]
