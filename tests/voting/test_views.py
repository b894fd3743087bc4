import re
from datetime import date

import pytest
from django.urls import reverse

from cadre.models import Stage
from nomination.demo import second_staff
from voting.models import Brief, DecisionMeeting, VoteResult, VoteResultEntry

from ..conftest import prepare

BRIEF = {
    "recommendation": "民主推荐得票第一。",
    "evaluation": "政治坚定，实绩突出。",
    "traits": "善于统筹。",
    "shortcomings": "创新不足。",
    "reasons": "人岗相适。",
}


@pytest.mark.django_db
def test_decision_page_get_and_brief_post(client, staff, deliberating):
    client.force_login(staff)
    url = reverse("voting:decision", args=[deliberating.pk])
    assert url == f"/voting/candidates/{deliberating.pk}/decision/"
    response = client.get(url)
    assert response.status_code == 200
    assert "V7" in response.content.decode()
    response = client.post(url, {**BRIEF, "traits": ""})
    assert response.status_code == 400
    assert not Brief.objects.exists()
    response = client.post(url, BRIEF)
    assert response.status_code == 302
    assert Brief.objects.get(candidate=deliberating).traits == "善于统筹。"


@pytest.mark.django_db
def test_decision_page_404_for_other_staff(client, other_staff, deliberating):
    client.force_login(other_staff)
    assert client.get(reverse("voting:decision", args=[deliberating.pk])).status_code == 404
    assert client.get(reverse("voting:brief_pdf", args=[deliberating.pk])).status_code == 404
    assert client.get(reverse("voting:meetings", args=[deliberating.selection_id])).status_code == 404


@pytest.mark.django_db
def test_supervisor_reads_but_cannot_write(client, supervisor, deliberating):
    client.force_login(supervisor)
    url = reverse("voting:decision", args=[deliberating.pk])
    assert client.get(url).status_code == 200
    assert client.post(url, BRIEF).status_code == 403
    assert not Brief.objects.exists()


@pytest.mark.django_db
def test_brief_pdf(client, staff, deliberating):
    client.force_login(staff)
    assert client.get(reverse("voting:brief_pdf", args=[deliberating.pk])).status_code == 404
    prepare(deliberating, staff, "decide")
    response = client.get(reverse("voting:brief_pdf", args=[deliberating.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")


@pytest.mark.django_db
def test_meeting_pages_walk(client, staff, deciding):
    client.force_login(staff)
    url = reverse("voting:meetings", args=[deciding.selection_id])
    assert client.get(url).status_code == 200
    bad = client.post(url, {"title": "", "held_on": "2026-13-01", "entitled": "-1"})
    assert bad.status_code == 400 and not DecisionMeeting.objects.exists()
    response = client.post(url, {"title": "县委常委会第3次会议", "held_on": date.today().isoformat(), "entitled": "11"})
    meeting = DecisionMeeting.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("voting:meeting", args=[meeting.pk])
    page = reverse("voting:meeting", args=[meeting.pk])
    assert client.get(page).status_code == 200
    no_agenda = client.post(page, {"action": "open", "present": "11"})
    assert no_agenda.status_code == 409 and "会议还没有议题" in no_agenda.content.decode()  # M4: no agenda yet
    assert client.post(page, {"action": "agenda", "candidate": str(deciding.pk)}).status_code == 302
    assert client.post(page, {"action": "open", "present": "12"}).status_code == 400  # more than entitled
    assert client.post(page, {"action": "open", "present": "10"}).status_code == 302
    result = {"action": "result", "candidate": str(deciding.pk), "approve": "9", "disapprove": "1", "abstain": "1"}
    assert client.post(page, {**result, "recused": "0"}).status_code == 400  # 11 ballots, 10 present
    assert not VoteResult.objects.exists()
    good = {**result, "abstain": "0", "recused": "0"}
    # the confirmation step: the computed outcome, nothing saved yet
    preview = client.post(page, good)
    assert preview.status_code == 200 and not VoteResultEntry.objects.exists()
    assert "确认录入" in preview.content.decode() and "通过" in preview.content.decode()
    assert client.post(page, {**good, "save": "1"}).status_code == 302
    assert VoteResultEntry.objects.count() == 1 and not VoteResult.objects.exists()
    assert client.post(page, {**good, "save": "1"}).status_code == 409  # entered once, waiting (S1)
    mine = client.get(page).content.decode()
    assert "撤销第一次录入" in mine and 'value="confirm"' not in mine  # the first clerk cannot confirm
    # the second clerk: a blind form (no numbers of the first entry on the page)
    clerk2 = second_staff(deciding, staff)
    client.force_login(clerk2)
    blind = client.get(page).content.decode()
    assert 'value="confirm"' in blind
    assert re.search(r'<input[^>]*name="(approve|disapprove|abstain)"[^>]*value=', blind) is None
    confirm = {**good, "action": "confirm", "save": "1"}
    mismatch = client.post(page, {**confirm, "approve": "8"})
    assert mismatch.status_code == 409 and "两次录入不一致" in mismatch.content.decode()
    assert not VoteResult.objects.exists()
    assert client.post(page, confirm).status_code == 302
    result_row = VoteResult.objects.get()
    assert (result_row.entered_by, result_row.confirmed_by, result_row.approve) == (staff, clerk2, 9)
    body = client.get(page).content.decode()
    assert "不能更改" in body and "核对一致" in body
    deciding.refresh_from_db()
    assert deciding.stage == Stage.DECISION
    assert client.get(reverse("voting:decision", args=[deciding.pk])).status_code == 200


@pytest.mark.django_db
def test_meeting_404_for_other_staff(client, staff, other_staff, deciding):
    from voting import services

    meeting = services.meeting_create(
        actor=staff, selection=deciding.selection, held_on=date.today(), title="会议", entitled=9
    )
    client.force_login(other_staff)
    assert client.get(reverse("voting:meeting", args=[meeting.pk])).status_code == 404
    assert client.post(reverse("voting:meeting", args=[meeting.pk]), {"action": "open"}).status_code == 404


@pytest.mark.django_db
def test_anonymous_is_sent_to_login(client, deliberating):
    response = client.get(reverse("voting:decision", args=[deliberating.pk]))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.django_db
def test_meeting_page_second_vote_and_not_passed(client, staff, deciding):
    """V5 on the page: after a failed vote staff record the committee's choice."""
    from voting import services

    from ..conftest import paper_result

    meeting = services.meeting_create(
        actor=staff, selection=deciding.selection, held_on=date.today(), title="常委会", entitled=10
    )
    services.agenda_add(actor=staff, meeting_id=meeting.pk, candidate_id=deciding.pk)
    meeting = services.meeting_open(actor=staff, meeting_id=meeting.pk, present=10)
    paper_result(staff, meeting, deciding, 5, 5, 0)
    client.force_login(staff)
    page = reverse("voting:meeting", args=[meeting.pk])
    body = client.get(page).content.decode()
    assert "会议决定再次票决" in body and "按票决未通过处理" in body
    response = client.post(page, {"action": "second_vote"})
    second = DecisionMeeting.objects.get(second_vote_of=meeting)
    assert response.status_code == 302 and response["Location"] == reverse("voting:meeting", args=[second.pk])
    assert "再次票决" in client.get(response["Location"]).content.decode()
    response = client.post(page, {"action": "not_passed", "candidate": str(deciding.pk)})
    assert response.status_code == 302
    deciding.refresh_from_db()
    assert deciding.stage == Stage.REJECTED
