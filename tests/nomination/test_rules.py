"""Every rule of nomination/rules.py: one case it blocks, one it lets through, on each transition it guards.

Blocking cases go through `candidate_transition` (refused with the rule id among the violations)
where the candidate can reach the stage cheaply, and through `candidate_check` for the other
transitions a rule guards. Passing cases assert the rule is not among the violations and, where
the rest of the stage's data is prepared, that the transition really happens.
"""

from datetime import timedelta

import pytest
from django.utils import timezone

from cadre import services
from cadre.errors import InvalidInput, TransitionRefused
from cadre.models import (
    AssessmentGrade,
    Candidate,
    Education,
    FailedVote,
    Level,
    MotionReason,
    PersonalReportStatus,
    RecordEntry,
    RecordKind,
    Sanction,
    Selection,
    Stage,
    Threshold,
    Unit,
)

from ..conftest import advance, prepare, recommend
from ..factories import AssessmentFactory, CadreFactory, EvaluationFactory, PositionFactory

pytestmark = pytest.mark.django_db

ELIGIBILITY = ["inspect", "decide"]


def fresh(candidate) -> Candidate:
    return Candidate.objects.select_related("selection", "position__unit", "cadre").get(pk=candidate.pk)


def checked(candidate, transition) -> set[str]:
    """Rule ids that `candidate_check` reports for `transition` (the S1 stage guard aside)."""
    evaluation = services.candidate_check(candidate=fresh(candidate), transition=transition)
    return {v.rule for v in evaluation.violations} - {"S1"}


def refused(candidate, actor, transition, *, prepared=True) -> set[str]:
    """Prepare the stage's data, try the transition, and return the ids of the rules that refused it."""
    if prepared:
        prepare(candidate, actor, transition)
    before = fresh(candidate).stage
    with pytest.raises(TransitionRefused) as exc:
        services.candidate_transition(actor=actor, candidate_id=candidate.pk, transition=transition)
    assert fresh(candidate).stage == before
    last = RecordEntry.objects.filter(candidate=candidate).order_by("-seq").first()
    assert last.kind == RecordKind.REFUSED and last.payload["transition"] == transition
    return {v.rule for v in exc.value.violations}


def set_threshold(key, value):
    assert Threshold.objects.filter(key=key).update(value=value) == 1


@pytest.fixture
def at_recommendation(staff, candidate):
    """A candidate whose next forward step is `inspect` (where R2, R3 and E1–E7 apply)."""
    return advance(candidate, staff, "nominate", "recommend")


# ---------------------------------------------------------------------------- M1 motion reason


def test_m1_blocks_other_reason_without_text(staff, candidate):
    Selection.objects.filter(pk=candidate.selection_id).update(reason=MotionReason.OTHER, reason_text="  ")
    assert "M1" in refused(candidate, staff, "nominate")


def test_m1_blocks_unknown_reason(staff, candidate):
    Selection.objects.filter(pk=candidate.selection_id).update(reason="whim")
    assert "M1" in refused(candidate, staff, "nominate")


def test_m1_lets_other_reason_with_text_through(staff, candidate):
    Selection.objects.filter(pk=candidate.selection_id).update(reason=MotionReason.OTHER, reason_text="班子缺额较多")
    assert "M1" not in checked(candidate, "nominate")
    assert advance(candidate, staff, "nominate").stage == Stage.NOMINATION


# ---------------------------------------------------------------------------- M2 restructuring


@pytest.mark.parametrize("flag", ["under_restructuring", "secretary_transferring"])
def test_m2_blocks_frozen_unit(staff, candidate, flag):
    Unit.objects.filter(pk=candidate.position.unit_id).update(**{flag: True})
    assert "M2" in refused(candidate, staff, "nominate")


def test_m2_lets_frozen_unit_through_with_superior_approval(staff, candidate):
    Unit.objects.filter(pk=candidate.position.unit_id).update(under_restructuring=True)
    Selection.objects.filter(pk=candidate.selection_id).update(superior_approval="市委组织部 2026 年 12 号批复")
    assert "M2" not in checked(candidate, "nominate")
    assert advance(candidate, staff, "nominate").stage == Stage.NOMINATION


