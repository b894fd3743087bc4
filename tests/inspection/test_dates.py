"""#11: the inspection team's period follows the motion and the stages before it; talks and procedures
are dated inside the period."""

from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from cadre import services as cadre_services
from cadre.errors import InvalidInput
from cadre.models import RecordKind
from cadre.record import record_append
from inspection import services
from inspection.models import InspectionProcedure, InspectionTeam, Talk
from nomination import services as nomination_services

from ..factories import CadreFactory
from .conftest import in_stage

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate
STARTS, ENDS = 20, 10  # the team's period: from 20 to 10 days ago


def team(staff, candidates, *, starts_on=None, ends_on=None):
    return services.team_create(
        actor=staff,
        selection=candidates[0].selection,
        name="第一考察组",
        leader=staff,
        starts_on=starts_on or TODAY() - timedelta(days=STARTS),
        ends_on=ends_on or TODAY() - timedelta(days=ENDS),
        place="县财政局",
        scope="局领导班子成员、中层干部",
        forum_size=18,
        candidates=candidates,
    )


def talk(staff, candidate, day):
    return services.talk_create(
        actor=staff, candidate=candidate, interviewee="张三", category="中层干部", talked_on=day, summary="认真负责。"
    )


def procedure(staff, candidate, day):
    return services.procedure_create(actor=staff, candidate=candidate, name="实地查看", done_on=day)


@pytest.mark.parametrize("write", [talk, procedure], ids=["talk", "procedure"])
def test_dated_inside_the_team_period_boundaries(staff, inspecting, write):
    team(staff, [inspecting])
    starts, ends = TODAY() - timedelta(days=STARTS), TODAY() - timedelta(days=ENDS)
    label = "谈话日期" if write is talk else "考察程序日期"
    field = "talked_on" if write is talk else "done_on"
    period = f"（{starts.isoformat()} 至 {ends.isoformat()}）"
    for day, where in ((starts - timedelta(days=1), "早于"), (ends + timedelta(days=1), "晚于")):
        with pytest.raises(InvalidInput) as exc:
            write(staff, inspecting, day)
        assert exc.value.errors == {field: [f"{label} {day.isoformat()} {where}考察组工作期间{period}"]}
    assert not Talk.objects.exists() and not InspectionProcedure.objects.exists()
    write(staff, inspecting, starts)
    write(staff, inspecting, ends)
    model = Talk if write is talk else InspectionProcedure
    assert model.objects.count() == 2


def test_no_talk_before_a_team_is_registered(staff, inspecting):
    with pytest.raises(InvalidInput) as exc:
        talk(staff, inspecting, TODAY())
    assert exc.value.errors == {"talked_on": ["尚未为该人选登记考察组，请先登记考察组（考察时间、地点、范围）再记录"]}
    assert not Talk.objects.exists()


def test_not_in_the_future_even_inside_the_period(staff, inspecting):
    team(staff, [inspecting], starts_on=TODAY() - timedelta(days=1), ends_on=TODAY() + timedelta(days=5))
    with pytest.raises(InvalidInput) as exc:
        talk(staff, inspecting, TODAY() + timedelta(days=1))
    assert exc.value.errors == {"talked_on": ["日期不能晚于今天"]}
    talk(staff, inspecting, TODAY())


def test_team_starts_on_or_after_the_motion_meeting(staff, inspecting):
    motion = TODAY() - timedelta(days=STARTS)
    nomination_services.motion_agenda_record(
        actor=staff, selection_id=inspecting.selection_id, meeting_name="县委常委会", meeting_date=motion, item="动议"
    )
    with pytest.raises(InvalidInput) as exc:
        team(staff, [inspecting], starts_on=motion - timedelta(days=1))
    day = (motion - timedelta(days=1)).isoformat()
    assert exc.value.errors == {
        "starts_on": [f"考察开始日期 {day} 早于{inspecting.cadre.name}的动议会议日期 {motion.isoformat()}"]
    }
    assert not InspectionTeam.objects.exists()
    assert team(staff, [inspecting], starts_on=motion).starts_on == motion  # the same day is allowed


def test_a_candidate_added_later_is_checked_against_the_team_start(staff, inspecting, selection, position):
    first = team(staff, [inspecting])
    other = cadre_services.candidate_create(actor=staff, selection=selection, position=position, cadre=CadreFactory())
    other = in_stage(other, "inspection")
    decided = TODAY() - timedelta(days=STARTS - 1)  # the 部长办公会 decided one day after the team began
    with transaction.atomic():
        record_append(
            candidate=other,
            actor=staff,
            kind=RecordKind.FACT,
            payload={"fact": "inspection_decision", "label": "部长办公会确定考察对象", "meeting_date": decided},
        )
    with pytest.raises(InvalidInput) as exc:
        services.team_candidate_add(actor=staff, team=first, candidate=other)
    assert exc.value.errors["starts_on"] == [
        f"考察开始日期 {first.starts_on.isoformat()} 早于{other.cadre.name}的部长办公会确定考察对象日期 "
        f"{decided.isoformat()}"
    ]
    assert not first.assignments.filter(candidate=other).exists()
