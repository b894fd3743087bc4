"""The OpenAPI schema tells the truth about errors, transitions and list filters (issue #10).

The schema is the contract integrating systems code against (../shared/API.md); CI fuzzes the live
API against it (scripts/fuzz_api.py). These tests hold the schema itself to API.md: every operation
lists its error responses with their bodies (cadre/schema.py), `transition` is the state machine's
verbs, lists document their paging and filters.
"""

import warnings

import pytest
from django.core.management import call_command
from drf_spectacular.generators import SchemaGenerator

from cadre import services
from cadre.models import Candidate, Stage
from cadre.schema import COMPONENTS, PUBLIC

from ..factories import CadreFactory
from .conftest import client_for, row_counts

API = "/api/v1/"
METHODS = {"get", "post", "put", "patch", "delete"}
WRITES = METHODS - {"get"}
REF = "#/components/schemas/"


@pytest.fixture(scope="module")
def schema():
    return SchemaGenerator().get_schema(request=None, public=True)


def operations(schema):
    for path, ops in schema["paths"].items():
        for method, operation in ops.items():
            if method in METHODS:
                yield path, method, operation


def body_ref(response) -> str:
    return response["content"]["application/json"]["schema"]["$ref"].removeprefix(REF)


def test_schema_has_the_operations_of_the_api(schema):
    """A floor, so that the tests below cannot pass on an empty schema."""
    assert len(list(operations(schema))) >= 119


def test_every_signed_in_operation_lists_401_and_403_with_detail(schema):
    missing = []
    for path, method, operation in operations(schema):
        if (path, method) in PUBLIC:
            continue
        for code in ("401", "403"):
            response = operation["responses"].get(code)
            if response is None or body_ref(response) != "DetailResponse":
                missing.append((method, path, code))
    assert missing == []


def test_public_operations_list_only_what_they_can_answer(schema):
    public = {(path, method) for path, method, op in operations(schema) if {} in op.get("security", [])}
    assert public == set(PUBLIC)
    for path, method in PUBLIC:
        errors = {code for code in schema["paths"][path][method]["responses"] if code >= "400"}
        assert errors == PUBLIC[path, method], (method, path)
    token = schema["paths"]["/api/v1/auth/token/"]
    assert "403" not in token["post"]["responses"] and "401" not in token["post"]["responses"]


def test_every_write_lists_409_violations_and_every_input_400_errors(schema):
    writes = 0
    for path, method, operation in operations(schema):
        responses = operation["responses"]
        reads_input = "requestBody" in operation or any(p["in"] == "query" for p in operation.get("parameters", []))
        if reads_input and (path, method) not in PUBLIC:
            assert body_ref(responses["400"]) == "ErrorResponse", (method, path)
        if method in WRITES and (path, method) not in PUBLIC:
            writes += 1
            assert body_ref(responses["409"]) == "ViolationsResponse", (method, path)
            assert "400" in responses or not reads_input, (method, path)
    assert writes >= 60


def test_operations_with_path_parameters_list_404(schema):
    for path, method, operation in operations(schema):
        if any(p["in"] == "path" for p in operation.get("parameters", [])):
            assert body_ref(operation["responses"]["404"]) == "DetailResponse", (method, path)


def test_error_components_have_the_shapes_of_api_md(schema):
    components = schema["components"]["schemas"]
    assert components["ErrorResponse"] == COMPONENTS["ErrorResponse"]
    errors = components["ErrorResponse"]["properties"]["errors"]
    assert errors["additionalProperties"] == {"type": "array", "items": {"type": "string"}}
    violation = components["ViolationsResponse"]["properties"]["violations"]["items"]
    assert violation["required"] == ["rule", "message", "source", "overridable"]
    assert violation["properties"]["overridable"] == {"type": "boolean"}
    assert components["DetailResponse"]["required"] == ["detail"]


def test_throttled_operations_list_429_with_retry_after(schema):
    throttled = {
        ("/api/v1/auth/token/", "post"),
        ("/api/v1/public/complaints/", "post"),
        ("/api/v1/ballot-sessions/{id}/ballot/", "get"),
        ("/api/v1/ballot-sessions/{id}/cast/", "post"),
        ("/api/v1/ballot-sessions/{id}/bulletin/", "get"),
    }
    found = {(path, method) for path, method, op in operations(schema) if "429" in op["responses"]}
    assert found == throttled
    for path, method in throttled:
        response = schema["paths"][path][method]["responses"]["429"]
        assert response["headers"]["Retry-After"]["required"] is True
        assert body_ref(response) == "DetailResponse"


def test_declared_responses_are_kept_and_gain_a_body(schema):
    """Merge, not overwrite: a view's own description stays; a declared body stays."""
    report = schema["paths"]["/api/v1/selections/{id}/positions/{position_pk}/report/"]["get"]["responses"]
    assert report["404"]["description"] == "尚未形成报告"
    assert body_ref(report["404"]) == "DetailResponse"
    token = schema["paths"]["/api/v1/auth/token/"]["post"]["responses"]
    assert body_ref(token["200"]) == "Token"