# ---------------------------------------------------------------------------- M3 quota


def test_m3_blocks_nomination_when_post_is_full(staff, candidate):
    CadreFactory(position=candidate.position)
    assert "M3" in refused(candidate, staff, "nominate")


def test_m3_counts_pending_appointments(staff, selection, position, candidate):
    other = services.candidate_create(actor=staff, selection=selection, position=position, cadre=CadreFactory())
    Candidate.objects.filter(pk=other.pk).update(stage=Stage.PUBLICITY)
    assert "M3" in refused(candidate, staff, "nominate")


@pytest.mark.parametrize("transition", ["decide", "publicize", "appoint"])
def test_m3_is_checked_again_later(candidate, transition):
    CadreFactory(position=candidate.position)
    assert "M3" in checked(candidate, transition)


@pytest.mark.parametrize("transition", ["nominate", "decide", "publicize", "appoint"])
def test_m3_lets_vacancy_through(candidate, transition):
    assert "M3" not in checked(candidate, transition)


def test_m3_lets_a_second_post_of_quota_two_through(staff, candidate):
    from cadre.models import Position

    Position.objects.filter(pk=candidate.position_id).update(quota=2)
    CadreFactory(position=candidate.position)
    assert "M3" not in checked(candidate, "nominate")
    assert advance(candidate, staff, "nominate").stage == Stage.NOMINATION


def test_m3_own_candidate_in_publicity_is_not_counted_twice(candidate):
    Candidate.objects.filter(pk=candidate.pk).update(stage=Stage.PUBLICITY)
    assert "M3" not in checked(candidate, "appoint")


# ---------------------------------------------------------------------------- N3 education


def test_n3_blocks_promotion_below_associate(staff, candidate):
    type(candidate.cadre).objects.filter(pk=candidate.cadre_id).update(education=Education.SECONDARY)
    assert "N3" in refused(candidate, staff, "nominate")


def test_n3_lets_associate_through(staff, candidate):
    type(candidate.cadre).objects.filter(pk=candidate.cadre_id).update(education=Education.ASSOCIATE)
    assert "N3" not in checked(candidate, "nominate")
    assert advance(candidate, staff, "nominate").stage == Stage.NOMINATION


def test_n3_does_not_apply_without_promotion(staff, candidate):
    same_level = PositionFactory(level=candidate.position.level)
    type(candidate.cadre).objects.filter(pk=candidate.cadre_id).update(
        education=Education.SECONDARY, position=same_level
    )
    assert "N3" not in checked(candidate, "nominate")


def test_n3_threshold_per_level_changes_the_outcome(staff, candidate):
    type(candidate.cadre).objects.filter(pk=candidate.cadre_id).update(education=Education.ASSOCIATE)
    assert candidate.position.level == Level.SECTION_DEPUTY
    set_threshold("N3.min_education", '{"*": "associate", "section_deputy": "bachelor"}')
    assert "N3" in refused(candidate, staff, "nominate")


# ---------------------------------------------------------------------------- N4 failed twice


def _fail(candidate, days_ago):
    FailedVote.objects.create(
        cadre=candidate.cadre, position=candidate.position, voted_on=timezone.localdate() - timedelta(days=days_ago)
    )


def test_n4_blocks_after_two_failed_votes_within_a_year(staff, candidate):
    _fail(candidate, 200)
    _fail(candidate, 20)
    assert "N4" in refused(candidate, staff, "nominate")


def test_n4_lets_one_failure_through(staff, candidate):
    _fail(candidate, 20)
    assert "N4" not in checked(candidate, "nominate")
    assert advance(candidate, staff, "nominate").stage == Stage.NOMINATION


def test_n4_lets_old_failures_and_other_posts_through(candidate):
    _fail(candidate, 400)
    _fail(candidate, 500)
    FailedVote.objects.create(cadre=candidate.cadre, position=PositionFactory(), voted_on=timezone.localdate())
    FailedVote.objects.create(cadre=candidate.cadre, position=PositionFactory(), voted_on=timezone.localdate())
    assert "N4" not in checked(candidate, "nominate")


# ---------------------------------------------------------------------------- R2 recommendation valid one year


