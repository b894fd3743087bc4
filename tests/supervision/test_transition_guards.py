"""Transitions that could undo a safeguard are refused by the rule that protects it, the same way
through the API, the candidate page and the services (cadre.services.candidate_transition → 409).

P2 guards `resume`: a suspended candidate goes back into publicity only when every complaint is
concluded and none was substantiated. V5 makes `reject` rest on a counted result that failed and
keeps `eliminate`/`withdraw` from side-stepping a failed vote. V9 keeps a passed candidate from being
rejected or eliminated, and anyone from being sent back once the committee has voted.
"""

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from cadre import rules as rules_registry
from cadre import services as cadre_services
from cadre.errors import TransitionRefused
from cadre.models import RecordEntry, RecordKind, Stage
from cadre.thresholds import snapshot
from supervision import services
from voting import services as voting_services

from ..api.conftest import API, client_for
from ..conftest import advance, paper_result

pytestmark = pytest.mark.django_db

REASON = "举报经核查已办结，恢复公示"


def transition_url(candidate, name):
    return f"{API}candidates/{candidate.pk}/transitions/{name}/"


def file_complaint(staff, candidate, *, suspend=True):
    return services.complaint_file(
        actor=staff,
        candidate_id=candidate.pk,
        received_on=timezone.localdate(),
        channel="phone",
        real_name=True,
        text="反映其有违规问题",
        suspend=suspend,
    )


def conclude(staff, complaint, *, substantiated):
    return services.complaint_conclude(
        actor=staff, complaint_id=complaint.pk, substantiated=substantiated, conclusion="经核查"
    )


def rule_ids(response) -> set[str]:
    assert response.status_code == 409, response.content
    return {v["rule"] for v in response.json()["violations"]}


def stage_of(candidate) -> str:
    candidate.refresh_from_db()
    return candidate.stage


def last_entry(candidate):
    return candidate.record.order_by("-seq").first()


# ---------------------------------------------------------------------------- resume (P2)


@pytest.fixture
def suspended(staff, publicizing):
    complaint = file_complaint(staff, publicizing)
    assert stage_of(publicizing) == Stage.SUSPENDED
    return publicizing, complaint


def test_resume_with_an_open_complaint_is_refused_p2_through_the_api(staff, suspended):
    candidate, _ = suspended
    response = client_for(staff).post(transition_url(candidate, "resume"), {"reason": REASON}, format="json")
    assert rule_ids(response) == {"P2"}
    (violation,) = response.json()["violations"]
    assert "尚未查核办结" in violation["message"] and violation["overridable"] is False
    assert stage_of(candidate) == Stage.SUSPENDED
    refused = last_entry(candidate)
    assert refused.kind == RecordKind.REFUSED and refused.payload["transition"] == "resume"


def test_resume_after_a_substantiated_complaint_is_refused_p2_through_the_api(staff, suspended):
    candidate, complaint = suspended
    conclude(staff, complaint, substantiated=True)
    response = client_for(staff).post(transition_url(candidate, "resume"), {"reason": REASON}, format="json")
    assert rule_ids(response) == {"P2"}
    assert "不能恢复公示" in response.json()["violations"][0]["message"]
    assert stage_of(candidate) == Stage.SUSPENDED


