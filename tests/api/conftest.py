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


def api_routes() -> list[str]:
    """Every route of config.urls.api_v1 as an OpenAPI-style path: /api/v1/cadres/{id}/ ..."""
    from config.urls import api_v1

    routes = []
    for pattern in api_v1:
        route = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", str(pattern.pattern)).replace("{pk}", "{id}")
        routes.append(API + route)
    return routes


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
