"""Who may change which cadre (cadre.selectors.can_edit_cadre), over the API: every role × a cadre
behind an open candidacy / another cadre, with real bodies and exact status codes, and the record.

The "open" cadre is a candidate in two open selections (one assigned to `assigned`, one to a
colleague) and in a third, closed one (withdrawn). The "other" cadre was a candidate once (withdrawn)
and is in no open selection. Every allowed change leaves one `cadre_changed` entry on each open
candidate's chain with the old and new values, and none on the closed one; every refusal writes
nothing.
"""

import pytest
from django.db import transaction
from django.test import override_settings
from django.utils import timezone
from rest_framework.test import APIClient

from cadre import roles, services
from cadre.models import Assessment, Cadre, Candidate, Evaluation, MotionReason, RecordEntry, RecordKind, Sanction
from cadre.record import verify

from ..conftest import advance
from ..factories import AssessmentFactory, CadreFactory, PositionFactory, UserFactory
from .conftest import API, row_counts

pytestmark = pytest.mark.django_db

ASSIGNED, UNASSIGNED, INSPECTOR, COMMITTEE, SUPERVISOR, ADMIN, ANONYMOUS = (
    "org_staff_assigned",
    "org_staff_unassigned",
    "inspector",
    "committee_member",
    "supervisor",
    "admin",
    "anonymous",
)
ROLES = [ASSIGNED, UNASSIGNED, INSPECTOR, COMMITTEE, SUPERVISOR, ADMIN, ANONYMOUS]
OBJECTS = ["open", "other"]
MD5 = "django.contrib.auth.hashers.MD5PasswordHasher"
# Without credentials DRF answers with the first authentication class of settings.REST_FRAMEWORK:
# token authentication (cadre.auth), whose WWW-Authenticate challenge makes "not signed in" a 401.
NOT_SIGNED_IN = 401


def _year():
    return timezone.localdate().year - 1


# name -> (method, path, body, {role: (open, other)}, the change each allowed request records)
PATCH = {
    ASSIGNED: (200, 200),
    UNASSIGNED: (404, 200),
    INSPECTOR: (403, 403),
    COMMITTEE: (403, 403),
    SUPERVISOR: (403, 403),
    ADMIN: (200, 200),
    ANONYMOUS: (NOT_SIGNED_IN, NOT_SIGNED_IN),
}
CREATE = {role: tuple(201 if s == 200 else s for s in codes) for role, codes in PATCH.items()}
READ = {
    ASSIGNED: (200, 200),
    UNASSIGNED: (200, 200),
    INSPECTOR: (403, 403),
    COMMITTEE: (403, 403),
    SUPERVISOR: (200, 200),
    ADMIN: (200, 200),
    ANONYMOUS: (NOT_SIGNED_IN, NOT_SIGNED_IN),
}
CASES = {
    "patch-basic": (
        "patch",
        "cadres/{cadre}/",
        {"ethnicity": "回族", "education": "master"},
        PATCH,
        ("cadre", "update", {"ethnicity": ["汉族", "回族"], "education": ["bachelor", "master"]}),
    ),
    "patch-flags": (
        "patch",
        "cadres/{cadre}/",
        {"canvassing_finding": True, "personal_report_status": "concealed", "veto_item_year": "YEAR"},
        PATCH,
        (
            "cadre",
            "update",
            {
                "canvassing_finding": [False, True],
                "personal_report_status": ["checked", "concealed"],
                "veto_item_year": [None, "YEAR"],
            },
        ),
    ),
    "patch-emigration": (
        "patch",
        "cadres/{cadre}/",
        {"spouse_emigrated": True, "children_emigrated": True},
        PATCH,
        ("cadre", "update", {"spouse_emigrated": [False, True], "children_emigrated": [False, True]}),
    ),
    "assessment": (
        "post",
        "cadres/{cadre}/assessments/",
        {"year": "YEAR", "grade": "basically_competent"},
        CREATE,
        ("assessment", "create", {"year": [None, "YEAR"], "grade": [None, "basically_competent"]}),
    ),
    "evaluation": (
        "post",
        "cadres/{cadre}/evaluations/",
        {"year": "YEAR", "excellent": 10, "competent": 5, "basically_competent": 1, "incompetent": 0},
        CREATE,
        (
            "evaluation",
            "create",
            {"year": [None, "YEAR"], "excellent": [None, 10], "competent": [None, 5], "basically_competent": [None, 1]},
        ),
    ),
    "sanction": (
        "post",
        "cadres/{cadre}/sanctions/",
        {"kind": "诫勉", "starts_on": "2023-01-01", "influence_ends_on": "2023-07-01"},
        CREATE,
        (
            "sanction",
            "create",
            {"kind": [None, "诫勉"], "starts_on": [None, "2023-01-01"], "influence_ends_on": [None, "2023-07-01"]},
        ),
    ),
}