def test_resume_after_an_unsubstantiated_conclusion_through_the_api(staff, suspended):
    candidate, complaint = suspended
    conclude(staff, complaint, substantiated=False)
    check = client_for(staff).get(f"{API}candidates/{candidate.pk}/check/resume/").json()
    assert check["allowed"] is True
    response = client_for(staff).post(transition_url(candidate, "resume"), {"reason": REASON}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["stage"] == Stage.PUBLICITY


def test_one_open_complaint_among_concluded_ones_still_refuses(staff, suspended):
    candidate, first = suspended
    conclude(staff, first, substantiated=False)
    second = file_complaint(staff, candidate, suspend=False)
    response = client_for(staff).post(transition_url(candidate, "resume"), {"reason": REASON}, format="json")
    assert rule_ids(response) == {"P2"}
    assert f"第 {second.pk} 号" in response.json()["violations"][0]["message"]


@pytest.fixture
def staff_client(client, staff):
    client.force_login(staff)
    return client


def page_resume(client, candidate):
    url = reverse("cadre:candidate_move", args=[candidate.pk])
    return client.post(url, {"transition": "resume", "reason": REASON})


def test_resume_through_the_page_is_refused_the_same_way(staff, staff_client, suspended):
    candidate, complaint = suspended
    page = reverse("cadre:candidate", args=[candidate.pk])
    assert "P2" in staff_client.get(page).content.decode()  # the button says what is missing
    response = page_resume(staff_client, candidate)
    assert response.status_code == 409 and "P2" in response.content.decode()
    conclude(staff, complaint, substantiated=True)
    response = page_resume(staff_client, candidate)
    assert response.status_code == 409 and "不能恢复公示" in response.content.decode()
    assert stage_of(candidate) == Stage.SUSPENDED


def test_resume_through_the_page_after_an_unsubstantiated_conclusion(staff, staff_client, suspended):
    candidate, complaint = suspended
    conclude(staff, complaint, substantiated=False)
    assert page_resume(staff_client, candidate).status_code == 302
    assert stage_of(candidate) == Stage.PUBLICITY


def test_resume_by_the_conclusion_still_works(staff, suspended):
    """supervision.services.complaint_conclude(resume=True) calls the same transition."""
    candidate, complaint = suspended
    services.complaint_conclude(
        actor=staff, complaint_id=complaint.pk, substantiated=False, conclusion="不属实", resume=True
    )
    assert stage_of(candidate) == Stage.PUBLICITY


def test_suspend_by_hand_then_resume_needs_the_complaint_concluded(staff, publicizing):
    """Suspending needs only its written reason; resuming is what P2 guards."""
    moved = advance(publicizing, staff, "suspend", prepared=False, reason="收到纪委来函，暂缓任用")
    assert moved.stage == Stage.SUSPENDED
    complaint = file_complaint(staff, publicizing, suspend=False)
    with pytest.raises(TransitionRefused) as exc:
        advance(publicizing, staff, "resume", prepared=False, reason=REASON)
    assert {v.rule for v in exc.value.violations} == {"P2"}
    conclude(staff, complaint, substantiated=False)
    assert advance(publicizing, staff, "resume", prepared=False, reason=REASON).stage == Stage.PUBLICITY


# ---------------------------------------------------------------------------- reject, eliminate, withdraw (V5, V9)


def open_meeting(staff, candidate, present=11):
    meeting = voting_services.meeting_create(
        actor=staff, selection=candidate.selection, held_on=timezone.localdate(), title="县委常委会会议", entitled=11
    )
    voting_services.agenda_add(actor=staff, meeting_id=meeting.pk, candidate_id=candidate.pk)
    return voting_services.meeting_open(actor=staff, meeting_id=meeting.pk, present=present)


def record_result(staff, candidate, *, approve):
    return paper_result(staff, open_meeting(staff, candidate), candidate, approve=approve, disapprove=11 - approve)


def failed_vote_not_yet_answered(staff, candidate, *, approve=5):
    """A counted result that failed, with the committee's choice not recorded yet (V5: a second vote
    or 未通过): a failed vote rejects nobody by itself."""
    return record_result(staff, candidate, approve=approve)


def post(staff, candidate, name, reason="常委会研究决定"):
    return client_for(staff).post(transition_url(candidate, name), {"reason": reason}, format="json")


def test_reject_without_a_counted_result_is_refused_v5(staff, deciding):
    response = post(staff, deciding, "reject")
    assert rule_ids(response) == {"V5"}
    assert "尚未录入" in response.json()["violations"][0]["message"]
    assert stage_of(deciding) == Stage.DECISION


def test_reject_of_a_candidate_who_passed_is_refused_v9(staff, deciding):
    record_result(staff, deciding, approve=9)
    assert stage_of(deciding) == Stage.DECISION
    response = post(staff, deciding, "reject")
    assert rule_ids(response) == {"V9"}
    assert "票决通过" in response.json()["violations"][0]["message"]
    assert stage_of(deciding) == Stage.DECISION


def test_reject_after_a_failed_vote_is_allowed(staff, deciding):
    """The committee's choice 不予通过 after a failed vote is the reject transition: V5 and V9 let it."""
    record_result(staff, deciding, approve=5)
    assert stage_of(deciding) == Stage.DECISION
    assert post(staff, deciding, "reject", reason="票决未通过").status_code == 200
    assert stage_of(deciding) == Stage.REJECTED
    entry = deciding.record.filter(kind=RecordKind.TRANSITION, payload__transition="reject").get()
    ran = {r["rule"]: r["passed"] for r in entry.payload["rules"]}
    assert ran == {"V5": True, "V9": True}


def test_reject_by_hand_after_a_failed_vote_not_yet_answered(staff, deciding):
    failed_vote_not_yet_answered(staff, deciding)
    response = post(staff, deciding, "reject", reason="常委会决定不再进行第二次票决")
    assert response.status_code == 200, response.content
    assert response.json()["stage"] == Stage.REJECTED


@pytest.mark.parametrize("name", ["eliminate", "withdraw"])
def test_a_failed_vote_is_not_side_stepped_v5(staff, deciding, name):
    failed_vote_not_yet_answered(staff, deciding)
    response = post(staff, deciding, name, reason="本人申请")
    assert rule_ids(response) == {"V5"}
    assert "应由常委会决定再次票决" in response.json()["violations"][0]["message"]
    assert stage_of(deciding) == Stage.DECISION


@pytest.mark.parametrize("name", ["eliminate", "withdraw"])
def test_eliminate_and_withdraw_before_any_vote(staff, deciding, name):
    response = post(staff, deciding, name, reason="本人申请")
    assert response.status_code == 200, response.content


def test_eliminate_of_a_candidate_who_passed_is_refused_v9(staff, publicizing):
    response = post(staff, publicizing, "eliminate", reason="改为落选")
    assert rule_ids(response) == {"V9"}
    assert stage_of(publicizing) == Stage.PUBLICITY


def test_withdraw_of_a_candidate_who_passed_stays_possible(staff, publicizing):
    """撤回 (with its written reason) is how a candidate the committee passed is stopped, e.g. after a
    substantiated complaint; it does not claim the committee decided otherwise."""
    response = post(staff, publicizing, "withdraw", reason="举报属实，撤回")
    assert response.status_code == 200, response.content
    assert response.json()["stage"] == Stage.WITHDRAWN


# ---------------------------------------------------------------------------- send back (V9)


def send_back_violations(candidate):
    return rules_registry.evaluate(candidate, "send_back", thresholds=snapshot()).violations


def test_v9_refuses_send_back_once_the_committee_voted(publicizing):
    (violation,) = send_back_violations(publicizing)
    assert violation.rule == "V9" and "退回将改变常委会的决定" in violation.message


def test_v9_lets_send_back_before_the_vote(deciding):
    assert send_back_violations(deciding) == []


def test_send_back_after_the_decision_is_refused_through_the_api(staff, publicizing):
    url = f"{API}candidates/{publicizing.pk}/send-back/"
    response = client_for(staff).post(url, {"to_stage": "decision", "reason": "重新票决"}, format="json")
    assert response.status_code == 409 and rule_ids(response) == {"V9"}
    assert stage_of(publicizing) == Stage.PUBLICITY
    last = RecordEntry.objects.filter(candidate=publicizing).order_by("-seq").first()
    assert last.kind == RecordKind.REFUSED and last.payload["transition"] == "send_back"
    assert [v["rule"] for v in last.payload["violations"]] == ["V9"]


def test_send_back_after_the_decision_is_refused_on_the_page(staff, publicizing):
    client = Client()
    client.force_login(staff)
    response = client.post(
        reverse("cadre:candidate_send_back", args=[publicizing.pk]), {"to_stage": "decision", "reason": "重新票决"}
    )
    assert response.status_code == 409
    assert "V9" in response.content.decode() and "退回将改变常委会的决定" in response.content.decode()
    assert stage_of(publicizing) == Stage.PUBLICITY


def test_send_back_before_the_vote_still_works(staff, deciding):
    moved = cadre_services.candidate_send_back(
        actor=staff, candidate_id=deciding.pk, to_stage=Stage.DELIBERATION, reason="酝酿意见需补充"
    )
    assert moved.stage == Stage.DELIBERATION
