"""Contract tests of the stage-data endpoints of the JSON API v1 (nomination, inspection, voting,
supervision): for every endpoint a success case, a 400 with field errors and nothing written, a 404
for an object of another staff member's selection, a 403 for a supervisor's write; talk visibility;
and the OpenAPI schema listing every new path."""

import re
from datetime import timedelta

import pytest
from django.apps import apps
from django.utils import timezone
from rest_framework.test import APIClient

from cadre import roles, thresholds
from cadre import services as cadre_services
from cadre.models import Candidate, RecordEntry, Stage
from inspection import services as inspection_services
from inspection.models import Talk
from nomination import services as nomination_services
from nomination.demo import second_staff
from supervision import services as supervision_services
from supervision.demo import DEMO_CHANNELS
from supervision.workdays import start_for_ended
from voting import services as voting_services

from ..conftest import advance, prepare
from ..factories import CadreFactory, UserFactory
from ..supervision.notices import confirm_whole_year
from .conftest import API, client_for

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _working_days_countable():
    """Publicity starting today must be countable even when the calendar package lags a year: that
    year's whole schedule is confirmed as an administrator would (P1; one holiday is not enough)."""
    for year in (timezone.localdate().year, timezone.localdate().year + 1):
        confirm_whole_year(year)


STAGE_APPS = ("nomination", "inspection", "voting", "supervision")


def today(days: int = 0) -> str:
    return (timezone.localdate() + timedelta(days=days)).isoformat()


def snapshot() -> dict:
    """Row counts of every stage model, the record, and each candidate's stage: what a refusal must not change."""
    counts = {m.__name__: m.objects.count() for app in STAGE_APPS for m in apps.get_app_config(app).get_models()}
    counts["RecordEntry"] = RecordEntry.objects.count()
    counts["stages"] = dict(Candidate.objects.values_list("pk", "stage"))
    return counts


def refused_by(response, rule: str) -> dict:
    """A 409 in API.md's one shape, naming exactly `rule`; returns the violation."""
    assert response.status_code == 409, response.content
    assert list(response.json()) == ["violations"]
    [violation] = response.json()["violations"]
    assert set(violation) == {"rule", "message", "source", "overridable"}
    assert violation["rule"] == rule and violation["message"] and violation["overridable"] is False
    return violation


def rival_for(candidate, staff, *transitions):
    """A second candidate for the same post (R4: the selection is competitive), walked through `transitions`."""
    rival = cadre_services.candidate_create(
        actor=staff, selection=candidate.selection, position=candidate.position, cadre=CadreFactory()
    )
    return advance(rival, staff, *transitions)


# ---------------------------------------------------------------------------- the world of the generic checks


@pytest.fixture
def world(staff, selection, position, candidate):
    """One selection of `staff` with an object of every kind the stage endpoints address."""
    rival = rival_for(candidate, staff, "nominate", "recommend")
    rmeeting = nomination_services.recommendation_enter(
        actor=staff,
        selection_id=selection.pk,
        unit_id=candidate.cadre.unit_id,
        kind="meeting",
        held_on=timezone.localdate(),
        entitled=10,
        present=8,
        votes={candidate.cadre_id: 5},
    )
    team = inspection_services.team_create(
        actor=staff,
        selection=selection,
        name="第一考察组",
        leader=staff,
        starts_on=timezone.localdate(),
        ends_on=timezone.localdate(),
        place="县财政局",
        scope="班子成员",
        forum_size=10,
        candidates=[rival],
    )
    dmeeting = voting_services.meeting_create(
        actor=staff, selection=selection, held_on=timezone.localdate(), title="县委常委会第1次会议", entitled=11
    )
    complaint = supervision_services.complaint_file(
        actor=staff,
        candidate_id=candidate.pk,
        received_on=timezone.localdate(),
        channel="phone",
        real_name=False,
        text="反映该同志工作作风问题",
    )
    return {
        "selection": selection.pk,
        "candidate": candidate.pk,
        "position": position.pk,
        "rmeeting": rmeeting.pk,
        "team": team.pk,
        "dmeeting": dmeeting.pk,
        "complaint": complaint.pk,
        "rival": rival.pk,
    }


