"""Bad input, one test per class of input, on every endpoint that writes: a 400 with field errors
(or a 404 for ids the user may not see), never a 500, and nothing written."""

import json
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from cadre import roles, services
from cadre.models import Cadre, Candidate, MotionReason, RecordEntry
from cadre.record import verify

from ..factories import CadreFactory, PositionFactory, UserFactory
from .conftest import API, row_counts

pytestmark = pytest.mark.django_db


@pytest.fixture
def w(staff, admin_user, position):
    selection = services.selection_create(
        actor=staff, title="县财政局副局长选任", reason=MotionReason.VACANCY, positions=[position]
    )
    candidate = services.candidate_create(actor=staff, selection=selection, position=position, cadre=CadreFactory())
    return {
        "staff": staff,
        "admin": admin_user,
        "position": position,
        "selection": selection,
        "candidate": candidate,
        "cadre": CadreFactory(),
        "assignee": UserFactory(roles=[roles.ORG_STAFF]),
    }


# (name, method, path, who) of every endpoint that writes; who is the role allowed to write there.
WRITES = [
    ("units", "post", "units/", "admin"),
    ("positions", "post", "positions/", "admin"),
    ("cadres", "post", "cadres/", "staff"),
    ("cadre", "patch", "cadres/{cadre}/", "staff"),
    ("assessments", "post", "cadres/{cadre}/assessments/", "staff"),
    ("evaluations", "post", "cadres/{cadre}/evaluations/", "staff"),
    ("sanctions", "post", "cadres/{cadre}/sanctions/", "staff"),
    ("selections", "post", "selections/", "staff"),
    ("assign", "post", "selections/{selection}/assign/", "staff"),
    ("candidates", "post", "candidates/", "staff"),
    ("transition", "post", "candidates/{candidate}/transitions/withdraw/", "staff"),
    ("send_back", "post", "candidates/{candidate}/send-back/", "staff"),
    ("important", "post", "candidates/{candidate}/important/", "staff"),
    ("token", "post", "auth/token/", None),
]
BY_NAME = {name: (method, path, who) for name, method, path, who in WRITES}


def call(w, name, data=None, *, raw=None, user=None):
    method, path, who = BY_NAME[name]
    client = APIClient()
    actor = user or (w[who] if who else None)
    if actor is not None:
        client.force_authenticate(actor)
    url = API + path.format(cadre=w["cadre"].pk, selection=w["selection"].pk, candidate=w["candidate"].pk)
    if raw is not None:
        return getattr(client, method)(url, raw, content_type="application/json")
    return getattr(client, method)(url, data, format="json")


def valid_body(w, name):
    today = timezone.localdate()
    return {
        "units": {"name": "县审计局"},
        "positions": {"unit": w["position"].unit_id, "title": "副局长", "level": "section_deputy", "quota": 1},
        "cadres": {
            "name": "赵敏",
            "gender": "F",
            "education": "bachelor",
            "birth_date": "1990-02-03",
            "party_date": "2012-06-01",
            "work_start_date": "2012-08-01",
            "rank_since": "2021-01-01",
            "unit": w["position"].unit_id,
        },
        "cadre": {"name": "赵敏"},
        "assessments": {"year": today.year - 1, "grade": "competent"},
        "evaluations": {"year": today.year - 1, "excellent": 10, "competent": 5},
        "sanctions": {"kind": "诫勉", "starts_on": "2023-01-01", "influence_ends_on": "2023-07-01"},
        "selections": {"title": "县审计局副局长选任", "reason": "vacancy", "positions": [w["position"].pk]},
        "assign": {"user": w["assignee"].pk},
        "candidates": {"selection": w["selection"].pk, "position": w["position"].pk, "cadre": w["cadre"].pk},
        "transition": {"reason": "本人申请退出"},
        "send_back": {"to_stage": "motion", "reason": "材料不全"},
        "important": {"category": "other", "text": "收到群众来信"},
        "token": {"username": w["staff"].username, "password": "pw-12345678"},
    }[name]


