"""The API contract of issue #10 (../shared/API.md, Errors; docs/api.md): every refusal by the
procedure is a 409 `{"violations": [...]}` naming a rule id — a wrong stage is `"rule": "stage"`,
stage-data endpoints included — with nothing written; `check/` reports a wrong stage as "stage";
`users/` lists ids, names and role codes for those who may assign and nobody else; assignment
errors say the same about an unknown id and an id without the role."""

# The stage fixtures are test_stage_api's own, imported by name: pytest finds them as module globals,
# which ruff reads as a parameter redefining an import.
# ruff: noqa: F811

import pytest
from django.contrib.auth.models import User
from guardian.models import UserObjectPermission

from cadre import roles
from cadre import services as cadre_services
from cadre.models import Candidate, MotionReason, RecordEntry, Stage
from inspection.models import InspectionTeamMember
from supervision.demo import DEMO_CHANNELS
from supervision.models import Complaint

from ..conftest import advance
from ..factories import CadreFactory, PositionFactory, UserFactory
from .conftest import API, client_for
from .test_stage_api import (  # noqa: F401
    _working_days_countable,
    deliberated,
    inspecting,
    publicizing,
    refused_by,
    rival_for,
    snapshot,
    today,
    world,
)

pytestmark = pytest.mark.django_db

# ---------------------------------------------------------------------------- wrong stage: 409 "stage"

# (family, method, path, body) — each a well-formed write the current stage refuses. In `world` the
# candidate is in 动议 (motion), the rival in 民主推荐 (recommendation).
WRONG_STAGE = [
    ("nomination", "post", "candidates/{rival}/nominations/", lambda w: {"source": "org_dept", "nominator": "组织部"}),
    (
        "nomination",
        "post",
        "selections/{selection}/inspection-decisions/",
        lambda w: {"meeting_date": today(), "reasons": "综合研究", "candidates": [w["candidate"]]},
    ),
    ("inspection", "post", "candidates/{candidate}/procedures/", lambda w: {"name": "民主测评", "done_on": today()}),
    (
        "inspection",
        "post",
        "candidates/{candidate}/talks/",
        lambda w: {"interviewee": "李四", "category": "分管领导", "talked_on": today(), "summary": "要点"},
    ),
    (
        "inspection",
        "post",
        "selections/{selection}/inspection-teams/{team}/candidates/",
        lambda w: {"candidate": w["candidate"]},
    ),
    (
        "inspection",
        "post",
        "selections/{selection}/consultations/",
        lambda w: {
            "level": "minister_meeting",
            "held_on": today(),
            "participants": "部长",
            "opinions": "同意",
            "candidates": [w["candidate"]],
        },
    ),
    (
        "voting",
        "put",
        "candidates/{candidate}/brief/",
        lambda w: dict.fromkeys(("recommendation", "evaluation", "traits", "shortcomings", "reasons"), "有"),
    ),
    ("voting", "post", "decision-meetings/{dmeeting}/agenda/", lambda w: {"candidate": w["candidate"]}),
    ("supervision", "post", "candidates/{candidate}/publicity/", lambda w: {"starts_on": today(), **DEMO_CHANNELS}),
    (
        "supervision",
        "post",
        "candidates/{candidate}/complaints/",
        lambda w: {"received_on": today(), "channel": "letter", "real_name": False, "text": "反映", "suspend": True},
    ),
    (
        "supervision",
        "post",
        "candidates/{candidate}/appointment-talks/",
        lambda w: {"talked_on": today(), "talked_by": "部长", "summary": "要求"},
    ),
    (
        "supervision",
        "post",
        "candidates/{candidate}/appointment/",
        lambda w: {"document_number": "县委干〔2026〕1号", "effective_on": today()},
    ),
    ("cadre", "post", "candidates/{candidate}/transitions/appoint/", lambda w: {}),
]