# ---------------------------------------------------------------------------- transition


def model_verbs() -> set[str]:
    field = Candidate._meta.get_field("stage")
    return {t.name for t in field.get_all_transitions(Candidate)} - {"send_back"}  # send-back/ has its own


def test_transitions_are_the_verbs_of_the_state_machine():
    assert set(services.TRANSITIONS) == model_verbs()
    assert len(services.TRANSITIONS) == 12


@pytest.mark.parametrize("path", ["check/{transition}/", "transitions/{transition}/"])
def test_transition_is_an_enum_of_the_verbs(schema, path):
    ops = schema["paths"][f"/api/v1/candidates/{{id}}/{path}"]
    for operation in ops.values():
        (param,) = [p for p in operation["parameters"] if p["name"] == "transition"]
        assert param["in"] == "path" and param["required"] is True
        assert sorted(param["schema"]["enum"]) == sorted(services.TRANSITIONS)


def test_a_verb_outside_the_enum_is_400_naming_transition(candidate, staff):
    client = client_for(staff)
    before = row_counts()
    check = client.get(f"{API}candidates/{candidate.pk}/check/fly/")
    move = client.post(f"{API}candidates/{candidate.pk}/transitions/fly/", {}, format="json")
    for response in (check, move):
        assert response.status_code == 400
        assert response.json() == {"errors": {"transition": ["未知的操作：fly"]}}
    assert row_counts() == before
    assert client.get(f"{API}candidates/{candidate.pk}/check/nominate/").status_code == 200  # positive control


# ---------------------------------------------------------------------------- lists


def list_operations(schema):
    for path, method, operation in operations(schema):
        ref = operation["responses"].get("200", {}).get("content", {}).get("application/json", {})
        name = ref.get("schema", {}).get("$ref", "").removeprefix(REF)
        if method == "get" and name.startswith("Paginated"):
            yield path, operation


FILTERS = {
    "/api/v1/candidates/": {"selection": "integer", "stage": "string", "q": "string"},
    "/api/v1/cadres/": {"q": "string"},
    "/api/v1/selections/": {"q": "string"},
}


def test_every_list_documents_page_and_page_size(schema):
    lists = list(list_operations(schema))
    assert len(lists) >= 30
    for path, operation in lists:
        params = {p["name"]: p for p in operation["parameters"] if p["in"] == "query"}
        assert params["page"]["schema"]["type"] == "integer", path
        assert params["page_size"]["schema"]["type"] == "integer", path
        assert body_ref(operation["responses"]["404"]) == "DetailResponse", path  # a page past the last


@pytest.mark.parametrize("path", sorted(FILTERS))
def test_list_filters_are_in_the_schema(schema, path):
    params = {p["name"]: p for p in schema["paths"][path]["get"]["parameters"] if p["in"] == "query"}
    assert {name: params[name]["schema"]["type"] for name in FILTERS[path]} == FILTERS[path]
    assert body_ref(schema["paths"][path]["get"]["responses"]["400"]) == "ErrorResponse"
    if path == "/api/v1/candidates/":
        assert sorted(params["stage"]["schema"]["enum"]) == sorted(Stage.values)


def test_ballot_code_parameter_is_in_the_schema(schema):
    for path in ("/api/v1/ballot-sessions/{id}/ballot/", "/api/v1/ballot-sessions/{id}/bulletin/"):
        names = {p["name"] for p in schema["paths"][path]["get"]["parameters"]}
        assert "code" in names, path


def test_approval_form_formats_are_an_enum_with_their_content_types(schema):
    operation = schema["paths"]["/api/v1/cadres/{id}/approval-form.{fmt}"]["get"]
    (fmt,) = [p for p in operation["parameters"] if p["name"] == "fmt"]
    assert sorted(fmt["schema"]["enum"]) == ["docx", "lrmx", "pdf"]
    assert set(operation["responses"]["200"]["content"]) == {
        "application/xml",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "application/pdf",
    }
    batch = schema["paths"]["/api/v1/cadres/approval-forms.zip"]["get"]
    ids = next(p for p in batch["parameters"] if p["name"] == "ids")
    assert ids["required"] is True


# ---------------------------------------------------------------------------- generation, 404s


def test_schema_generates_without_warnings_or_errors():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        call_command("spectacular", "--fail-on-warn", "--validate", "--file", "/dev/null")


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["cadres/abc/", "ballot-sessions/1.5/tally/", "no-such-thing/"])
def test_an_api_path_that_matches_no_route_is_a_json_404(staff, path):
    response = client_for(staff).get(API + path)
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "未找到"}


