import pytest

from cadre import services
from cadre.errors import TransitionRefused
from cadre.record import verify

from ..conftest import advance
from ..factories import CadreFactory


@pytest.mark.django_db
def test_candidate_walks_to_appointment(staff, selection, position, candidate):
    second = services.candidate_create(actor=staff, selection=selection, position=position, cadre=CadreFactory())
    advance(candidate, staff, "nominate", "recommend", "inspect")
    advance(second, staff, "nominate", "recommend", "inspect")
    candidate = advance(candidate, staff, "deliberate", "decide", "publicize", "appoint")
    assert candidate.stage == "appointed"
    candidate.cadre.refresh_from_db()
    assert candidate.cadre.position == position
    result = verify()
    assert result.ok
    # Stage data entered before each transition (PREPARE) is recorded too, as facts between transitions.
    moves = [e.payload["transition"] for e in candidate.record.filter(kind="transition")]
    assert moves[-4:] == ["deliberate", "decide", "publicize", "appoint"]


@pytest.mark.django_db
def test_refused_transition_is_recorded(staff, candidate):
    advance(candidate, staff, "nominate", "recommend")
    with pytest.raises(TransitionRefused) as exc:
        advance(candidate, staff, "inspect", prepared=False)
    assert "R2" in [v.rule for v in exc.value.violations]
    assert candidate.record.last().kind == "refused"
