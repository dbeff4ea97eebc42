"""The HTTP app over a split index (shards in process): same answers, and a shard that stops
answering turns into a 503 in the one error shape."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from index.shards import LocalClient, Shard, ShardedSnapshot, shard_dirs, split_index
from rag.engine import Engine
from tests.conftest import FIXTURES, SAMPLE, fake_encoder, make_settings


class Flaky:
    """A shard client that works until ``down`` is set, then fails as a dead replica does."""

    def __init__(self, inner: LocalClient) -> None:
        self.inner, self.down = inner, False

    def submit(self, method, *args):
        if self.down:
            raise ConnectionError("the replica is gone")
        return self.inner.submit(method, *args)


@pytest.fixture(scope="module")
def pair(tmp_path_factory, sudachi):
    root = tmp_path_factory.mktemp("sharded-api")
    whole = Engine(make_settings(root / "index"), encoder=fake_encoder(), tokenize=sudachi)
    whole.ingest([SAMPLE, *sorted(FIXTURES.glob("*.txt"))])
    split_index(whole.index_dir, root / "shards", shards=2)
    clients = [Flaky(LocalClient(Shard(d, whole.spec()))) for d in shard_dirs(root / "shards")]
    snapshot = ShardedSnapshot(clients, directory=root / "shards", spec=whole.spec(), timeout=1.0)
    split = Engine(whole.settings, encoder=whole.encoder, tokenize=sudachi, snapshot=snapshot.as_snapshot())
    return whole, split, clients


def test_routes_answer_as_the_whole_index(pair):
    whole, split, _ = pair
    with (
        TestClient(create_app(whole.settings, engine_factory=lambda _: whole)) as a,
        TestClient(create_app(whole.settings, engine_factory=lambda _: split)) as b,
    ):
        for path in (
            "/search?q=デジタル人材",
            "/who?q=デジタル",
            "/meetings",
            "/speakers",
            "/search?q=予算&mode=lexical",
        ):
            assert a.get(path).json() == b.get(path).json(), path
        person = a.get("/speakers").json()[0]["person_id"]
        assert (
            a.get(f"/speakers/{person}?limit=3&offset=1").json() == b.get(f"/speakers/{person}?limit=3&offset=1").json()
        )
        assert b.get("/readyz").json()["counts"] == a.get("/readyz").json()["counts"]


def test_a_shard_down_is_503_in_the_error_shape(pair):
    whole, split, clients = pair
    with TestClient(create_app(whole.settings, engine_factory=lambda _: split)) as client:
        clients[1].down = True
        try:
            response = client.get("/search?q=デジタル人材")
        finally:
            clients[1].down = False
        assert response.status_code == 503
        body = response.json()["error"]
        assert body["code"] == "shard_unavailable" and body["details"]["shard"] == 1
        assert client.get("/search?q=デジタル人材").status_code == 200  # back when the shard is


def test_admin_writes_are_refused_on_a_split_index(pair):
    whole, split, _ = pair
    settings = whole.settings.model_copy(update={"admin_token": "t" * 32})
    with TestClient(create_app(settings, engine_factory=lambda _: split)) as client:
        headers = {"Authorization": "Bearer " + "t" * 32}
        response = client.post("/ingest", files={"file": ("x.txt", b"x")}, headers=headers)
        assert response.status_code == 409 and response.json()["error"]["code"] == "read_only"
        meeting = client.get("/meetings").json()[0]["id"]
        response = client.delete(f"/meetings/{meeting}", headers=headers)
        assert response.status_code == 409
