"""Issue #10: every list answers one shape, its filters are validated (400, Chinese), and its query
count does not grow with the rows, page after page (cadre.pagination.IdFirstPagination)."""

import pytest
from rest_framework.test import APIClient

from cadre.models import Stage

from .test_query_counts import count_queries, grow

pytestmark = pytest.mark.django_db

API = "/api/v1/"
SHAPE = {"count", "next", "previous", "results"}


@pytest.fixture
def client(staff):
    grow(staff, 30)
    api = APIClient()
    api.force_login(staff)
    return api


@pytest.mark.parametrize("path", ["candidates/", "cadres/", "selections/", "positions/"])
def test_list_shape(client, path):
    body = client.get(API + path, {"page_size": 2}).json()
    assert set(body) == SHAPE
    assert len(body["results"]) == 2 and body["previous"] is None and "page=2" in body["next"]
    second = client.get(API + path, {"page_size": 2, "page": 2}).json()
    assert len(second["results"]) == 2 and "page_size=2" in second["previous"]
    assert {r["id"] for r in second["results"]}.isdisjoint({r["id"] for r in body["results"]})


def test_rows_keep_the_list_order(client):
    ids = [r["id"] for r in client.get(API + "candidates/", {"page_size": 10}).json()["results"]]
    assert ids == sorted(ids)


def test_candidate_record_and_unknown_page(client):
    candidate = client.get(API + "candidates/").json()["results"][0]
    assert set(client.get(API + f"candidates/{candidate['id']}/record/").json()) == SHAPE
    response = client.get(API + "candidates/", {"page": 999})
    assert response.status_code == 404


def test_candidate_filters_good(client):
    every = client.get(API + "candidates/").json()
    first = every["results"][0]
    by_selection = client.get(API + "candidates/", {"selection": first["selection"]}).json()
    assert by_selection["count"] == 5 and {r["selection"] for r in by_selection["results"]} == {first["selection"]}
    assert client.get(API + "candidates/", {"stage": Stage.INSPECTION}).json()["count"] == 30
    assert client.get(API + "candidates/", {"stage": Stage.MOTION}).json()["count"] == 0
    assert client.get(API + "candidates/", {"q": "干部1"}).json()["count"] == 11  # 干部1, 干部10 … 干部19
    assert client.get(API + "candidates/", {"stage": ""}).json()["count"] == 30  # empty: no filter


@pytest.mark.parametrize(
    "params,field",
    [
        ({"stage": "\x00"}, "stage"),
        ({"stage": "nonsense"}, "stage"),
        ({"selection": "abc"}, "selection"),
        ({"selection": "0"}, "selection"),
        ({"q": "长" * 51}, "q"),
        ({"q": "a\x00"}, "q"),
    ],
)
def test_candidate_filters_bad(client, params, field):
    response = client.get(API + "candidates/", params)
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert list(errors) == [field]
    assert any("\u4e00" <= ch <= "\u9fff" for ch in errors[field][0])


@pytest.mark.parametrize("path,good,count", [("cadres/", "干部2", 11), ("selections/", "批量选任5", 1)])
def test_name_filter(client, path, good, count):
    assert client.get(API + path, {"q": good}).json()["count"] == count
    bad = client.get(API + path, {"q": "长" * 51})
    assert bad.status_code == 400 and list(bad.json()["errors"]) == ["q"]


def test_stage_filter_in_schema(client):
    schema = client.get("/api/schema/", {"format": "json"})
    if schema.status_code != 200:
        pytest.skip("schema served elsewhere")
    params = {p["name"]: p for p in schema.json()["paths"]["/api/v1/candidates/"]["get"]["parameters"]}
    assert sorted(params["stage"]["schema"]["enum"]) == sorted(Stage.values)
    assert {"selection", "q", "page", "page_size"} <= set(params)


@pytest.mark.parametrize("path", ["candidates/", "cadres/", "selections/"])
def test_query_count_does_not_grow_with_rows(staff, path):
    api = APIClient()
    api.force_login(staff)
    grow(staff, 3)

    def page(n):
        return lambda: api.get(API + path, {"page_size": 2, "page": n})

    small = count_queries(page(1))
    grow(staff, 30)
    assert [count_queries(page(n)) for n in (1, 2, 3)] == [small, small, small]


# ---------------------------------------------------------------------------- keyset links (issue #10)


def _walk(client, path, **params):
    """Every row of a list, following `next`; and the links followed."""
    ids, links = [], []
    body = client.get(API + path, params).json()
    while True:
        ids += [r["id"] for r in body["results"]]
        if body["next"] is None:
            return ids, links
        links.append(body["next"])
        body = client.get(body["next"]).json()


@pytest.mark.parametrize("path,descending", [("candidates/", False), ("cadres/", False), ("selections/", True)])
def test_next_links_walk_the_list_by_keyset(client, path, descending):
    ids, links = _walk(client, path, page_size=4)  # 30 candidates and cadres, 6 selections
    every = client.get(API + path, {"page_size": 200}).json()
    assert ids == [r["id"] for r in every["results"]] == sorted(ids, reverse=descending)
    assert len(ids) == every["count"] == len(set(ids))
    assert links and all("after=" in link and "page=" in link for link in links)


def test_previous_link_by_keyset_is_the_page_before(client):
    third = client.get(API + "candidates/", {"page_size": 7, "page": 3}).json()
    second = client.get(API + "candidates/", {"page_size": 7, "page": 2}).json()
    assert "before=" in third["previous"] and "after=" not in third["previous"]
    back = client.get(third["previous"]).json()
    assert [r["id"] for r in back["results"]] == [r["id"] for r in second["results"]]
    assert back["count"] == second["count"]


def test_keyset_query_count_equals_page_one(client):
    first = client.get(API + "candidates/", {"page_size": 5}).json()
    on_page_one = count_queries(lambda: client.get(API + "candidates/", {"page_size": 5}))
    assert count_queries(lambda: client.get(first["next"])) == on_page_one


@pytest.mark.parametrize("name", ["after", "before"])
@pytest.mark.parametrize("value", ["x", "-1", "0", "1.5"])
def test_bad_cursor_is_400_in_chinese(client, name, value):
    response = client.get(API + "candidates/", {name: value})
    assert response.status_code == 400
    assert response.json() == {"errors": {name: [f"游标 {name} 必须是正整数"]}}
