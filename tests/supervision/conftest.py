import pytest

from cadre import services

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
    return advance(deciding, staff, "publicize")