# (name, method, path, a body that would be accepted in the right stage, a bad body, fields the 400 names)
WRITES = [
    (
        "agenda-items",
        "post",
        "selections/{selection}/agenda-items/",
        lambda w: {"meeting_name": "县委常委会", "meeting_date": today(), "item": "研究动议"},
        {"meeting_date": "昨天"},
        {"meeting_name", "meeting_date", "item"},
    ),
    (
        "nominations",
        "post",
        "candidates/{candidate}/nominations/",
        lambda w: {"source": "org_dept", "nominator": "县委组织部"},
        {"source": "boss", "signed_on": "x"},
        {"source", "nominator", "signed_on"},
    ),
    (
        "recommendation-meetings",
        "post",
        "selections/{selection}/recommendation-meetings/",
        lambda w: {"unit": 1, "kind": "meeting", "held_on": today(), "entitled": 9, "present": 9, "votes": []},
        {"unit": "a", "votes": [{"cadre": 1, "votes": -1}]},
        {"unit", "kind", "held_on", "entitled", "present", "votes"},
    ),
    (
        "recommendation-confirm",
        "post",
        "selections/{selection}/recommendation-meetings/{rmeeting}/confirm/",
        lambda w: {"entitled": 10, "present": 8, "votes": []},
        {"entitled": -1},
        {"entitled", "present", "votes"},
    ),
    (
        "recommendation-discard",
        "delete",
        "selections/{selection}/recommendation-meetings/{rmeeting}/",
        None,
        None,
        None,
    ),
    (
        "inspection-decisions",
        "post",
        "selections/{selection}/inspection-decisions/",
        lambda w: {"meeting_date": today(), "reasons": "综合研究", "candidates": [w["rival"]]},
        {"candidates": []},
        {"meeting_date", "reasons", "candidates"},
    ),
    (
        "inspection-notices",
        "post",
        "selections/{selection}/inspection-notices/",
        lambda w: {"published_on": today(), "team_text": "组长 张三", "contact_phone": "0000-1234567", "text": "预告"},
        {"published_on": "2020-13-01"},
        {"published_on", "team_text", "contact_phone", "text"},
    ),
    (
        "inspection-teams",
        "post",
        "selections/{selection}/inspection-teams/",
        lambda w: {
            "name": "第二考察组",
            "leader": 1,
            "starts_on": today(),
            "ends_on": today(),
            "place": "某地",
            "scope": "班子",
            "forum_size": 5,
            "candidates": [w["candidate"]],
        },
        {"forum_size": 0, "candidates": [987654321]},
        {"name", "leader", "starts_on", "ends_on", "place", "scope", "forum_size", "candidates"},
    ),
    (
        "team-members",
        "post",
        "selections/{selection}/inspection-teams/{team}/members/",
        lambda w: {"user": 1},
        {"user": 987654321},
        {"user"},
    ),
    (
        "team-candidates",
        "post",
        "selections/{selection}/inspection-teams/{team}/candidates/",
        lambda w: {"candidate": w["candidate"]},
        {},
        {"candidate"},
    ),
    (
        "procedures",
        "post",
        "candidates/{candidate}/procedures/",
        lambda w: {"name": "民主测评", "done_on": today()},
        {"done_on": "x"},
        {"name", "done_on"},
    ),
    (
        "talks",
        "post",
        "candidates/{candidate}/talks/",
        lambda w: {"interviewee": "李四", "category": "分管领导", "talked_on": today(), "summary": "要点"},
        {},
        {"interviewee", "category", "talked_on", "summary"},
    ),
    (
        "factors",
        "post",
        "candidates/{candidate}/factors/",
        lambda w: {"factor": "politics", "grade": "good", "text": "较好"},
        {"factor": "looks"},
        {"factor", "grade", "text"},
    ),
    (
        "opinions",
        "post",
        "candidates/{candidate}/opinions/",
        lambda w: {"department": "纪检", "received_on": today(), "opinion": "无问题"},
        {},
        {"department", "received_on", "opinion"},
    ),
    (
        "audits",
        "post",
        "candidates/{candidate}/audits/",
        lambda w: {"auditor": "县审计局", "concluded_on": today(), "conclusion": "无问题"},
        {},
        {"auditor", "concluded_on", "conclusion"},
    ),
    (
        "report",
        "put",
        "selections/{selection}/positions/{position}/report/",
        lambda w: {"comparison": "对比", "recommendation": "建议"},
        {"heard_on": "x"},
        {"comparison", "recommendation", "heard_on"},
    ),
    (
        "comparison",
        "put",
        "selections/{selection}/positions/{position}/comparison/",
        lambda w: (
            {a: "好" for a in ("virtue_talent", "performance", "potential", "mass_base", "personality")}
            | {"post_fit": "适合"}
        ),
        {},
        {"virtue_talent", "performance", "potential", "mass_base", "personality", "post_fit"},
    ),
    (
        "consultations",
        "post",
        "selections/{selection}/consultations/",
        lambda w: {
            "level": "minister_meeting",
            "held_on": today(),
            "participants": "部长",
            "opinions": "同意",
            "candidates": [w["candidate"]],
        },
        {"level": "pub"},
        {"level", "held_on", "participants", "opinions", "candidates"},
    ),
    (
        "brief",
        "put",
        "candidates/{candidate}/brief/",
        lambda w: dict.fromkeys(("recommendation", "evaluation", "traits", "shortcomings", "reasons"), "有"),
        {"traits": ""},
        {"recommendation", "evaluation", "traits", "shortcomings", "reasons"},
    ),
    (
        "decision-meetings",
        "post",
        "selections/{selection}/decision-meetings/",
        lambda w: {"title": "县委常委会", "held_on": today(), "entitled": 11},
        {"entitled": -1},
        {"title", "held_on", "entitled"},
    ),
    (
        "decision-agenda",
        "post",
        "decision-meetings/{dmeeting}/agenda/",
        lambda w: {"candidate": w["candidate"]},
        {"candidate": "x"},
        {"candidate"},
    ),
    (
        "decision-open",
        "post",
        "decision-meetings/{dmeeting}/open/",
        lambda w: {"present": 11},
        {"present": "多"},
        {"present"},
    ),
    (
        "decision-results",
        "post",
        "decision-meetings/{dmeeting}/results/",
        lambda w: {"candidate": w["candidate"], "approve": 9, "disapprove": 1, "abstain": 1},
        {"approve": -1},
        {"candidate", "approve", "disapprove", "abstain"},
    ),
    (
        "publicity",
        "post",
        "candidates/{candidate}/publicity/",
        lambda w: {"starts_on": today(), **DEMO_CHANNELS},
        {"ends_on": "x"},
        {"starts_on", "ends_on", "phone", "letter", "online"},
    ),
    (
        "complaints",
        "post",
        "candidates/{candidate}/complaints/",
        lambda w: {"received_on": today(), "channel": "letter", "real_name": True, "text": "反映问题"},
        {"channel": "pigeon"},
        {"received_on", "channel", "text"},
    ),
    ("complaint-investigate", "post", "candidates/{candidate}/complaints/{complaint}/investigate/", dict, None, None),
    (
        "complaint-conclude",
        "post",
        "candidates/{candidate}/complaints/{complaint}/conclude/",
        lambda w: {"substantiated": False, "conclusion": "不属实"},
        {"substantiated": "maybe"},
        {"substantiated", "conclusion"},
    ),
    (
        "appointment-talks",
        "post",
        "candidates/{candidate}/appointment-talks/",
        lambda w: {"talked_on": today(), "talked_by": "部长", "summary": "要求"},
        {},
        {"talked_on", "talked_by", "summary"},
    ),
    (
        "appointment",
        "post",
        "candidates/{candidate}/appointment/",
        lambda w: {"document_number": "县委干〔2026〕1号", "effective_on": today()},
        {"effective_on": "明天"},
        {"document_number", "effective_on"},
    ),
    (
        "appointment-correction",
        "post",
        "candidates/{candidate}/appointment/correction/",
        lambda w: {"new_date": today(), "reason": "以任职文件为准"},
        {"new_date": "明天"},
        {"new_date"},
    ),
]