def assert_rejected(response, before, *fields):
    assert response.status_code == 400, (response.status_code, response.content[:500])
    errors = response.json()["errors"]
    assert isinstance(errors, dict) and errors
    assert all(isinstance(v, list) and v for v in errors.values())
    for field in fields:
        assert field in errors, (field, errors)
    assert row_counts() == before


def test_valid_bodies_are_accepted(w):
    """The control: each valid body below passes, so the failures in this file are the bad input's."""
    for name, *_ in WRITES:
        if name == "send_back":
            continue  # needs a later stage; covered in tests/cadre/test_send_back.py
        response = call(w, name, valid_body(w, name))
        assert response.status_code in (200, 201, 204), (name, response.content[:300])


# ---------------------------------------------------------------------------- malformed JSON


@pytest.mark.parametrize("name", [n for n, *_ in WRITES])
@pytest.mark.parametrize("raw", ['{"name": ', "{'a': 1}", "nul", "\xff\xfe", '{"a": 1}}'], ids=range(5))
def test_malformed_json(w, name, raw):
    before = row_counts()
    assert_rejected(call(w, name, raw=raw.encode("latin-1") if raw == "\xff\xfe" else raw), before)


@pytest.mark.parametrize("name", [n for n, *_ in WRITES])
@pytest.mark.parametrize("body", ["[1, 2]", '"text"', "42", "null", "true"])
def test_json_that_is_not_an_object(w, name, body):
    before = row_counts()
    assert_rejected(call(w, name, raw=body), before)


# ---------------------------------------------------------------------------- wrong types

WRONG_TYPES = {
    "units": ({"name": ["县委"], "parent": "abc", "under_restructuring": "maybe"}, ["name", "parent"]),
    "positions": (
        {"unit": "x", "title": {"a": 1}, "level": "general", "quota": "many", "is_chief": "perhaps"},
        ["unit", "title", "level", "quota", "is_chief"],
    ),
    "cadres": (
        {
            "name": "张三",
            "gender": "X",
            "education": "phd",
            "birth_date": "yesterday",
            "work_start_date": 20100101,
            "unit": "one",
            "has_spouse": "sometimes",
            "veto_item_year": "last",
        },
        ["gender", "education", "birth_date", "work_start_date", "unit", "has_spouse", "veto_item_year"],
    ),
    "cadre": ({"birth_date": "1990-02-30", "position": "chief", "personal_report_status": "ok"}, ["birth_date"]),
    "assessments": ({"year": "二〇二四", "grade": "good"}, ["year", "grade"]),
    "evaluations": ({"year": 2024.5, "excellent": -1, "competent": "many"}, ["year", "excellent", "competent"]),
    "sanctions": (
        {"kind": "警告", "starts_on": "2024-13-01", "influence_ends_on": 5},
        ["starts_on", "influence_ends_on"],
    ),
    "selections": (
        {"title": "选任", "reason": "whim", "positions": "1", "competitive": "sometimes"},
        ["reason", "positions", "competitive"],
    ),
    "assign": ({"user": "bob"}, ["user"]),
    "candidates": ({"selection": "s", "position": [1], "cadre": None}, ["selection", "position", "cadre"]),
    "transition": ({"override": "R3", "overrides": {"rule": "R3"}}, ["override", "overrides"]),
    "send_back": ({"to_stage": "heaven", "reason": ["x"]}, ["to_stage", "reason"]),
    "important": ({"category": "gossip", "text": None}, ["category", "text"]),
    "token": ({"username": [], "password": {}}, ["username", "password"]),
}


@pytest.mark.parametrize("name", sorted(WRONG_TYPES))
def test_wrong_types(w, name):
    body, fields = WRONG_TYPES[name]
    before = row_counts()
    assert_rejected(call(w, name, body), before, *fields)


MISSING = {
    "units": ["name"],
    "positions": ["unit", "title", "level"],
    "cadres": ["name", "gender", "education", "birth_date", "work_start_date", "unit"],
    "assessments": ["year", "grade"],
    "evaluations": ["year"],
    "sanctions": ["kind", "starts_on", "influence_ends_on"],
    "selections": ["title", "reason", "positions"],
    "assign": ["user"],
    "candidates": ["selection", "position", "cadre"],
    "transition": ["reason"],  # withdraw needs a written reason
    "send_back": ["to_stage", "reason"],
    "important": ["category", "text"],
    "token": ["username", "password"],
}


