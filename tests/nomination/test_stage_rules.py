"""M4, N1, N2, R5 and the confirmed-only reading of R2/R3: each blocks and lets through."""

from datetime import timedelta

import pytest
from django.utils import timezone

from cadre import services as cadre_services
from cadre.errors import Conflict, InvalidInput, TransitionRefused
from cadre.models import Candidate, RecordEntry, Stage, Threshold
from nomination import services
from nomination.models import InspectionDecision, Nomination, NominationSource

from ..conftest import advance, recommend
from ..factories import CadreFactory, PositionFactory

pytestmark = pytest.mark.django_db


def rule_ids(candidate, transition):
    candidate = Candidate.objects.get(pk=candidate.pk)
    return [v.rule for v in cadre_services.candidate_check(candidate=candidate, transition=transition).violations]


def agenda(staff, selection):
    return services.motion_agenda_record(
        actor=staff,
        selection_id=selection.pk,
        meeting_name="县委常委会第 5 次会议",
        meeting_date=timezone.localdate(),
        item="研究财政局副局长动议",
    )


# ---------------------------------------------------------------------------- M4


def test_m4_blocks_motion_without_agenda(candidate):
    assert "M4" in rule_ids(candidate, "nominate")


def test_m4_passes_with_agenda_item(staff, selection, candidate):
    agenda(staff, selection)
    assert "M4" not in rule_ids(candidate, "nominate")
    moved = advance(candidate, staff, "nominate", prepared=False)
    m4 = next(r for r in moved.record.last().payload["rules"] if r["rule"] == "M4")
    assert m4["passed"] and m4["inputs"]["agenda_items"][0]["recorded_by"] == staff.username


def test_m4_is_soft_and_overriding_it_is_an_important_situation(staff, candidate):
    candidate = cadre_services.candidate_transition(
        actor=staff,
        candidate_id=candidate.pk,
        transition="nominate",
        overrides=[{"rule": "M4", "reason": "应急处置，经书记专题会同意"}],
    )
    assert candidate.stage == Stage.NOMINATION
    assert candidate.record.filter(kind="important").exists()


def test_agenda_needs_meeting_and_item(staff, selection):
    with pytest.raises(InvalidInput) as exc:
        services.motion_agenda_record(
            actor=staff, selection_id=selection.pk, meeting_name=" ", meeting_date=None, item=""
        )
    assert set(exc.value.errors) == {"meeting_name", "meeting_date", "item"}
    assert not selection.agenda_items.exists()


# ---------------------------------------------------------------------------- N1


def test_n1_blocks_without_nomination(staff, candidate):
    advance(candidate, staff, "nominate")
    assert "N1" in rule_ids(candidate, "recommend")


def test_n1_passes_with_nomination(staff, candidate):
    advance(candidate, staff, "nominate")
    services.nomination_record(
        actor=staff, candidate_id=candidate.pk, source=NominationSource.PARTY_ORG, nominator="财政局党组"
    )
    assert "N1" not in rule_ids(candidate, "recommend")
    entry = candidate.record.last()
    assert entry.kind == "fact" and entry.payload["rule"] == "N1" and entry.payload["source_label"] == "基层党组织"


def test_n1_leader_nomination_needs_signature_and_reasons(staff, candidate):
    before = RecordEntry.objects.filter(candidate=candidate).count()
    with pytest.raises(InvalidInput) as exc:
        services.nomination_record(
            actor=staff, candidate_id=candidate.pk, source=NominationSource.LEADER, nominator="张副县长"
        )
    assert set(exc.value.errors) == {"reasons", "signed_by", "signed_on"}
    assert not Nomination.objects.exists()
    assert RecordEntry.objects.filter(candidate=candidate).count() == before


def test_n1_leader_nomination_signed_with_reasons_passes(staff, candidate):
    advance(candidate, staff, "nominate")
    services.nomination_record(
        actor=staff,
        candidate_id=candidate.pk,
        source=NominationSource.LEADER,
        nominator="张副县长",
        reasons="熟悉财政业务，实绩突出",
        signed_by="张某",
        signed_on=timezone.localdate(),
    )
    assert "N1" not in rule_ids(candidate, "recommend")


def test_n1_unknown_source_and_future_signature_refused(staff, candidate):
    with pytest.raises(InvalidInput) as exc:
        services.nomination_record(
            actor=staff,
            candidate_id=candidate.pk,
            source="friend",
            nominator="某人",
            signed_on=timezone.localdate() + timedelta(days=1),
        )
    assert set(exc.value.errors) == {"source", "signed_on"}


# ---------------------------------------------------------------------------- N2


@pytest.fixture
def chief_selection(staff):
    position = PositionFactory(is_chief=True, title="局长")
    selection = cadre_services.selection_create(
        actor=staff, title="县财政局局长选任", reason="vacancy", positions=[position], competitive=True
    )
    return selection, position