READS = [
    "selections/{selection}/agenda-items/",
    "candidates/{candidate}/nominations/",
    "selections/{selection}/recommendation-meetings/",
    "selections/{selection}/recommendation-meetings/{rmeeting}/",
    "candidates/{candidate}/recommendation-results/",
    "selections/{selection}/inspection-decisions/",
    "selections/{selection}/inspection-notices/",
    "selections/{selection}/inspection-teams/",
    "candidates/{candidate}/procedures/",
    "candidates/{candidate}/talks/",
    "candidates/{candidate}/factors/",
    "candidates/{candidate}/opinions/",
    "candidates/{candidate}/audits/",
    "candidates/{candidate}/consultations/",
    "candidates/{candidate}/brief/",
    "candidates/{candidate}/vote-results/",
    "selections/{selection}/decision-meetings/",
    "decision-meetings/{dmeeting}/",
    "decision-meetings/{dmeeting}/agenda/",
    "decision-meetings/{dmeeting}/results/",
    "candidates/{candidate}/publicity/",
    "candidates/{candidate}/complaints/",
    "candidates/{candidate}/appointment-talks/",
    "candidates/{candidate}/appointment/",
    "selections/{selection}/positions/{position}/report/",
    "selections/{selection}/positions/{position}/comparison/",
]
# Singular resources that do not exist yet in the world: 404 for their owner too (tested in the flows).
ABSENT = {
    "candidates/{candidate}/brief/",
    "candidates/{candidate}/publicity/",
    "candidates/{candidate}/appointment/",
    "selections/{selection}/positions/{position}/report/",
    "selections/{selection}/positions/{position}/comparison/",
}


def _send(client, method, url, body=None):
    if method == "delete":
        return client.delete(url)
    return getattr(client, method)(url, body if body is not None else {}, format="json")


@pytest.mark.parametrize("path", READS)
def test_reads_are_404_for_another_staff_members_selection(world, staff, other_staff, path):
    url = API + path.format(**world)
    assert client_for(other_staff).get(url).status_code == 404
    if path not in ABSENT:
        assert client_for(staff).get(url).status_code == 200


@pytest.mark.parametrize("name,method,path,good,bad,fields", WRITES, ids=[w[0] for w in WRITES])
def test_writes_are_404_for_another_staff_members_selection(world, other_staff, name, method, path, good, bad, fields):
    before = snapshot()
    response = _send(client_for(other_staff), method, API + path.format(**world), good(world) if good else None)
    assert response.status_code == 404, response.content
    assert snapshot() == before


@pytest.mark.parametrize("name,method,path,good,bad,fields", WRITES, ids=[w[0] for w in WRITES])
def test_writes_are_403_for_a_supervisor(world, supervisor, name, method, path, good, bad, fields):
    before = snapshot()
    response = _send(client_for(supervisor), method, API + path.format(**world), good(world) if good else None)
    assert response.status_code == 403, response.content
    assert response.json()["detail"]
    assert snapshot() == before


@pytest.mark.parametrize(
    "name,method,path,good,bad,fields",
    [w for w in WRITES if w[4] is not None],
    ids=[w[0] for w in WRITES if w[4] is not None],
)
def test_bad_input_is_a_400_with_field_errors(world, staff, name, method, path, good, bad, fields):
    before = snapshot()
    response = _send(client_for(staff), method, API + path.format(**world), bad)
    assert response.status_code == 400, response.content
    errors = response.json()["errors"]
    assert fields <= set(errors), errors
    assert all(isinstance(m, list) and m for m in errors.values())
    assert snapshot() == before


@pytest.mark.parametrize("name,method,path,good,bad,fields", WRITES, ids=[w[0] for w in WRITES])
def test_unknown_ids_are_404(world, staff, name, method, path, good, bad, fields):
    client = client_for(staff)
    unknown = dict.fromkeys(world, 987654321)
    assert _send(client, method, API + path.format(**unknown), good(world) if good else None).status_code == 404
    inner = {**unknown, "selection": world["selection"], "candidate": world["candidate"]}
    if path.format(**inner) != path.format(**world):  # the outer object exists, the inner one does not
        assert _send(client, method, API + path.format(**inner), good(world) if good else None).status_code == 404


def test_a_body_that_is_not_an_object_is_a_400(world, staff):
    response = client_for(staff).post(API + f"candidates/{world['candidate']}/nominations/", [1, 2], format="json")
    assert response.status_code == 400 and "non_field_errors" in response.json()["errors"]


# ---------------------------------------------------------------------------- nomination, recommendation


def test_motion_and_nomination(staff, candidate):
    client = client_for(staff, token=True)
    sel = candidate.selection_id
    body = {"meeting_name": "县委常委会第3次会议", "meeting_date": today(), "item": "研究财政局副局长动议"}
    created = client.post(API + f"selections/{sel}/agenda-items/", body, format="json")
    assert created.status_code == 201, created.content
    assert {k: created.json()[k] for k in body} == body and created.json()["recorded_by"] == staff.username
    assert [a["id"] for a in client.get(API + f"selections/{sel}/agenda-items/").json()["results"]] == [
        created.json()["id"]
    ]

    url = API + f"candidates/{candidate.pk}/nominations/"
    unsigned = client.post(url, {"source": "leader", "nominator": "王副县长"}, format="json")
    assert unsigned.status_code == 400 and {"reasons", "signed_by", "signed_on"} <= set(unsigned.json()["errors"])
    entries = RecordEntry.objects.filter(candidate=candidate).count()
    body = {
        "source": "leader",
        "nominator": "王副县长",
        "reasons": "熟悉财政业务",
        "signed_by": "王某",
        "signed_on": today(),
    }
    created = client.post(url, body, format="json")
    assert created.status_code == 201, created.content
    assert created.json()["source_label"] == "领导干部个人" and created.json()["problems"] == []
    assert RecordEntry.objects.filter(candidate=candidate).count() == entries + 1
    assert client.get(url).json()["count"] == 1


