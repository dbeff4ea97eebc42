"""Hostile requests: oversized uploads refused before they are read, path tricks in file names,
tokens, oversized query strings and bodies, a flood from one client, CORS closed by default."""

from __future__ import annotations

import asyncio

import httpx
import pytest
from fastapi.testclient import TestClient
from starlette.exceptions import HTTPException

from api.admin import upload_name
from api.app import create_app
from api.limits import RequestLimits
from rag.engine import Engine
from tests.api.test_app import assert_error
from tests.conftest import SAMPLE, fake_encoder, make_settings

TOKEN = "hostile-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
MINUTES = "第1回テスト会議 議事要旨\n日時：令和5年9月1日\n議事\n宮坂：\n・テストの発言です。\n".encode()


@pytest.fixture
def make_client(tmp_path, sudachi):
    def build(**overrides):
        settings = make_settings(tmp_path / "index", admin_token=TOKEN, max_upload_mb=1, **overrides)
        Engine(settings, encoder=fake_encoder(), tokenize=sudachi).ingest([SAMPLE])
        app = create_app(settings, engine_factory=lambda s: Engine(s, encoder=fake_encoder(), tokenize=sudachi))
        return TestClient(app)

    return build


def test_an_announced_oversized_upload_is_refused_before_its_body_is_read(make_client):
    with make_client() as client:
        response = client.post("/ingest", content=b"x" * 10, headers={**AUTH, "content-length": str(5 * 1024 * 1024)})
        assert_error(response, 413, "too_large")
        too_big = client.post("/ingest", files={"file": ("big.txt", b"a" * (2 * 1024 * 1024))}, headers=AUTH)
        assert_error(too_big, 413, "too_large")


def test_a_streamed_body_is_cut_at_the_limit():
    received = []

    async def app(scope, receive, send):
        while (message := await receive())["more_body"]:
            received.append(len(message["body"]))

    limits = RequestLimits(
        app, max_inflight=8, max_client_inflight=8, max_body_bytes=1000, max_upload_bytes=0, max_query_string=100
    )
    chunks = iter([{"type": "http.request", "body": b"x" * 500, "more_body": True}] * 100)

    async def receive():
        return next(chunks)

    scope = {"type": "http", "path": "/ask", "headers": [], "query_string": b"", "client": ("10.0.0.1", 1)}
    with pytest.raises(HTTPException, match=r"over 1000 bytes"):
        asyncio.run(limits(scope, receive, lambda message: asyncio.sleep(0)))
    assert sum(received) <= 1000  # two chunks were read, not a hundred


@pytest.mark.parametrize(
    ("filename", "stored"),
    [("../../etc/passwd", "passwd"), ("..\\..\\boot.ini", "boot.ini"), ("a\x00b.txt", "ab.txt"), ("..", "upload")],
)
def test_path_tricks_in_file_names_are_cut(filename, stored):
    assert upload_name(filename) == stored


def test_an_upload_named_with_dot_dots_is_stored_under_its_last_part(make_client, tmp_path):
    with make_client() as client:
        response = client.post("/ingest", files={"file": ("../../../evil.txt", MINUTES)}, headers=AUTH)
        assert response.status_code == 200 and response.json()["path"] == "evil.txt"
    assert not (tmp_path.parent / "evil.txt").exists()


def test_tokens_of_other_lengths_and_schemes_are_refused(make_client):
    with make_client() as client:
        for header in ("Bearer x", f"Bearer {TOKEN}x", f"Basic {TOKEN}", f"bearer  {TOKEN[:-1]}"):
            response = client.delete("/meetings/nope", headers={"Authorization": header})
            assert response.status_code in (401, 403)
        assert_error(client.delete("/meetings/nope", headers=AUTH), 404, "not_found")


def test_oversized_query_strings_and_bodies(make_client):
    with make_client(max_query_string=1024, max_body_kb=4) as client:
        assert_error(client.get("/search", params={"q": "防災", "speaker": "x" * 2000}), 414, "uri_too_long")
        assert_error(client.post("/ask", json={"question": "防災" * 4000}), 413, "too_large")
        assert client.get("/search", params={"q": "防災"}).status_code == 200


def test_a_flood_from_one_client_leaves_the_server_to_the_others():
    release = asyncio.Event()

    async def slow(scope, receive, send):
        await release.wait()
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})

    limits = RequestLimits(
        slow, max_inflight=6, max_client_inflight=3, max_body_bytes=1000, max_upload_bytes=0, max_query_string=100
    )

    async def run() -> tuple[list[int], int, list[int]]:
        flooder = httpx.AsyncClient(transport=httpx.ASGITransport(limits, client=("10.0.0.1", 1)), base_url="http://t")
        other = httpx.AsyncClient(transport=httpx.ASGITransport(limits, client=("10.0.0.2", 1)), base_url="http://t")
        held = [asyncio.create_task(flooder.get("/search")) for _ in range(3)]
        await asyncio.sleep(0.05)
        refused = [(await flooder.get("/search")).status_code for _ in range(5)]
        served = asyncio.create_task(other.get("/search"))
        await asyncio.sleep(0.05)
        third = [asyncio.create_task(other.get("/x")) for _ in range(2)]
        await asyncio.sleep(0.05)
        overall = (await httpx.AsyncClient(transport=httpx.ASGITransport(limits, client=("10.0.0.3", 1)),
                                           base_url="http://t").get("/search")).status_code  # fmt: skip
        release.set()
        done = [r.status_code for r in await asyncio.gather(*held, served, *third)]
        return refused, overall, done

    refused, overall, done = asyncio.run(run())
    assert refused == [429] * 5  # the flooding client is turned away at once, not queued
    assert overall == 503  # six in flight overall: the next one from anyone gets 503
    assert done == [200] * 6  # the other client was served while the flood went on


def test_cors_is_closed_by_default_and_opens_only_to_configured_origins(make_client):
    with make_client() as client:
        response = client.get("/healthz", headers={"Origin": "https://evil.example"})
        assert "access-control-allow-origin" not in response.headers
        preflight = client.options(
            "/search", headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "GET"}
        )
        assert "access-control-allow-origin" not in preflight.headers
    with make_client(cors_origins=["https://civic.example"]) as client:
        response = client.get("/healthz", headers={"Origin": "https://civic.example"})
        assert response.headers["access-control-allow-origin"] == "https://civic.example"
