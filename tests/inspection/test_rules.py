"""Each rule of I1–I9 and D1–D3: the case it blocks and the case it lets through."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from cadre.models import Kinship, Threshold
from cadre.services import candidate_check
from inspection import services
from inspection.models import (
    Comparison,
    Consultation,
    ConsultationLevel,
    DepartmentOpinion,
    Factor,
    FactorAssessment,
    InspectionNotice,
    InspectionProcedure,
    InspectionReport,
    InspectionTeamMember,
    Talk,
    TeamAssignment,
)

from ..factories import CadreFactory
from .conftest import run_rule

pytestmark = pytest.mark.django_db

INSPECTION_IDS = ["I1", "I2", "I3", "I4", "I5", "I6", "I7", "I8", "I9"]


def set_threshold(key, value):
    Threshold.objects.update_or_create(
        key=key,
        defaults={"rule": key.split(".")[0], "value": json.dumps(value, ensure_ascii=False), "description": key},
    )


def test_rules_are_registered_for_their_transitions(inspecting):
    check = candidate_check(candidate=inspecting, transition="deliberate")
    failing = {v.rule for v in check.violations}
    # A bare candidate in inspection misses everything but I7 (no audit needed) and I9 (no team, nobody to recuse).
    assert {"I1", "I2", "I3", "I4", "I5", "I6", "I8"} <= failing
    assert not {"I7", "I9"} & failing


def test_prepared_candidate_passes_every_inspection_rule(inspected):
    for rule_id in INSPECTION_IDS:
        assert run_rule(rule_id, inspected).problems == [], rule_id
    failing = {v.rule for v in candidate_check(candidate=inspected, transition="deliberate").violations}
    assert not failing & set(INSPECTION_IDS)


# ---------------------------------------------------------------------------- I1


def test_i1_blocks_without_notice(inspected):
    InspectionNotice.objects.all().delete()
    assert run_rule("I1", inspected).problems


def test_i1_blocks_notice_after_inspection_started(inspected):
    team = TeamAssignment.objects.get(candidate=inspected).team
    InspectionNotice.objects.update(published_on=team.starts_on + timedelta(days=1))
    problems = run_rule("I1", inspected).problems
    assert problems and "晚于考察开始日期" in problems[0]


def test_i1_passes_with_notice(inspected):
    assert run_rule("I1", inspected).problems == []


# ---------------------------------------------------------------------------- I2


def test_i2_blocks_without_team(inspected):
    TeamAssignment.objects.filter(candidate=inspected).delete()
    assert run_rule("I2", inspected).problems == ["尚未为该人选登记考察组"]


def test_i2_blocks_without_leader(inspected):
    InspectionTeamMember.objects.update(is_leader=False)
    assert "考察组没有组长" in run_rule("I2", inspected).problems


def test_i2_passes_with_team(inspected):
    assert run_rule("I2", inspected).problems == []


# ---------------------------------------------------------------------------- I3


def test_i3_blocks_missing_procedure(inspected):
    InspectionProcedure.objects.filter(candidate=inspected, name="实地查看").delete()
    assert run_rule("I3", inspected).problems == ["尚未完成必经程序：实地查看"]


def test_i3_follows_threshold(inspected):
    set_threshold("I3.procedures", ["民主测评", "座谈会"])
    assert run_rule("I3", inspected).problems == ["尚未完成必经程序：座谈会"]


def test_i3_passes_all_done(inspected):
    assert run_rule("I3", inspected).problems == []


# ---------------------------------------------------------------------------- I4


def test_i4_blocks_missing_category(inspected):
    Talk.objects.filter(candidate=inspected, category="考察对象本人").delete()
    assert run_rule("I4", inspected).problems == ["尚未与以下类别对象谈话：考察对象本人"]


def test_i4_passes_all_covered(inspected):
    assert run_rule("I4", inspected).problems == []


# ---------------------------------------------------------------------------- I5


def test_i5_blocks_missing_factor(inspected):
    FactorAssessment.objects.filter(candidate=inspected, factor=Factor.INTEGRITY).delete()
    assert run_rule("I5", inspected).problems == ["尚未评价：廉洁自律"]


def test_i5_passes_all_assessed(inspected):
    assert run_rule("I5", inspected).problems == []


# ---------------------------------------------------------------------------- I6


def test_i6_blocks_without_discipline_opinion(inspected):
    DepartmentOpinion.objects.filter(candidate=inspected).delete()
    assert run_rule("I6", inspected).problems == ["尚未征求纪检部门意见"]


def test_i6_follows_threshold(inspected):
    set_threshold("I6.opinions", ["纪检", "计生"])
    assert run_rule("I6", inspected).problems == ["尚未征求计生部门意见"]


def test_i6_passes_with_opinion(inspected):
    assert run_rule("I6", inspected).problems == []


# ---------------------------------------------------------------------------- I7 ◇


def test_i7_blocks_without_audit_where_required(inspected):
    inspected.position.requires_audit = True
    inspected.position.save(update_fields=["requires_audit"])
    assert run_rule("I7", inspected).problems
    violation = next(
        v for v in candidate_check(candidate=inspected, transition="deliberate").violations if v.rule == "I7"
    )
    assert violation.overridable


def test_i7_passes_with_audit(inspected, staff):
    inspected.position.requires_audit = True
    inspected.position.save(update_fields=["requires_audit"])
    services.audit_create(
        actor=staff, candidate=inspected, auditor="县审计局", concluded_on=timezone.localdate(), conclusion="无问题"
    )
    assert run_rule("I7", inspected).problems == []


def test_i7_passes_where_not_required(inspected):
    assert run_rule("I7", inspected).problems == []


# ---------------------------------------------------------------------------- I8


def test_i8_blocks_without_report(inspected):
    InspectionReport.objects.all().delete()
    assert run_rule("I8", inspected).problems


def test_i8_blocks_until_heard(inspected):
    InspectionReport.objects.update(heard_on=None)
    assert run_rule("I8", inspected).problems == ["部长办公会尚未听取考察组汇报"]


def test_i8_passes_when_heard(inspected):
    assert run_rule("I8", inspected).problems == []


# ---------------------------------------------------------------------------- I9


def test_i9_blocks_related_member(inspected, staff):
    relative = CadreFactory()
    Kinship.objects.create(cadre=inspected.cadre, relative=relative, relation="配偶")
    InspectionTeamMember.objects.filter(user=staff).update(cadre=relative)  # linked after the fact
    problems = run_rule("I9", inspected).problems
    assert problems and "应当回避" in problems[0]


def test_i9_blocks_kinship_recorded_the_other_way(inspected, staff):
    relative = CadreFactory()
    InspectionTeamMember.objects.filter(user=staff).update(cadre=relative)
    Kinship.objects.create(cadre=relative, relative=inspected.cadre, relation="兄弟")
    assert run_rule("I9", inspected).problems


def test_i9_passes_unrelated_member(inspected, staff):
    InspectionTeamMember.objects.filter(user=staff).update(cadre=CadreFactory())
    assert run_rule("I9", inspected).problems == []


# ---------------------------------------------------------------------------- D1–D3


def test_d_rules_block_a_bare_candidate(deliberating):
    failing = {v.rule for v in candidate_check(candidate=deliberating, transition="decide").violations}
    assert {"D1", "D2"} <= failing
    assert "D3" not in failing


def test_d_rules_pass_when_prepared(deliberated):
    failing = {v.rule for v in candidate_check(candidate=deliberated, transition="decide").violations}
    assert not {"D1", "D2", "D3"} & failing


def test_d1_blocks_with_one_level_only(deliberating, staff):
    services.consultation_create(
        actor=staff,
        selection=deliberating.selection,
        level=ConsultationLevel.MINISTER_MEETING,
        held_on=timezone.localdate(),
        participants="部长、副部长",
        opinions="同意",
        candidates=[deliberating],
    )
    assert run_rule("D1", deliberating).problems == ["尚未经过书记碰头会酝酿"]


def test_d1_passes_with_both_levels(deliberated):
    assert run_rule("D1", deliberated).problems == []


def test_d2_blocks_without_comparison(deliberated):
    Comparison.objects.all().delete()
    assert run_rule("D2", deliberated).problems


def test_d2_blocks_an_empty_aspect(deliberated):
    Comparison.objects.update(post_fit="")
    assert run_rule("D2", deliberated).problems == ["人选比较缺少：人岗相适"]


def test_d2_passes_with_comparison(deliberated):
    assert run_rule("D2", deliberated).problems == []


def test_d3_blocks_disagreement_not_recorded(deliberated, staff):
    # Written around the service (as a bad import would): no important-situation entry.
    consultation = Consultation.objects.create(
        selection=deliberated.selection,
        level=ConsultationLevel.SECRETARIES_MEETING,
        held_on=timezone.localdate(),
        participants="书记",
        opinions="有分歧",
        disagreement=True,
        disagreement_text="分歧较大",
        recorded_by=staff,
    )
    consultation.candidates.set([deliberated])
    assert run_rule("D3", deliberated).problems == ["酝酿中的重大分歧尚未作为重要情况记实"]


def test_d3_passes_disagreement_recorded_by_service(deliberated, staff):
    services.consultation_create(
        actor=staff,
        selection=deliberated.selection,
        level=ConsultationLevel.SECRETARIES_MEETING,
        held_on=timezone.localdate(),
        participants="书记、副书记、组织部长、纪委书记",
        opinions="意见不一",
        candidates=[deliberated],
        disagreement=True,
        disagreement_text="对其工作作风看法分歧较大",
    )
    assert run_rule("D3", deliberated).problems == []
    important = deliberated.record.filter(kind="important").last()
    assert important.payload["category"] == "disagreement"


# ---------------------------------------------------------------------------- through the transition service


def test_deliberate_refused_then_allowed_with_i7_override(staff, selection, position, inspected):
    from cadre.errors import TransitionRefused
    from cadre.models import Stage
    from cadre.services import candidate_create

    from ..conftest import advance
    from .conftest import in_stage, reload

    in_stage(
        candidate_create(actor=staff, selection=selection, position=position, cadre=CadreFactory()), Stage.INSPECTION
    )
    position.requires_audit = True
    position.save(update_fields=["requires_audit"])
    with pytest.raises(TransitionRefused) as exc:
        advance(inspected, staff, "deliberate", prepared=False)
    assert [v.rule for v in exc.value.violations] == ["I7"]
    assert reload(inspected).stage == Stage.INSPECTION
    moved = advance(
        inspected,
        staff,
        "deliberate",
        prepared=False,
        overrides=[{"rule": "I7", "reason": "审计机关已口头确认，书面结论随后补交"}],
    )
    assert moved.stage == Stage.DELIBERATION
    assert moved.record.filter(kind="important", payload__category="override").exists()
