from datetime import date

import pytest

from cadre import services
from voting import services as voting_services

from ..conftest import advance, paper_result
from ..factories import CadreFactory


@pytest.fixture
def rival(staff, selection, position):
    """A second inspection object for the same post (R4: the selection is competitive)."""
    second = services.candidate_create(actor=staff, selection=selection, position=position, cadre=CadreFactory())
    return advance(second, staff, "nominate", "recommend", "inspect")


@pytest.fixture
def deliberating(staff, candidate, rival):
    return advance(candidate, staff, "nominate", "recommend", "inspect", "deliberate")


@pytest.fixture
def deciding(staff, deliberating):
    return advance(deliberating, staff, "decide")


@pytest.fixture
def publicizing(staff, deciding):
    # The tests publish in autumn 2025 (a known holiday schedule): the committee decided before, on
    # 2025-09-01 (the record's decision_result fact says so; publicity may not start earlier).
    meeting = voting_services.meeting_create(
        actor=staff, selection=deciding.selection, held_on=date(2025, 9, 1), title="县委常委会会议", entitled=11
    )
    voting_services.agenda_add(actor=staff, meeting_id=meeting.pk, candidate_id=deciding.pk)
    voting_services.meeting_open(actor=staff, meeting_id=meeting.pk, present=11)
    paper_result(staff, meeting, deciding, approve=9, disapprove=1, abstain=1)
    return advance(deciding, staff, "publicize")
