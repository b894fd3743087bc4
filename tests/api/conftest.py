"""Helpers shared by the API tests: clients per role, the api_v1 routes, and row counts."""

import re

import pytest
from rest_framework.test import APIClient

from cadre.models import (
    Assessment,
    Cadre,
    Candidate,
    Evaluation,
    Position,
    RecordEntry,
    Sanction,
    Selection,
    Unit,
)

API = "/api/v1/"
COUNTED = (Unit, Position, Cadre, Assessment, Evaluation, Sanction, Selection, Candidate, RecordEntry)


def api_route_views() -> list[tuple[str, str]]:
    """(path, module of the view) of every route under config.urls.api_v1 (see api_route_classes)."""
    return [(path, view.__module__) for path, view in api_route_classes()]


def api_route_classes() -> list[tuple[str, type]]:
    """(path, view class or function) of every route under config.urls.api_v1, included ones too.

    Paths are OpenAPI-style: /api/v1/cadres/{id}/ (a `pk` parameter is called `id`, as in the schema).
    """
    from django.urls import URLResolver

    from config.urls import api_v1

    def walk(patterns, prefix=""):
        for pattern in patterns:
            route = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns, route)
            else:
                view = getattr(pattern.callback, "view_class", pattern.callback)
                yield route, view

    return [
        (API + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", route).replace("{pk}", "{id}"), view)
        for route, view in walk(api_v1)
    ]


def api_routes() -> list[str]:
    return [path for path, _ in api_route_views()]


def row_counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in COUNTED}


def client_for(user=None, *, token=False) -> APIClient:
    client = APIClient()
    if user is not None:
        if token:
            from rest_framework.authtoken.models import Token

            client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=user)[0].key}")
        else:
            client.force_login(user)
    return client


@pytest.fixture
def api():
    return client_for
