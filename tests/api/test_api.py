"""Contract tests of the JSON API v1, following /work/shared/API.md."""

import re
from datetime import date, timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from cadre import roles
from cadre.models import Candidate, RecordEntry

from ..conftest import prepare, recommend
from ..factories import CadreFactory, PositionFactory, UserFactory
from .conftest import API, api_routes, client_for

pytestmark = pytest.mark.django_db

VIOLATION_KEYS = {"rule", "message", "source", "overridable"}


# ---------------------------------------------------------------------------- auth


def test_token_auth(staff):
    anonymous = APIClient()
    assert anonymous.get(API + "candidates/").status_code in (401, 403)
    response = anonymous.post(
        API + "auth/token/", {"username": staff.username, "password": "pw-12345678"}, format="json"
    )
    assert response.status_code == 200
    token = response.json()["token"]
    assert re.fullmatch(r"[0-9a-f]{40}", token)
    again = anonymous.post(API + "auth/token/", {"username": staff.username, "password": "pw-12345678"}, format="json")
    assert again.json()["token"] == token
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert client.get(API + "candidates/").status_code == 200
    client.credentials(HTTP_AUTHORIZATION="Token " + "0" * 40)
    assert client.get(API + "candidates/").status_code in (401, 403)


def test_token_refused_for_wrong_password(staff):
    response = APIClient().post(API + "auth/token/", {"username": staff.username, "password": "wrong"}, format="json")
    assert response.status_code == 400
    assert response.json()["errors"]["non_field_errors"]


# ---------------------------------------------------------------------------- master data


def test_admin_creates_units_and_positions(admin_user, staff):
    client = client_for(admin_user, token=True)
    county = client.post(API + "units/", {"name": "县委", "parent": None}, format="json")
    assert county.status_code == 201, county.content
    unit = client.post(
        API + "units/", {"name": "县财政局", "parent": county.json()["id"], "under_restructuring": False}, format="json"
    )
    assert unit.status_code == 201
    assert unit.json()["parent"] == county.json()["id"]
    position = client.post(
        API + "positions/",
        {
            "unit": unit.json()["id"],
            "title": "局长",
            "level": "section_chief",
            "is_chief": True,
            "is_key_post": True,
            "quota": 1,
        },
        format="json",
    )
    assert position.status_code == 201, position.content
    assert position.json()["is_chief"] is True
    listed = client_for(staff, token=True).get(API + "positions/").json()
    assert position.json()["id"] in [p["id"] for p in listed["results"]]
    assert client_for(staff, token=True).post(API + "units/", {"name": "某局"}, format="json").status_code == 403


# ---------------------------------------------------------------------------- cadres and their facts


CADRE = {
    "name": "李明",
    "gender": "M",
    "ethnicity": "汉族",
    "hometown": "本县",
    "education": "bachelor",
    "birth_date": "1984-03-02",
    "party_date": "2006-07-01",
    "work_start_date": "2006-08-01",
    "position": None,
    "rank_since": "2020-01-01",
    "has_spouse": True,
    "spouse_emigrated": False,
    "children_emigrated": False,
    "canvassing_finding": False,
    "veto_item_year": None,
    "personal_report_status": "checked",
}


def test_cadre_crud_and_facts(staff, position):
    client = client_for(staff, token=True)
    created = client.post(API + "cadres/", {**CADRE, "unit": position.unit_id}, format="json")
    assert created.status_code == 201, created.content
    cadre = created.json()
    assert {k: cadre[k] for k in CADRE} == CADRE
    url = f"{API}cadres/{cadre['id']}/"
    assert client.get(url).json()["name"] == "李明"
    listed = client.get(API + "cadres/").json()
    assert listed["count"] >= 1 and cadre["id"] in [c["id"] for c in listed["results"]]
    patched = client.patch(url, {"education": "master", "personal_report_status": "concealed"}, format="json")
    assert patched.status_code == 200
    assert patched.json()["education"] == "master" and patched.json()["name"] == "李明"

    year = timezone.localdate().year - 1
    assert client.post(url + "assessments/", {"year": year, "grade": "excellent"}, format="json").status_code == 201
    assessments = client.get(url + "assessments/").json()["results"]
    assert [(a["year"], a["grade"]) for a in assessments] == [(year, "excellent")]
    votes = {"year": year, "excellent": 20, "competent": 10, "basically_competent": 1, "incompetent": 0}
    evaluation = client.post(url + "evaluations/", votes, format="json")
    assert evaluation.status_code == 201 and {k: evaluation.json()[k] for k in votes} == votes
    sanction = {"kind": "诫勉", "starts_on": "2024-01-10", "influence_ends_on": "2024-07-10"}
    created_sanction = client.post(url + "sanctions/", sanction, format="json")
    assert created_sanction.status_code == 201
    assert {k: created_sanction.json()[k] for k in sanction} == sanction
    assert len(client.get(url + "sanctions/").json()["results"]) == 1
    assert len(client.get(url + "evaluations/").json()["results"]) == 1


