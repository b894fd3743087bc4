"""The JSON API of the online ballots (API.md, Ballots): shapes, statuses, Chinese errors, the 429."""

from datetime import date

import pytest
from django.core.cache import cache

from cadre import roles
from cadre.models import Kinship
from voting import services
from voting.models import Ballot, BallotParticipation, MemberCadre

from ..api.conftest import API, client_for
from ..factories import CadreFactory, UserFactory
from .ballot_helpers import deciding_pair, members

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def committee():
    return members(6)


@pytest.fixture
def decision(staff, committee):
    a, b = deciding_pair(staff)
    meeting = services.meeting_create(
        actor=staff, selection=a.selection, held_on=date.today(), title="县委常委会第3次会议", entitled=6
    )
    for c in (a, b):
        services.agenda_add(actor=staff, meeting_id=meeting.pk, candidate_id=c.pk)
    response = client_for(staff).post(
        API + "ballot-sessions/",
        {"kind": "decision", "title": "票决", "meeting": meeting.pk, "entitled": [u.pk for u in committee]},
        format="json",
    )
    assert response.status_code == 201, response.json()
    return response.json(), a, b


def url(session, action=""):
    return f"{API}ballot-sessions/{session['id']}/" + (f"{action}/" if action else "")


def test_decision_by_api(staff, committee, decision, supervisor):
    session, a, b = decision
    assert session["status"] == "draft" and session["body"] == "standing"
    assert sorted(session["entitled"]) == sorted(u.pk for u in committee)
    assert [i["candidate"] for i in session["items"]] == [a.pk, b.pk]
    ia, ib = (str(i["id"]) for i in session["items"])
    staff_client = client_for(staff)

    listed = client_for(committee[0]).get(API + "ballot-sessions/").json()
    assert set(listed) == {"count", "next", "previous", "results"} and listed["count"] == 1
    outsider = UserFactory(roles=[roles.COMMITTEE_MEMBER])
    assert client_for(outsider).get(url(session)).status_code == 404
    assert client_for(outsider).get(API + "ballot-sessions/").json()["count"] == 0

    below = staff_client.post(url(session, "open"), {"present": [u.pk for u in committee[:3]]}, format="json")
    assert below.status_code == 409 and below.json()["violations"][0]["rule"] == "V1"
    opened = staff_client.post(url(session, "open"), {"present": [u.pk for u in committee[:5]]}, format="json")
    assert opened.status_code == 200 and opened.json()["status"] == "open" and len(opened.json()["present"]) == 5

    member = client_for(committee[0])
    ballot = member.get(url(session, "ballot")).json()
    assert [i["recused"] for i in ballot["items"]] == [False, False] and ballot["voted"] is False
    two = member.post(url(session, "cast"), {"choices": {ia: "approve", ib: "approve"}}, format="json")
    assert two.status_code == 409 and two.json()["violations"][0]["rule"] == "V4"
    unknown = member.post(url(session, "cast"), {"choices": {"424242": "approve"}}, format="json")
    assert unknown.status_code == 400 and "errors" in unknown.json()
    cast = member.post(url(session, "cast"), {"choices": {ia: "approve", ib: "disapprove"}}, format="json")
    assert cast.status_code == 201 and set(cast.json()) == {"receipt"}
    again = member.post(url(session, "cast"), {"choices": {ia: "approve", ib: "disapprove"}}, format="json")
    assert again.status_code == 409
    assert again.json()["violations"][0]["rule"] == "V2" and "已投票" in again.json()["violations"][0]["message"]
    absent = client_for(committee[5]).post(url(session, "cast"), {"choices": {ia: "approve"}}, format="json")
    assert absent.status_code == 409 and absent.json()["violations"][0]["rule"] == "V1"
    for voter in committee[1:4]:
        client_for(voter).post(url(session, "cast"), {"choices": {ia: "approve", ib: "abstain"}}, format="json")

    assert staff_client.get(url(session)).json()["cast"] == 4
    early = staff_client.get(url(session, "tally"))
    assert early.status_code == 409 and early.json()["violations"][0]["rule"] == "V2"
    assert staff_client.get(url(session, "bulletin")).status_code == 409
    closed = staff_client.post(url(session, "close"))
    assert closed.status_code == 200
    tally = closed.json()
    assert tally["ballots"] == 4
    row = next(r for r in tally["items"] if str(r["item"]) == ia)
    assert (row["approve"], row["disapprove"], row["abstain"], row["passed"]) == (4, 0, 0, True)  # 4 > 6/2
    assert staff_client.get(url(session, "tally")).json() == tally

    bulletin = member.get(url(session, "bulletin")).json()
    assert cast.json()["receipt"] in [e["receipt"] for e in bulletin["entries"]]
    assert len(bulletin["root"]) == 64 and staff_client.get(url(session)).json()["bulletin_root"] == bulletin["root"]
    assert client_for(supervisor).get(url(session, "bulletin")).json()["root"] == bulletin["root"]
    assert client_for(committee[5]).get(url(session, "bulletin")).status_code == 403  # not a voter
    assert client_for().get(url(session, "bulletin")).status_code in (401, 403)  # not signed in
    late = member.post(url(session, "cast"), {"choices": {ia: "approve", ib: "abstain"}}, format="json")
    assert late.status_code == 409 and late.json()["violations"][0]["rule"] == "V9"
    assert client_for(supervisor).post(url(session, "close")).status_code == 403