def test_recommendation_double_entry(staff, candidate):
    colleague = UserFactory(roles=[roles.ORG_STAFF])
    cadre_services.selection_assign(actor=staff, selection=candidate.selection, user=colleague)
    first, second = client_for(staff), client_for(colleague)
    base = API + f"selections/{candidate.selection_id}/recommendation-meetings/"
    cadre = candidate.cadre
    body = {
        "unit": cadre.unit_id,
        "kind": "meeting",
        "held_on": today(-1),
        "entitled": 40,
        "present": 36,
        "votes": [{"cadre": cadre.pk, "votes": 30}],
    }
    assert first.post(base, {**body, "votes": [{"cadre": cadre.pk, "votes": 37}]}, format="json").status_code == 400
    duplicate = first.post(base, {**body, "votes": body["votes"] * 2}, format="json")
    assert duplicate.status_code == 400 and "votes" in duplicate.json()["errors"]
    created = first.post(base, body, format="json")
    assert created.status_code == 201, created.content
    meeting = created.json()
    assert meeting["confirmed"] is False and meeting["results"][0]["votes"] == 30
    # The second entry is blind: the colleague does not see the first entry's numbers.
    seen = second.get(base).json()["results"][0]
    assert seen["id"] == meeting["id"] and seen["entitled"] is None and seen["results"] is None
    assert second.get(base + f"{meeting['id']}/").json()["present"] is None

    confirm = base + f"{meeting['id']}/confirm/"
    numbers = {"entitled": 40, "present": 36, "votes": [{"cadre": cadre.pk, "votes": 30}]}
    assert first.post(confirm, numbers, format="json").status_code == 403  # not by the one who entered it
    results = API + f"candidates/{candidate.pk}/recommendation-results/"
    entries = RecordEntry.objects.count()
    mismatch = second.post(confirm, {**numbers, "votes": [{"cadre": cadre.pk, "votes": 29}]}, format="json")
    assert "两次录入不一致" in refused_by(mismatch, "R1")["message"]  # a refusal (409 R1), not bad input
    assert RecordEntry.objects.count() == entries
    assert client_for(staff).get(results).json()["pending"] == 1

    confirmed = second.post(confirm, numbers, format="json")
    assert confirmed.status_code == 200, confirmed.content
    assert confirmed.json()["confirmed"] is True and confirmed.json()["confirmed_by"] == colleague.username
    refused_by(second.post(confirm, numbers, format="json"), "S1")  # confirmed once (一事一记)
    body = client_for(staff).get(results).json()
    assert body["pending"] == 0 and len(body["results"]) == 1
    row = body["results"][0]
    assert row["votes"] == 30 and row["rank"] == 1 and row["own_unit"] and row["valid"] and row["majority"]
    assert row["percent"] == "83.3%" and row["entered_by"] == staff.username
    refused_by(second.delete(base + f"{meeting['id']}/"), "S1")  # a confirmed result stays

    again = first.post(base, _entry(cadre), format="json")
    assert again.status_code == 201
    assert first.delete(base + f"{again.json()['id']}/").status_code == 204
    assert second.get(base).json()["count"] == 1


def _entry(cadre):
    return {
        "unit": cadre.unit_id,
        "kind": "talk",
        "held_on": today(),
        "entitled": 20,
        "present": 18,
        "votes": [{"cadre": cadre.pk, "votes": 10}],
    }


def test_inspection_decision(staff, candidate):
    rival = rival_for(candidate, staff, "nominate", "recommend")
    client = client_for(staff)
    url = API + f"selections/{candidate.selection_id}/inspection-decisions/"
    body = {"meeting_date": today(), "reasons": "综合考虑推荐、考核和一贯表现", "candidates": [rival.pk]}
    early = client.post(url, {**body, "candidates": [candidate.pk]}, format="json")
    refused_by(early, "stage")  # still in the motion stage: the procedure refuses (409), the input is fine
    created = client.post(url, body, format="json")
    assert created.status_code == 201, created.content
    assert [c["id"] for c in created.json()["candidates"]] == [rival.pk]
    assert client.get(url).json()["results"][0]["reasons"] == body["reasons"]


# ---------------------------------------------------------------------------- inspection, deliberation


@pytest.fixture
def inspecting(staff, candidate):
    rival_for(candidate, staff, "nominate", "recommend", "inspect")
    return advance(candidate, staff, "nominate", "recommend", "inspect")


def test_inspection_notice_and_teams(staff, candidate):
    rival = rival_for(candidate, staff, "nominate", "recommend")
    inspector = UserFactory(roles=[roles.INSPECTOR])
    client = client_for(staff)
    sel = candidate.selection_id
    notice = {"published_on": today(), "team_text": "组长 张三", "contact_phone": "0000-1234567", "text": "考察预告"}
    created = client.post(API + f"selections/{sel}/inspection-notices/", notice, format="json")
    assert created.status_code == 201, created.content
    bad_phone = client.post(
        API + f"selections/{sel}/inspection-notices/", {**notice, "contact_phone": "电话"}, format="json"
    )
    assert bad_phone.status_code == 400 and "contact_phone" in bad_phone.json()["errors"]
    assert client.get(API + f"selections/{sel}/inspection-notices/").json()["count"] == 1

    team = {
        "name": "第一考察组",
        "leader": inspector.pk,
        "starts_on": today(),
        "ends_on": today(3),
        "place": "县财政局",
        "scope": "班子成员、中层干部",
        "forum_size": 20,
        "candidates": [rival.pk],
    }
    backwards = client.post(API + f"selections/{sel}/inspection-teams/", {**team, "ends_on": today(-1)}, format="json")
    assert backwards.status_code == 400 and "ends_on" in backwards.json()["errors"]
    created = client.post(API + f"selections/{sel}/inspection-teams/", team, format="json")
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["candidates"] == [rival.pk] and [m["username"] for m in body["members"]] == [inspector.username]
    member = UserFactory(roles=[roles.INSPECTOR])
    added = client.post(
        API + f"selections/{sel}/inspection-teams/{body['id']}/members/", {"user": member.pk}, format="json"
    )
    assert added.status_code == 201 and len(added.json()["members"]) == 2
    refused_by(  # already a member: a once-only fact that exists (S1)
        client.post(
            API + f"selections/{sel}/inspection-teams/{body['id']}/members/", {"user": member.pk}, format="json"
        ),
        "S1",
    )
    late = rival_for(candidate, staff, "nominate", "recommend")
    assigned = client.post(
        API + f"selections/{sel}/inspection-teams/{body['id']}/candidates/", {"candidate": late.pk}, format="json"
    )
    assert assigned.status_code == 201 and set(assigned.json()["candidates"]) == {rival.pk, late.pk}
    assert client.get(API + f"selections/{sel}/inspection-teams/").json()["count"] == 1


