"""A meeting held on paper: blind second entry by another clerk, the confirmation step, V5's choice."""

from datetime import date

import pytest
from django.db import DatabaseError, connection, transaction

from cadre.errors import Conflict, InvalidInput, NotAllowed
from cadre.models import FailedVote, Stage
from cadre.services import candidate_check, candidate_transition
from cadre.thresholds import snapshot
from nomination.demo import second_staff
from voting import selectors, services
from voting.models import DecisionMeeting, VoteResult, VoteResultEntry

from ..conftest import advance, paper_result


def meeting_for(staff, *candidates, entitled=11, present=11, **extra):
    meeting = services.meeting_create(
        actor=staff,
        selection=candidates[0].selection,
        held_on=date.today(),
        title="县委常委会第2次会议",
        entitled=entitled,
        **extra,
    )
    for c in candidates:
        services.agenda_add(actor=staff, meeting_id=meeting.pk, candidate_id=c.pk)
    return services.meeting_open(actor=staff, meeting_id=meeting.pk, present=present)


def numbers(meeting, candidate, approve, disapprove=0, abstain=0, recused=0):
    return {
        "meeting_id": meeting.pk,
        "candidate_id": candidate.pk,
        "approve": approve,
        "disapprove": disapprove,
        "abstain": abstain,
        "recused": recused,
    }


def rule_ids(candidate, transition):
    return {v.rule for v in candidate_check(candidate=candidate, transition=transition).violations}


# ---------------------------------------------------------------------------- blind second entry


@pytest.mark.django_db
def test_first_entry_alone_counts_for_nothing(staff, deciding):
    meeting = meeting_for(staff, deciding)
    entry = services.decision_result_enter(actor=staff, **numbers(meeting, deciding, 9, 1, 1))
    assert isinstance(entry, VoteResultEntry) and not VoteResult.objects.exists()
    assert selectors.current_result(deciding) is None
    assert "V3" in rule_ids(deciding, "publicize")
    with pytest.raises(Conflict) as exc:  # a second first entry
        services.decision_result_enter(actor=staff, **numbers(meeting, deciding, 9, 1, 1))
    assert exc.value.rule == "S1"


@pytest.mark.django_db
def test_the_first_clerk_cannot_confirm(staff, deciding):
    meeting = meeting_for(staff, deciding)
    services.decision_result_enter(actor=staff, **numbers(meeting, deciding, 9, 1, 1))
    with pytest.raises(NotAllowed):
        services.decision_result_confirm(actor=staff, **numbers(meeting, deciding, 9, 1, 1))
    assert not VoteResult.objects.exists()


@pytest.mark.django_db
def test_different_numbers_confirm_nothing(staff, deciding):
    meeting = meeting_for(staff, deciding)
    services.decision_result_enter(actor=staff, **numbers(meeting, deciding, 9, 1, 1))
    clerk2 = second_staff(deciding, staff)
    with pytest.raises(Conflict) as exc:
        services.decision_result_confirm(actor=clerk2, **numbers(meeting, deciding, 9, 2, 0))
    assert exc.value.message.endswith("（不一致：不赞成票、弃权票）")  # which numbers, never the first entry's values
    assert not VoteResult.objects.exists() and VoteResultEntry.objects.count() == 1
    before = deciding.record.count()
    services.decision_result_discard(actor=staff, meeting_id=meeting.pk, candidate_id=deciding.pk)
    assert not VoteResultEntry.objects.exists() and deciding.record.count() == before


@pytest.mark.django_db
def test_same_numbers_count_and_name_both_clerks(staff, deciding):
    meeting = meeting_for(staff, deciding)
    result = paper_result(staff, meeting, deciding, 9, 1, 1)
    clerk2 = second_staff(deciding, staff)
    assert result.entered_by == staff and result.confirmed_by == clerk2
    assert not VoteResultEntry.objects.exists()
    fact = deciding.record.filter(payload__fact="decision_result").get()
    assert fact.payload["entered_by"] == staff.username and fact.payload["confirmed_by"] == clerk2.username
    assert fact.payload["passed"] is True and fact.actor == clerk2
    assert advance(deciding, staff, "publicize", prepared=False).stage == Stage.PUBLICITY


