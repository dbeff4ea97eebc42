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


def test_a_query_without_words_is_an_empty_result_with_a_note(client):
    body = client.get("/search", params={"q": "。。。"}).json()
    assert body["hits"] == [] and "no words" in body["notes"][0]


def test_a_date_range_that_ends_before_it_starts_is_an_empty_result_with_a_note(client):
    body = client.get("/search", params={"q": "防災", "date_from": "2023-09-01", "date_to": "2023-08-01"}).json()
    assert body["hits"] == [] and "after date_to" in body["notes"][0]


@pytest.mark.parametrize(
    ("params", "status", "code"),
    [
        ({"q": ""}, 422, "invalid_input"),
        ({"q": "   "}, 422, "invalid_input"),
        ({}, 422, "invalid_input"),
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


# -- ask ------------------------------------------------------------------------------------------
def test_ask_quotes_are_verbatim_and_attributed(client):
    body = client.post("/ask", json={"question": "南海トラフ巨大地震とデジタル"}).json()
    assert body["status"] in ("answered", "related")
    assert body["citations"] and body["hits"]
    for c in body["citations"]:
        remark = client.get(c["permalink"]).json()
        assert c["quote"] and c["quote"] in remark["text"]
        assert c["remark_id"] == remark["remark_id"]
        assert f"[{c['n']}]" in body["answer"]
        assert c["speaker"].split("（")[0] in body["answer"]
    assert "村井 純" in body["answer"]


def test_ask_framing_follows_the_language(client):
    ja = client.post("/ask", json={"question": "南海トラフについて"}).json()
    assert ja["language"] == "ja" and ja["answer"].startswith("「")
    en = client.post("/ask", json={"question": "What was said about the Nankai Trough?"}).json()
    assert en["language"] == "en"
    assert not en["answer"][:20].count("「")


def test_ask_inferred_speaker_is_reported_and_can_be_turned_off(client):
    body = client.post("/ask", json={"question": "宮坂副知事は防災について何と言ったか"}).json()
    assert body["inferred"]["names"] == ["宮坂 学"]
    assert body["filters"]["persons"] == body["inferred"]["person_ids"]
    assert all(h["speaker"]["name"] == "宮坂 学" for h in body["hits"])
    off = client.post("/ask", json={"question": "宮坂副知事は防災について何と言ったか", "infer": False}).json()
    assert off["inferred"] is None and "persons" not in off["filters"]


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"question": ""}, 422),  # the schema says a question holds more than whitespace
        ({"question": "  "}, 422),
        ({"question": "あ" * 1001}, 400),
        ({"question": "防災", "k": 0}, 422),
        ({"question": "防災", "k": 101}, 422),
        ({"question": "防災", "date_from": "2023-02-30"}, 422),
        ({}, 422),
        ({"question": "防災", "k": "10"}, 422),  # the body's types are what the schema says
        ({"question": "防災", "infer": 0}, 422),
        ({"question": "防災", "date_from": 1700000000}, 422),
        ({"question": "防災", "speakr": "宮坂"}, 422),  # a misspelt field is an error
    ],
)
def test_ask_errors(client, body, status):
    assert_error(client.post("/ask", json=body), status, "invalid_input")


def test_ask_rejects_a_body_that_is_not_json(client):
    response = client.post("/ask", content=b"\xff\xfe", headers={"content-type": "application/json"})
    assert_error(response, 422, "invalid_input")


# -- who, speakers -----------------------------------------------------------------------------
def test_who_ranks_speakers_with_their_remarks_and_topics(client):
    body = client.get("/who", params={"q": "防災", "limit": 5}).json()
    speakers = body["speakers"]
    assert 1 <= len(speakers) <= 5
    assert [s["score"] for s in speakers] == sorted((s["score"] for s in speakers), reverse=True)
    names = [s["speaker"]["name"] for s in speakers]
    assert len(names) == len(set(names))
    assert all(s["top"] and s["remarks"] >= len(s["top"]) for s in speakers)
    assert any("防災について" in s["topics"] for s in speakers)


def test_who_errors(client):
    assert_error(client.get("/who", params={"q": ""}), 422, "invalid_input")
    assert_error(client.get("/who", params={"q": " \u3000"}), 422, "invalid_input")
    assert_error(client.get("/who", params={"q": "防災", "limit": 0}), 422, "invalid_input")


def test_speakers_and_profile(client):
    people = client.get("/speakers").json()
    murai = next(p for p in people if p["name"] == "村井 純")
    assert murai["remarks"] > 0 and murai["meetings"] == 1 and "座長" in murai["roles"]
    profile = client.get(f"/speakers/{murai['person_id']}", params={"limit": 3}).json()
    assert profile["total"] == murai["remarks"] and len(profile["remarks_shown"]) == 3
    assert profile["meeting_list"][0]["title"] == "第７回東京デジタルサービス会議"
    searched = client.get(f"/speakers/{murai['person_id']}", params={"q": "南海トラフ"}).json()
    assert searched["hits"] and all(h["speaker"]["name"] == "村井 純" for h in searched["hits"])
    assert_error(client.get("/speakers/p-nobody"), 404, "not_found")
    assert_error(client.get(f"/speakers/{murai['person_id']}", params={"limit": 0}), 422, "invalid_input")


def test_search_reports_an_inferred_speaker(client):
    body = client.get("/search", params={"q": "座長の防災についての発言"}).json()
    assert body["inferred"]["via"] == "role" and body["inferred"]["names"] == ["村井 純"]
    assert all(h["speaker"]["name"] == "村井 純" for h in body["hits"])
    plain = client.get("/search", params={"q": "座長の防災についての発言", "infer": "false"}).json()
    assert plain["inferred"] is None


# -- admin -------------------------------------------------------------------------------------
def test_admin_endpoints_are_off_without_a_token(client):
    assert_error(client.post("/ingest", files={"file": ("a.txt", b"x")}), 403, "forbidden")
    assert_error(client.delete("/meetings/whatever"), 403, "forbidden")
