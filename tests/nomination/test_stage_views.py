"""The motion, nomination and recommendation pages: GET, POST, bad input, permissions."""

import pytest
from django.urls import reverse
from django.utils import timezone

from cadre import roles
from cadre import services as cadre_services
from nomination.models import InspectionDecision, MotionAgenda, Nomination, RecommendationMeeting

from ..conftest import advance, recommend
from ..factories import CadreFactory, UserFactory

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate().isoformat()


@pytest.fixture
def second(staff, selection, other_staff):
    cadre_services.selection_assign(actor=staff, selection=selection, user=other_staff)
    return other_staff


def urls(candidate):
    return {
        "nomination": reverse("nomination:nomination", args=[candidate.pk]),
        "recommendation": reverse("nomination:recommendation", args=[candidate.pk]),
        "motion": reverse("nomination:motion", args=[candidate.selection_id]),
        "entry": reverse("nomination:recommendation_entry", args=[candidate.selection_id]),
    }


def test_url_paths(candidate):
    assert urls(candidate) == {
        "nomination": f"/nomination/candidates/{candidate.pk}/nomination/",
        "recommendation": f"/nomination/candidates/{candidate.pk}/recommendation/",
        "motion": f"/nomination/selections/{candidate.selection_id}/motion/",
        "entry": f"/nomination/selections/{candidate.selection_id}/recommendation/",
    }


@pytest.mark.parametrize("page", ["nomination", "recommendation", "motion", "entry"])
def test_pages_render_for_assigned_staff_and_supervisor(client, staff, supervisor, candidate, page):
    for user in (staff, supervisor):
        client.force_login(user)
        response = client.get(urls(candidate)[page])
        assert response.status_code == 200
        assert 'name="viewport"' in response.content.decode()
        assert ('<form method="post"' in response.content.decode()) == (user == staff and page != "recommendation")


@pytest.mark.parametrize("page", ["nomination", "recommendation", "motion", "entry"])
def test_unassigned_staff_gets_404_and_anonymous_is_sent_to_login(client, candidate, page):
    response = client.get(urls(candidate)[page])
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    client.force_login(UserFactory(roles=[roles.ORG_STAFF]))
    assert client.get(urls(candidate)[page]).status_code == 404


@pytest.mark.parametrize("page", ["nomination", "motion", "entry"])
def test_read_only_users_cannot_post(client, supervisor, admin_user, candidate, page):
    for user in (supervisor, admin_user):
        client.force_login(user)
        assert client.post(urls(candidate)[page], {"action": "enter"}).status_code == 403
    assert not MotionAgenda.objects.exists() and not Nomination.objects.exists()


def test_recommendation_page_is_read_only(client, staff, candidate):
    client.force_login(staff)
    assert client.post(urls(candidate)["recommendation"]).status_code == 405


# ---------------------------------------------------------------------------- motion


def test_motion_post_records_agenda(client, staff, candidate):
    client.force_login(staff)
    response = client.post(
        urls(candidate)["motion"], {"meeting_name": "县委常委会", "meeting_date": TODAY, "item": "研究副局长动议"}
    )
    assert response.status_code == 302
    assert MotionAgenda.objects.get().recorded_by == staff
    assert "研究副局长动议" in client.get(urls(candidate)["motion"]).content.decode()


def test_motion_bad_input_keeps_what_was_typed(client, staff, candidate):
    client.force_login(staff)
    response = client.post(urls(candidate)["motion"], {"meeting_name": "县委常委会", "meeting_date": "", "item": ""})
    assert response.status_code == 400
    assert 'value="县委常委会"' in response.content.decode()
    assert not MotionAgenda.objects.exists()


# ---------------------------------------------------------------------------- nomination


def test_nomination_post_records(client, staff, candidate):
    client.force_login(staff)
    response = client.post(urls(candidate)["nomination"], {"source": "org_dept", "nominator": "县委组织部"})
    assert response.status_code == 302
    assert Nomination.objects.get().candidate == candidate
    page = client.get(urls(candidate)["nomination"]).content.decode()
    assert "组织部门" in page and "县委组织部" in page


def test_leader_nomination_without_signature_refused_and_form_kept(client, staff, candidate):
    client.force_login(staff)
    response = client.post(
        urls(candidate)["nomination"], {"source": "leader", "nominator": "王副书记", "reasons": "群众基础好"}
    )
    body = response.content.decode()
    assert response.status_code == 400
    assert 'value="王副书记"' in body and "群众基础好" in body and "请填写签名人" in body
    assert not Nomination.objects.exists()


def test_nomination_page_shows_n1_and_n2(client, staff, candidate):
    advance(candidate, staff, "nominate")
    client.force_login(staff)
    body = client.get(urls(candidate)["nomination"]).content.decode()
    assert "N1" in body and "没有初始提名记录" in body


# ---------------------------------------------------------------------------- recommendation entry


@pytest.fixture
def rival(staff, selection, position):
    return cadre_services.candidate_create(actor=staff, selection=selection, position=position, cadre=CadreFactory())


