"""#11: the committee decides on the inspection's findings: its meeting is not dated before the
candidate's inspection ended."""

from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from cadre.errors import InvalidInput
from cadre.models import Candidate, RecordEntry, RecordKind, Stage
from cadre.record import record_append
from voting import services
from voting.models import AgendaItem

pytestmark = pytest.mark.django_db
ENDS = timezone.localdate() - timedelta(days=10)
STARTS = ENDS - timedelta(days=7)


@pytest.fixture
def inspected(staff, candidate):
    Candidate.objects.filter(pk=candidate.pk).update(stage=Stage.DELIBERATION)
    with transaction.atomic():
        record_append(
            candidate=candidate,
            actor=staff,
            kind=RecordKind.FACT,
            payload={"fact": "inspection_team", "label": "登记考察组", "starts_on": STARTS, "ends_on": ENDS},
        )
    return candidate


def meeting(staff, candidate, day):
    return services.meeting_create(
        actor=staff, selection=candidate.selection, held_on=day, title="县委常委会会议", entitled=11
    )


def test_meeting_not_before_the_inspection_ended(staff, inspected):
    early = meeting(staff, inspected, ENDS - timedelta(days=1))
    before = RecordEntry.objects.filter(candidate=inspected).count()
    with pytest.raises(InvalidInput) as exc:
        services.agenda_add(actor=staff, meeting_id=early.pk, candidate_id=inspected.pk)
    assert exc.value.errors == {
        "candidate": [
            f"会议日期 {ENDS - timedelta(days=1)} 早于{inspected.cadre.name}的考察结束日期"
            f"（考察组工作期间 {STARTS} 至 {ENDS}）"
        ]
    }
    assert not AgendaItem.objects.exists()
    assert RecordEntry.objects.filter(candidate=inspected).count() == before
    on_the_day = meeting(staff, inspected, ENDS)  # the day the inspection ended is allowed
    services.agenda_add(actor=staff, meeting_id=on_the_day.pk, candidate_id=inspected.pk)
    assert AgendaItem.objects.filter(meeting=on_the_day, candidate=inspected).exists()


def test_a_meeting_dated_tomorrow_cannot_open_today(staff, inspected):
    tomorrow = meeting(staff, inspected, timezone.localdate() + timedelta(days=1))
    services.agenda_add(actor=staff, meeting_id=tomorrow.pk, candidate_id=inspected.pk)
    with pytest.raises(InvalidInput) as exc:
        services.meeting_open(actor=staff, meeting_id=tomorrow.pk, present=11)
    today = timezone.localdate()
    assert exc.value.errors == {
        "held_on": [f"会议日期 {today + timedelta(days=1)} 晚于今天（{today}），会议尚未召开，不能开会"]
    }
    tomorrow.refresh_from_db()
    assert tomorrow.opened_at is None and tomorrow.present is None
    today_meeting = meeting(staff, inspected, today)
    services.agenda_add(actor=staff, meeting_id=today_meeting.pk, candidate_id=inspected.pk)
    assert services.meeting_open(actor=staff, meeting_id=today_meeting.pk, present=11).opened_at is not None
