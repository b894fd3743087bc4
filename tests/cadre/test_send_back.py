"""退回: only with a written reason; every stage passed again re-checks its rules on the way forward."""

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from cadre import services
from cadre.errors import Conflict, InvalidInput, NotAllowed, TransitionRefused
from cadre.models import Cadre, Candidate, RecordEntry, RecordKind, Stage, Unit
from cadre.record import verify
from nomination.models import RecommendationMeeting

from ..conftest import advance, recommend

pytestmark = pytest.mark.django_db


@pytest.fixture
def inspected(staff, candidate):
    recommend(candidate)
    return advance(candidate, staff, "nominate", "recommend", "inspect")


def stage_of(candidate):
    return Candidate.objects.get(pk=candidate.pk).stage


def send_back(candidate, actor, to_stage, reason="考察中发现推荐材料不完整，退回重新推荐"):
    return services.candidate_send_back(actor=actor, candidate_id=candidate.pk, to_stage=to_stage, reason=reason)


@pytest.mark.parametrize("reason", ["", "   \n\t", None])
def test_send_back_needs_a_written_reason(staff, inspected, reason):
    entries = RecordEntry.objects.count()
    with pytest.raises(InvalidInput) as exc:
        send_back(inspected, staff, Stage.RECOMMENDATION, reason)
    assert "reason" in exc.value.errors
    assert stage_of(inspected) == Stage.INSPECTION
    assert RecordEntry.objects.count() == entries


def test_send_back_reason_has_a_length_limit(staff, inspected):
    with pytest.raises(InvalidInput):
        send_back(inspected, staff, Stage.RECOMMENDATION, "长" * 2001)
    assert stage_of(inspected) == Stage.INSPECTION


def test_send_back_with_reason_is_recorded(staff, inspected):
    moved = send_back(inspected, staff, Stage.NOMINATION)
    assert moved.stage == Stage.NOMINATION
    assert moved.inspected_at is None  # no longer an inspection object (R4 counts them)
    entry = RecordEntry.objects.filter(candidate=moved).order_by("-seq").first()
    assert entry.kind == RecordKind.SEND_BACK
    rules_run = entry.payload.pop("rules")
    assert [r["rule"] for r in rules_run] == ["V9"] and rules_run[0]["passed"] is True
    entry.payload.pop("thresholds")
    assert entry.payload == {
        "transition": "send_back",
        "from": "inspection",
        "to": "nomination",
        "reason": "考察中发现推荐材料不完整，退回重新推荐",
    }
    assert entry.actor == staff
    assert verify().ok


@pytest.mark.parametrize("to_stage", [Stage.INSPECTION, Stage.DELIBERATION, Stage.APPOINTED, Stage.ELIMINATED, "x"])
def test_send_back_only_to_an_earlier_stage(staff, inspected, to_stage):
    with pytest.raises(InvalidInput) as exc:
        send_back(inspected, staff, to_stage)
    assert "to_stage" in exc.value.errors
    assert stage_of(inspected) == Stage.INSPECTION


def test_nothing_before_motion_to_send_back_to(staff, candidate):
    with pytest.raises(Conflict):
        send_back(candidate, staff, Stage.MOTION)


@pytest.mark.parametrize("closing", ["eliminate", "withdraw"])
def test_closed_candidacy_cannot_be_sent_back(staff, inspected, closing):
    advance(inspected, staff, closing, reason="本人申请退出")
    with pytest.raises(Conflict):
        send_back(inspected, staff, Stage.NOMINATION)


def test_only_assigned_staff_send_back(other_staff, supervisor, inspected):
    for actor in (other_staff, supervisor):
        with pytest.raises(NotAllowed):
            send_back(inspected, actor, Stage.NOMINATION)
    assert stage_of(inspected) == Stage.INSPECTION


def test_way_forward_rechecks_eligibility(staff, inspected):
    send_back(inspected, staff, Stage.RECOMMENDATION)
    Cadre.objects.filter(pk=inspected.cadre_id).update(canvassing_finding=True)
    with pytest.raises(TransitionRefused) as exc:
        advance(inspected, staff, "inspect")
    assert "E3" in {v.rule for v in exc.value.violations}
    assert stage_of(inspected) == Stage.RECOMMENDATION


def test_way_forward_rechecks_recommendation_validity(staff, inspected):
    send_back(inspected, staff, Stage.RECOMMENDATION)
    RecommendationMeeting.objects.filter(selection=inspected.selection).update(
        held_on=timezone.localdate() - timedelta(days=400)
    )
    with pytest.raises(TransitionRefused) as exc:
        advance(inspected, staff, "inspect")
    assert "R2" in {v.rule for v in exc.value.violations}


def test_way_forward_rechecks_every_stage_passed_again(staff, inspected):
    """Sent back to motion, the candidate meets the motion rules (M2) again before nomination."""
    send_back(inspected, staff, Stage.MOTION)
    Unit.objects.filter(pk=inspected.position.unit_id).update(under_restructuring=True)
    with pytest.raises(TransitionRefused) as exc:
        advance(inspected, staff, "nominate")
    assert "M2" in {v.rule for v in exc.value.violations}
    assert stage_of(inspected) == Stage.MOTION


def test_way_forward_after_send_back_records_every_rule_again(staff, inspected):
    send_back(inspected, staff, Stage.NOMINATION)
    advance(inspected, staff, "recommend", "inspect")
    assert stage_of(inspected) == Stage.INSPECTION
    inspects = RecordEntry.objects.filter(
        candidate=inspected, kind=RecordKind.TRANSITION, payload__transition="inspect"
    ).order_by("seq")
    assert inspects.count() == 2
    first, second = (e.payload for e in inspects)
    assert [r["rule"] for r in first["rules"]] == [r["rule"] for r in second["rules"]]
    assert {"R2", "R3", "E1", "E7"} <= {r["rule"] for r in second["rules"]}
    kinds = list(
        RecordEntry.objects.filter(candidate=inspected)
        .exclude(kind=RecordKind.FACT)
        .order_by("seq")
        .values_list("kind", flat=True)
    )
    assert kinds[-3:] == [RecordKind.SEND_BACK, RecordKind.TRANSITION, RecordKind.TRANSITION]
    assert verify().ok


def test_send_back_through_the_api(staff, inspected):
    client = APIClient()
    client.force_authenticate(staff)
    url = f"/api/v1/candidates/{inspected.pk}/send-back/"
    response = client.post(url, {"to_stage": "recommendation"}, format="json")
    assert response.status_code == 400 and "reason" in response.json()["errors"]
    response = client.post(url, {"to_stage": "recommendation", "reason": ""}, format="json")
    assert response.status_code == 400 and "reason" in response.json()["errors"]
    assert stage_of(inspected) == Stage.INSPECTION
    response = client.post(url, {"to_stage": "recommendation", "reason": "推荐范围不符合规定"}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["stage"] == "recommendation"
    record = client.get(f"/api/v1/candidates/{inspected.pk}/record/").json()["results"]
    assert record[-1]["kind"] == "send_back" and record[-1]["payload"]["reason"] == "推荐范围不符合规定"