@pytest.mark.parametrize("name", sorted(MISSING))
def test_missing_fields(w, name):
    before = row_counts()
    assert_rejected(call(w, name, {}), before, *MISSING[name])


@pytest.mark.parametrize(
    "name,body,field",
    [
        ("positions", {"quota": 0}, "quota"),
        ("positions", {"quota": 100}, "quota"),
        ("positions", {"quota": 2**70}, "quota"),
        ("evaluations", {"incompetent": 2**70}, "incompetent"),
        ("cadres", {"veto_item_year": 2**40}, "veto_item_year"),
        ("assign", {"user": 2**70}, "user"),
        ("candidates", {"cadre": 2**70}, "cadre"),
        ("selections", {"positions": [2**70]}, "positions"),
    ],
)
def test_numbers_out_of_range(w, name, body, field):
    before = row_counts()
    assert_rejected(call(w, name, {**valid_body(w, name), **body}), before, field)


# ---------------------------------------------------------------------------- unknown ids


@pytest.mark.parametrize(
    "name,body,field",
    [
        ("units", {"parent": 987654}, "parent"),
        ("positions", {"unit": 987654}, "unit"),
        ("cadres", {"unit": 987654}, "unit"),
        ("cadres", {"position": 987654}, "position"),
        ("selections", {"positions": [987654]}, "positions"),
        ("assign", {"user": 987654}, "user"),
        ("candidates", {"selection": 987654}, "selection"),
        ("candidates", {"position": 987654}, "position"),
        ("candidates", {"cadre": 987654}, "cadre"),
    ],
)
def test_unknown_ids_in_the_body(w, name, body, field):
    before = row_counts()
    assert_rejected(call(w, name, {**valid_body(w, name), **body}), before, field)


@pytest.mark.parametrize(
    "method,path",
    [
        ("get", "cadres/987654/"),
        ("patch", "cadres/987654/"),
        ("get", "cadres/987654/assessments/"),
        ("post", "cadres/987654/sanctions/"),
        ("get", "selections/987654/"),
        ("post", "selections/987654/assign/"),
        ("get", "candidates/987654/"),
        ("get", "candidates/987654/check/nominate/"),
        ("post", "candidates/987654/transitions/nominate/"),
        ("post", "candidates/987654/send-back/"),
        ("post", "candidates/987654/important/"),
        ("get", "candidates/987654/record/"),
        ("get", "candidates/99999999999999999999999/"),
    ],
)
def test_unknown_ids_in_the_path(w, method, path):
    client = APIClient()
    client.force_authenticate(w["staff"])
    before = row_counts()
    response = getattr(client, method)(API + path, {"name": "x"} if method != "get" else None, format="json")
    assert response.status_code == 404
    assert row_counts() == before


def test_position_outside_the_selection(w):
    body = {**valid_body(w, "candidates"), "position": PositionFactory().pk}
    before = row_counts()
    assert_rejected(call(w, "candidates", body), before, "position")


def test_same_cadre_twice_for_a_post(w):
    body = {**valid_body(w, "candidates"), "cadre": w["candidate"].cadre_id}
    before = row_counts()
    assert_rejected(call(w, "candidates", body), before, "cadre")


# ---------------------------------------------------------------------------- ids the user may not see