def test_team_recusal_is_a_409(staff, candidate):
    """I9: a leader who is the candidate (or related) cannot inspect them: refused by the rule, not malformed."""
    rival = rival_for(candidate, staff, "nominate", "recommend")
    before = snapshot()
    response = client_for(staff).post(
        API + f"selections/{candidate.selection_id}/inspection-teams/",
        {
            "name": "考察组",
            "leader": staff.pk,
            "leader_cadre": rival.cadre_id,
            "starts_on": today(),
            "ends_on": today(),
            "place": "某地",
            "scope": "班子",
            "forum_size": 5,
            "candidates": [rival.pk],
        },
        format="json",
    )
    violation = refused_by(response, "I9")
    assert "应当回避" in violation["message"] and rival.cadre.name in violation["message"]
    assert violation["source"] == "《中共县委关于规范县委书记选人用人行为办法（试行）》第十条（五）"
    assert snapshot() == before


def test_inspection_facts(staff, inspecting):
    client = client_for(staff)
    base = API + f"candidates/{inspecting.pk}/"
    # talks and procedures are dated inside the team's period (#11)
    team = {"name": "第一考察组", "leader": staff.pk, "place": "县财政局", "scope": "班子成员", "forum_size": 10}
    team |= {"starts_on": today(-10), "ends_on": today(), "candidates": [inspecting.pk]}
    assert (
        client.post(API + f"selections/{inspecting.selection_id}/inspection-teams/", team, format="json").status_code
        == 201
    )
    cases = [
        ("procedures/", {"name": "查阅档案资料", "done_on": today(-1), "note": "已查阅"}),
        ("talks/", {"interviewee": "李四", "category": "分管领导", "talked_on": today(-1), "summary": "反映较好"}),
        ("factors/", {"factor": "ability", "grade": "excellent", "text": "能力突出"}),
        ("opinions/", {"department": "信访", "received_on": today(-1), "opinion": "无信访问题"}),
        ("audits/", {"auditor": "县审计局", "concluded_on": today(-1), "conclusion": "无问题"}),
    ]
    for path, body in cases:
        count = client.get(base + path).json()["count"]
        entries = RecordEntry.objects.filter(candidate=inspecting).count()
        created = client.post(base + path, body, format="json")
        assert created.status_code == 201, (path, created.content)
        assert {k: created.json()[k] for k in body} == body
        assert client.get(base + path).json()["count"] == count + 1
        assert RecordEntry.objects.filter(candidate=inspecting).count() == entries + 1
    future = client.post(base + "procedures/", {"name": "查阅档案资料", "done_on": today(5)}, format="json")
    assert future.status_code == 400 and "done_on" in future.json()["errors"]
    # I5: assessing a factor again replaces its grade; the record keeps both.
    again = client.post(base + "factors/", {"factor": "ability", "grade": "good", "text": "能力较强"}, format="json")
    assert again.status_code == 201
    factors = {f["factor"]: f["grade"] for f in client.get(base + "factors/").json()["results"]}
    assert factors == {"ability": "good"}
    labels = [e.payload["label"] for e in RecordEntry.objects.filter(candidate=inspecting, kind="fact")]
    assert labels[-1] == "修改考察要素评价"


def test_inspection_facts_outside_the_stage_are_409(staff, candidate):
    response = client_for(staff).post(
        API + f"candidates/{candidate.pk}/procedures/", {"name": "民主测评", "done_on": today()}, format="json"
    )
    assert response.status_code == 409
    assert response.json() == {
        "violations": [
            {
                "rule": "stage",
                "message": "人选当前处于“动议”阶段，不能记录考察程序",
                "source": "",
                "overridable": False,
            }
        ]
    }


def test_report_and_comparison(staff, inspecting):
    client = client_for(staff)
    url = API + f"selections/{inspecting.selection_id}/positions/{inspecting.position_id}/report/"
    assert client.get(url).status_code == 404  # not written yet
    body = {
        "comparison": "两名考察对象各有所长",
        "recommendation": "建议甲",
        "recommended": inspecting.pk,
        "heard_on": today(),
    }
    saved = client.put(url, body, format="json")
    assert saved.status_code == 200, saved.content
    assert {k: saved.json()[k] for k in body} == body
    assert client.get(url).json()["recommendation"] == "建议甲"
    outsider = cadre_services.candidate_create(
        actor=staff, selection=inspecting.selection, position=inspecting.position, cadre=CadreFactory()
    )
    withdrawn = cadre_services.candidate_transition(
        actor=staff, candidate_id=outsider.pk, transition="withdraw", reason="本人申请"
    )
    wrong = client.put(url, {**body, "recommended": withdrawn.pk}, format="json")
    assert wrong.status_code == 400 and "recommended" in wrong.json()["errors"]
    assert (
        client_for(staff).get(API + f"selections/{inspecting.selection_id}/positions/987654/report/").status_code == 404
    )

    url = API + f"selections/{inspecting.selection_id}/positions/{inspecting.position_id}/comparison/"
    aspects = ("virtue_talent", "performance", "potential", "mass_base", "personality", "post_fit")
    saved = client.put(url, {a: f"{a} 的比较" for a in aspects}, format="json")
    assert saved.status_code == 200, saved.content
    assert client.get(url).json()["post_fit"] == "post_fit 的比较"


def test_consultations(staff, inspecting):
    deliberating = advance(inspecting, staff, "deliberate")
    client = client_for(staff)
    body = {
        "level": "secretaries_meeting",
        "held_on": today(),
        "participants": "县委书记、副书记、组织部长",
        "opinions": "意见有分歧",
        "candidates": [deliberating.pk],
        "disagreement": True,
    }
    url = API + f"selections/{deliberating.selection_id}/consultations/"
    missing = client.post(url, body, format="json")
    assert missing.status_code == 400 and "disagreement_text" in missing.json()["errors"]
    created = client.post(url, {**body, "disagreement_text": "对人选的工作作风看法不一"}, format="json")
    assert created.status_code == 201, created.content
    assert created.json()["candidates"] == [deliberating.pk] and created.json()["level_label"] == "书记碰头会"
    listed = client.get(API + f"candidates/{deliberating.pk}/consultations/").json()["results"]
    assert [c["id"] for c in listed] == [created.json()["id"]]
    last = RecordEntry.objects.filter(candidate=deliberating).order_by("-seq").first()
    assert last.kind == "important" and last.payload["category"] == "disagreement"


# ---------------------------------------------------------------------------- talk visibility (I4)


