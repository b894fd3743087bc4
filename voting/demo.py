"""Data that lets a candidate pass the rules of this app's stages, for demo data and tests.

PREPARE maps a transition name to a function (candidate, actor) -> None that creates, through
this app's services, what the rules registered for that transition need (idempotent).
"""

from datetime import timedelta

from django.utils import timezone

from cadre import demo_dates
from cadre.dates import inspection_period
from cadre.thresholds import snapshot
from nomination.demo import second_staff
from supervision.demo import ensure_calendar
from supervision.workdays import start_for_ended

from . import services
from .models import AgendaItem, Brief
from .selectors import current_result

DEMO_ENTITLED = 11


def prepare_decide(candidate, actor):
    """V7: a complete brief."""
    brief = Brief.objects.filter(candidate=candidate).first()
    if brief is not None and not brief.missing():
        return
    name = candidate.cadre.name
    services.brief_save(
        actor=actor,
        candidate_id=candidate.pk,
        recommendation=f"{name}在民主推荐中得票靠前，群众基础较好。",
        evaluation=f"考察组认为{name}政治坚定，工作能力较强，实绩突出，廉洁自律。",
        traits="熟悉本领域业务，善于统筹协调，作风扎实。",
        shortcomings="开拓创新意识有待进一步增强。",
        reasons=f"{name}德才素质与拟任职位要求相适应，建议任命为{candidate.position}。",
    )


def prepare_publicize(candidate, actor):
    """V1, V3, V4, V6: the candidate on a meeting's agenda with a passing counted result."""
    candidate.refresh_from_db()
    if current_result(candidate) is not None:
        return
    item = (
        AgendaItem.objects.filter(candidate=candidate, meeting__opened_at__isnull=True)
        .select_related("meeting")
        .first()
    )
    if item is not None:
        meeting = item.meeting
    else:
        meeting = services.meeting_create(
            actor=actor,
            selection=candidate.selection,
            # Held before the demo publicity, which must have ended by today (P1) and may not
            # start before the decision; not before the inspection ended (#11).
            held_on=demo_dates.on_or_after(decision_day(), *(inspection_period(candidate) or ())),
            title="县委常委会会议（演示）",
            entitled=DEMO_ENTITLED,
        )
        services.agenda_add(actor=actor, meeting_id=meeting.pk, candidate_id=candidate.pk)
    meeting = services.meeting_open(actor=actor, meeting_id=meeting.pk, present=DEMO_ENTITLED)
    numbers = {"meeting_id": meeting.pk, "candidate_id": candidate.pk, "approve": 9, "disapprove": 1, "abstain": 1}
    services.decision_result_enter(actor=actor, **numbers)
    services.decision_result_confirm(actor=second_staff(candidate, actor), **numbers)


def decision_day():
    """A committee meeting date before the demo's publicity, which has ended by today (P1)."""
    today = timezone.localdate()
    ensure_calendar(today)
    return start_for_ended(today, snapshot()["P1.working_days"]) - timedelta(days=1)


PREPARE: dict = {"decide": prepare_decide, "publicize": prepare_publicize}