def test_n2_blocks_chief_post_with_too_few_reference_candidates(staff, chief_selection):
    selection, position = chief_selection
    candidate = cadre_services.candidate_create(
        actor=staff, selection=selection, position=position, cadre=CadreFactory()
    )
    cadre_services.candidate_create(actor=staff, selection=selection, position=position, cadre=CadreFactory())
    assert "N2" in rule_ids(candidate, "recommend")


def test_n2_passes_with_three_candidates_and_ignores_withdrawn(staff, chief_selection):
    selection, position = chief_selection
    candidates = [
        cadre_services.candidate_create(actor=staff, selection=selection, position=position, cadre=CadreFactory())
        for _ in range(4)
    ]
    assert "N2" not in rule_ids(candidates[0], "recommend")
    cadre_services.candidate_transition(
        actor=staff, candidate_id=candidates[3].pk, transition="withdraw", reason="本人申请退出"
    )
    cadre_services.candidate_transition(
        actor=staff, candidate_id=candidates[2].pk, transition="withdraw", reason="本人申请退出"
    )
    assert "N2" in rule_ids(candidates[0], "recommend")


def test_n2_ratio_is_data(staff, chief_selection):
    selection, position = chief_selection
    candidate = cadre_services.candidate_create(
        actor=staff, selection=selection, position=position, cadre=CadreFactory()
    )
    Threshold.objects.update_or_create(key="N2.reference_ratio", defaults={"rule": "N2", "value": "1"})
    assert "N2" not in rule_ids(candidate, "recommend")


def test_n2_does_not_apply_to_deputy_posts(candidate):
    assert "N2" not in rule_ids(candidate, "recommend")


# ---------------------------------------------------------------------------- R2/R3 confirmed only, R5


def test_unconfirmed_recommendation_does_not_count(staff, candidate):
    advance(candidate, staff, "nominate", "recommend")
    recommend(candidate, confirmed_by=None, confirmed_at=None)
    ids = rule_ids(candidate, "inspect")
    assert "R2" in ids
    check = cadre_services.candidate_check(candidate=Candidate.objects.get(pk=candidate.pk), transition="inspect")
    assert "尚待第二人核对确认" in next(v.message for v in check.violations if v.rule == "R2")


def test_unconfirmed_low_share_does_not_trip_r3(staff, candidate):
    advance(candidate, staff, "nominate", "recommend")
    recommend(candidate, votes=30)
    recommend(candidate, votes=3, confirmed_by=None, confirmed_at=None)
    assert "R3" not in rule_ids(candidate, "inspect")


def test_r5_blocks_without_ministers_decision(staff, candidate):
    advance(candidate, staff, "nominate", "recommend")
    recommend(candidate)
    assert "R5" in rule_ids(candidate, "inspect")


def test_r5_passes_when_decided(staff, selection, candidate):
    advance(candidate, staff, "nominate", "recommend")
    recommend(candidate)
    services.inspection_decision_record(
        actor=staff,
        selection_id=selection.pk,
        meeting_date=timezone.localdate(),
        reasons="推荐得票较高，近三年考核均为称职以上",
        candidate_ids=[candidate.pk],
    )
    assert "R5" not in rule_ids(candidate, "inspect")
    assert candidate.record.last().payload["rule"] == "R5"


def test_r5_decision_refuses_candidates_outside_recommendation_stage(staff, selection, candidate):
    with pytest.raises(InvalidInput) as exc:
        services.inspection_decision_record(
            actor=staff, selection_id=selection.pk, meeting_date=timezone.localdate(), reasons="", candidate_ids=[]
        )
    assert set(exc.value.errors) == {"reasons", "candidates"}
    with pytest.raises(Conflict) as exc:  # well-formed, refused by the procedure: 409 "stage" (issue #10)
        services.inspection_decision_record(
            actor=staff,
            selection_id=selection.pk,
            meeting_date=timezone.localdate(),
            reasons="理由",
            candidate_ids=[candidate.pk],
        )
    assert exc.value.rule == "stage" and "不在民主推荐阶段" in exc.value.errors["candidates"][0]
    assert not InspectionDecision.objects.exists()


def test_inspect_refused_lists_r5(staff, candidate):
    advance(candidate, staff, "nominate", "recommend")
    recommend(candidate)
    with pytest.raises(TransitionRefused) as exc:
        advance(candidate, staff, "inspect", prepared=False)
    assert "R5" in [v.rule for v in exc.value.violations]


# ---------------------------------------------------------------------------- demo PREPARE


def test_prepare_is_idempotent(staff, candidate):
    from nomination.demo import PREPARE

    candidate = advance(candidate, staff, "nominate", "recommend")
    for _ in range(2):
        PREPARE["inspect"](candidate, staff)
    assert candidate.selection.recommendation_meetings.count() == 1
    assert InspectionDecision.objects.filter(candidates=candidate).count() == 1
    PREPARE["recommend"](candidate, staff)
    PREPARE["nominate"](candidate, staff)
    assert candidate.nominations.count() == 1
    assert candidate.selection.agenda_items.count() == 1
    assert advance(candidate, staff, "inspect").stage == Stage.INSPECTION