def test_talk_visibility(staff, other_staff, supervisor, admin_user, inspecting):
    prepare(inspecting, staff, "deliberate")  # a team (led by staff), talks, procedures...
    team_member = UserFactory(roles=[roles.INSPECTOR])
    outsider = UserFactory(roles=[roles.INSPECTOR])
    team = inspecting.inspection_assignment.team
    inspection_services.team_member_add(actor=staff, team=team, user=team_member)
    url = API + f"candidates/{inspecting.pk}/talks/"
    talks = Talk.objects.filter(candidate=inspecting).count()
    assert talks > 0

    def listed(user):
        response = client_for(user).get(url)
        return response.status_code, response.json().get("count")

    assert listed(staff) == (200, talks)
    assert listed(team_member) == (200, talks)
    assert listed(supervisor) == (200, talks)
    # An administrator sees the candidate, but the talks are not for them (as on the inspection page).
    assert listed(admin_user) == (200, 0)
    assert client_for(admin_user).get(API + f"candidates/{inspecting.pk}/procedures/").json()["count"] > 0
    # Neither another staff member nor an inspector off the team sees the candidate at all.
    assert listed(other_staff)[0] == 404
    assert listed(outsider)[0] == 404
    # The team member records a talk; the talk's content enters no record entry.
    worked_on = team.ends_on.isoformat()  # inside the team's period (#11)
    body = {"interviewee": "王五", "category": "分管领导", "talked_on": worked_on, "summary": "机密内容"}
    created = client_for(team_member).post(url, body, format="json")
    assert created.status_code == 201, created.content
    entry = RecordEntry.objects.filter(candidate=inspecting).order_by("-seq").first()
    assert "机密内容" not in str(entry.payload) and entry.actor == team_member
    # ...but may not record what only assigned staff do.
    opinion = {"department": "纪检", "received_on": today(), "opinion": "无"}
    assert (
        client_for(team_member).post(API + f"candidates/{inspecting.pk}/opinions/", opinion, format="json").status_code
        == 403
    )
    assert client_for(admin_user).post(url, body, format="json").status_code == 403


# ---------------------------------------------------------------------------- decision


@pytest.fixture
def deliberated(staff, inspecting):
    candidate = advance(inspecting, staff, "deliberate")
    prepare(candidate, staff, "decide")
    return Candidate.objects.get(pk=candidate.pk)


def test_brief(staff, deliberated):
    client = client_for(staff)
    url = API + f"candidates/{deliberated.pk}/brief/"
    body = {
        "recommendation": "推荐得票靠前",
        "evaluation": "政治坚定",
        "traits": "业务熟悉",
        "shortcomings": "创新不足",
        "reasons": "人岗相适",
    }
    saved = client.put(url, body, format="json")
    assert saved.status_code == 200, saved.content
    assert {k: saved.json()[k] for k in body} == body and saved.json()["updated_by"] == staff.username
    assert client.get(url).json()["traits"] == "业务熟悉"
    assert client.get(API + f"candidates/{deliberated.pk}/vote-results/").json()["count"] == 0


def test_decision_meeting_and_result(staff, deliberated):
    client = client_for(staff)
    created = client.post(
        API + f"selections/{deliberated.selection_id}/decision-meetings/",
        {"title": "县委常委会第12次会议", "held_on": today(), "entitled": 11},
        format="json",
    )
    assert created.status_code == 201, created.content
    meeting = created.json()["id"]
    base = API + f"decision-meetings/{meeting}/"
    no_agenda = refused_by(client.post(base + "open/", {"present": 11}, format="json"), "M4")
    assert "会议还没有议题" in no_agenda["message"]
    item = client.post(base + "agenda/", {"candidate": deliberated.pk}, format="json")
    assert item.status_code == 201, item.content
    assert [i["candidate"] for i in client.get(base + "agenda/").json()["results"]] == [deliberated.pk]
    too_many = client.post(base + "open/", {"present": 12}, format="json")
    assert too_many.status_code == 400 and "present" in too_many.json()["errors"]
    opened = client.post(base + "open/", {"present": 11}, format="json")
    assert opened.status_code == 200 and opened.json()["is_open"] is True
    refused_by(client.post(base + "open/", {"present": 11}, format="json"), "S1")  # opened once
    other = rival_for(deliberated, staff)
    late = refused_by(client.post(base + "agenda/", {"candidate": other.pk}, format="json"), "M4")
    assert late["source"] == "《中共县委关于规范县委书记选人用人行为办法（试行）》第十条（三）"  # no ad-hoc item

    advance(deliberated, staff, "decide", prepared=False)
    votes = {"candidate": deliberated.pk, "approve": 9, "disapprove": 1, "abstain": 1}
    over = client.post(base + "results/", {**votes, "approve": 11}, format="json")
    assert over.status_code == 400 and "approve" in over.json()["errors"]
    entered = client.post(base + "results/", votes, format="json")
    assert entered.status_code == 201, entered.content
    assert entered.json()["confirmed"] is False and "approve" not in entered.json()
    # blind: the second clerk sees that a first entry exists, not its numbers
    assert client.get(base + "results/").json()["results"] == [entered.json()]
    assert client.get(API + f"candidates/{deliberated.pk}/vote-results/").json()["count"] == 0
    assert client.post(base + "results/confirm/", votes, format="json").status_code == 403  # the same clerk
    second = client_for(second_staff(deliberated, staff))
    mismatch = refused_by(second.post(base + "results/confirm/", {**votes, "abstain": 0}, format="json"), "V2")
    assert "两次录入不一致" in mismatch["message"] and "弃权票" in mismatch["message"]
    recorded = second.post(base + "results/confirm/", votes, format="json")
    assert recorded.status_code == 201, recorded.content
    assert recorded.json()["passed"] is True and recorded.json()["fewer_than_half"] is False
    assert recorded.json()["confirmed"] is True and recorded.json()["entered_by"] == staff.username
    v9 = refused_by(client.post(base + "results/", votes, format="json"), "V9")
    assert v9["source"] == "《中共县委关于规范县委书记选人用人行为办法（试行）》第十条（六）"
    assert [r["approve"] for r in client.get(base + "results/").json()["results"]] == [9]
    assert client.get(base).json()["present"] == 11
    assert client.get(API + f"candidates/{deliberated.pk}/vote-results/").json()["results"][0]["passed"] is True
    listed = client.get(API + f"selections/{deliberated.selection_id}/decision-meetings/").json()
    assert [m["id"] for m in listed["results"]] == [meeting]