def test_r2_blocks_without_recommendation(staff, at_recommendation):
    assert "R2" in refused(at_recommendation, staff, "inspect", prepared=False)


def test_r2_blocks_stale_recommendation(staff, at_recommendation):
    recommend(at_recommendation, held_on=timezone.localdate() - timedelta(days=400))
    assert "R2" in refused(at_recommendation, staff, "inspect")


def test_r2_lets_recent_recommendation_through(staff, at_recommendation):
    recommend(at_recommendation, held_on=timezone.localdate() - timedelta(days=30))
    assert "R2" not in checked(at_recommendation, "inspect")
    assert advance(at_recommendation, staff, "inspect").stage == Stage.INSPECTION


def test_r2_threshold_changes_the_outcome(at_recommendation):
    recommend(at_recommendation, held_on=timezone.localdate() - timedelta(days=400))
    set_threshold("R2.valid_days", "500")
    assert "R2" not in checked(at_recommendation, "inspect")


# ---------------------------------------------------------------------------- R3 own-unit majority (soft)


def test_r3_blocks_minority_in_own_unit(staff, at_recommendation):
    recommend(at_recommendation, votes=10, present=36)
    assert "R3" in refused(at_recommendation, staff, "inspect")


def test_r3_lets_majority_through(staff, at_recommendation):
    recommend(at_recommendation, votes=18, present=36)  # exactly half is not "fewer than half"
    assert "R3" not in checked(at_recommendation, "inspect")
    assert advance(at_recommendation, staff, "inspect").stage == Stage.INSPECTION


def test_r3_ignores_votes_in_other_units(at_recommendation):
    recommend(at_recommendation, votes=30, present=36)
    from ..factories import RecommendationResultFactory

    RecommendationResultFactory(
        cadre=at_recommendation.cadre, votes=1, meeting__selection=at_recommendation.selection, meeting__present=36
    )
    assert "R3" not in checked(at_recommendation, "inspect")


def test_r3_override_with_reason_passes_and_records_important(staff, at_recommendation):
    recommend(at_recommendation, votes=10, present=36)
    prepare(at_recommendation, staff, "inspect")
    violations = services.candidate_check(candidate=fresh(at_recommendation), transition="inspect").violations
    r3 = [v for v in violations if v.rule == "R3"]
    assert r3 and all(v.overridable for v in r3)
    moved = services.candidate_transition(
        actor=staff,
        candidate_id=at_recommendation.pk,
        transition="inspect",
        overrides=[{"rule": "R3", "reason": "部长办公会研究认为该同志实绩突出，综合考虑列为考察对象"}],
    )
    assert moved.stage == Stage.INSPECTION
    entries = list(RecordEntry.objects.filter(candidate=moved).order_by("seq"))
    transition_entry = next(e for e in entries if e.kind == RecordKind.TRANSITION and e.payload["to"] == "inspection")
    assert "R3" in transition_entry.payload["overrides"]
    important = [e for e in entries if e.kind == RecordKind.IMPORTANT]
    assert len(important) == 1 and important[0].seq == transition_entry.seq + 1
    assert important[0].payload["category"] == "override"
    assert "R3" in important[0].payload["text"] and "实绩突出" in important[0].payload["text"]
    assert important[0].is_important


@pytest.mark.parametrize("reason", ["", "   ", None])
def test_r3_override_without_reason_is_invalid(staff, at_recommendation, reason):
    recommend(at_recommendation, votes=10, present=36)
    count = RecordEntry.objects.count()
    with pytest.raises(InvalidInput) as exc:
        services.candidate_transition(
            actor=staff,
            candidate_id=at_recommendation.pk,
            transition="inspect",
            overrides=[{"rule": "R3", "reason": reason}],
        )
    assert "override" in exc.value.errors
    assert RecordEntry.objects.count() == count
    assert fresh(at_recommendation).stage == Stage.RECOMMENDATION