@pytest.fixture
def evaluation(staff):
    response = client_for(staff).post(
        API + "ballot-sessions/",
        {"kind": "evaluation", "title": "民主测评", "cadres": [CadreFactory().pk, CadreFactory().pk], "codes": 3},
        format="json",
    )
    assert response.status_code == 201, response.json()
    session = response.json()
    assert len(session["codes"]) == 3 and session["codes_issued"] == 3
    assert client_for(staff).post(url(session, "open"), {}, format="json").status_code == 200
    return session


def test_code_voter_is_anonymous(staff, evaluation):
    session = evaluation
    anonymous = client_for()
    code = session["codes"][0]
    ballot = anonymous.get(url(session, "ballot"), {"code": code})
    assert ballot.status_code == 200 and len(ballot.json()["items"]) == 2
    choices = {str(i["id"]): "competent" for i in session["items"]}
    cast = anonymous.post(url(session, "cast"), {"code": code, "choices": choices}, format="json")
    assert cast.status_code == 201
    used = anonymous.post(url(session, "cast"), {"code": code, "choices": choices}, format="json")
    assert used.status_code == 409 and "已投票" in used.json()["violations"][0]["message"]
    wrong = anonymous.post(url(session, "cast"), {"code": "ABCD-EFGH-JKLM-NPQR", "choices": choices}, format="json")
    assert wrong.status_code == 400 and wrong.json() == {"errors": {"code": ["投票码无效，请核对后重新输入"]}}
    assert anonymous.post(url(session, "cast"), {"choices": choices}, format="json").status_code in (401, 403)
    assert anonymous.get(url(session, "ballot")).status_code in (401, 403)
    assert Ballot.objects.filter(session_id=session["id"]).count() == 1
    client_for(staff).post(url(session, "close"))
    bulletin = anonymous.get(url(session, "bulletin"), {"code": code})
    assert bulletin.status_code == 200 and cast.json()["receipt"] in [e["receipt"] for e in bulletin.json()["entries"]]


def test_wrong_codes_are_rate_limited(staff, evaluation):
    session = evaluation
    choices = {str(i["id"]): "competent" for i in session["items"]}
    anonymous = client_for()
    for n in range(31):
        response = anonymous.post(url(session, "cast"), {"code": f"WRONG{n:011d}", "choices": choices}, format="json")
        assert response.status_code == 400, n
    # a code already used is not a wrong code: it never counts
    blocked = anonymous.post(url(session, "cast"), {"code": session["codes"][0], "choices": choices}, format="json")
    assert blocked.status_code == 429
    assert 3500 <= int(blocked["Retry-After"]) <= 3600 and "次数过多" in blocked.json()["detail"]
    assert anonymous.get(url(session, "ballot"), {"code": session["codes"][0]}).status_code == 429
    elsewhere = client_for().post(
        url(session, "cast"), {"code": session["codes"][0], "choices": choices}, format="json", REMOTE_ADDR="10.0.0.9"
    )
    assert elsewhere.status_code == 201
    assert BallotParticipation.objects.filter(session_id=session["id"]).count() == 1


def test_used_codes_do_not_count_as_wrong(staff, evaluation):
    session = evaluation
    choices = {str(i["id"]): "competent" for i in session["items"]}
    anonymous = client_for()
    assert (
        anonymous.post(
            url(session, "cast"), {"code": session["codes"][0], "choices": choices}, format="json"
        ).status_code
        == 201
    )
    for _ in range(40):
        response = anonymous.post(
            url(session, "cast"), {"code": session["codes"][0], "choices": choices}, format="json"
        )
        assert response.status_code == 409
    assert (
        anonymous.post(
            url(session, "cast"), {"code": session["codes"][1], "choices": choices}, format="json"
        ).status_code
        == 201
    )


def test_user_cadre_and_kinships(staff, admin_user, committee, supervisor):
    own, relative = CadreFactory(), CadreFactory()
    body = {"cadre": own.pk}
    assert client_for(staff).patch(f"{API}users/{committee[0].pk}/", body, format="json").status_code == 403
    response = client_for(admin_user).patch(f"{API}users/{committee[0].pk}/", body, format="json")
    assert response.status_code == 200 and response.json() == {"id": committee[0].pk, "cadre": own.pk}
    assert MemberCadre.objects.get(user=committee[0]).cadre == own
    created = client_for(staff).post(
        f"{API}cadres/{own.pk}/kinships/", {"relative": relative.pk, "relation": "配偶"}, format="json"
    )
    assert created.status_code == 201 and created.json()["relative"] == relative.pk
    other_side = client_for(staff).get(f"{API}cadres/{relative.pk}/kinships/").json()
    assert other_side["count"] == 1 and other_side["results"][0]["relation"] == "配偶"
    assert (
        client_for(supervisor)
        .post(f"{API}cadres/{own.pk}/kinships/", {"relative": relative.pk, "relation": "子女"}, format="json")
        .status_code
        == 403
    )
    assert client_for(committee[1]).get(f"{API}cadres/{own.pk}/kinships/").status_code == 404
    assert Kinship.objects.count() == 1


