"""Sharded serving on Ray Serve: the whole index's answers from two shard deployments; a killed
replica gives 503s in the error shape while it is down, never a hang, and is restarted by Serve."""

from __future__ import annotations

import os
import signal
import time

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.ray_serve import APP_PREFIX, ServeClient, deploy_shards
from index.metadata import Filters
from index.shards import ShardedSnapshot, split_index
from rag.embedding.hashing import hashing_encoder, hashing_second
from rag.engine import Engine
from tests.conftest import FIXTURES, SAMPLE, make_settings

FILES = [SAMPLE, *sorted(FIXTURES.glob("*.txt")), *sorted(FIXTURES.glob("*.md"))]
QUERIES = ["防災DXについて", "デジタル人材の育成", "ありがとうございます", "who talked about open data", "予算"]


@pytest.fixture(scope="module")
def whole(tmp_path_factory, sudachi) -> Engine:
    settings = make_settings(
        tmp_path_factory.mktemp("whole") / "index", second_model="use-multilingual-v3", shard_timeout_s=2.0
    )
    engine = Engine(settings, encoder=hashing_encoder(), tokenize=sudachi, second=hashing_second())
    engine.ingest(FILES)
    return engine


@pytest.fixture(scope="module")
def served(ray_cluster, whole, tmp_path_factory):
    """``(engine, clients)``: the index split in two, each shard a Serve deployment."""
    from ray import serve

    out = tmp_path_factory.mktemp("split") / "shards"
    split_index(whole.index_dir, out, shards=2)
    serve.start(http_options={"location": "NoServer"})
    clients = deploy_shards(serve, out, spec=whole.spec(), settings=whole.settings)
    snapshot = ShardedSnapshot(clients, directory=out, spec=whole.spec(), timeout=whole.settings.shard_timeout_s)
    engine = whole.over(snapshot.as_snapshot())
    yield engine, clients
    serve.shutdown()


def _ids(result) -> list[str]:
    return [h.remark.remark_id for h in result.hits]


def test_shards_are_deployments_on_both_nodes(served):
    from ray import serve

    _, clients = served
    assert {f"{APP_PREFIX}-00", f"{APP_PREFIX}-01"} <= set(serve.status().applications)
    places = [c.handle.where.remote().result(timeout_s=30) for c in clients]
    assert len({p["node_id"] for p in places}) == 2  # one CPU each: one replica per node


def test_sharded_search_equals_the_whole_index(whole, served):
    engine, _ = served
    for query in QUERIES:
        for mode in ("hybrid", "dense", "lexical"):
            a = whole.search(query=query, k=10, mode=mode, infer=False)
            b = engine.search(query=query, k=10, mode=mode, infer=False)
            assert _ids(a) == _ids(b), (query, mode)
    meeting = whole.snapshot().meta.meetings()[0]["meeting_id"]
    f = Filters(meeting=meeting)
    assert _ids(whole.search(query="デジタル", filters=f)) == _ids(engine.search(query="デジタル", filters=f))


def test_http_routes_across_shards(whole, served):
    engine, _ = served
    with (
        TestClient(create_app(whole.settings, engine_factory=lambda _: whole)) as one,
        TestClient(create_app(whole.settings, engine_factory=lambda _: engine)) as many,
    ):
        for path in ("/search?q=デジタル人材", "/who?q=デジタル人材", "/meetings", "/speakers"):
            a, b = one.get(path), many.get(path)
            assert a.status_code == b.status_code == 200, path
            assert a.json() == b.json(), path
        rid = one.get("/search?q=防災").json()["hits"][0]["remark_id"]
        assert one.get(f"/remarks/{rid}").json() == many.get(f"/remarks/{rid}").json()
        mid = one.get("/meetings").json()[0]["id"]
        assert one.get(f"/meetings/{mid}").json() == many.get(f"/meetings/{mid}").json()
        asked = {"question": "防災DXについて誰が何を言ったか"}
        assert one.post("/ask", json=asked).json() == many.post("/ask", json=asked).json()
        missing = many.get("/remarks/no-such-remark")
        assert missing.status_code == 404 and missing.json()["error"]["code"] == "not_found"


def test_a_killed_replica_gives_503_then_recovers(whole, served):
    engine, clients = served
    expected = _ids(whole.search(query="デジタル人材", infer=False))
    with TestClient(create_app(whole.settings, engine_factory=lambda _: engine)) as client:
        assert client.get("/search?q=デジタル人材&infer=false").status_code == 200
        pid = clients[1].handle.where.remote().result(timeout_s=30)["pid"]
        os.kill(pid, signal.SIGKILL)
        statuses = []
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            started = time.monotonic()
            response = client.get("/search?q=デジタル人材&infer=false")
            took = time.monotonic() - started
            assert took < whole.settings.shard_timeout_s * 4 + 5  # an answer, never a hang
            statuses.append(response.status_code)
            if response.status_code == 200:
                assert [h["remark_id"] for h in response.json()["hits"]] == expected
                if 503 in statuses:
                    break
            else:
                assert response.status_code == 503, response.text
                assert response.json()["error"]["code"] == "shard_unavailable"
            time.sleep(0.2)
        assert 503 in statuses and statuses[-1] == 200, statuses


def test_serve_client_is_a_shard_client(served):
    _, clients = served
    assert all(isinstance(c, ServeClient) for c in clients)
    assert clients[0].submit("info").result(10)["counts"]["passages"] > 0
