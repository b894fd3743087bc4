"""Services: permissions, I9 recusal on registration, talk confidentiality, record entries, bad input."""

from datetime import timedelta

import pytest
from django.utils import timezone

from cadre import roles
from cadre.errors import Conflict, InvalidInput, NotAllowed
from cadre.models import Kinship, RecordEntry, Stage
from cadre.record import verify
from inspection import selectors, services
from inspection.demo import prepare_deliberate
from inspection.models import (
    ConsultationLevel,
    Factor,
    FactorAssessment,
    FactorGrade,
    InspectionTeamMember,
    Talk,
    TeamAssignment,
)

from ..factories import CadreFactory, UserFactory
from .conftest import in_stage, reload

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate


def make_team(staff, candidates, leader=None, leader_cadre=None):
    return services.team_create(
        actor=staff,
        selection=candidates[0].selection,
        name="第一考察组",
        leader=leader or staff,
        leader_cadre=leader_cadre,
        starts_on=TODAY() - timedelta(days=3),
        ends_on=TODAY(),
        place="县财政局",
        scope="局领导班子成员、中层干部",
        forum_size=18,
        candidates=candidates,
    )


def talk(actor, candidate, **overrides):
    fields = {
        "interviewee": "张三",
        "category": "中层干部",
        "talked_on": TODAY(),
        "summary": "工作认真负责。",
    }
    return services.talk_create(actor=actor, candidate=candidate, **{**fields, **overrides})


# ---------------------------------------------------------------------------- I9 at registration


def test_member_related_to_candidate_is_refused(staff, inspector, inspecting):
    team = make_team(staff, [inspecting])
    relative = CadreFactory()
    Kinship.objects.create(cadre=inspecting.cadre, relative=relative, relation="配偶")
    entries = RecordEntry.objects.count()
    with pytest.raises(Conflict) as exc:
        services.team_member_add(actor=staff, team=team, user=inspector, cadre=relative)
    assert [v.rule for v in exc.value.violations] == ["I9"]
    assert relative.name in exc.value.message and "回避" in exc.value.message
    assert not InspectionTeamMember.objects.filter(user=inspector).exists()
    assert RecordEntry.objects.count() == entries


def test_unrelated_member_is_added_and_recorded(staff, inspector, inspecting):
    team = make_team(staff, [inspecting])
    services.team_member_add(actor=staff, team=team, user=inspector, cadre=CadreFactory())
    assert team.members.count() == 2
    entry = inspecting.record.last()
    assert entry.kind == "fact" and entry.payload["fact"] == "inspection_team_member"
    assert entry.payload["added"] == inspector.username


def test_leader_who_is_the_candidate_is_refused(staff, inspecting):
    with pytest.raises(Conflict) as exc:
        make_team(staff, [inspecting], leader_cadre=inspecting.cadre)
    assert [v.rule for v in exc.value.violations] == ["I9"]
    assert not TeamAssignment.objects.exists()


def test_assigning_a_relative_of_a_member_is_refused(staff, inspector, selection, position, inspecting):
    from cadre.services import candidate_create

    member_cadre = CadreFactory()
    team = make_team(staff, [inspecting])
    services.team_member_add(actor=staff, team=team, user=inspector, cadre=member_cadre)
    other = in_stage(
        candidate_create(actor=staff, selection=selection, position=position, cadre=CadreFactory()), Stage.INSPECTION
    )
    Kinship.objects.create(cadre=member_cadre, relative=other.cadre, relation="子女")
    with pytest.raises(Conflict) as exc:
        services.team_candidate_add(actor=staff, team=team, candidate=other)
    assert exc.value.rule == "I9"
    assert not TeamAssignment.objects.filter(candidate=other).exists()


def test_member_must_be_inspector_or_staff(staff, inspecting):
    team = make_team(staff, [inspecting])
    with pytest.raises(InvalidInput) as exc:
        services.team_member_add(actor=staff, team=team, user=UserFactory(roles=[roles.COMMITTEE_MEMBER]))
    assert "user" in exc.value.errors