def test_result_below_the_quorum_is_refused_by_v1(staff, deliberated):
    """A stage-data write the procedure refuses is a 409 naming its rule, like a refused transition."""
    meeting = voting_services.meeting_create(
        actor=staff, selection=deliberated.selection, held_on=timezone.localdate(), title="常委会", entitled=11
    )
    voting_services.agenda_add(actor=staff, meeting_id=meeting.pk, candidate_id=deliberated.pk)
    voting_services.meeting_open(actor=staff, meeting_id=meeting.pk, present=7)
    advance(deliberated, staff, "decide", prepared=False)
    before = snapshot()
    body = {"candidate": deliberated.pk, "approve": 7, "disapprove": 0, "abstain": 0}
    v1 = refused_by(client_for(staff).post(API + f"decision-meetings/{meeting.pk}/results/", body, format="json"), "V1")
    assert "实到会 7 人，未达到应到会 11 人的 2/3" in v1["message"]
    assert (
        v1["source"]
        == "《党政领导干部选拔任用工作条例》；《中共县委关于规范县委书记选人用人行为办法（试行）》第十条（四）"
    )
    assert snapshot() == before


def test_failed_vote_waits_for_the_committees_choice(staff, deliberated):
    """V5: a failed paper vote rejects nobody; the committee chooses a second vote (or 不予通过)."""
    client = client_for(staff)
    meeting = voting_services.meeting_create(
        actor=staff, selection=deliberated.selection, held_on=timezone.localdate(), title="常委会", entitled=11
    )
    voting_services.agenda_add(actor=staff, meeting_id=meeting.pk, candidate_id=deliberated.pk)
    voting_services.meeting_open(actor=staff, meeting_id=meeting.pk, present=11)
    advance(deliberated, staff, "decide", prepared=False)
    base = API + f"decision-meetings/{meeting.pk}/"
    body = {"candidate": deliberated.pk, "approve": 5, "disapprove": 5, "abstain": 1}
    assert client.post(base + "results/", body, format="json").status_code == 201
    response = client_for(second_staff(deliberated, staff)).post(base + "results/confirm/", body, format="json")
    assert response.status_code == 201 and response.json()["passed"] is False
    assert Candidate.objects.get(pk=deliberated.pk).stage == Stage.DECISION
    second = client.post(base + "second-vote/", format="json")
    assert second.status_code == 201, second.content
    assert second.json()["title"] == "常委会（再次票决）"
    refused_by(client.post(base + "second-vote/", format="json"), "S1")


def test_a_first_entry_can_be_withdrawn(staff, deliberated):
    client = client_for(staff)
    meeting = voting_services.meeting_create(
        actor=staff, selection=deliberated.selection, held_on=timezone.localdate(), title="常委会", entitled=11
    )
    voting_services.agenda_add(actor=staff, meeting_id=meeting.pk, candidate_id=deliberated.pk)
    voting_services.meeting_open(actor=staff, meeting_id=meeting.pk, present=11)
    advance(deliberated, staff, "decide", prepared=False)
    base = API + f"decision-meetings/{meeting.pk}/"
    body = {"candidate": deliberated.pk, "approve": 9, "disapprove": 1, "abstain": 1}
    assert client.post(base + "results/", body, format="json").status_code == 201
    assert client.post(base + "results/discard/", {"candidate": deliberated.pk}, format="json").status_code == 204
    assert client.get(base + "results/").json()["results"] == []
    refused_by(client.post(base + "results/discard/", {"candidate": deliberated.pk}, format="json"), "stage")


# ---------------------------------------------------------------------------- publicity, complaints, appointment


@pytest.fixture
def publicizing(staff, deliberated):
    return advance(deliberated, staff, "decide", "publicize")


def test_publicity_complaint_and_appointment(staff, publicizing):
    client = client_for(staff)
    base = API + f"candidates/{publicizing.pk}/"
    assert client.get(base + "publicity/").status_code == 404
    short = client.post(
        base + "publicity/", {"starts_on": today(), "ends_on": today(1), **DEMO_CHANNELS}, format="json"
    )
    assert "公示期不少于 5 个工作日" in refused_by(short, "P1")["message"]
    # a notice whose period has ended by today: the talk and the appointment follow its end (#11)
    ended = start_for_ended(timezone.localdate(), thresholds.snapshot()["P1.working_days"]).isoformat()
    published = client.post(base + "publicity/", {"starts_on": ended, **DEMO_CHANNELS}, format="json")
    assert published.status_code == 201, published.content
    notice = published.json()
    assert notice["working_days"] >= 5 and publicizing.cadre.name in notice["notice_text"]
    assert client.get(base + "publicity/").json()["id"] == notice["id"]
    refused_by(client.post(base + "publicity/", {"starts_on": today(), **DEMO_CHANNELS}, format="json"), "S1")

    body = {"received_on": today(), "channel": "online", "real_name": True, "text": "反映其配偶经商", "suspend": True}
    filed = client.post(base + "complaints/", body, format="json")
    assert filed.status_code == 201, filed.content
    complaint = filed.json()
    assert complaint["status"] == "received" and "suspend" not in complaint
    assert Candidate.objects.get(pk=publicizing.pk).stage == Stage.SUSPENDED
    assert client.get(base + "complaints/").json()["count"] == 1
    investigated = client.post(base + f"complaints/{complaint['id']}/investigate/", {}, format="json")
    assert investigated.status_code == 200 and investigated.json()["status"] == "investigating"
    bad = client.post(
        base + f"complaints/{complaint['id']}/conclude/",
        {"substantiated": True, "conclusion": "属实", "resume": True},
        format="json",
    )
    assert bad.status_code == 400 and "resume" in bad.json()["errors"]
    concluded = client.post(
        base + f"complaints/{complaint['id']}/conclude/",
        {"substantiated": False, "conclusion": "经核查不属实", "resume": True},
        format="json",
    )
    assert concluded.status_code == 200, concluded.content
    assert concluded.json()["status"] == "concluded" and concluded.json()["concluded_on"] == today()
    assert Candidate.objects.get(pk=publicizing.pk).stage == Stage.PUBLICITY

    talk = {"talked_on": today(), "talked_by": "县委组织部部长", "summary": "提出廉洁要求"}
    created = client.post(base + "appointment-talks/", talk, format="json")
    assert created.status_code == 201 and {k: created.json()[k] for k in talk} == talk
    assert client.get(base + "appointment-talks/").json()["count"] == 1
    assert client.get(base + "appointment/").status_code == 404
    doc = {"document_number": "县委干〔2026〕12号", "effective_on": today()}
    created = client.post(base + "appointment/", doc, format="json")
    assert created.status_code == 201, created.content
    assert created.json()["promotion"] is True and created.json()["probation_ends_on"]
    assert client.get(base + "appointment/").json()["document_number"] == doc["document_number"]
    refused_by(client.post(base + "appointment/", doc, format="json"), "S1")  # a second appointment document