def test_invisible_ids_are_404_not_403(w, other_staff):
    """Another staff member's candidate looks exactly like one that does not exist."""
    client = APIClient()
    client.force_authenticate(other_staff)
    pk = w["candidate"].pk
    before = row_counts()
    for method, path, body in [
        ("get", f"candidates/{pk}/", None),
        ("get", f"candidates/{pk}/record/", None),
        ("get", f"candidates/{pk}/check/nominate/", None),
        ("post", f"candidates/{pk}/transitions/nominate/", {}),
        ("post", f"candidates/{pk}/transitions/fly/", {}),
        ("post", f"candidates/{pk}/send-back/", {"to_stage": "motion", "reason": "x"}),
        ("post", f"candidates/{pk}/important/", {"category": "other", "text": "x"}),
        ("get", f"selections/{w['selection'].pk}/", None),
        ("post", f"selections/{w['selection'].pk}/assign/", {"user": other_staff.pk}),
    ]:
        hidden = getattr(client, method)(API + path, body, format="json")
        missing = getattr(client, method)(API + path.replace(str(pk), "987654"), body, format="json")
        assert hidden.status_code == 404, (path, hidden.status_code)
        if str(pk) in path:
            assert hidden.json() == missing.json()
    assert row_counts() == before


def test_invisible_selection_in_the_body_reads_as_missing(w, other_staff):
    client = APIClient()
    client.force_authenticate(other_staff)
    body = valid_body(w, "candidates")
    before = row_counts()
    hidden = client.post(API + "candidates/", body, format="json")
    missing = client.post(API + "candidates/", {**body, "selection": 987654}, format="json")
    assert hidden.status_code == missing.status_code == 400
    assert hidden.json()["errors"]["selection"][0].replace(str(w["selection"].pk), "#") == missing.json()["errors"][
        "selection"
    ][0].replace("987654", "#")
    assert row_counts() == before


# ---------------------------------------------------------------------------- dates that make no sense


def _days(n):
    return (timezone.localdate() + timedelta(days=n)).isoformat()


@pytest.mark.parametrize(
    "name,body,field",
    [
        ("cadres", {"birth_date": _days(1)}, "birth_date"),
        ("cadres", {"birth_date": "1900-01-01"}, "birth_date"),
        ("cadres", {"work_start_date": _days(30)}, "work_start_date"),
        ("cadres", {"work_start_date": "1989-01-01"}, "work_start_date"),  # before birth
        ("cadres", {"party_date": "1980-01-01"}, "party_date"),  # before birth
        ("cadres", {"party_date": _days(1)}, "party_date"),
        ("cadres", {"rank_since": _days(1)}, "rank_since"),
        ("cadres", {"rank_since": "1985-01-01"}, "rank_since"),  # before birth
        ("cadres", {"position_since": _days(1)}, "position_since"),
        ("cadres", {"veto_item_year": timezone.localdate().year + 1}, "veto_item_year"),
        ("cadre", {"birth_date": _days(1)}, "birth_date"),
        ("cadre", {"work_start_date": "1950-01-01"}, "work_start_date"),  # before the stored birth date
        ("assessments", {"year": 1900}, "year"),
        ("assessments", {"year": timezone.localdate().year + 1}, "year"),
        ("evaluations", {"year": timezone.localdate().year + 5}, "year"),
        ("sanctions", {"starts_on": "2024-05-01", "influence_ends_on": "2024-04-30"}, "influence_ends_on"),
        ("sanctions", {"starts_on": _days(10), "influence_ends_on": _days(200)}, "starts_on"),
    ],
)
def test_dates_that_make_no_sense(w, name, body, field):
    before = row_counts()
    assert_rejected(call(w, name, {**valid_body(w, name), **body}), before, field)


def test_sanction_still_in_force_is_fine(w):
    body = {"kind": "记过", "starts_on": _days(-100), "influence_ends_on": _days(265)}
    assert call(w, "sanctions", body).status_code == 201


# ---------------------------------------------------------------------------- Chinese and emoji text

TEXT = "欧阳😀𠀀娜·买买提"  # an emoji and a character outside the BMP (CJK Extension B)


def test_chinese_and_emoji_text_round_trips(w):
    created = call(w, "cadres", {**valid_body(w, "cadres"), "name": TEXT, "hometown": "新疆🏔喀什"})
    assert created.status_code == 201
    assert Cadre.objects.get(pk=created.json()["id"]).name == TEXT
    selection = call(w, "selections", {**valid_body(w, "selections"), "title": f"选任{TEXT}", "reason_text": "🚩"})
    assert selection.status_code == 201 and selection.json()["title"] == f"选任{TEXT}"
    important = call(w, "important", {"category": "other", "text": TEXT, "outcome": "✅ 已核实"})
    assert important.status_code == 201 and important.json()["payload"]["text"] == TEXT
    withdrawn = call(w, "transition", {"reason": f"本人申请{TEXT}"})
    assert withdrawn.status_code == 200
    entry = RecordEntry.objects.filter(candidate=w["candidate"]).order_by("-seq").first()
    assert entry.payload["reason"] == f"本人申请{TEXT}"
    assert verify().ok  # the hash chain survives non-ASCII text


