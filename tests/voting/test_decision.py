from datetime import date

import pytest
from django.contrib.admin.sites import site
from django.test import RequestFactory
from django.utils import timezone

from cadre.errors import Conflict, InvalidInput
from cadre.models import FailedVote, Stage
from cadre.rules import Context
from cadre.services import candidate_check
from cadre.thresholds import snapshot
from supervision import services as supervision_services
from voting import rules, selectors, services
from voting.models import AgendaItem, DecisionMeeting, VoteResult

from ..conftest import advance, paper_result, prepare


def ctx():
    return Context(thresholds=snapshot(), today=timezone.localdate())


def meeting_for(staff, *candidates, entitled=11, present=11, open_=True):
    meeting = services.meeting_create(
        actor=staff,
        selection=candidates[0].selection,
        held_on=date.today(),
        title="县委常委会第1次会议",
        entitled=entitled,
    )
    for c in candidates:
        services.agenda_add(actor=staff, meeting_id=meeting.pk, candidate_id=c.pk)
    if open_:
        meeting = services.meeting_open(actor=staff, meeting_id=meeting.pk, present=present)
    return meeting


def record(staff, meeting, candidate, approve, disapprove=0, abstain=0, recused=0):
    return paper_result(staff, meeting, candidate, approve, disapprove, abstain, recused)


def forced_result(candidate, *, entitled=11, present=11, approve=9, disapprove=1, abstain=1, user):
    """A result written straight to the database, to show what a rule says about data services refuse."""
    meeting = DecisionMeeting.objects.create(
        selection=candidate.selection,
        held_on=date.today(),
        title="直接写入",
        entitled=entitled,
        present=present,
        opened_at=timezone.now(),
        created_by=user,
    )
    AgendaItem.objects.create(meeting=meeting, candidate=candidate, added_by=user)
    return VoteResult.objects.create(
        meeting=meeting,
        candidate=candidate,
        approve=approve,
        disapprove=disapprove,
        abstain=abstain,
        entered_by=user,
    )


def rule_ids(candidate, transition):
    return {v.rule for v in candidate_check(candidate=candidate, transition=transition).violations}


# ---------------------------------------------------------------------------- V7


@pytest.mark.django_db
def test_v7_blocks_decide_without_brief(staff, deliberating):
    assert "V7" in rule_ids(deliberating, "decide")
    assert rules.brief_ready(deliberating, ctx()).problems


@pytest.mark.django_db
def test_v7_passes_with_complete_brief(staff, deliberating):
    prepare(deliberating, staff, "decide")
    assert "V7" not in rule_ids(deliberating, "decide")
    assert deliberating.record.filter(kind="fact", payload__fact="brief").exists()


@pytest.mark.django_db
def test_brief_requires_every_part(staff, deliberating):
    with pytest.raises(InvalidInput) as exc:
        services.brief_save(
            actor=staff,
            candidate_id=deliberating.pk,
            recommendation="推荐",
            evaluation="",
            traits="特点",
            shortcomings=" ",
            reasons="理由",
        )
    assert set(exc.value.errors) == {"evaluation", "shortcomings"}


# ---------------------------------------------------------------------------- V1, V3, V6 through publicize


@pytest.mark.django_db
def test_passing_result_lets_publicize(staff, deciding):
    meeting = meeting_for(staff, deciding)
    record(staff, meeting, deciding, approve=9, disapprove=1, abstain=1)
    assert not {"V1", "V3", "V4", "V6"} & rule_ids(deciding, "publicize")
    assert advance(deciding, staff, "publicize", prepared=False).stage == Stage.PUBLICITY


@pytest.mark.django_db
def test_no_result_blocks_publicize(staff, deciding):
    assert {"V1", "V3", "V4", "V6"} <= rule_ids(deciding, "publicize")


@pytest.mark.django_db
def test_v1_blocks_without_quorum(staff, deciding):
    forced_result(deciding, entitled=12, present=7, user=staff)
    finding = rules.quorum(deciding, ctx())
    assert finding.problems and "7" in finding.problems[0]


@pytest.mark.django_db
def test_v1_result_refused_without_quorum(staff, deciding):
    meeting = meeting_for(staff, deciding, entitled=12, present=7)
    with pytest.raises(Conflict) as exc:
        record(staff, meeting, deciding, approve=7)
    assert [v.rule for v in exc.value.violations] == ["V1"]
    assert "实到会 7 人" in exc.value.message and exc.value.violations[0].source
    assert not VoteResult.objects.exists()


@pytest.mark.django_db
def test_v1_passes_at_exactly_two_thirds(staff, deciding):
    forced_result(deciding, entitled=12, present=8, approve=7, disapprove=1, abstain=0, user=staff)
    assert not rules.quorum(deciding, ctx()).problems


@pytest.mark.django_db
def test_v3_counts_entitled_not_present(staff, deciding):
    # 6 of 10 present approve: a majority of those present, but not more than half of the 12 entitled.
    forced_result(deciding, entitled=12, present=10, approve=6, disapprove=2, abstain=2, user=staff)
    assert rules.passed(deciding, ctx()).problems


@pytest.mark.django_db
def test_v3_passes_with_more_than_half_of_entitled(staff, deciding):
    forced_result(deciding, entitled=12, present=10, approve=7, disapprove=2, abstain=1, user=staff)
    assert not rules.passed(deciding, ctx()).problems


