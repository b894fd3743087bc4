"""The browser pages of the online secret ballots (issue 7): members' ballots, staff controls, the codes
sheet and the public code page."""

import re
import zlib
from datetime import date

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from cadre import roles
from cadre import services as cadre_services
from cadre.models import Kinship
from voting import codes_pdf, services
from voting.models import Ballot, BallotParticipation, BallotSession, MemberCadre
from voting.views import PAGE_THROTTLE_KEY

from ..conftest import advance
from ..factories import CadreFactory, UserFactory
from .ballot_helpers import deciding_pair, decision_session, item_of, members

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clean(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path  # the codes sheet is stored in default_storage
    cache.clear()  # the wrong-code counters
    yield
    cache.clear()


@pytest.fixture
def pair(staff):
    return deciding_pair(staff)


@pytest.fixture
def committee():
    return members(3)


@pytest.fixture
def session(staff, pair, committee):
    return decision_session(staff, pair, committee)


@pytest.fixture
def opened(staff, session, committee):
    return services.ballot_session_open(actor=staff, session_id=session.pk, present=[u.pk for u in committee])


def as_user(client, user):
    client.force_login(user)
    return client


def page(session):
    return reverse("voting:ballot", args=[session.pk])


def pdf_pages(content: bytes) -> int:
    """Pages of a PDF: its `/Type /Page` objects, also inside compressed object streams (no pypdf here)."""
    text = content
    for match in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", content, re.S):
        try:
            text += zlib.decompress(match.group(1))
        except zlib.error:
            pass
    return len(re.findall(rb"/Type\s*/Page(?![s\w])", text))


# ---------------------------------------------------------------------------- committee members


def test_member_sees_only_their_sessions(client, session, committee, staff):
    outsider = UserFactory(roles=[roles.COMMITTEE_MEMBER])
    html = as_user(client, committee[0]).get(reverse("voting:ballots")).content.decode()
    assert session.title in html and "未开始" in html
    assert as_user(client, outsider).get(reverse("voting:ballots")).status_code == 200
    assert session.title not in client.get(reverse("voting:ballots")).content.decode()
    assert client.get(page(session)).status_code == 404  # not entitled: as if it did not exist
    assert client.get(reverse("voting:ballot_bulletin", args=[session.pk])).status_code == 404


def test_dashboard_lists_the_members_votes(client, session, committee):
    html = as_user(client, committee[0]).get(reverse("cadre:home")).content.decode()
    assert f"投票：{session.title}" in html and page(session) in html


def test_member_reads_the_brief_through_the_session_only(client, session, committee, pair):
    member = as_user(client, committee[0])
    html = member.get(page(session)).content.decode()
    assert "任职推荐材料" in html
    brief_url = reverse("voting:ballot_brief_pdf", args=[session.pk, pair[0].pk])
    assert brief_url in html
    response = member.get(brief_url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert member.get(reverse("voting:brief_pdf", args=[pair[0].pk])).status_code == 404  # not weakened
    other = CadreFactory()
    assert member.get(reverse("voting:ballot_brief_pdf", args=[session.pk, other.pk])).status_code == 404
    outsider = UserFactory(roles=[roles.COMMITTEE_MEMBER])
    assert as_user(client, outsider).get(brief_url).status_code == 404


def test_cast_through_the_page_once(client, opened, committee, pair):
    member = as_user(client, committee[0])
    a, b = (item_of(opened, c) for c in pair)
    html = member.get(page(opened)).content.decode()
    assert 'value="approve"' in html and "同意" in html and "不同意" in html and "弃权" in html
    response = member.post(page(opened), {"action": "cast", f"item-{a}": "approve", f"item-{b}": "disapprove"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "已收到您的选票" in html
    ballot = Ballot.objects.get(session=opened)
    assert ballot.receipt in html
    assert ballot.choices == {str(a): "approve", str(b): "disapprove"}
    again = member.post(page(opened), {"action": "cast", f"item-{a}": "abstain", f"item-{b}": "abstain"})
    assert again.status_code == 409
    assert "V2 已投票" in again.content.decode()
    assert Ballot.objects.filter(session=opened).count() == 1
    assert "已收到您的选票" in member.get(page(opened)).content.decode()  # the page says so, without the receipt
    assert ballot.receipt not in member.get(page(opened)).content.decode()


def test_two_approvals_for_one_post_refused(client, opened, committee, pair):
    member = as_user(client, committee[0])
    a, b = (item_of(opened, c) for c in pair)
    html = member.get(page(opened)).content.decode()
    assert f'data-post="{pair[0].position_id}"' in html  # the browser's check (V4)
    response = member.post(page(opened), {"action": "cast", f"item-{a}": "approve", f"item-{b}": "approve"})
    assert response.status_code == 409
    assert "V4 同一职位只能赞成一名人选" in response.content.decode()
    assert not Ballot.objects.exists() and not BallotParticipation.objects.exists()


def test_missing_mark_is_shown_on_its_item(client, opened, committee, pair):
    a, _b = (item_of(opened, c) for c in pair)
    response = as_user(client, committee[0]).post(page(opened), {"action": "cast", f"item-{a}": "approve"})
    assert response.status_code == 400
    assert "请对此事项作出选择" in response.content.decode()
    assert not Ballot.objects.exists()


def test_member_not_present_cannot_vote(client, staff, session, committee, pair):
    services.ballot_session_open(actor=staff, session_id=session.pk, present=[u.pk for u in committee[:2]])
    absent = as_user(client, committee[2])
    html = absent.get(page(session)).content.decode()
    assert "未被登记为实到会成员" in html and 'name="action" value="cast"' not in html
    a, b = (item_of(session, c) for c in pair)
    response = absent.post(page(session), {"action": "cast", f"item-{a}": "approve", f"item-{b}": "abstain"})
    assert response.status_code == 409 and not Ballot.objects.exists()


def test_recused_item_shown_and_not_votable(client, admin_user, opened, committee, pair):
    own = CadreFactory()
    Kinship.objects.create(cadre=own, relative=pair[0].cadre, relation="配偶")
    services.member_cadre_set(actor=admin_user, user_id=committee[0].pk, cadre_id=own.pk)
    assert MemberCadre.objects.filter(user=committee[0]).exists()
    member = as_user(client, committee[0])
    a, b = (item_of(opened, c) for c in pair)
    html = member.get(page(opened)).content.decode()
    assert "回避" in html and f'name="item-{a}"' not in html and f'name="item-{b}"' in html
    response = member.post(page(opened), {"action": "cast", f"item-{a}": "approve", f"item-{b}": "approve"})
    assert response.status_code == 200  # the recused item is not sent
    assert Ballot.objects.get(session=opened).choices == {str(b): "approve"}


# ---------------------------------------------------------------------------- staff


def test_staff_create_open_close_and_bulletin(client, staff, pair, committee):
    meeting = services.meeting_create(
        actor=staff, selection=pair[0].selection, held_on=date.today(), title="县委常委会第 3 次会议", entitled=3
    )
    for c in pair:
        services.agenda_add(actor=staff, meeting_id=meeting.pk, candidate_id=c.pk)
    office = as_user(client, staff)
    url = reverse("voting:ballot_create", args=[pair[0].selection_id, "decision"])
    assert office.get(url).status_code == 200
    wrong = office.post(url, {"title": "票决", "meeting": meeting.pk, "entitled": [committee[0].pk]})
    assert wrong.status_code == 400 and "与会议登记的应到会人数 3 人不一致" in wrong.content.decode()
    response = office.post(url, {"title": "票决", "meeting": meeting.pk, "entitled": [u.pk for u in committee]})
    session = BallotSession.objects.get(meeting=meeting)
    assert response.status_code == 302 and response["Location"] == page(session)
    assert session.title in office.get(reverse("voting:ballots")).content.decode()

    below = office.post(page(session), {"action": "open", "present": [committee[0].pk]})
    assert below.status_code == 409 and "V1 实到会 1 人" in below.content.decode()
    assert office.post(page(session), {"action": "open", "present": [u.pk for u in committee]}).status_code == 302
    a, b = (item_of(session, c) for c in pair)
    for user, (x, y) in zip(
        committee, [("approve", "disapprove"), ("approve", "abstain"), ("disapprove", "approve")], strict=True
    ):
        services.ballot_cast(session_id=session.pk, user=user, choices={str(a): x, str(b): y})
    html = office.get(page(session)).content.decode()
    assert re.search(r'<dd id="cast-count"[^>]*hx-trigger="every 5s"[^>]*>3</dd>', html)
    assert office.get(page(session) + "?part=cast", HTTP_HX_REQUEST="true").content == b"3"
    assert as_user(client, committee[0]).get(page(session) + "?part=cast").content != b"3"  # members: the page
    office = as_user(client, staff)
    assert office.post(page(session), {"action": "close"}).status_code == 302
    session.refresh_from_db()
    html = office.get(page(session)).content.decode()
    assert "计票结果" in html and session.bulletin_root in html and "通过" in html
    assert "再次票决" not in html  # a passed post: no second vote offered
    bulletin = office.get(reverse("voting:ballot_bulletin", args=[session.pk])).content.decode()
    assert session.bulletin_root in bulletin
    assert all(r in bulletin for r in Ballot.objects.filter(session=session).values_list("receipt", flat=True))
    member_view = as_user(client, committee[0]).get(reverse("voting:ballot_bulletin", args=[session.pk]))
    assert member_view.status_code == 200


def test_second_vote_button_when_nobody_passed(client, staff, opened, committee, pair):
    a, b = (item_of(opened, c) for c in pair)
    for user in committee:
        services.ballot_cast(session_id=opened.pk, user=user, choices={str(a): "abstain", str(b): "abstain"})
    services.ballot_session_close(actor=staff, session_id=opened.pk)
    office = as_user(client, staff)
    assert "再次票决" in office.get(page(opened)).content.decode()
    response = office.post(page(opened), {"action": "second_vote"})
    second = BallotSession.objects.get(second_vote_of=opened)
    assert response.status_code == 302 and response["Location"] == page(second)


def test_staff_of_another_selection_get_404(client, other_staff, session):
    office = as_user(client, other_staff)
    assert office.get(page(session)).status_code == 404
    assert office.post(page(session), {"action": "close"}).status_code == 404
    assert office.get(reverse("voting:ballot_codes_pdf", args=[session.pk])).status_code == 404
    url = reverse("voting:ballot_create", args=[session.selection_id, "decision"])
    assert office.get(url).status_code == 404


def test_members_do_not_get_staff_controls(client, session, committee):
    html = as_user(client, committee[0]).get(page(session)).content.decode()
    assert 'value="open"' not in html
    assert as_user(client, committee[0]).post(page(session), {"action": "open"}).status_code == 400
    assert BallotSession.objects.get(pk=session.pk).status == "draft"


# ---------------------------------------------------------------------------- codes


@pytest.fixture
def recommending(staff, selection, position):
    position.quota = 2
    position.save()
    return [
        advance(
            cadre_services.candidate_create(actor=staff, selection=selection, position=position, cadre=CadreFactory()),
            staff,
            "nominate",
            "recommend",
        )
        for _ in range(3)
    ]


def test_code_session_created_on_the_page_prints_one_slip_per_code(client, staff, selection, position, recommending):
    office = as_user(client, staff)
    url = reverse("voting:ballot_create", args=[selection.pk, "recommendation"])
    response = office.post(url, {"title": "民主推荐会", "positions": [position.pk], "codes": 4})
    session = BallotSession.objects.get(kind="recommendation")
    assert response.status_code == 302
    html = office.get(page(session)).content.decode()
    pdf_url = reverse("voting:ballot_codes_pdf", args=[session.pk])
    assert pdf_url == f"/voting/ballot-sessions/{session.pk}/codes.pdf" and pdf_url in html
    pdf = office.get(pdf_url)
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    content = b"".join(pdf.streaming_content)
    assert content.startswith(b"%PDF") and pdf_pages(content) == 4
    member = UserFactory(roles=[roles.COMMITTEE_MEMBER])
    assert as_user(client, member).get(pdf_url).status_code == 404


def test_codes_pdf_slips(staff):
    session, codes = services.ballot_session_create(
        actor=staff, kind="evaluation", title="民主测评", cadre_ids=[CadreFactory().pk], codes=3
    )
    html = codes_pdf.render_to_string(
        "voting/ballot_codes_pdf.html",
        {"session": session, "slips": [{"code": c, "qr": codes_pdf.qr_data_uri(c)} for c in codes], "vote_url": "x"},
    )
    assert all(f"投票码：{c}" in html for c in codes) and html.count("data:image/svg+xml;base64,") == 3
    assert pdf_pages(codes_pdf.codes_pdf(session=session, codes=codes, vote_url="http://testserver/voting/vote/")) == 3


def test_public_code_page_recommendation(client, staff, selection, position, recommending):
    session, codes = services.ballot_session_create(
        actor=staff,
        kind="recommendation",
        title="民主推荐会",
        selection_id=selection.pk,
        position_ids=[position.pk],
        codes=3,
    )
    url = reverse("voting:ballot_vote")
    assert url == "/voting/vote/"
    assert client.get(url).status_code == 200  # no login
    early = client.post(url, {"code": codes[0]})
    assert early.status_code == 409 and "投票尚未开始" in early.content.decode()
    services.ballot_session_open(actor=staff, session_id=session.pk)
    item = session.items.get()
    x, y, z = (c.cadre for c in recommending)
    html = client.post(url, {"code": codes[0]}).content.decode()
    assert x.name in html and 'type="checkbox"' in html and f'value="{codes[0]}"' in html
    too_many = client.post(url, {"code": codes[0], "action": "cast", f"item-{item.pk}": [x.pk, y.pk, z.pk]})
    assert too_many.status_code == 400 and "最多推荐 2 人" in too_many.content.decode()
    done = client.post(url, {"code": codes[0], "action": "cast", f"item-{item.pk}": [x.pk, y.pk]})
    assert done.status_code == 200 and "已收到您的选票" in done.content.decode()
    assert Ballot.objects.get(session=session).receipt in done.content.decode()
    used = client.post(url, {"code": codes[0].lower()})
    assert used.status_code == 409 and "已投票" in used.content.decode()
    again = client.post(url, {"code": codes[0], "action": "cast", f"item-{item.pk}": [x.pk]})
    assert again.status_code == 409 and Ballot.objects.filter(session=session).count() == 1


def test_public_code_page_evaluation(client, staff):
    cadre = CadreFactory()
    session, codes = services.ballot_session_create(
        actor=staff, kind="evaluation", title="年度民主测评", cadre_ids=[cadre.pk], codes=2
    )
    services.ballot_session_open(actor=staff, session_id=session.pk)
    item = session.items.get()
    url = reverse("voting:ballot_vote")
    html = client.post(url, {"code": codes[1]}).content.decode()
    assert all(label in html for label in ("优秀", "称职", "基本称职", "不称职"))
    done = client.post(url, {"code": codes[1], "action": "cast", f"item-{item.pk}": "basically_competent"})
    assert done.status_code == 200
    assert Ballot.objects.get(session=session).choices == {str(item.pk): "basically_competent"}


def test_wrong_codes_are_rate_limited(client, staff):
    url = reverse("voting:ballot_vote")
    for _ in range(31):  # more than 30 wrong codes within the hour (API.md, 429)
        assert client.post(url, {"code": "AAAA-BBBB-CCCC-DDDD"}).status_code == 400
    response = client.post(url, {"code": "AAAA-BBBB-CCCC-DDDE"})
    assert response.status_code == 429 and int(response["Retry-After"]) > 0
    assert "错误投票码次数过多" in response.content.decode()
    assert PAGE_THROTTLE_KEY == "vote-page"


def test_staff_record_a_recusal(client, staff, session, committee, pair):
    office = as_user(client, staff)
    a = item_of(session, pair[0])
    missing = office.post(page(session), {"action": "recusal", "item": a, "user": committee[1].pk, "reason": ""})
    assert missing.status_code == 400
    done = office.post(
        page(session), {"action": "recusal", "item": a, "user": committee[1].pk, "reason": "曾为其直接上级"}
    )
    assert done.status_code == 302
    assert "曾为其直接上级" in office.get(page(session)).content.decode()
    services.ballot_session_open(actor=staff, session_id=session.pk, present=[u.pk for u in committee])
    html = as_user(client, committee[1]).get(page(session)).content.decode()
    assert f'name="item-{a}"' not in html and "回避" in html


def test_code_voter_finds_the_receipt_on_the_bulletin(client, staff):
    cadre = CadreFactory()
    session, codes = services.ballot_session_create(
        actor=staff, kind="evaluation", title="民主测评", cadre_ids=[cadre.pk], codes=1
    )
    services.ballot_session_open(actor=staff, session_id=session.pk)
    item = session.items.get()
    receipt = services.ballot_cast(session_id=session.pk, code=codes[0], choices={str(item.pk): "competent"})
    services.ballot_session_close(actor=staff, session_id=session.pk)
    url = reverse("voting:ballot_vote")
    html = client.post(url, {"code": codes[0]}).content.decode()
    assert "已投票" in html and 'value="bulletin"' in html
    bulletin = client.post(url, {"code": codes[0], "action": "bulletin"})
    assert bulletin.status_code == 200
    html = bulletin.content.decode()
    session.refresh_from_db()
    assert receipt in html and session.bulletin_root in html


def test_ballot_pages_in_english(client, session, committee, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    member = as_user(client, committee[0])
    html = member.get(reverse("voting:ballots")).content.decode()
    assert "My meetings / votes" in html and "我的会议/投票" not in html
    assert "Please read each candidate" in member.get(page(session)).content.decode()
    assert "Vote with a code" in client.get(reverse("voting:ballot_vote")).content.decode()


def test_dashboard_lists_the_staffs_votes(client, staff, session):
    html = as_user(client, staff).get(reverse("cadre:home")).content.decode()
    assert f"承办投票：{session.title}" in html and reverse("voting:ballots") in html


def test_ballot_list_query_count(client, staff, committee, pair, django_assert_max_num_queries):
    for n in range(3):
        decision_session(staff, deciding_pair(staff), committee, title=f"票决 {n}")
    office, member = Client(), Client()
    office.force_login(staff)
    member.force_login(committee[0])
    for c in (office, member):
        c.get(reverse("voting:ballots"))  # warm (sessions, caches)
        with django_assert_max_num_queries(12):
            assert c.get(reverse("voting:ballots")).status_code == 200
    assert "票决 2" in member.get(reverse("voting:ballots")).content.decode()


def test_evaluation_created_on_the_page_and_supervisor_reads_it(client, staff, supervisor, selection, candidate):
    office = as_user(client, staff)
    url = reverse("voting:ballot_create", args=[selection.pk, "evaluation"])
    assert candidate.cadre.name in office.get(url).content.decode()
    bad = office.post(url, {"title": "民主测评", "cadres": [candidate.cadre_id], "codes": 0})
    assert bad.status_code == 400 and not BallotSession.objects.exists()
    assert office.post(url, {"title": "民主测评", "cadres": [candidate.cadre_id], "codes": 2}).status_code == 302
    session = BallotSession.objects.get(kind="evaluation")
    assert session.codes.count() == 2
    assert office.post(page(session), {"action": "open"}).status_code == 302
    assert office.post(page(session), {"action": "close"}).status_code == 302
    reader = as_user(client, supervisor)
    html = reader.get(page(session)).content.decode()
    assert "计票结果" in html and 'value="close"' not in html
    assert reader.get(reverse("voting:ballot_bulletin", args=[session.pk])).status_code == 200
    assert reader.get(reverse("voting:ballot_codes_pdf", args=[session.pk])).status_code == 404
