from datetime import date

import pytest

from cadre import services
from voting.models import DecisionMeeting

from ..conftest import advance
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
    candidate = advance(deciding, staff, "publicize")
    # The tests publish in autumn 2025 (a known holiday schedule); the decision came before.
    DecisionMeeting.objects.filter(results__candidate=candidate).update(held_on=date(2025, 9, 1))
    return candidate
