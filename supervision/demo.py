"""Data that lets a candidate pass the rules of this app's stages, for demo data and tests.

PREPARE maps a transition name to a function (candidate, actor) -> None that creates, through
this app's services, what the rules registered for that transition need (idempotent).
"""

from datetime import date

from django.utils import timezone

from cadre.demo_dates import on_or_after
from cadre.errors import InvalidInput
from cadre.thresholds import snapshot

from . import services
from .selectors import appointment_of, decided_on, latest_publicity, talks_of
from .workdays import CalendarUnavailableError, start_for_ended, year_known

DEMO_CHANNELS = {
    "phone": "0000-12380（县委组织部干部监督室）",
    "letter": "县委组织部干部监督室（县行政中心3楼）",
    "online": "12380 举报网站",
}


def ensure_calendar(today):
    """Demo data counts working days around `today` (publicity periods that have ended by today, or
    start today). It enters no calendar days: a year is known only with its whole State Council
    schedule (P1), and the demo has no notice to invent one from. When neither the chinesecalendar
    package nor an administrator (admin → 节假日安排通知) knows today's year, the demo stops here with
    the Chinese message of what to do first (InvalidInput, a DomainError load_demo reports)."""
    if not year_known(today.year):
        raise InvalidInput({"calendar": [CalendarUnavailableError(date(today.year, 1, 1)).message]})


def prepare_appoint(candidate, actor):
    """P1, P3: a publicity that has already ended; A1: a pre-appointment talk; A2: a document number."""
    candidate.refresh_from_db()
    today = timezone.localdate()
    ensure_calendar(today)
    if latest_publicity(candidate) is None:
        # not before the committee's decision (#11), should a test have held it later
        starts_on = on_or_after(start_for_ended(today, snapshot()["P1.working_days"]), decided_on(candidate))
        services.publicity_start(actor=actor, candidate_id=candidate.pk, starts_on=starts_on, **DEMO_CHANNELS)
    if not talks_of(candidate).exists():
        services.talk_record(
            actor=actor,
            candidate_id=candidate.pk,
            talked_on=today,
            talked_by="县委组织部部长",
            summary="肯定成绩，指出不足，提出廉洁从政和履职尽责要求。",
        )
    if appointment_of(candidate) is None:
        services.appointment_record(
            actor=actor,
            candidate_id=candidate.pk,
            document_number=f"县委干〔{today.year}〕{candidate.pk}号",
            effective_on=today,
        )


PREPARE: dict = {"appoint": prepare_appoint}