@pytest.mark.django_db
def test_a_page_that_matches_no_route_keeps_the_html_404(staff):
    response = client_for(staff).get("/no-such-page/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


# ---------------------------------------------------------------------------- what the fuzzer found


@pytest.mark.django_db
@pytest.mark.parametrize("fmt,member", [("docx", ".docx"), ("lrmx", ".lrmx")])
def test_the_zip_of_forms_honours_format(staff, fmt, member):
    """`?format=` was DRF's renderer override: every `format=docx` was a 404 before the view ran."""
    import io
    import zipfile

    cadre = CadreFactory()
    response = client_for(staff).get(f"{API}cadres/approval-forms.zip", {"ids": str(cadre.pk), "format": fmt})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    names = zipfile.ZipFile(io.BytesIO(response.content)).namelist()
    assert len(names) == 1 and names[0].endswith(member)


@pytest.mark.django_db
def test_the_zip_of_forms_refuses_an_unknown_id_with_json_404(staff):
    response = client_for(staff).get(f"{API}cadres/approval-forms.zip", {"ids": "999999", "format": "docx"})
    assert response.status_code == 404
    assert set(response.json()) == {"detail"}


def test_nested_errors_are_strings_under_their_top_level_field(candidate, staff):
    """API.md's `{field: [messages]}`: a list item's errors were nested objects; now strings naming where."""
    body = {"reason": "x", "overrides": [{"rule": "R3", "reason": "理由"}, {"rule": "长" * 11, "reason": ""}]}
    before = row_counts()
    response = client_for(staff).post(f"{API}candidates/{candidate.pk}/transitions/withdraw/", body, format="json")
    assert response.status_code == 400
    (messages,) = response.json()["errors"].values()
    assert list(response.json()["errors"]) == ["overrides"]
    assert len(messages) == 2 and all(isinstance(m, str) for m in messages)
    assert messages[0].startswith("1.rule：") and messages[1].startswith("1.reason：")
    assert row_counts() == before


# ---------------------------------------------------------------------------- hand-built bodies


def validator(schema, path, method, code):
    """A JSON Schema validator for one documented response, the components reachable by $ref."""
    import jsonschema

    content = schema["paths"][path][method]["responses"][code]["content"]["application/json"]["schema"]
    return jsonschema.Draft7Validator({**content, "components": schema["components"]})


def assert_conforms(schema, path, method, code, response):
    assert response.status_code == int(code), response.content
    errors = [e.message for e in validator(schema, path, method, code).iter_errors(response.json())]
    assert errors == [], (path, errors)


@pytest.mark.django_db
def test_ballot_bodies_built_by_hand_match_the_schema(schema, staff, supervisor):
    """The voter's ballot, the tally (close and tally/), the bulletin and a recusal: views build these
    as dicts, so only this test (the demo data has no ballot for the fuzzer) holds them to the schema."""
    from django.core.cache import cache

    from voting import services as voting_services

    from ..voting.ballot_helpers import deciding_pair, members

    cache.clear()
    committee = members(6)
    a, b = deciding_pair(staff)
    meeting = voting_services.meeting_create(
        actor=staff, selection=a.selection, held_on=a.selection.created_at.date(), title="常委会", entitled=6
    )
    for c in (a, b):
        voting_services.agenda_add(actor=staff, meeting_id=meeting.pk, candidate_id=c.pk)
    staff_client = client_for(staff)
    body = {"kind": "decision", "title": "票决", "meeting": meeting.pk, "entitled": [u.pk for u in committee]}
    session = staff_client.post(API + "ballot-sessions/", body, format="json").json()
    base = f"{API}ballot-sessions/{session['id']}/"
    ia, ib = (str(i["id"]) for i in session["items"])
    recusal = staff_client.post(
        base + "recusals/", {"item": int(ib), "user": committee[5].pk, "reason": "近亲属"}, format="json"
    )
    assert_conforms(schema, "/api/v1/ballot-sessions/{id}/recusals/", "post", "201", recusal)
    opened = staff_client.post(base + "open/", {"present": [u.pk for u in committee[:5]]}, format="json")
    assert opened.status_code == 200, opened.content
    ballot = client_for(committee[0]).get(base + "ballot/")
    assert_conforms(schema, "/api/v1/ballot-sessions/{id}/ballot/", "get", "200", ballot)
    for voter in committee[:4]:
        cast = client_for(voter).post(base + "cast/", {"choices": {ia: "approve", ib: "disapprove"}}, format="json")
        assert cast.status_code == 201, cast.content
    assert_conforms(schema, "/api/v1/ballot-sessions/{id}/close/", "post", "200", staff_client.post(base + "close/"))
    assert_conforms(schema, "/api/v1/ballot-sessions/{id}/tally/", "get", "200", staff_client.get(base + "tally/"))
    bulletin = client_for(supervisor).get(base + "bulletin/")
    assert_conforms(schema, "/api/v1/ballot-sessions/{id}/bulletin/", "get", "200", bulletin)
    assert bulletin.json()["count"] == 4


def test_the_validator_can_fail(schema):
    """The control of the test above: a body missing what the schema requires is reported."""
    bad = validator(schema, "/api/v1/ballot-sessions/{id}/bulletin/", "get", "200")
    assert [e.message for e in bad.iter_errors({"entries": [{"receipt": 1}], "root": "x"})] != []