def test_overriding_a_hard_rule_is_invalid(staff, at_recommendation):
    recommend(at_recommendation)
    type(at_recommendation.cadre).objects.filter(pk=at_recommendation.cadre_id).update(canvassing_finding=True)
    count = RecordEntry.objects.count()
    with pytest.raises(InvalidInput) as exc:
        services.candidate_transition(
            actor=staff,
            candidate_id=at_recommendation.pk,
            transition="inspect",
            overrides=[{"rule": "E3", "reason": "情况特殊"}],
        )
    assert "刚性" in exc.value.errors["override"][0]
    assert RecordEntry.objects.count() == count
    assert fresh(at_recommendation).stage == Stage.RECOMMENDATION


def test_overriding_a_rule_that_did_not_fail_is_invalid(staff, at_recommendation):
    recommend(at_recommendation)
    with pytest.raises(InvalidInput):
        services.candidate_transition(
            actor=staff,
            candidate_id=at_recommendation.pk,
            transition="inspect",
            overrides=[{"rule": "R3", "reason": "预防性越过"}],
        )


def test_r3_threshold_one_third_changes_the_outcome(staff, at_recommendation):
    recommend(at_recommendation, votes=15, present=36)  # 15/36 < 1/2 but >= 1/3
    assert "R3" in checked(at_recommendation, "inspect")
    set_threshold("R3.min_share", "1/3")
    assert "R3" not in checked(at_recommendation, "inspect")
    moved = advance(at_recommendation, staff, "inspect")
    assert moved.stage == Stage.INSPECTION
    entry = RecordEntry.objects.filter(candidate=moved, kind=RecordKind.TRANSITION).order_by("-seq").first()
    assert entry.payload["thresholds"]["R3.min_share"] == "1/3"


# ---------------------------------------------------------------------------- R4 competitive inspection


@pytest.fixture
def inspected(staff, candidate):
    recommend(candidate)
    return advance(candidate, staff, "nominate", "recommend", "inspect")


def test_r4_blocks_a_single_inspection_object(staff, inspected):
    assert "R4" in refused(inspected, staff, "deliberate")


def test_r4_lets_two_inspection_objects_through(staff, selection, position, inspected):
    second = services.candidate_create(actor=staff, selection=selection, position=position, cadre=CadreFactory())
    recommend(second, votes=25)
    advance(second, staff, "nominate", "recommend", "inspect")
    assert "R4" not in checked(inspected, "deliberate")


def test_r4_lets_a_non_competitive_selection_through(inspected):
    Selection.objects.filter(pk=inspected.selection_id).update(
        competitive=False, single_candidate_reason="只有一人符合"
    )
    assert "R4" not in checked(inspected, "deliberate")


# ---------------------------------------------------------------------------- E1–E7 eligibility


def _cadre(candidate, **fields):
    type(candidate.cadre).objects.filter(pk=candidate.cadre_id).update(**fields)


def test_e_rules_block_inspect_by_transition(staff, at_recommendation):
    """All seven at once: a refused transition lists every violation."""
    recommend(at_recommendation)
    year = timezone.localdate().year
    AssessmentFactory(cadre=at_recommendation.cadre, year=year - 1, grade=AssessmentGrade.BASICALLY_COMPETENT)
    EvaluationFactory(cadre=at_recommendation.cadre, excellent=1, competent=1, incompetent=10)
    Sanction.objects.create(
        cadre=at_recommendation.cadre,
        kind="党内警告",
        starts_on=timezone.localdate() - timedelta(days=30),
        influence_ends_on=timezone.localdate() + timedelta(days=150),
    )
    _cadre(
        at_recommendation,
        canvassing_finding=True,
        spouse_emigrated=True,
        personal_report_status=PersonalReportStatus.CONCEALED,
        veto_item_year=year,
    )
    rules = refused(at_recommendation, staff, "inspect")
    assert {"E1", "E2", "E3", "E4", "E5", "E6", "E7"} <= rules


def test_e_rules_let_an_eligible_cadre_through(staff, at_recommendation):
    recommend(at_recommendation)
    AssessmentFactory(cadre=at_recommendation.cadre)
    EvaluationFactory(cadre=at_recommendation.cadre)
    assert not {"E1", "E2", "E3", "E4", "E5", "E6", "E7"} & checked(at_recommendation, "inspect")
    assert advance(at_recommendation, staff, "inspect").stage == Stage.INSPECTION