@pytest.mark.django_db
def test_v4_applies_at_confirmation(staff, deciding, rival):
    rival = advance(rival, staff, "deliberate", "decide")
    meeting = meeting_for(staff, deciding, rival)
    # Both first entries pass: nothing is confirmed yet, so no approvals are counted for the post.
    services.decision_result_enter(actor=staff, **numbers(meeting, deciding, 8, 2, 1))
    services.decision_result_enter(actor=staff, **numbers(meeting, rival, 6, 4, 1))
    clerk2 = second_staff(deciding, staff)
    services.decision_result_confirm(actor=clerk2, **numbers(meeting, deciding, 8, 2, 1))
    with pytest.raises(Conflict) as exc:
        services.decision_result_confirm(actor=clerk2, **numbers(meeting, rival, 6, 4, 1))
    assert exc.value.rule == "V4" and "14" in exc.value.message
    assert VoteResult.objects.count() == 1


@pytest.mark.django_db
def test_v9_no_confirmation_after_a_result(staff, deciding):
    meeting = meeting_for(staff, deciding)
    paper_result(staff, meeting, deciding, 9, 1, 1)
    with pytest.raises(Conflict) as exc:
        services.decision_result_enter(actor=staff, **numbers(meeting, deciding, 11))
    assert exc.value.rule == "V9"


@pytest.mark.django_db
def test_counts_over_present_are_refused_at_both_entries(staff, deciding):
    meeting = meeting_for(staff, deciding, entitled=11, present=10)
    with pytest.raises(InvalidInput) as exc:
        services.decision_result_enter(actor=staff, **numbers(meeting, deciding, 8, 2, 0, recused=1))
    assert "approve" in exc.value.errors
    # exactly those present minus the recused is accepted
    services.decision_result_enter(actor=staff, **numbers(meeting, deciding, 7, 2, 0, recused=1))
    with pytest.raises(InvalidInput):
        services.decision_result_confirm(
            actor=second_staff(deciding, staff), **numbers(meeting, deciding, 7, 2, 0, recused=11)
        )


@pytest.mark.django_db
def test_preview_writes_nothing(staff, deciding):
    meeting = meeting_for(staff, deciding, entitled=10, present=10)
    before = deciding.record.count()
    t = services.decision_result_preview(
        actor=staff,
        meeting_id=meeting.pk,
        candidate_id=deciding.pk,
        counts={"approve": 6, "disapprove": 4, "abstain": 0, "recused": 0},
    )
    assert t.passed and not VoteResultEntry.objects.exists() and deciding.record.count() == before
    t = services.decision_result_preview(
        actor=staff,
        meeting_id=meeting.pk,
        candidate_id=deciding.pk,
        counts={"approve": 5, "disapprove": 5, "abstain": 0, "recused": 0},
    )
    assert not t.passed  # exactly half of the entitled is not more than half (V3)


@pytest.mark.django_db
def test_a_meeting_voted_online_takes_no_paper_result(staff, deciding, settings):
    from voting.models import BallotSession

    meeting = meeting_for(staff, deciding)
    BallotSession.objects.create(kind="decision", title="网上票决", meeting=meeting, created_by=staff)
    with pytest.raises(Conflict) as exc:
        services.decision_result_enter(actor=staff, **numbers(meeting, deciding, 9, 1, 1))
    assert "网上" in exc.value.message


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "postgresql", reason="the V9 trigger is PostgreSQL's")
def test_a_result_cannot_be_changed_in_the_database(staff, deciding):
    meeting = meeting_for(staff, deciding)
    result = paper_result(staff, meeting, deciding, 9, 1, 1)
    for sql in ("UPDATE voting_voteresult SET approve = 11", "DELETE FROM voting_voteresult"):
        with pytest.raises(DatabaseError, match="V9"), transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(sql)
    result.refresh_from_db()
    assert result.approve == 9


# ---------------------------------------------------------------------------- V5: the committee's choice


@pytest.mark.django_db
def test_second_vote_after_a_failed_first(staff, deciding):
    meeting = meeting_for(staff, deciding, entitled=10, present=10)
    paper_result(staff, meeting, deciding, 5, 3, 2)  # exactly half: fails
    second = services.meeting_second_vote(actor=staff, meeting_id=meeting.pk)
    assert second.second_vote_of == meeting
    assert list(second.agenda.values_list("candidate_id", flat=True)) == [deciding.pk]
    assert FailedVote.objects.filter(candidate=deciding).count() == 1
    assert deciding.record.filter(payload__fact="second_vote").count() == 1
    with pytest.raises(Conflict) as exc:
        services.meeting_second_vote(actor=staff, meeting_id=meeting.pk)
    assert exc.value.rule == "S1"
    second = services.meeting_open(actor=staff, meeting_id=second.pk, present=10)
    paper_result(staff, second, deciding, 6, 3, 1)  # V9 does not count the re-voted meeting's result
    deciding.refresh_from_db()
    assert selectors.current_result(deciding).meeting == second
    assert advance(deciding, staff, "publicize", prepared=False).stage == Stage.PUBLICITY


