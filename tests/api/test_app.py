"""HTTP endpoints and the one error shape, over the bundled sample with the hashing encoder."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from rag.engine import Engine
from tests.conftest import SAMPLE, fake_encoder, make_settings


@pytest.fixture(scope="module")
def client(tmp_path_factory, sudachi):
    settings = make_settings(tmp_path_factory.mktemp("api") / "index")
    Engine(settings, encoder=fake_encoder(), tokenize=sudachi).ingest([SAMPLE])
    app = create_app(settings, engine_factory=lambda s: Engine(s, encoder=fake_encoder(), tokenize=sudachi))
    with TestClient(app) as c:
        yield c


def assert_error(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "details"}
    assert body["error"]["code"] == code
    assert body["error"]["message"]
    return body["error"]


def test_search_schema_matches_the_cli(client):
    body = client.get("/search", params={"q": "南海トラフ", "mode": "lexical", "k": 3}).json()
    assert set(body) >= {"query", "mode", "filters", "hits"}
    hit = body["hits"][0]
    assert hit["speaker"]["name"] == "村井 純"
    assert set(hit["context"]) == {"prev", "next"}


def test_search_filters(client):
    body = client.get("/search", params={"q": "防災", "speaker": "宮坂", "date_from": "2023-08-01"}).json()
    assert body["filters"] == {"speaker": "宮坂", "date_from": "2023-08-01"}
    assert body["hits"] and all(h["speaker"]["name"] == "宮坂 学" for h in body["hits"])


def test_unknown_speaker_is_an_empty_result_with_a_note(client):
    body = client.get("/search", params={"q": "防災", "speaker": "誰でもない"}).json()
    assert body["hits"] == [] and body["notes"]


@pytest.mark.parametrize(
    ("params", "status", "code"),
    [
        ({"q": ""}, 400, "invalid_input"),
        ({"q": "   "}, 400, "invalid_input"),
        ({"q": "あ" * 1001}, 400, "invalid_input"),
        ({"q": "防災", "k": 0}, 422, "invalid_input"),
        ({"q": "防災", "k": 101}, 422, "invalid_input"),
        ({"q": "防災", "date_from": "2023-13-45"}, 422, "invalid_input"),
        ({"q": "防災", "mode": "fuzzy"}, 422, "invalid_input"),
    ],
)
def test_search_errors(client, params, status, code):
    assert_error(client.get("/search", params=params), status, code)


def test_remark_in_context(client):
    hit = client.get("/search", params={"q": "南海トラフ", "mode": "lexical", "k": 1}).json()["hits"][0]
    remark = client.get(f"/remarks/{hit['remark_id']}", params={"n": 1}).json()
    assert remark["permalink"] == f"/remarks/{hit['remark_id']}"
    assert [c["remark_id"] for c in remark["context"]][1] == hit["remark_id"]
    assert len(remark["context"]) == 3


def test_unknown_ids_are_404(client):
    assert_error(client.get("/remarks/nope"), 404, "not_found")
    assert_error(client.get("/meetings/nope"), 404, "not_found")
    assert_error(client.get("/no-such-route"), 404, "not_found")


def test_meetings(client):
    meetings = client.get("/meetings").json()
    assert len(meetings) == 1 and meetings[0]["remarks"] == 53
    detail = client.get(f"/meetings/{meetings[0]['id']}").json()
    assert detail["title"] == "第７回東京デジタルサービス会議"
    assert len(detail["transcript"]) == 53
    assert "防災について" in detail["topics"]


def test_health_ready_docs_and_page(client):
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz").json()
    assert ready["ready"] and ready["counts"]["remarks"] == 53
    assert client.get("/docs").status_code == 200
    page = client.get("/")
    assert page.status_code == 200 and "議事録検索" in page.text
