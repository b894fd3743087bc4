"""Issue #10: labels looked up once per value and language (cadre.labels) say what the per-row
`get_*_display` and the FSM said."""

import pytest
from django.utils import translation
from rest_framework.test import APIClient

from cadre.labels import choice_label, choice_labels, stage_transitions
from cadre.models import Candidate, Gender, Stage


@pytest.mark.parametrize("stage", list(Stage))
def test_stage_transitions_are_the_fsms(stage):
    fsm = [t.name for t in Candidate(stage=stage).get_available_stage_transitions() if t.name != "send_back"]
    assert list(stage_transitions(stage)) == fsm


def test_labels_follow_the_active_language():
    with translation.override("zh-hans"):
        assert choice_labels(Stage)[Stage.INSPECTION] == "考察" == str(Stage.INSPECTION.label)
        assert choice_label(Gender, "F") == "女"
    with translation.override("en"):
        english = choice_labels(Stage)[Stage.INSPECTION]
        assert english == str(Stage.INSPECTION.label) and english != "考察"
    assert choice_label(Stage, "no-such-stage") == "no-such-stage"


@pytest.mark.django_db
def test_candidate_list_labels_and_transitions(staff, candidate):
    client = APIClient()
    client.force_login(staff)
    row = client.get("/api/v1/candidates/").json()["results"][0]
    assert row["stage"] == Stage.MOTION and row["stage_label"] == str(Stage.MOTION.label)
    assert sorted(row["available_transitions"]) == ["eliminate", "nominate", "withdraw"]
    fsm = Candidate.objects.get(pk=candidate.pk).get_available_stage_transitions()
    assert row["available_transitions"] == [t.name for t in fsm if t.name != "send_back"]  # the FSM's order too