def test_second_vote_by_api(staff, committee, decision):
    session, a, b = decision
    ia, ib = (str(i["id"]) for i in session["items"])
    staff_client = client_for(staff)
    staff_client.post(url(session, "open"), {"present": [u.pk for u in committee]}, format="json")
    for i, voter in enumerate(committee):
        choice = {ia: "approve", ib: "abstain"} if i % 2 else {ia: "abstain", ib: "approve"}
        assert client_for(voter).post(url(session, "cast"), {"choices": choice}, format="json").status_code == 201
    tally = staff_client.post(url(session, "close")).json()
    assert [r["passed"] for r in tally["items"]] == [False, False]  # 3 : 3, not more than half of 6
    second = staff_client.post(url(session, "second-vote"))
    assert second.status_code == 201, second.json()
    assert second.json()["second_vote_of"] == session["id"]
    assert sorted(i["candidate"] for i in second.json()["items"]) == sorted([a.pk, b.pk])
    assert staff_client.post(url(session, "second-vote")).status_code == 409


def _evaluation_session(staff):
    session, _ = services.ballot_session_create(
        actor=staff, kind="evaluation", title="测评", cadre_ids=[CadreFactory().pk], codes=1
    )
    return session


def test_list_query_count_does_not_grow(staff, django_assert_num_queries):
    client = client_for(staff)
    _evaluation_session(staff)
    client.get(API + "ballot-sessions/")  # warm the session and the user's groups
    # 6: the page reads its ids first, then the rows (cadre.pagination.IdFirstPagination).
    with django_assert_num_queries(6) as first:
        assert client.get(API + "ballot-sessions/").json()["count"] == 1
    for _ in range(4):
        _evaluation_session(staff)
    with django_assert_num_queries(len(first.captured_queries)):
        assert client.get(API + "ballot-sessions/").json()["count"] == 5


@pytest.mark.parametrize(
    "who,sees,manages",
    [
        ("staff", True, True),
        ("other_staff", False, False),
        ("inspector", False, False),
        ("entitled_member", True, False),
        ("other_member", False, False),
        ("supervisor", True, False),
        ("admin", True, False),
        ("anonymous", False, False),
    ],
)
def test_session_role_matrix(staff, other_staff, supervisor, admin_user, committee, decision, who, sees, manages):
    session, a, b = decision
    user = {
        "staff": staff,
        "other_staff": other_staff,
        "inspector": UserFactory(roles=[roles.INSPECTOR]),
        "entitled_member": committee[0],
        "other_member": UserFactory(roles=[roles.COMMITTEE_MEMBER]),
        "supervisor": supervisor,
        "admin": admin_user,
        "anonymous": None,
    }[who]
    client = client_for(user)
    detail = client.get(url(session))
    if who == "anonymous":
        assert detail.status_code in (401, 403)
    else:
        assert detail.status_code == (200 if sees else 404)
    opened = client.post(url(session, "open"), {"present": [u.pk for u in committee]}, format="json")
    if manages:
        assert opened.status_code == 200
    elif who == "anonymous":
        assert opened.status_code in (401, 403)
    else:
        assert opened.status_code == (403 if sees else 404)
    created = client.post(
        API + "ballot-sessions/",
        {"kind": "evaluation", "title": "测评", "cadres": [a.cadre_id], "codes": 1},
        format="json",
    )
    assert created.status_code == (
        201 if who in ("staff", "other_staff") else 403 if who != "anonymous" else created.status_code
    )


def test_codes_pdf_through_the_api(staff, evaluation):
    """API.md: `ballot-sessions/{id}/codes.pdf`, for the session's staff from draft on; the sheet is
    printed when the codes are issued (the API's create), since only digests are kept."""
    response = client_for(staff).get(API + f"ballot-sessions/{evaluation['id']}/codes.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    body = b"".join(response.streaming_content)
    assert body.startswith(b"%PDF") and response["Cache-Control"] == "no-store"
    for other in (UserFactory(roles=[roles.ORG_STAFF]), UserFactory(roles=[roles.SUPERVISOR])):
        assert client_for(other).get(API + f"ballot-sessions/{evaluation['id']}/codes.pdf").status_code == 404
    assert client_for().get(API + f"ballot-sessions/{evaluation['id']}/codes.pdf").status_code in (401, 403)