def test_team_bad_input_lists_every_field(staff, inspecting):
    with pytest.raises(InvalidInput) as exc:
        services.team_create(
            actor=staff,
            selection=inspecting.selection,
            name=" ",
            leader=staff,
            starts_on=TODAY(),
            ends_on=TODAY() - timedelta(days=1),
            place="",
            scope="x",
            forum_size=0,
            candidates=[inspecting],
        )
    assert {"name", "ends_on", "place", "forum_size"} <= set(exc.value.errors)


# ---------------------------------------------------------------------------- talk confidentiality


def test_talks_visible_only_to_team_assigned_staff_and_supervisors(
    staff, other_staff, inspector, supervisor, admin_user, inspecting
):
    team = make_team(staff, [inspecting])
    services.team_member_add(actor=staff, team=team, user=inspector)
    talk(inspector, inspecting)
    outsider = UserFactory(roles=[roles.INSPECTOR])
    committee = UserFactory(roles=[roles.COMMITTEE_MEMBER])
    visible = {
        u: selectors.talks_for_user(user=u, candidate=inspecting).count() for u in (inspector, staff, supervisor)
    }
    hidden = {
        u: selectors.talks_for_user(user=u, candidate=inspecting).count()
        for u in (other_staff, outsider, committee, admin_user)
    }
    assert set(visible.values()) == {1}
    assert set(hidden.values()) == {0}


def test_talk_record_entry_keeps_the_content_out(staff, inspecting):
    make_team(staff, [inspecting])
    row = talk(staff, inspecting, summary="机密内容")
    entry = inspecting.record.last()
    assert entry.payload == {
        "fact": "inspection_talk",
        "label": "个别谈话",
        "talk": row.pk,
        "category": "中层干部",
        "talked_on": TODAY().isoformat(),
    }
    assert verify().ok


# ---------------------------------------------------------------------------- who may record


def test_team_inspector_records_talks_procedures_factors(staff, inspector, inspecting):
    team = make_team(staff, [inspecting])
    services.team_member_add(actor=staff, team=team, user=inspector)
    talk(inspector, inspecting)
    services.procedure_create(actor=inspector, candidate=inspecting, name="实地查看", done_on=TODAY())
    services.factor_assess(
        actor=inspector, candidate=inspecting, factor=Factor.ABILITY, grade=FactorGrade.GOOD, text="能力较强"
    )
    assert inspecting.record.filter(kind="fact", actor=inspector).count() == 3


def test_team_inspector_cannot_record_opinions(staff, inspector, inspecting):
    team = make_team(staff, [inspecting])
    services.team_member_add(actor=staff, team=team, user=inspector)
    with pytest.raises(NotAllowed):
        services.opinion_create(
            actor=inspector, candidate=inspecting, department="纪检", received_on=TODAY(), opinion="无问题"
        )


def test_outsiders_cannot_record(other_staff, inspector, inspecting):
    for actor in (other_staff, inspector):
        with pytest.raises(NotAllowed):
            talk(actor, inspecting)
    assert not Talk.objects.exists()


def test_talk_bad_input_lists_every_field_and_writes_nothing(staff, inspecting):
    entries = inspecting.record.count()
    with pytest.raises(InvalidInput) as exc:
        talk(staff, inspecting, interviewee="", category="路人", talked_on=TODAY() + timedelta(days=1), summary=" ")
    assert set(exc.value.errors) == {"interviewee", "category", "talked_on", "summary"}
    assert not Talk.objects.exists()
    assert inspecting.record.count() == entries


def test_talk_outside_inspection_stage_is_refused(staff, candidate):
    with pytest.raises(Conflict) as exc:
        talk(staff, candidate)
    assert exc.value.rule == "stage"


def test_factor_reassessment_replaces_grade_and_keeps_history(staff, inspecting):
    for grade in (FactorGrade.FAIR, FactorGrade.EXCELLENT):
        services.factor_assess(actor=staff, candidate=inspecting, factor=Factor.CONDUCT, grade=grade, text="评价")
    assert FactorAssessment.objects.get(candidate=inspecting, factor=Factor.CONDUCT).grade == FactorGrade.EXCELLENT
    grades = [e.payload["grade"] for e in inspecting.record.filter(payload__fact="factor_assessment")]
    assert grades == [FactorGrade.FAIR, FactorGrade.EXCELLENT]