@pytest.mark.django_db
def test_failing_twice_is_rejected_and_counted_twice(staff, deciding):
    meeting = meeting_for(staff, deciding, entitled=10, present=10)
    paper_result(staff, meeting, deciding, 4, 4, 2)
    second = services.meeting_open(
        actor=staff, meeting_id=services.meeting_second_vote(actor=staff, meeting_id=meeting.pk).pk, present=10
    )
    paper_result(staff, second, deciding, 5, 4, 1)
    with pytest.raises(Conflict) as exc:  # no third vote
        services.meeting_second_vote(actor=staff, meeting_id=second.pk)
    assert exc.value.rule == "V5"
    rejected = candidate_transition(actor=staff, candidate_id=deciding.pk, transition="reject", reason="票决未通过")
    assert rejected.stage == Stage.REJECTED
    assert FailedVote.objects.filter(candidate=deciding).count() == 2  # N4 reads these


@pytest.mark.django_db
def test_not_passed_after_the_first_failure(staff, deciding):
    meeting = meeting_for(staff, deciding, entitled=10, present=10)
    paper_result(staff, meeting, deciding, 5, 3, 2)
    rejected = candidate_transition(
        actor=staff, candidate_id=deciding.pk, transition="reject", reason="票决未通过，会议决定不予通过"
    )
    assert rejected.stage == Stage.REJECTED and FailedVote.objects.filter(candidate=deciding).count() == 1


@pytest.mark.django_db
def test_no_second_vote_when_someone_passed(staff, deciding, rival):
    rival = advance(rival, staff, "deliberate", "decide")
    meeting = meeting_for(staff, deciding, rival, entitled=10, present=10)
    paper_result(staff, meeting, deciding, 6, 4, 0)
    with pytest.raises(Conflict) as exc:  # the post is not decided until every result of it is in
        services.meeting_second_vote(actor=staff, meeting_id=meeting.pk)
    assert exc.value.rule == "V5"
    paper_result(staff, meeting, rival, 4, 6, 0)
    assert selectors.failed_candidates(meeting=meeting, thresholds=snapshot()) == []
    with pytest.raises(Conflict) as exc:
        services.meeting_second_vote(actor=staff, meeting_id=meeting.pk)
    assert exc.value.rule == "V5" and not DecisionMeeting.objects.filter(second_vote_of=meeting).exists()


@pytest.mark.django_db
def test_a_tie_for_a_post_is_re_voted_for_both(staff, deciding, rival):
    rival = advance(rival, staff, "deliberate", "decide")
    meeting = meeting_for(staff, deciding, rival, entitled=10, present=10)
    paper_result(staff, meeting, deciding, 5, 5, 0)
    paper_result(staff, meeting, rival, 5, 5, 0)
    second = services.meeting_second_vote(actor=staff, meeting_id=meeting.pk)
    assert set(second.agenda.values_list("candidate_id", flat=True)) == {deciding.pk, rival.pk}


@pytest.mark.django_db
def test_the_approval_form_is_frozen_when_the_result_counts(staff, deciding):
    """#9: the 任免审批表 as it stood at the vote is kept and its SHA-256 is in the record; a later edit of the
    cadre changes today's form, not the kept one."""
    import hashlib

    from cadre import approval_form, lrmx
    from cadre import services as cadre_services
    from voting.models import FrozenApprovalForm

    meeting = meeting_for(staff, deciding)
    paper_result(staff, meeting, deciding, 9, 1, 1)
    kept = FrozenApprovalForm.objects.get(candidate=deciding, meeting=meeting)
    fact = deciding.record.filter(payload__fact="decision_result").get()
    assert fact.payload["approval_form_sha256"] == kept.sha256 == hashlib.sha256(bytes(kept.data)).hexdigest()
    assert lrmx.load(bytes(kept.data)).name == deciding.cadre.name
    cadre_services.cadre_update(actor=staff, cadre=deciding.cadre, specialty="后来补充的专长")
    now, sha_now = approval_form.frozen_lrmx(deciding)
    assert sha_now != kept.sha256 and "后来补充的专长".encode() not in bytes(kept.data)