@pytest.mark.parametrize(
    "family,method,path,body", WRONG_STAGE, ids=[f"{w[0]}:{w[2].split('/')[-2]}" for w in WRONG_STAGE]
)
def test_a_write_in_the_wrong_stage_is_a_409_stage_and_writes_nothing(world, staff, family, method, path, body):
    before = snapshot()
    refusals = RecordEntry.objects.filter(kind="refused").count()
    response = getattr(client_for(staff), method)(API + path.format(**world), body(world), format="json")
    assert response.status_code == 409, response.content
    assert list(response.json()) == ["violations"]
    violation = response.json()["violations"][0]
    assert set(violation) == {"rule", "message", "source", "overridable"}
    assert violation["rule"] == "stage" and violation["overridable"] is False
    assert "阶段" in violation["message"]
    after = snapshot()
    if family == "cadre":  # a refused transition is recorded (API.md), and nothing else is written
        assert RecordEntry.objects.filter(kind="refused").count() == refusals + 1
        after["RecordEntry"] -= 1
    assert after == before


def test_the_transition_refusal_names_the_wrong_stage_first_then_the_rules(world, staff):
    response = client_for(staff).post(API + f"candidates/{world['candidate']}/transitions/appoint/", {}, format="json")
    rules = [v["rule"] for v in response.json()["violations"]]
    assert response.status_code == 409 and rules[0] == "stage"
    assert "S1" not in rules  # a wrong stage is no longer reported as a fake S1


# ---------------------------------------------------------------------------- check/: a dry run


def test_check_reports_a_wrong_stage_as_stage_and_writes_nothing(world, staff):
    client = client_for(staff)
    before = snapshot()
    response = client.get(API + f"candidates/{world['candidate']}/check/appoint/")
    assert response.status_code == 200
    body = response.json()
    assert body["allowed"] is False
    assert body["violations"][0] == {
        "rule": "stage",
        "message": "人选当前处于“动议”阶段，不能任职",
        "source": "状态机",
        "overridable": False,
    }
    assert [v["rule"] for v in body["violations"]].count("stage") == 1
    assert "S1" not in [v["rule"] for v in body["violations"]]
    assert snapshot() == before
    # From the right stage no "stage" violation is reported.
    allowed = client.get(API + f"candidates/{world['candidate']}/check/nominate/").json()
    assert "stage" not in [v["rule"] for v in allowed["violations"]]


def test_check_of_an_unknown_transition_is_a_400(world, staff):
    response = client_for(staff).get(API + f"candidates/{world['candidate']}/check/promote/")
    assert response.status_code == 400 and "transition" in response.json()["errors"]


# ---------------------------------------------------------------------------- rule refusals: 409 with the rule id


def test_m3_a_motion_for_a_post_without_a_vacancy(staff):
    full = PositionFactory(quota=1)
    CadreFactory(position=full)
    before = snapshot()
    body = {"title": "超职数", "reason": MotionReason.VACANCY, "positions": [full.pk], "competitive": True}
    violation = refused_by(client_for(staff).post(API + "selections/", body, format="json"), "M3")
    assert "没有空缺" in violation["message"] and violation["source"]
    assert snapshot() == before


def test_m4_opening_a_meeting_without_an_agenda(world, staff):
    before = snapshot()
    response = client_for(staff).post(
        API + f"decision-meetings/{world['dmeeting']}/open/", {"present": 9}, format="json"
    )
    assert "议题" in refused_by(response, "M4")["message"]
    assert snapshot() == before


def test_s1_a_candidate_twice_for_one_post(world, staff, candidate):
    body = {"selection": world["selection"], "position": world["position"], "cadre": candidate.cadre_id}
    before = snapshot()
    refused_by(client_for(staff).post(API + "candidates/", body, format="json"), "S1")
    assert snapshot() == before


def test_s1_a_team_member_twice(world, staff):
    url = API + f"selections/{world['selection']}/inspection-teams/{world['team']}/members/"
    before = snapshot()
    refused_by(client_for(staff).post(url, {"user": staff.pk}, format="json"), "S1")  # the leader already
    assert snapshot() == before and InspectionTeamMember.objects.filter(team_id=world["team"]).count() == 1