def test_notice_is_recorded_for_every_open_candidate(staff, selection, position, inspecting):
    from cadre.services import candidate_create

    second = candidate_create(actor=staff, selection=selection, position=position, cadre=CadreFactory())
    with pytest.raises(InvalidInput) as exc:
        services.notice_publish(
            actor=staff,
            selection=selection,
            published_on=TODAY(),
            team_text="组长王五",
            contact_phone="abc",
            text="预告",
        )
    assert "contact_phone" in exc.value.errors
    services.notice_publish(
        actor=staff,
        selection=selection,
        published_on=TODAY(),
        team_text="组长王五",
        contact_phone="0731-1234567",
        text="预告",
    )
    for c in (inspecting, second):
        assert c.record.last().payload["fact"] == "inspection_notice"


def test_report_recommended_must_be_of_the_post(staff, selection, inspecting):
    from cadre.services import selection_create

    from ..factories import PositionFactory

    other_position = PositionFactory()
    other_selection = selection_create(
        actor=staff, title="另一选任", reason="vacancy", positions=[other_position], competitive=True
    )
    with pytest.raises(InvalidInput) as exc:
        services.report_save(
            actor=staff,
            selection=other_selection,
            position=other_position,
            comparison="比较",
            recommendation="建议",
            recommended=inspecting,
        )
    assert "recommended" in exc.value.errors


# ---------------------------------------------------------------------------- deliberation


def test_consultation_with_disagreement_records_important_situation(staff, inspecting):
    deliberating = in_stage(inspecting, Stage.DELIBERATION)
    services.consultation_create(
        actor=staff,
        selection=deliberating.selection,
        level=ConsultationLevel.UNIT_LEADERS,
        held_on=TODAY(),
        participants="单位主要领导",
        opinions="意见不一",
        candidates=[deliberating],
        disagreement=True,
        disagreement_text="对其年龄结构有不同看法",
    )
    kinds = [e.kind for e in deliberating.record.order_by("seq")][-2:]
    assert kinds == ["fact", "important"]
    assert verify().ok


def test_consultation_needs_disagreement_text_and_candidates_in_deliberation(staff, inspecting):
    with pytest.raises(InvalidInput) as exc:
        services.consultation_create(
            actor=staff,
            selection=inspecting.selection,
            level=ConsultationLevel.MINISTER_MEETING,
            held_on=TODAY(),
            participants="部长",
            opinions="同意",
            candidates=[inspecting],
            disagreement=True,
        )
    assert "disagreement_text" in exc.value.errors
    with pytest.raises(Conflict) as exc:  # well-formed, refused by the procedure: 409 "stage" (issue #10)
        services.consultation_create(
            actor=staff,
            selection=inspecting.selection,
            level=ConsultationLevel.MINISTER_MEETING,
            held_on=TODAY(),
            participants="部长",
            opinions="同意",
            candidates=[inspecting],
        )
    assert exc.value.rule == "stage" and "不在酝酿阶段" in exc.value.errors["candidates"][0]


def test_prepare_is_idempotent(staff, inspecting):
    prepare_deliberate(inspecting, staff)
    entries = inspecting.record.count()
    prepare_deliberate(reload(inspecting), staff)
    assert inspecting.record.count() == entries


def test_prepare_puts_a_selections_candidates_in_one_team(staff, selection, position, inspecting):
    from cadre.services import candidate_create

    second = in_stage(
        candidate_create(actor=staff, selection=selection, position=position, cadre=CadreFactory()), Stage.INSPECTION
    )
    prepare_deliberate(inspecting, staff)
    prepare_deliberate(second, staff)
    assert TeamAssignment.objects.filter(candidate__in=[inspecting, second]).values("team").distinct().count() == 1
