from datetime import date

import pytest
from django.urls import reverse

from cadre.models import Stage
from voting.models import Brief, DecisionMeeting, VoteResult

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
    response = client.post(page, {**result, "abstain": "0", "recused": "0"})
    assert response.status_code == 302
    assert client.post(page, {**result, "abstain": "0", "recused": "0"}).status_code == 409
    body = client.get(page).content.decode()
    assert "不能更改" in body
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