def _e1_block(c):
    AssessmentFactory(cadre=c.cadre, year=timezone.localdate().year - 2, grade=AssessmentGrade.INCOMPETENT)


def _e1_pass(c):
    AssessmentFactory(cadre=c.cadre, year=timezone.localdate().year - 1, grade=AssessmentGrade.EXCELLENT)
    AssessmentFactory(cadre=c.cadre, year=timezone.localdate().year - 6, grade=AssessmentGrade.BASICALLY_COMPETENT)


def _e2_block_good_share(c):
    EvaluationFactory(cadre=c.cadre, excellent=5, competent=10, basically_competent=10, incompetent=0)


def _e2_block_incompetent(c):
    EvaluationFactory(cadre=c.cadre, excellent=30, competent=10, basically_competent=0, incompetent=21)


def _e2_pass(c):
    EvaluationFactory(cadre=c.cadre, excellent=10, competent=10, basically_competent=10, incompetent=0)


def _e4_block_no_spouse(c):
    _cadre(c, has_spouse=False, children_emigrated=True)


def _e4_pass(c):
    _cadre(c, has_spouse=True, spouse_emigrated=False, children_emigrated=True)


def _sanction(c, days):
    today = timezone.localdate()
    Sanction.objects.create(
        cadre=c.cadre,
        kind="诫勉",
        starts_on=today - timedelta(days=400),
        influence_ends_on=today + timedelta(days=days),
    )


BLOCKS = {
    "E1": [_e1_block, lambda c: AssessmentFactory(cadre=c.cadre, grade=AssessmentGrade.BASICALLY_COMPETENT)],
    "E2": [_e2_block_good_share, _e2_block_incompetent],
    "E3": [lambda c: _cadre(c, canvassing_finding=True)],
    "E4": [lambda c: _cadre(c, spouse_emigrated=True), _e4_block_no_spouse],
    "E5": [lambda c: _sanction(c, 0), lambda c: _sanction(c, 100)],
    "E6": [
        lambda c: _cadre(c, personal_report_status=PersonalReportStatus.UNCHECKED),
        lambda c: _cadre(c, personal_report_status=PersonalReportStatus.CONCEALED),
    ],
    "E7": [lambda c: _cadre(c, veto_item_year=timezone.localdate().year)],
}
PASSES = {
    "E1": _e1_pass,
    "E2": _e2_pass,
    "E3": lambda c: _cadre(c, canvassing_finding=False),
    "E4": _e4_pass,
    "E5": lambda c: _sanction(c, -1),
    "E6": lambda c: _cadre(c, personal_report_status=PersonalReportStatus.CHECKED),
    "E7": lambda c: _cadre(c, veto_item_year=timezone.localdate().year - 3),
}


@pytest.mark.parametrize("transition", ELIGIBILITY)
@pytest.mark.parametrize(
    "rule,case", [(rule, i) for rule, cases in BLOCKS.items() for i in range(len(cases))], ids=lambda v: str(v)
)
def test_e_rule_blocks(candidate, rule, case, transition):
    BLOCKS[rule][case](candidate)
    assert rule in checked(candidate, transition)


@pytest.mark.parametrize("rule", sorted(BLOCKS))
def test_e_rule_blocks_inspect_transition(staff, at_recommendation, rule):
    recommend(at_recommendation)
    BLOCKS[rule][0](at_recommendation)
    assert rule in refused(at_recommendation, staff, "inspect")


@pytest.mark.parametrize("transition", ELIGIBILITY)
@pytest.mark.parametrize("rule", sorted(PASSES))
def test_e_rule_lets_through(candidate, rule, transition):
    PASSES[rule](candidate)
    assert rule not in checked(candidate, transition)


def test_e2_threshold_changes_the_outcome(candidate):
    _e2_pass(candidate)  # 20/30 good: exactly 2/3
    assert "E2" not in checked(candidate, "inspect")
    set_threshold("E2.min_good_share", "3/4")
    assert "E2" in checked(candidate, "inspect")


def test_e_rules_do_not_guard_nomination(candidate):
    for cases in BLOCKS.values():
        cases[0](candidate)
    assert not {"E1", "E2", "E3", "E4", "E5", "E6", "E7"} & checked(candidate, "nominate")