def _fill(value):
    """The last full year where a case says YEAR (the module's bodies are built at import)."""
    if value == "YEAR":
        return _year()
    if isinstance(value, dict):
        return {k: _fill(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(_fill(v) for v in value)
    return value


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """Built once for the module inside an outer transaction; each test runs in a savepoint of it."""
    with django_db_blocker.unblock(), override_settings(PASSWORD_HASHERS=[MD5]):
        outer = transaction.atomic()
        outer.__enter__()
        try:
            yield _build_world()
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


def _selection(owner, title):
    position = PositionFactory()
    selection = services.selection_create(actor=owner, title=title, reason=MotionReason.VACANCY, positions=[position])
    return selection, position


def _build_world():
    assigned = UserFactory(roles=[roles.ORG_STAFF])
    colleague = UserFactory(roles=[roles.ORG_STAFF])
    w = {"user": {ASSIGNED: assigned, UNASSIGNED: UserFactory(roles=[roles.ORG_STAFF])}}
    for role in (INSPECTOR, COMMITTEE, SUPERVISOR, ADMIN):
        w["user"][role] = UserFactory(roles=[role])
    open_cadre, other_cadre = CadreFactory(), CadreFactory()
    first, first_post = _selection(assigned, "甲选任")
    second, second_post = _selection(colleague, "乙选任")
    closed, closed_post = _selection(assigned, "丙选任")
    a = services.candidate_create(actor=assigned, selection=first, position=first_post, cadre=open_cadre)
    b = services.candidate_create(actor=colleague, selection=second, position=second_post, cadre=open_cadre)
    advance(b, colleague, "nominate")
    c = services.candidate_create(actor=assigned, selection=closed, position=closed_post, cadre=open_cadre)
    advance(c, assigned, "withdraw", prepared=False, reason="本人申请")
    d = services.candidate_create(actor=assigned, selection=first, position=first_post, cadre=other_cadre)
    advance(d, assigned, "withdraw", prepared=False, reason="本人申请")
    w["cadre"] = {"open": open_cadre.pk, "other": other_cadre.pk}
    w["open_candidates"] = {"open": [a.pk, b.pk], "other": []}
    w["closed_candidates"] = {"open": [c.pk], "other": [d.pk]}
    return w


def _client(world, role):
    client = APIClient()
    if role != ANONYMOUS:
        client.force_login(world["user"][role])
    return client


def _entries(pks):
    return {pk: list(RecordEntry.objects.filter(candidate_id=pk).order_by("seq")) for pk in pks}


@pytest.mark.parametrize("obj", OBJECTS)
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("case", sorted(CASES))
def test_write_matrix(world, case, role, obj):
    method, path, body, expected, (fact, action, changes) = CASES[case]
    body, changes = _fill(body), _fill(changes)
    status = expected[role][OBJECTS.index(obj)]
    candidates = world["open_candidates"][obj] + world["closed_candidates"][obj]
    before_rows, before_entries = row_counts(), _entries(candidates)
    url = API + path.format(cadre=world["cadre"][obj])
    response = getattr(_client(world, role), method)(url, body, format="json")
    assert response.status_code == status, (response.status_code, response.content[:300])
    after = _entries(candidates)
    if status >= 400:
        assert row_counts() == before_rows and after == before_entries
        return
    for pk in world["closed_candidates"][obj]:
        assert after[pk] == before_entries[pk]
    for pk in world["open_candidates"][obj]:
        assert len(after[pk]) == len(before_entries[pk]) + 1
        entry = after[pk][-1]
        assert entry.kind == RecordKind.CADRE_CHANGED and entry.actor == world["user"][role]
        assert entry.payload["cadre"] == world["cadre"][obj]
        assert (entry.payload["fact"], entry.payload["action"]) == (fact, action)
        assert {k: v for k, v in entry.payload["changes"].items() if k in changes} == changes
        if action == "create":
            assert entry.payload["fact_id"] == response.json()["id"]
    assert verify(candidate_ids=world["open_candidates"][obj]).ok


@pytest.mark.parametrize("obj", OBJECTS)
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("path", ["cadres/{cadre}/", "cadres/{cadre}/assessments/"])
def test_read_matrix(world, path, role, obj):
    response = _client(world, role).get(API + path.format(cadre=world["cadre"][obj]))
    assert response.status_code == READ[role][OBJECTS.index(obj)]


def test_positive_control(world):
    """The refusal follows the assignment: once assigned to the second selection, the staff member may edit."""
    client = _client(world, UNASSIGNED)
    url = f"{API}cadres/{world['cadre']['open']}/"
    assert client.patch(url, {"hometown": "外县"}, format="json").status_code == 404
    second = Candidate.objects.get(pk=world["open_candidates"]["open"][1]).selection
    services.selection_assign(actor=world["user"][ADMIN], selection=second, user=world["user"][UNASSIGNED])
    response = client.patch(url, {"hometown": "外县"}, format="json")
    assert response.status_code == 200 and response.json()["hometown"] == "外县"
    for pk in world["open_candidates"]["open"]:
        entry = RecordEntry.objects.filter(candidate_id=pk).latest("seq")
        assert entry.payload["changes"] == {"hometown": ["", "外县"]}


def test_an_unknown_cadre_is_404_for_writers(world):
    for role in (ASSIGNED, UNASSIGNED, ADMIN):
        client = _client(world, role)
        assert client.patch(f"{API}cadres/987654321/", {"hometown": "x"}, format="json").status_code == 404
        assert client.post(f"{API}cadres/987654321/sanctions/", {}, format="json").status_code == 404


def test_a_refused_fact_writes_nothing(world):
    """A duplicate year is a 400 in Chinese; neither the row nor a record entry is written."""
    cadre = Cadre.objects.get(pk=world["cadre"]["open"])
    AssessmentFactory(cadre=cadre, year=_year() - 1)
    before_rows, before = row_counts(), _entries(world["open_candidates"]["open"])
    response = _client(world, ASSIGNED).post(
        f"{API}cadres/{cadre.pk}/assessments/", {"year": _year() - 1, "grade": "excellent"}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["errors"]["year"] == [f"{_year() - 1} 年度已有年度考核记录"]
    assert row_counts() == before_rows and _entries(world["open_candidates"]["open"]) == before


# ---------------------------------------------------------------------------- the post is read-only


POST_MESSAGE = services.POST_READ_ONLY


@pytest.mark.parametrize("role", [ASSIGNED, ADMIN])
def test_patch_position_is_a_400_in_chinese(world, role):
    cadre = Cadre.objects.get(pk=world["cadre"]["open"])
    vacant = PositionFactory()
    before_rows, before = row_counts(), _entries(world["open_candidates"]["open"])
    client = _client(world, role)
    for body in ({"position": vacant.pk}, {"position_since": "2020-01-01"}, {"position": vacant.pk, "name": "x"}):
        response = client.patch(f"{API}cadres/{cadre.pk}/", body, format="json")
        assert response.status_code == 400, response.content
        errors = response.json()["errors"]
        assert errors == {field: [POST_MESSAGE] for field in body if field.startswith("position")}
    cadre.refresh_from_db()
    assert cadre.position_id is None and cadre.name != "x"
    assert row_counts() == before_rows and _entries(world["open_candidates"]["open"]) == before


def test_patch_with_the_unchanged_post_is_accepted(world):
    """A client sending the whole object back (position unchanged) is not refused."""
    client = _client(world, ASSIGNED)
    url = f"{API}cadres/{world['cadre']['other']}/"
    current = client.get(url).json()
    response = client.patch(url, {**current, "ethnicity": "满族"}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["position"] is None and response.json()["ethnicity"] == "满族"


def test_create_with_a_post_is_a_400(world):
    body = {
        "name": "王芳",
        "gender": "F",
        "education": "master",
        "birth_date": "1988-01-01",
        "work_start_date": "2010-07-01",
        "unit": PositionFactory().unit_id,
    }
    client = _client(world, ASSIGNED)
    response = client.post(f"{API}cadres/", {**body, "position": PositionFactory().pk}, format="json")
    assert response.status_code == 400 and response.json()["errors"] == {"position": [POST_MESSAGE]}
    created = client.post(f"{API}cadres/", {**body, "position": None}, format="json")
    assert created.status_code == 201 and created.json()["position"] is None


def test_the_schema_marks_the_post_read_only(world):
    schema = _client(world, ADMIN).get("/api/schema/?format=json").json()
    cadre = schema["components"]["schemas"]["Cadre"]["properties"]
    assert cadre["position"].get("readOnly") is True and cadre["position_since"].get("readOnly") is True


def test_fact_models_are_the_api_ones():
    assert {Assessment, Evaluation, Sanction} <= set(services.CADRE_FACTS)