@pytest.mark.django_db
def test_failing_result_does_not_reject_by_itself(staff, deciding):
    """V5: a failed first vote leaves the committee's choice open; nothing rejects the candidate."""
    meeting = meeting_for(staff, deciding, entitled=10, present=10)
    record(staff, meeting, deciding, approve=5, disapprove=3, abstain=2)  # exactly half of 10: not more
    deciding.refresh_from_db()
    assert deciding.stage == Stage.DECISION
    assert not FailedVote.objects.filter(candidate=deciding).exists()
    assert "V3" in rule_ids(deciding, "publicize")
    assert selectors.failed_candidates(meeting=meeting, thresholds=snapshot()) == [deciding]


@pytest.mark.django_db
def test_v6_concentrated_negative_opinion_blocks(staff, deciding):
    meeting = meeting_for(staff, deciding)
    record(staff, meeting, deciding, approve=7, disapprove=4)  # passes V3 (7 > 5.5) but 4/11 ≥ 1/3
    assert "V3" not in rule_ids(deciding, "publicize")
    problems = rules.four_no_approvals(deciding, ctx()).problems
    assert any("反映问题集中" in p for p in problems)


@pytest.mark.django_db
def test_v6_fewer_than_half_blocks(staff, deciding):
    forced_result(deciding, entitled=11, present=11, approve=5, disapprove=0, abstain=6, user=staff)
    assert any("不足半数" in p for p in rules.four_no_approvals(deciding, ctx()).problems)


@pytest.mark.django_db
def test_v6_open_complaint_blocks(staff, deciding):
    meeting = meeting_for(staff, deciding)
    record(staff, meeting, deciding, approve=9, disapprove=1, abstain=1)
    supervision_services.complaint_file(
        actor=staff,
        candidate_id=deciding.pk,
        received_on=date.today(),
        channel="letter",
        real_name=True,
        text="反映问题",
    )
    assert any("举报" in p for p in rules.four_no_approvals(deciding, ctx()).problems)


@pytest.mark.django_db
def test_v6_missing_procedure_step(staff, deciding, rival):
    assert selectors.missing_steps(deciding) == []
    assert selectors.missing_steps(rival) == ["deliberate", "decide"]


@pytest.mark.django_db
def test_v6_missing_procedure_step_after_send_back(staff, deciding):
    from cadre.services import candidate_send_back

    back = candidate_send_back(actor=staff, candidate_id=deciding.pk, to_stage="inspection", reason="补充考察")
    assert selectors.missing_steps(back) == ["deliberate", "decide"]
    assert any("程序不全" in p for p in rules.four_no_approvals(back, ctx()).problems)


# ---------------------------------------------------------------------------- V4, V9, M4


@pytest.mark.django_db
def test_v4_refuses_more_approvals_for_a_post_than_members(staff, deciding, rival):
    # the rival is inspected; bring it to decision too
    rival = advance(rival, staff, "deliberate", "decide")
    meeting = meeting_for(staff, deciding, rival)
    record(staff, meeting, deciding, approve=8, disapprove=2, abstain=1)
    with pytest.raises(Conflict) as exc:
        record(staff, meeting, rival, approve=6, disapprove=4, abstain=1)
    assert exc.value.rule == "V4" and "赞成票合计将达 14 票" in exc.value.message


@pytest.mark.django_db
def test_v4_rule(staff, deciding, rival):
    result = forced_result(deciding, approve=8, user=staff)
    assert not rules.one_approval_per_post(deciding, ctx()).problems
    AgendaItem.objects.create(meeting=result.meeting, candidate=rival, added_by=staff)
    VoteResult.objects.create(
        meeting=result.meeting, candidate=rival, approve=6, disapprove=4, abstain=1, entered_by=staff
    )
    assert rules.one_approval_per_post(deciding, ctx()).problems


@pytest.mark.django_db
def test_v9_result_cannot_be_recorded_twice(staff, deciding):
    meeting = meeting_for(staff, deciding)
    record(staff, meeting, deciding, approve=9, disapprove=1, abstain=1)
    with pytest.raises(Conflict) as exc:
        record(staff, meeting, deciding, approve=11)
    assert exc.value.rule == "V9"
    with pytest.raises(Conflict) as exc:
        services.brief_save(
            actor=staff,
            candidate_id=deciding.pk,
            recommendation="a",
            evaluation="b",
            traits="c",
            shortcomings="d",
            reasons="e",
        )
    assert exc.value.rule == "V9"
    request = RequestFactory().get("/")
    request.user = staff
    admin = site._registry[VoteResult]
    assert not admin.has_change_permission(request) and not admin.has_delete_permission(request)


@pytest.mark.django_db
def test_m4_agenda_closes_when_meeting_opens(staff, deciding, rival):
    rival = advance(rival, staff, "deliberate", "decide")
    meeting = meeting_for(staff, deciding)
    with pytest.raises(Conflict) as exc:
        services.agenda_add(actor=staff, meeting_id=meeting.pk, candidate_id=rival.pk)
    assert exc.value.rule == "M4"
    with pytest.raises(Conflict) as exc:
        record(staff, meeting, rival, approve=9)
    assert exc.value.rule == "M4"


@pytest.mark.django_db
def test_counts_must_fit_the_members_present(staff, deciding):
    meeting = meeting_for(staff, deciding, entitled=11, present=10)
    with pytest.raises(InvalidInput) as exc:
        record(staff, meeting, deciding, approve=8, disapprove=2, abstain=0, recused=1)
    assert "approve" in exc.value.errors
    with pytest.raises(InvalidInput):
        record(staff, meeting, deciding, approve=-1)
    assert not VoteResult.objects.exists()


@pytest.mark.django_db
def test_other_staff_cannot_write(other_staff, staff, deciding):
    from cadre.errors import NotAllowed

    meeting = meeting_for(staff, deciding, open_=False)
    with pytest.raises(NotAllowed):
        services.meeting_open(actor=other_staff, meeting_id=meeting.pk, present=11)