@pytest.mark.parametrize(
    "name,field",
    [
        ("units", "name"),
        ("cadres", "name"),
        ("selections", "title"),
        ("important", "text"),
        ("transition", "reason"),
        ("send_back", "reason"),
        ("sanctions", "kind"),
    ],
)
def test_nul_characters_are_refused(w, name, field):
    before = row_counts()
    assert_rejected(call(w, name, {**valid_body(w, name), field: "张\x00三"}), before, field)


@pytest.mark.parametrize("name,field", [("cadres", "name"), ("selections", "title"), ("important", "text")])
def test_blank_text_is_refused(w, name, field):
    before = row_counts()
    assert_rejected(call(w, name, {**valid_body(w, name), field: "  \n "}), before, field)


# ---------------------------------------------------------------------------- very long strings


@pytest.mark.parametrize(
    "name,field,limit",
    [
        ("units", "name", 100),
        ("positions", "title", 100),
        ("cadres", "name", 50),
        ("cadres", "ethnicity", 20),
        ("cadres", "hometown", 100),
        ("cadre", "specialty", 200),
        ("sanctions", "kind", 100),
        ("selections", "title", 200),
        ("selections", "reason_text", 2000),
        ("selections", "superior_approval", 200),
        ("transition", "reason", 2000),
        ("send_back", "reason", 2000),
        ("important", "text", 2000),
        ("important", "outcome", 2000),
    ],
)
def test_very_long_strings(w, name, field, limit):
    before = row_counts()
    assert_rejected(call(w, name, {**valid_body(w, name), field: "长" * (limit + 1)}), before, field)
    # exactly at the limit, in four-byte characters, is fine
    if name not in ("send_back",):
        response = call(w, name, {**valid_body(w, name), field: "😀" * limit})
        assert response.status_code in (200, 201), response.content[:300]


def test_long_override_reason(w):
    body = {"reason": "x", "override": {"rule": "R3", "reason": "长" * 2001}}
    before = row_counts()
    assert_rejected(call(w, "transition", body), before, "override")


def test_megabyte_body(w):
    before = row_counts()
    response = call(w, "important", {"category": "other", "text": "长" * 1_000_000})  # 3 MB of UTF-8
    assert_rejected(response, before)


def test_nothing_half_written_when_a_later_field_fails(w):
    """A selection whose positions are fine but whose reason is not creates no selection and no M2M rows."""
    before = row_counts()
    body = {**valid_body(w, "selections"), "reason": "other", "reason_text": ""}
    assert_rejected(call(w, "selections", body), before, "reason_text")
    assert Candidate.objects.count() == before["Candidate"]


def test_json_body_as_form_is_still_validated(w):
    client = APIClient()
    client.force_authenticate(w["staff"])
    before = row_counts()
    response = client.post(API + "cadres/", {"name": "x"})  # multipart form
    assert response.status_code == 400
    assert row_counts() == before
    assert json.loads(response.content)["errors"]


@pytest.mark.parametrize("query", ["stage=%00", "stage=nowhere", "selection=abc", "selection=%00"])
def test_bad_candidate_filters_are_400_in_chinese(staff, query):
    client = APIClient()
    client.force_authenticate(staff)
    response = client.get(f"/api/v1/candidates/?{query}")
    assert response.status_code == 400
    field = query.split("=")[0]
    assert list(response.json()["errors"]) == [field]


def test_nul_in_the_cadre_search_is_ignored(staff, candidate):
    client = Client()
    client.force_login(staff)
    response = client.get("/cadres/options/?q=%00")
    assert response.status_code == 200