def test_s1_a_candidate_in_a_second_team(world, staff):
    url = API + f"selections/{world['selection']}/inspection-teams/"
    body = {
        "name": "第二考察组",
        "leader": staff.pk,
        "starts_on": today(),
        "ends_on": today(),
        "place": "某地",
        "scope": "班子",
        "forum_size": 5,
        "candidates": [world["rival"]],  # already inspected by the first team
    }
    before = snapshot()
    assert "已分配考察组" in refused_by(client_for(staff).post(url, body, format="json"), "S1")["message"]
    assert snapshot() == before


def test_s1_a_complaint_concluded_twice(world, staff):
    url = API + f"candidates/{world['candidate']}/complaints/{world['complaint']}/conclude/"
    client = client_for(staff)
    assert client.post(url, {"substantiated": False, "conclusion": "不属实"}, format="json").status_code == 200
    before = snapshot()
    refused_by(client.post(url, {"substantiated": True, "conclusion": "属实"}, format="json"), "S1")
    assert snapshot() == before
    assert Complaint.objects.get(pk=world["complaint"]).substantiated is False


def test_p1_publicity_before_the_decision_and_too_short(staff, publicizing):
    client = client_for(staff)
    url = API + f"candidates/{publicizing.pk}/publicity/"
    before = snapshot()
    early = client.post(url, {"starts_on": today(-30), **DEMO_CHANNELS}, format="json")
    assert "公示须在讨论决定之后" in refused_by(early, "P1")["message"]
    short = client.post(url, {"starts_on": today(), "ends_on": today(1), **DEMO_CHANNELS}, format="json")
    assert "公示期不少于" in refused_by(short, "P1")["message"]
    assert snapshot() == before
    malformed = client.post(url, {"starts_on": "下周一", **DEMO_CHANNELS}, format="json")
    assert malformed.status_code == 400 and "starts_on" in malformed.json()["errors"]


def test_p2_resume_while_another_complaint_is_open(staff, publicizing):
    client = client_for(staff)
    base = API + f"candidates/{publicizing.pk}/complaints/"
    body = {"received_on": today(), "channel": "phone", "real_name": False, "text": "反映问题"}
    first = client.post(base, {**body, "suspend": True}, format="json").json()
    client.post(base, body, format="json")  # a second complaint, still open
    assert Candidate.objects.get(pk=publicizing.pk).stage == Stage.SUSPENDED
    before = snapshot()
    response = client.post(
        base + f"{first['id']}/conclude/",
        {"substantiated": False, "conclusion": "不属实", "resume": True},
        format="json",
    )
    assert "未办结的举报" in refused_by(response, "P2")["message"]
    assert snapshot() == before  # the conclusion rolled back with the refusal
    assert Complaint.objects.get(pk=first["id"]).status != Complaint.Status.CONCLUDED


def test_resume_of_a_candidate_not_suspended_is_a_409_stage(world, staff):
    url = API + f"candidates/{world['candidate']}/complaints/{world['complaint']}/conclude/"
    before = snapshot()
    body = {"substantiated": False, "conclusion": "不属实", "resume": True}
    assert "暂缓" in refused_by(client_for(staff).post(url, body, format="json"), "stage")["message"]
    assert snapshot() == before


def test_the_double_entry_mismatch_of_a_recommendation_is_a_409_r1(world, staff, candidate):
    second = UserFactory(roles=[roles.ORG_STAFF])
    cadre_services.selection_assign(actor=staff, selection=candidate.selection, user=second)
    url = API + f"selections/{world['selection']}/recommendation-meetings/{world['rmeeting']}/confirm/"
    before = snapshot()
    body = {"entitled": 10, "present": 8, "votes": [{"cadre": candidate.cadre_id, "votes": 4}]}
    violation = refused_by(client_for(second).post(url, body, format="json"), "R1")
    assert "两次录入不一致" in violation["message"] and "得票数与第一次录入不一致" in violation["message"]
    assert snapshot() == before


# ---------------------------------------------------------------------------- users/


@pytest.fixture
def people(db):
    alice = UserFactory(username="zhang.san", first_name="三", last_name="张", roles=[roles.ORG_STAFF])
    inspector = UserFactory(username="li.si", first_name="四", last_name="李", roles=[roles.INSPECTOR])
    both = UserFactory(username="wang.wu", roles=[roles.INSPECTOR, roles.COMMITTEE_MEMBER])
    admin = UserFactory(username="root", roles=[roles.ADMIN])
    UserFactory(username="gone", roles=[roles.ORG_STAFF], is_active=False)
    return {"staff": alice, "inspector": inspector, "both": both, "admin": admin}


