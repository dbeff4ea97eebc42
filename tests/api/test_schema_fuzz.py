"""Schema fuzzing: schemathesis drives every operation of the app's own OpenAPI document, with
positive and negative examples, and checks that the server never fails, that every response
matches the schema (the one error shape included) and that every status is documented."""

from __future__ import annotations

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import negative_data_rejection, positive_data_acceptance

from api.app import create_app
from rag.engine import Engine
from tests.conftest import SAMPLE, fake_encoder, make_settings

TOKEN = "fuzz-token"


@pytest.fixture(scope="module")
def api_schema(tmp_path_factory, sudachi):
    config = make_settings(tmp_path_factory.mktemp("fuzz") / "index", admin_token=TOKEN)
    Engine(config, encoder=fake_encoder(), tokenize=sudachi).ingest([SAMPLE])
    app = create_app(config, engine_factory=lambda s: Engine(s, encoder=fake_encoder(), tokenize=sudachi))
    with TestClient(app):  # runs the lifespan: the engine is loaded before the first case
        yield schemathesis.openapi.from_asgi("/openapi.json", app)


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
def test_every_operation_keeps_its_contract(case):
    check(case)


def check(case) -> None:
    """Call the operation and run every check (see below for the upload)."""
    # Whether an uploaded file is readable minutes is beyond what a schema can say: an empty or
    # binary upload is schema-valid and rightly refused (400), and a "negative" file part (JSON
    # null) reaches the server as the four readable bytes "null", rightly ingested. Both
    # data-acceptance checks are off for the upload; every other check runs on it.
    excluded = [positive_data_acceptance, negative_data_rejection] if case.path == "/ingest" else []
    case.call_and_validate(headers={"Authorization": f"Bearer {TOKEN}"}, excluded_checks=excluded)


def test_the_schema_documents_the_error_shape_for_every_status(api_schema):
    document = api_schema.raw_schema
    assert "HTTPValidationError" not in document["components"]["schemas"]
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            for status, response in operation["responses"].items():
                if status.startswith(("4", "5")):
                    ref = response["content"]["application/json"]["schema"]["$ref"]
                    assert ref.endswith("/ErrorOut"), (method, path, status)


@pytest.mark.slow
@schema.parametrize()
@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
def test_every_operation_keeps_its_contract_at_length(case):
    check(case)