def test_complaint_of_another_candidate_is_404(world, staff, candidate):
    rival = world["rival"]
    response = client_for(staff).post(
        API + f"candidates/{rival}/complaints/{world['complaint']}/conclude/",
        {"substantiated": False, "conclusion": "不属实"},
        format="json",
    )
    assert response.status_code == 404


# ---------------------------------------------------------------------------- schema


METHODS = {
    "/api/v1/selections/{}/agenda-items/": {"get", "post"},
    "/api/v1/candidates/{}/nominations/": {"get", "post"},
    "/api/v1/selections/{}/recommendation-meetings/": {"get", "post"},
    "/api/v1/selections/{}/recommendation-meetings/{}/": {"get", "delete"},
    "/api/v1/selections/{}/recommendation-meetings/{}/confirm/": {"post"},
    "/api/v1/candidates/{}/recommendation-results/": {"get"},
    "/api/v1/selections/{}/inspection-decisions/": {"get", "post"},
    "/api/v1/selections/{}/inspection-notices/": {"get", "post"},
    "/api/v1/selections/{}/inspection-teams/": {"get", "post"},
    "/api/v1/selections/{}/inspection-teams/{}/members/": {"post"},
    "/api/v1/selections/{}/inspection-teams/{}/candidates/": {"post"},
    "/api/v1/candidates/{}/procedures/": {"get", "post"},
    "/api/v1/candidates/{}/talks/": {"get", "post"},
    "/api/v1/candidates/{}/factors/": {"get", "post"},
    "/api/v1/candidates/{}/opinions/": {"get", "post"},
    "/api/v1/candidates/{}/audits/": {"get", "post"},
    "/api/v1/selections/{}/positions/{}/report/": {"get", "put"},
    "/api/v1/selections/{}/positions/{}/comparison/": {"get", "put"},
    "/api/v1/candidates/{}/consultations/": {"get"},
    "/api/v1/selections/{}/consultations/": {"post"},
    "/api/v1/candidates/{}/brief/": {"get", "put"},
    "/api/v1/candidates/{}/vote-results/": {"get"},
    "/api/v1/selections/{}/decision-meetings/": {"get", "post"},
    "/api/v1/decision-meetings/{}/": {"get"},
    "/api/v1/decision-meetings/{}/agenda/": {"get", "post"},
    "/api/v1/decision-meetings/{}/open/": {"post"},
    "/api/v1/decision-meetings/{}/results/": {"get", "post"},
    "/api/v1/decision-meetings/{}/results/confirm/": {"post"},
    "/api/v1/decision-meetings/{}/results/discard/": {"post"},
    "/api/v1/decision-meetings/{}/second-vote/": {"post"},
    "/api/v1/ballot-sessions/": {"get", "post"},
    "/api/v1/ballot-sessions/{}/": {"get"},
    "/api/v1/ballot-sessions/{}/codes.pdf": {"get"},
    "/api/v1/ballot-sessions/{}/open/": {"post"},
    "/api/v1/ballot-sessions/{}/ballot/": {"get"},
    "/api/v1/ballot-sessions/{}/cast/": {"post"},
    "/api/v1/ballot-sessions/{}/close/": {"post"},
    "/api/v1/ballot-sessions/{}/tally/": {"get"},
    "/api/v1/ballot-sessions/{}/bulletin/": {"get"},
    "/api/v1/ballot-sessions/{}/second-vote/": {"post"},
    "/api/v1/ballot-sessions/{}/recusals/": {"post"},
    "/api/v1/users/{}/": {"patch"},
    "/api/v1/cadres/{}/kinships/": {"get", "post"},
    "/api/v1/candidates/{}/publicity/": {"get", "post"},
    "/api/v1/candidates/{}/complaints/": {"get", "post"},
    "/api/v1/candidates/{}/complaints/{}/assign/": {"post"},
    "/api/v1/candidates/{}/complaints/{}/investigate/": {"post"},
    "/api/v1/candidates/{}/complaints/{}/conclude/": {"post"},
    "/api/v1/public/notices/": {"get"},
    "/api/v1/public/complaints/": {"post"},
    "/api/v1/public/complaints/{}/": {"get"},
    "/api/v1/complaints/stats/": {"get"},
    "/api/v1/candidates/{}/appointment-talks/": {"get", "post"},
    "/api/v1/candidates/{}/appointment/": {"get", "post"},
    "/api/v1/candidates/{}/appointment/correction/": {"post"},
    "/api/v1/calendar/notices/": {"post"},
    "/api/v1/calendar/notices/{}/confirm/": {"post"},
}


def _normal(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "{}", path)


def _stage_routes() -> list[str]:
    from importlib import import_module

    routes = []
    for app in STAGE_APPS:
        for pattern in import_module(f"{app}.api_urls").urlpatterns:
            routes.append(_normal(API + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", str(pattern.pattern))))
    return routes


def test_schema_lists_every_stage_path_with_its_methods():
    response = APIClient().get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    paths = {_normal(p): set(ops) for p, ops in response.json()["paths"].items()}
    routes = _stage_routes()
    assert sorted(routes) == sorted(METHODS), "METHODS above must list every route of the stage api_urls"
    for route in routes:
        assert route in paths, f"not in the OpenAPI schema: {route}"
        assert METHODS[route] <= paths[route], (route, paths[route])
    for route, methods in METHODS.items():
        for method in methods & {"post", "put"}:
            operation = response.json()["paths"][next(p for p in response.json()["paths"] if _normal(p) == route)]
            no_body = route.endswith(("/investigate/", "/close/", "/second-vote/")) or route == (
                "/api/v1/calendar/notices/{}/confirm/"
            )
            assert "requestBody" in operation[method] or no_body, (route, method)


def test_every_stage_route_is_reachable_only_logged_in(world):
    anonymous = APIClient()
    for path in READS:
        assert anonymous.get(API + path.format(**world)).status_code in (401, 403)
