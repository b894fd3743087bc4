import pytest
from django.utils import timezone

from cadre import roles
from cadre.models import Candidate, Stage
from cadre.rules import Context, registered
from cadre.thresholds import snapshot
from inspection.demo import prepare_decide, prepare_deliberate

from ..factories import UserFactory


def reload(candidate) -> Candidate:
    return Candidate.objects.select_related("selection", "position__unit", "cadre").get(pk=candidate.pk)


def in_stage(candidate, stage) -> Candidate:
    """Put a candidate in a stage without walking the earlier stages (their rules belong to other apps)."""
    Candidate.objects.filter(pk=candidate.pk).update(stage=stage, inspected_at=timezone.now())
    return reload(candidate)


def run_rule(rule_id, candidate):
    """One rule's finding for the candidate, as the transition would see it now."""
    ctx = Context(thresholds=snapshot(), today=timezone.localdate())
    return registered()[rule_id].check(reload(candidate), ctx)


@pytest.fixture
def inspector(db):
    return UserFactory(roles=[roles.INSPECTOR])


@pytest.fixture
def inspecting(candidate):
    return in_stage(candidate, Stage.INSPECTION)


@pytest.fixture
def inspected(inspecting, staff):
    """A candidate in inspection with everything I1–I9 need."""
    prepare_deliberate(inspecting, staff)
    return reload(inspecting)


@pytest.fixture
def deliberating(inspected, staff):
    return in_stage(inspected, Stage.DELIBERATION)


@pytest.fixture
def deliberated(deliberating, staff):
    """A candidate in deliberation with everything D1–D3 need."""
    prepare_decide(deliberating, staff)
    return reload(deliberating)