@pytest.mark.parametrize("who", ["admin", "staff"])
def test_users_lists_ids_names_and_role_codes(people, who):
    response = client_for(people[who], token=True).get(API + "users/")
    assert response.status_code == 200, response.content
    body = response.json()
    assert list(body) == ["count", "next", "previous", "results"]
    assert body["count"] == 4  # the inactive account is left out: it cannot be assigned
    by_name = {u["username"]: u for u in body["results"]}
    assert by_name["zhang.san"] == {
        "id": people["staff"].pk,
        "username": "zhang.san",
        "full_name": "三 张",
        "roles": ["org_staff"],
    }
    assert by_name["wang.wu"]["roles"] == ["inspector", "committee_member"] and by_name["wang.wu"]["full_name"] == ""
    assert by_name["root"]["roles"] == ["admin"]
    assert [u["id"] for u in body["results"]] == sorted(u["id"] for u in body["results"])
    assert "gone" not in by_name and all(set(u) == {"id", "username", "full_name", "roles"} for u in body["results"])


@pytest.mark.parametrize("role", [roles.INSPECTOR, roles.SUPERVISOR, roles.COMMITTEE_MEMBER])
def test_users_is_403_for_those_who_do_not_assign(people, role):
    response = client_for(UserFactory(roles=[role])).get(API + "users/")
    assert response.status_code == 403 and response.json()["detail"]
    assert "results" not in response.json()


def test_users_is_401_for_anonymous(people):
    response = client_for().get(API + "users/")
    assert response.status_code == 401 and "results" not in response.json()


def test_users_filters_by_role_and_name(people):
    client = client_for(people["staff"])
    inspectors = client.get(API + "users/", {"role": "inspector"}).json()
    assert [u["username"] for u in inspectors["results"]] == ["li.si", "wang.wu"] and inspectors["count"] == 2
    admins = client.get(API + "users/", {"role": "admin"}).json()["results"]
    assert [u["username"] for u in admins] == ["root"]
    assert client.get(API + "users/", {"role": "supervisor"}).json()["count"] == 0
    assert [u["username"] for u in client.get(API + "users/", {"q": "张"}).json()["results"]] == ["zhang.san"]
    assert [u["username"] for u in client.get(API + "users/", {"q": "LI."}).json()["results"]] == ["li.si"]
    both = client.get(API + "users/", {"role": "inspector", "q": "wang"}).json()["results"]
    assert [u["username"] for u in both] == ["wang.wu"]


@pytest.mark.parametrize("params", [{"role": "boss"}, {"role": "org_staff\x00"}, {"q": "张\x00"}, {"q": "长" * 51}])
def test_users_bad_filter_is_a_400(people, params):
    response = client_for(people["admin"]).get(API + "users/", params)
    assert response.status_code == 400
    [(field, messages)] = response.json()["errors"].items()
    assert field == next(iter(params)) and messages and all(isinstance(m, str) for m in messages)


def test_users_pages_in_a_fixed_number_of_queries(people, django_assert_num_queries):
    client = client_for(people["staff"])
    with django_assert_num_queries(7) as few:
        assert client.get(API + "users/").status_code == 200
    for _ in range(20):
        UserFactory(roles=[roles.INSPECTOR, roles.ORG_STAFF])
    with django_assert_num_queries(len(few.captured_queries)):
        assert client.get(API + "users/").json()["count"] == 24


# ---------------------------------------------------------------------------- assignment reveals no other users


def _assign(client, selection_pk, user_id):
    return client.post(API + f"selections/{selection_pk}/assign/", {"user": user_id}, format="json")


