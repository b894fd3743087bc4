from datetime import date, datetime

import pytest
import time_machine

from cadre import services
from supervision import services as supervision_services
from supervision.demo import DEMO_CHANNELS
from voting import services as voting_services

from ..conftest import advance, paper_result
from ..factories import CadreFactory

# The tests publish in autumn 2025 (a known holiday schedule) after the committee's decision of
# 2025-09-01. The stages before it are dated as they happened — before that day, each after the one
# before (#11), the recommendation valid when the inspection began (R2) — so the fixtures walk them
# on the committee's day, one hour after another (each in the order they depend on one another, so
# the record's times go forward); the tests themselves run today.


def on_committee_day(hour: int):
    return time_machine.travel(datetime.fromisoformat(f"2025-09-01T{hour:02d}:00:00+08:00"))


@pytest.fixture
def rival(staff, selection, position):
    """A second inspection object for the same post (R4: the selection is competitive)."""
    second = services.candidate_create(actor=staff, selection=selection, position=position, cadre=CadreFactory())
    with on_committee_day(8):
        return advance(second, staff, "nominate", "recommend", "inspect")


@pytest.fixture
def deliberating(staff, candidate, rival):
    with on_committee_day(9):
        return advance(candidate, staff, "nominate", "recommend", "inspect", "deliberate")


@pytest.fixture
def deciding(staff, deliberating):
    with on_committee_day(10):
        return advance(deliberating, staff, "decide")


@pytest.fixture
def publicizing(staff, deciding):
    # The tests publish in autumn 2025 (a known holiday schedule): the committee decided before, on
    # 2025-09-01 (the record's decision_result fact says so; publicity may not start earlier).
    with on_committee_day(11):
        meeting = voting_services.meeting_create(
            actor=staff, selection=deciding.selection, held_on=date(2025, 9, 1), title="县委常委会会议", entitled=11
        )
        voting_services.agenda_add(actor=staff, meeting_id=meeting.pk, candidate_id=deciding.pk)
        voting_services.meeting_open(actor=staff, meeting_id=meeting.pk, present=11)
        paper_result(staff, meeting, deciding, approve=9, disapprove=1, abstain=1)
        return advance(deciding, staff, "publicize")


@pytest.fixture
def published(staff, publicizing):
    """The notice is out: from 2025-09-29, five working days over the National Day holiday (to 2025-10-11).
    The pre-appointment talk and the appointment follow its end (#11)."""
    supervision_services.publicity_start(
        actor=staff, candidate_id=publicizing.pk, starts_on=date(2025, 9, 29), **DEMO_CHANNELS
    )
    return publicizing