def entry_data(candidate, rival, **overrides):
    data = {
        "action": "enter",
        "unit": candidate.cadre.unit_id,
        "kind": "meeting",
        "held_on": TODAY,
        "entitled": "40",
        "present": "36",
        f"votes_{candidate.cadre_id}": "30",
        f"votes_{rival.cadre_id}": "12",
    }
    data.update(overrides)
    return data


def confirm_data(meeting, candidate, rival, *, present="36", rival_votes="12"):
    p = f"m{meeting.pk}-"
    return {
        "action": "confirm",
        "meeting": meeting.pk,
        f"{p}entitled": "40",
        f"{p}present": present,
        f"{p}votes_{candidate.cadre_id}": "30",
        f"{p}votes_{rival.cadre_id}": rival_votes,
    }


def test_double_entry_through_the_pages(client, staff, second, candidate, rival):
    url = urls(candidate)["entry"]
    client.force_login(staff)
    assert client.post(url, entry_data(candidate, rival)).status_code == 302
    meeting = RecommendationMeeting.objects.get()
    assert not meeting.confirmed
    # The person who entered it gets no confirmation form for it, and cannot confirm by posting.
    assert 'name="action" value="confirm"' not in client.get(url).content.decode()
    response = client.post(url, confirm_data(meeting, candidate, rival))
    assert response.status_code == 400
    meeting.refresh_from_db()
    assert not meeting.confirmed

    client.force_login(second)
    page = client.get(url).content.decode()
    assert 'name="action" value="confirm"' in page
    assert "30 票" not in page  # blind: the first entry's numbers are not shown to the second person
    response = client.post(url, confirm_data(meeting, candidate, rival, present="35", rival_votes="21"))
    body = response.content.decode()
    assert response.status_code == 409  # refused by the procedure (R1), the fields that differ marked
    assert "两次录入不一致" in body and "得票数与第一次录入不一致" in body and 'value="21"' in body
    meeting.refresh_from_db()
    assert not meeting.confirmed

    assert client.post(url, confirm_data(meeting, candidate, rival)).status_code == 302
    meeting.refresh_from_db()
    assert meeting.confirmed_by == second and meeting.entered_by == staff
    body = client.get(url).content.decode()
    assert "已确认" in body and "83.3%" in body and "过半" in body


def test_entry_bad_input_keeps_what_was_typed(client, staff, candidate, rival):
    client.force_login(staff)
    response = client.post(urls(candidate)["entry"], entry_data(candidate, rival, present="41"))
    body = response.content.decode()
    assert response.status_code == 400
    assert "不能多于应参加人数" in body and 'value="41"' in body
    assert not RecommendationMeeting.objects.exists()


def test_entry_negative_votes_refused(client, staff, candidate, rival):
    client.force_login(staff)
    data = entry_data(candidate, rival, **{f"votes_{rival.cadre_id}": "-3"})
    assert client.post(urls(candidate)["entry"], data).status_code == 400
    assert not RecommendationMeeting.objects.exists()


def test_discard_unconfirmed_entry(client, staff, candidate, rival):
    client.force_login(staff)
    client.post(urls(candidate)["entry"], entry_data(candidate, rival))
    meeting = RecommendationMeeting.objects.get()
    response = client.post(urls(candidate)["entry"], {"action": "discard", "meeting": meeting.pk})
    assert response.status_code == 302
    assert not RecommendationMeeting.objects.exists()


def test_ministers_decision_through_the_page(client, staff, candidate, rival):
    advance(candidate, staff, "nominate", "recommend")
    client.force_login(staff)
    url = urls(candidate)["entry"]
    response = client.post(
        url, {"action": "decide", "meeting_date": TODAY, "reasons": "", "candidates": [candidate.pk]}
    )
    assert response.status_code == 400 and not InspectionDecision.objects.exists()
    response = client.post(
        url, {"action": "decide", "meeting_date": TODAY, "reasons": "综合考虑", "candidates": [candidate.pk]}
    )
    assert response.status_code == 302
    assert list(InspectionDecision.objects.get().candidates.all()) == [candidate]


def test_candidate_recommendation_page_shows_rank_share_and_marks(client, staff, candidate):
    recommend(candidate, votes=12, present=36)
    client.force_login(staff)
    body = client.get(urls(candidate)["recommendation"]).content.decode()
    assert "33.3%" in body and "未过半" in body and "有效" in body and "本单位" in body


def test_entry_page_query_count_is_constant(client, staff, candidate, rival, django_assert_max_num_queries):
    for _ in range(3):
        recommend(candidate)
    client.force_login(staff)
    # The next-step box (issue #11) runs the forward rules of one candidate: a fixed cost, measured
    # here and added to the page's own 20 queries at most.
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from cadre import next_step

    with CaptureQueriesContext(connection) as box:
        next_step.for_selection(user=staff, selection=candidate.selection)
    with django_assert_max_num_queries(20 + len(box.captured_queries)):
        assert client.get(urls(candidate)["entry"]).status_code == 200
