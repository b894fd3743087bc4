"""#11: the nomination, the recommendation and the 部长办公会's decision are not dated before the
motion meeting; the decision on the inspection objects not before their recommendation."""

from datetime import timedelta

import pytest
from django.utils import timezone

from cadre.errors import InvalidInput
from cadre.models import Candidate, Stage
from nomination import services
from nomination.models import InspectionDecision, Nomination, NominationSource, RecommendationMeeting

from ..conftest import recommend

pytestmark = pytest.mark.django_db
MOTION = timezone.localdate() - timedelta(days=30)
BEFORE = MOTION - timedelta(days=1)


@pytest.fixture
def motion(staff, selection):
    return services.motion_agenda_record(
        actor=staff, selection_id=selection.pk, meeting_name="县委常委会", meeting_date=MOTION, item="研究动议"
    )


def enter(staff, candidate, day):
    return services.recommendation_enter(
        actor=staff,
        selection_id=candidate.selection_id,
        unit_id=candidate.cadre.unit_id,
        kind="meeting",
        held_on=day,
        entitled=40,
        present=36,
        votes={candidate.cadre_id: 30},
    )


def test_recommendation_not_before_the_motion(staff, motion, candidate):
    with pytest.raises(InvalidInput) as exc:
        enter(staff, candidate, BEFORE)
    assert exc.value.errors == {"held_on": [f"推荐日期 {BEFORE} 早于动议会议日期 {MOTION}"]}
    assert not RecommendationMeeting.objects.exists()
    assert enter(staff, candidate, MOTION).held_on == MOTION  # the same day is allowed


def test_signed_nomination_not_before_the_motion(staff, motion, candidate):
    fields = {"source": NominationSource.LEADER, "nominator": "县委副书记", "reasons": "熟悉财政", "signed_by": "某某"}
    with pytest.raises(InvalidInput) as exc:
        services.nomination_record(actor=staff, candidate_id=candidate.pk, signed_on=BEFORE, **fields)
    assert exc.value.errors == {"signed_on": [f"签名日期 {BEFORE} 早于动议会议日期 {MOTION}"]}
    assert not Nomination.objects.exists()
    services.nomination_record(actor=staff, candidate_id=candidate.pk, signed_on=MOTION, **fields)


def test_no_motion_recorded_no_motion_check(staff, candidate):
    assert enter(staff, candidate, BEFORE).held_on == BEFORE


def test_inspection_objects_not_before_their_recommendation(staff, motion, candidate):
    Candidate.objects.filter(pk=candidate.pk).update(stage=Stage.RECOMMENDATION)
    held = MOTION + timedelta(days=5)
    recommend(candidate, held_on=held)

    def decide(day):
        return services.inspection_decision_record(
            actor=staff,
            selection_id=candidate.selection_id,
            meeting_date=day,
            reasons="综合研究",
            candidate_ids=[candidate.pk],
        )

    for day, message in (
        (BEFORE, f"部长办公会日期 {BEFORE} 早于动议会议日期 {MOTION}"),
        (held - timedelta(days=1), f"部长办公会日期 {held - timedelta(days=1)} 早于民主推荐日期 {held}"),
    ):
        with pytest.raises(InvalidInput) as exc:
            decide(day)
        assert message in exc.value.errors["meeting_date"]
    assert not InspectionDecision.objects.exists()
    assert decide(held).meeting_date == held