def test_duplicate_assessment_year_is_a_400(staff):
    cadre = CadreFactory()
    client = client_for(staff)
    url = f"{API}cadres/{cadre.pk}/assessments/"
    assert client.post(url, {"year": 2024, "grade": "competent"}, format="json").status_code == 201
    again = client.post(url, {"year": 2024, "grade": "excellent"}, format="json")
    assert again.status_code == 400 and again.json()["errors"]


# ---------------------------------------------------------------------------- selections and candidates


@pytest.fixture
def flow(staff, position):
    """A selection and a candidate created through the API by the staff member."""
    client = client_for(staff, token=True)
    response = client.post(
        API + "selections/",
        {
            "title": "县财政局副局长选任",
            "reason": "vacancy",
            "reason_text": "",
            "positions": [position.pk],
            "competitive": True,
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    selection = response.json()
    cadre = CadreFactory()
    response = client.post(
        API + "candidates/", {"selection": selection["id"], "position": position.pk, "cadre": cadre.pk}, format="json"
    )
    assert response.status_code == 201, response.content
    return client, selection, response.json()


def test_selection_and_candidate(flow, position, staff):
    client, selection, candidate = flow
    assert selection["positions"] == [position.pk] and selection["reason"] == "vacancy"
    assert client.get(f"{API}selections/{selection['id']}/").json()["title"] == "县财政局副局长选任"
    assert candidate["stage"] == "motion" and candidate["stage_label"] == "动议"
    assert set(candidate["available_transitions"]) == {"nominate", "eliminate", "withdraw"}
    detail = client.get(f"{API}candidates/{candidate['id']}/").json()
    assert detail["id"] == candidate["id"] and detail["cadre"] == candidate["cadre"]
    listed = client.get(API + "candidates/", {"selection": selection["id"]}).json()
    assert [c["id"] for c in listed["results"]] == [candidate["id"]]
    assert client.get(API + "candidates/", {"stage": "inspection"}).json()["results"] == []
    # API.md: bad filter values give 400
    assert client.get(API + "candidates/", {"selection": "abc"}).json()["errors"]["selection"]
    assert RecordEntry.objects.get(candidate_id=candidate["id"]).actor == staff


def test_selection_assign(flow, other_staff):
    client, selection, candidate = flow
    other = client_for(other_staff, token=True)
    assert other.get(f"{API}candidates/{candidate['id']}/").status_code == 404
    assert (
        client.post(f"{API}selections/{selection['id']}/assign/", {"user": other_staff.pk}, format="json").status_code
        == 204
    )
    assert other.get(f"{API}candidates/{candidate['id']}/").status_code == 200
    inspector = UserFactory(roles=[roles.INSPECTOR])
    response = client.post(f"{API}selections/{selection['id']}/assign/", {"user": inspector.pk}, format="json")
    assert response.status_code == 400 and "user" in response.json()["errors"]


def test_non_competitive_selection_needs_a_reason(staff, position):
    client = client_for(staff)
    body = {"title": "等额", "reason": "vacancy", "positions": [position.pk], "competitive": False}
    response = client.post(API + "selections/", body, format="json")
    assert response.status_code == 400 and "single_candidate_reason" in response.json()["errors"]
    body["single_candidate_reason"] = "经研究只有一名合适人选"
    assert client.post(API + "selections/", body, format="json").status_code == 201


def test_check_endpoint_writes_nothing(flow):
    client, _, candidate = flow
    entries = RecordEntry.objects.count()
    response = client.get(f"{API}candidates/{candidate['id']}/check/inspect/")
    assert response.status_code == 200
    body = response.json()
    assert body["allowed"] is False
    assert body["violations"] and all(set(v) == VIOLATION_KEYS for v in body["violations"])
    assert "R2" in {v["rule"] for v in body["violations"]}
    assert RecordEntry.objects.count() == entries
    assert client.get(f"{API}candidates/{candidate['id']}/check/fly/").status_code == 400


def _to_recommendation(client, candidate, staff):
    obj = Candidate.objects.get(pk=candidate["id"])
    for transition in ("nominate", "recommend"):
        prepare(obj, staff, transition)
        response = client.post(f"{API}candidates/{obj.pk}/transitions/{transition}/", {}, format="json")
        assert response.status_code == 200, response.content
    return obj


def test_transition_ok_and_refused(flow, staff):
    client, _, candidate = flow
    url = f"{API}candidates/{candidate['id']}/transitions/"
    obj = Candidate.objects.get(pk=candidate["id"])
    prepare(obj, staff, "nominate")
    response = client.post(url + "nominate/", {}, format="json")
    assert response.status_code == 200
    assert response.json()["stage"] == "nomination"
    prepare(obj, staff, "recommend")
    assert client.post(url + "recommend/", format="json").status_code == 200  # an empty body is fine

    entries = RecordEntry.objects.count()
    refused = client.post(url + "inspect/", {}, format="json")
    assert refused.status_code == 409
    body = refused.json()
    assert list(body) == ["violations"]
    assert body["violations"] and all(set(v) == VIOLATION_KEYS for v in body["violations"])
    r2 = next(v for v in body["violations"] if v["rule"] == "R2")
    assert r2["overridable"] is False and r2["message"]
    assert r2["source"] == "株洲市经信委《关于进一步加强全委干部队伍建设的意见》一（三）"
    assert RecordEntry.objects.count() == entries + 1  # the refusal is recorded
    assert Candidate.objects.get(pk=obj.pk).stage == "recommendation"


def test_transition_from_wrong_stage_is_a_conflict(flow):
    client, _, candidate = flow
    response = client.post(f"{API}candidates/{candidate['id']}/transitions/appoint/", {}, format="json")
    assert response.status_code == 409
    assert list(response.json()) == ["violations"]
    [violation] = response.json()["violations"]
    assert set(violation) == VIOLATION_KEYS
    assert violation["rule"] == "stage" and violation["overridable"] is False
    assert violation["message"].startswith("人选当前处于“动议”阶段，不能任职") and "刷新" in violation["message"]


def test_unknown_transition_is_a_400(flow):
    client, _, candidate = flow
    response = client.post(f"{API}candidates/{candidate['id']}/transitions/fly/", {}, format="json")
    assert response.status_code == 400 and "transition" in response.json()["errors"]


def test_closing_transition_needs_a_reason(flow):
    client, _, candidate = flow
    url = f"{API}candidates/{candidate['id']}/transitions/withdraw/"
    response = client.post(url, {}, format="json")
    assert response.status_code == 400 and "reason" in response.json()["errors"]
    response = client.post(url, {"reason": "本人因病申请退出"}, format="json")
    assert response.status_code == 200 and response.json()["stage"] == "withdrawn"
    assert response.json()["available_transitions"] == []


def test_override_soft_rule(flow, staff):
    client, _, candidate = flow
    obj = _to_recommendation(client, candidate, staff)
    recommend(obj, votes=12, present=36)
    prepare(obj, staff, "inspect")
    url = f"{API}candidates/{obj.pk}/transitions/inspect/"
    refused = client.post(url, {}, format="json")
    assert refused.status_code == 409
    assert [v["rule"] for v in refused.json()["violations"]] == ["R3"]
    assert refused.json()["violations"][0]["overridable"] is True
    missing_reason = client.post(url, {"override": {"rule": "R3", "reason": ""}}, format="json")
    assert missing_reason.status_code == 400
    response = client.post(url, {"override": {"rule": "R3", "reason": "部长办公会研究同意：实绩突出"}}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["stage"] == "inspection"
    record = client.get(f"{API}candidates/{obj.pk}/record/").json()["results"]
    assert record[-2]["kind"] == "transition" and record[-2]["payload"]["overrides"] == {
        "R3": "部长办公会研究同意：实绩突出"
    }
    assert record[-1]["kind"] == "important" and record[-1]["payload"]["category"] == "override"


def test_override_hard_rule_is_a_400(flow, staff):
    client, _, candidate = flow
    obj = _to_recommendation(client, candidate, staff)
    response = client.post(
        f"{API}candidates/{obj.pk}/transitions/inspect/", {"override": {"rule": "R2", "reason": "特殊"}}, format="json"
    )
    assert response.status_code == 400 and "override" in response.json()["errors"]
    assert Candidate.objects.get(pk=obj.pk).stage == "recommendation"


def test_important_endpoint(flow):
    client, _, candidate = flow
    url = f"{API}candidates/{candidate['id']}/important/"
    response = client.post(
        url, {"category": "complaint", "text": "收到实名举报一件", "outcome": "已转纪委"}, format="json"
    )
    assert response.status_code == 201
    assert response.json()["kind"] == "important" and response.json()["seq"] == 2
    assert client.post(url, {"category": "override", "text": "x"}, format="json").status_code == 400


def test_record_endpoint_fields(flow, staff):
    client, _, candidate = flow
    _to_recommendation(client, candidate, staff)
    record = client.get(f"{API}candidates/{candidate['id']}/record/").json()["results"]
    assert [e["seq"] for e in record] == list(range(1, len(record) + 1))
    for previous, entry in zip([None, *record], record, strict=False):
        assert set(entry) == {"seq", "at", "actor", "kind", "payload", "prev_hash", "hash"}
        assert entry["actor"] == staff.username
        assert re.fullmatch(r"[0-9a-f]{64}", entry["hash"])
        assert entry["prev_hash"] == (previous["hash"] if previous else "0" * 64)
    transitions = [e for e in record if e["kind"] == "transition"]
    assert [e["payload"]["transition"] for e in transitions] == ["nominate", "recommend"]
    assert "rules" in transitions[0]["payload"] and "thresholds" in transitions[0]["payload"]


def test_record_verify_endpoint(flow, supervisor):
    body = client_for(supervisor, token=True).get(API + "record/verify/").json()
    assert body == {"ok": True, "entries": 1, "checkpoint": None, "broken": []}


def test_dates_are_iso(flow):
    client, _, candidate = flow
    detail = client.get(f"{API}candidates/{candidate['id']}/").json()
    assert date.fromisoformat(detail["stage_changed_at"][:10]) >= timezone.localdate() - timedelta(days=1)


# ---------------------------------------------------------------------------- schema


def test_schema_describes_every_path():
    response = APIClient().get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")

    def normal(path):
        return re.sub(r"\{[^}]+\}", "{}", path)

    documented = {normal(p) for p in schema["paths"]}
    missing = [route for route in api_routes() if normal(route) not in documented]
    assert not missing, f"not in the OpenAPI schema: {missing}"


def test_schema_lists_methods_of_each_path():
    schema = APIClient().get("/api/schema/", {"format": "json"}).json()
    paths = schema["paths"]
    assert {"get", "post"} <= set(paths["/api/v1/cadres/"])
    assert {"get", "patch"} <= set(paths["/api/v1/cadres/{id}/"])
    assert "post" in paths["/api/v1/candidates/{id}/transitions/{transition}/"]
    assert "409" in paths["/api/v1/candidates/{id}/transitions/{transition}/"]["post"]["responses"]


def test_positions_list_is_paginated(staff):
    PositionFactory.create_batch(3)
    body = client_for(staff).get(API + "positions/").json()
    assert set(body) == {"count", "next", "previous", "results"} and body["count"] == 3


def test_schema_generates_without_warnings():
    """drf-spectacular's warnings (enum name collisions, unresolvable fields) are defects of the contract."""
    from io import StringIO

    from django.core.management import call_command

    call_command("spectacular", "--fail-on-warn", "--validate", stdout=StringIO(), stderr=StringIO())
