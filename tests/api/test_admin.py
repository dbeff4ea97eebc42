"""Admin endpoints with a token: upload, delete, and the bearer-token guard."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from rag.engine import Engine
from tests.api.test_app import assert_error
from tests.conftest import FIXTURES, SAMPLE, fake_encoder, make_settings

TOKEN = "s3cret-token"


@pytest.fixture
def admin(tmp_path, sudachi):
    settings = make_settings(tmp_path / "index", admin_token=TOKEN, max_upload_mb=1)
    Engine(settings, encoder=fake_encoder(), tokenize=sudachi).ingest([SAMPLE])
    app = create_app(settings, engine_factory=lambda s: Engine(s, encoder=fake_encoder(), tokenize=sudachi))
    with TestClient(app) as c:
        yield c


AUTH = {"Authorization": f"Bearer {TOKEN}"}
MINUTES = (
    "第1回テスト会議 議事要旨\n日時：令和5年9月1日（金）10時00分～11時00分\n議事\n宮坂：\n・テストの発言です。\n"
).encode()


def test_token_is_required(admin):
    assert_error(admin.post("/ingest", files={"file": ("m.txt", MINUTES)}), 401, "unauthorized")
    wrong = {"Authorization": "Bearer nope"}
    assert_error(admin.post("/ingest", files={"file": ("m.txt", MINUTES)}, headers=wrong), 403, "forbidden")
    assert_error(admin.delete("/meetings/x", headers={"Authorization": "Basic abc"}), 401, "unauthorized")


def test_upload_then_delete(admin):
    before = admin.get("/readyz").json()["counts"]["meetings"]
    report = admin.post("/ingest", files={"file": ("m.txt", MINUTES)}, headers=AUTH).json()
    assert report["status"] == "ingested" and report["remarks"] == 1
    assert admin.get("/readyz").json()["counts"]["meetings"] == before + 1
    hits = admin.get("/search", params={"q": "テストの発言", "mode": "lexical"}).json()["hits"]
    assert hits[0]["meeting"]["id"] == report["meeting_id"]
    again = admin.post("/ingest", files={"file": ("m.txt", MINUTES)}, headers=AUTH).json()
    assert again["status"] == "skipped"
    deleted = admin.delete(f"/meetings/{report['meeting_id']}", headers=AUTH).json()
    assert deleted["passages_removed"] >= 1
    assert_error(admin.get(f"/meetings/{report['meeting_id']}"), 404, "not_found")
    assert_error(admin.delete(f"/meetings/{report['meeting_id']}", headers=AUTH), 404, "not_found")


@pytest.mark.parametrize(
    ("files", "data", "status", "code"),
    [
        ({"file": ("empty.txt", b"")}, {}, 400, "invalid_input"),
        ({"file": ("bin.txt", bytes(range(256)) * 4)}, {}, 400, "invalid_input"),
        ({"file": ("t.json", b'{"meetingRecord": [')}, {}, 400, "invalid_input"),
        ({"file": ("m.txt", MINUTES)}, {"format": "docx"}, 400, "invalid_input"),
        ({"file": ("big.txt", b"a" * (1024 * 1024 + 1))}, {}, 413, "too_large"),
        ({}, {}, 422, "invalid_input"),
    ],
)
def test_bad_uploads_change_nothing(admin, files, data, status, code):
    before = admin.get("/readyz").json()
    assert_error(admin.post("/ingest", files=files or None, data=data, headers=AUTH), status, code)
    after = admin.get("/readyz").json()
    assert after["counts"] == before["counts"] and after["generation"] == before["generation"]


def test_an_upload_without_speaker_lines_is_searchable_with_an_unknown_speaker(admin):
    notes = "地域防災懇談会 開催記録\n\n防災倉庫の点検結果を共有した。備蓄品の入れ替えは秋に行う。\n".encode()
    response = admin.post("/ingest", files={"file": ("notes.txt", notes, "text/plain")}, headers=AUTH)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["status"] == "ingested" and any("unknown speaker" in w for w in body["warnings"])
    hits = admin.get("/search", params={"q": "防災倉庫の点検", "mode": "lexical", "k": 1}).json()["hits"]
    speaker = hits[0]["speaker"]
    assert speaker["name"] is None and speaker["attribution"] == "unknown"
    known = admin.get("/search", params={"q": "南海トラフ", "mode": "lexical", "k": 1}).json()["hits"][0]
    assert known["speaker"]["attribution"] == "speaker" and known["speaker"]["name"]
    who = admin.get("/who", params={"q": "防災倉庫の点検"}).json()
    assert all(s["speaker"]["attribution"] == "speaker" for s in who["speakers"])


def test_a_diet_api_response_of_two_meetings_uploads_as_two(admin):
    before = admin.get("/readyz").json()["counts"]["meetings"]
    diet = (FIXTURES / "kokkai-two-meetings.json").read_bytes()
    body = admin.post("/ingest", files={"file": ("diet.json", diet)}, headers=AUTH).json()
    assert (body["path"], body["status"], body["remarks"]) == ("diet.json", "ingested", 4)
    assert [(m["path"], m["status"]) for m in body["meetings"]] == [
        ("diet.json#1", "ingested"),
        ("diet.json#2", "ingested"),
    ]
    assert body["meeting_id"] == body["meetings"][0]["meeting_id"]
    assert admin.get("/readyz").json()["counts"]["meetings"] == before + 2
    again = admin.post("/ingest", files={"file": ("diet.json", diet)}, headers=AUTH).json()
    assert again["status"] == "skipped" and [m["status"] for m in again["meetings"]] == ["skipped", "skipped"]
    one = admin.post("/ingest", files={"file": ("m.txt", MINUTES)}, headers=AUTH).json()
    assert [m["meeting_id"] for m in one["meetings"]] == [one["meeting_id"]]


def test_an_upload_of_several_meetings_reports_the_one_that_failed(admin):
    diet = json.loads((FIXTURES / "kokkai-two-meetings.json").read_text())
    diet["meetingRecord"][1]["speechRecord"] = diet["meetingRecord"][1]["speechRecord"][:1]  # the roster only
    body = admin.post(
        "/ingest", files={"file": ("partial.json", json.dumps(diet, ensure_ascii=False).encode())}, headers=AUTH
    ).json()
    assert (body["status"], [m["status"] for m in body["meetings"]]) == ("ingested", ["ingested", "failed"])
    assert body["reason"].startswith("partial.json#2: ") and body["remarks"] == body["meetings"][0]["remarks"]