def test_assign_says_the_same_about_an_unknown_id_a_wrong_role_and_an_inactive_account(staff, selection):
    client = client_for(staff)
    inspector = UserFactory(roles=[roles.INSPECTOR])
    inactive = UserFactory(roles=[roles.ORG_STAFF], is_active=False)
    missing = User.objects.order_by("-pk").values_list("pk", flat=True).first() + 1000
    perms = UserObjectPermission.objects.count()
    answers = [_assign(client, selection.pk, pk) for pk in (missing, inspector.pk, inactive.pk, 2**62)]
    assert {r.status_code for r in answers} == {400}
    assert all(r.json() == answers[0].json() for r in answers)
    assert answers[0].json() == {"errors": {"user": [cadre_services.ASSIGN_REFUSED]}}
    assert UserObjectPermission.objects.count() == perms
    colleague = UserFactory(roles=[roles.ORG_STAFF])
    assert _assign(client, selection.pk, colleague.pk).status_code == 204  # the positive control
    assert UserObjectPermission.objects.count() == perms + 1


def test_assign_by_someone_not_allowed_is_a_403_whatever_the_id(staff, selection):
    """Another staff member sees no such selection (404) and learns nothing about the user id."""
    outsider = client_for(UserFactory(roles=[roles.ORG_STAFF]))
    assert _assign(outsider, selection.pk, staff.pk).status_code == 404
    assert _assign(outsider, selection.pk, 987654321).status_code == 404


def test_team_member_ids_say_the_same_about_unknown_and_wrong_role(world, staff):
    url = API + f"selections/{world['selection']}/inspection-teams/{world['team']}/members/"
    client = client_for(staff)
    committee = UserFactory(roles=[roles.COMMITTEE_MEMBER])
    before = snapshot()
    unknown = client.post(url, {"user": 987654321}, format="json")
    wrong_role = client.post(url, {"user": committee.pk}, format="json")
    assert unknown.status_code == wrong_role.status_code == 400
    assert unknown.json() == wrong_role.json() and list(unknown.json()["errors"]) == ["user"]
    assert snapshot() == before


def test_complaint_investigator_says_the_same_about_unknown_and_wrong_role(world, staff):
    url = API + f"candidates/{world['candidate']}/complaints/{world['complaint']}/assign/"
    client = client_for(staff)
    committee = UserFactory(roles=[roles.COMMITTEE_MEMBER])
    before = snapshot()
    unknown = client.post(url, {"investigator": 987654321}, format="json")
    wrong_role = client.post(url, {"investigator": committee.pk}, format="json")
    assert unknown.status_code == wrong_role.status_code == 400
    assert unknown.json() == wrong_role.json() and list(unknown.json()["errors"]) == ["investigator"]
    assert snapshot() == before
    assert client.post(url, {"investigator": staff.pk}, format="json").status_code == 200  # the positive control


# ---------------------------------------------------------------------------- one shape for every 409


def test_every_409_has_the_one_shape(world, staff):
    """No `{"detail", "conflict"}` body any more: stage data, meetings and transitions answer alike."""
    client = client_for(staff)
    responses = [
        client.post(API + f"candidates/{world['rival']}/nominations/", {"source": "org_dept", "nominator": "部"}),
        client.post(API + f"decision-meetings/{world['dmeeting']}/open/", {"present": 9}, format="json"),
        client.post(API + f"candidates/{world['candidate']}/transitions/publicize/", {}, format="json"),
    ]
    for response in responses:
        assert response.status_code == 409, response.content
        assert list(response.json()) == ["violations"] and response.json()["violations"]
        for violation in response.json()["violations"]:
            assert set(violation) == {"rule", "message", "source", "overridable"}
            assert violation["rule"] and violation["message"]


def test_a_recommendation_ballot_for_a_post_without_candidates_in_recommendation_is_a_409_stage(staff, candidate):
    body = {
        "kind": "recommendation",
        "title": "会议推荐",
        "selection": candidate.selection_id,
        "positions": [candidate.position_id],
        "codes": 5,
    }
    before = snapshot()
    response = client_for(staff).post(API + "ballot-sessions/", body, format="json")
    assert "没有处于民主推荐阶段的人选" in refused_by(response, "stage")["message"]  # the candidate is in 动议
    assert snapshot() == before
    advance(candidate, staff, "nominate", "recommend")
    assert client_for(staff).post(API + "ballot-sessions/", body, format="json").status_code == 201  # positive control
