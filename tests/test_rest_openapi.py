"""The OpenAPI document matches the API: schemathesis finds no server error and no answer that
contradicts the document (bounded examples per operation)."""
from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.config import SchemathesisConfig
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from engine import Clock
from web.rest.openapi import document

from .conftest import fresh_app
from .test_rest import basic

schema = schemathesis.openapi.from_dict(document(), config=SchemathesisConfig.from_dict(
    {"phases": {"coverage": {"enabled": False}, "stateful": {"enabled": False}}}))
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


@pytest.fixture(scope="module")
def api(database_url):
    """One app for every generated case (long polls cut to 50 ms)."""
    app = fresh_app(database_url, Clock(), REST_LONGEST_POLL_MS=50)
    yield app
    app.extensions["chidao"].db.dispose()


def test_the_document_is_served_to_a_signed_in_client(client):
    assert client.get("/engine-rest/openapi.json").status_code == 401
    served = client.get("/engine-rest/openapi.json", headers=basic("admin")).get_json()
    assert served["paths"].keys() == document()["paths"].keys()


@schema.parametrize()
@settings(max_examples=6, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_operation_answers_with_a_500_or_outside_its_document(case, api):
    case.call_and_validate(app=api, headers=basic("admin"), checks=CHECKS)
