"""Writes under load: 8 clients read while admin uploads and deletes run through the same server.
No request fails, every response comes from one index generation (the one its X-Index-Generation
header names), and after the run the counts are exactly what was committed."""

from __future__ import annotations

import json
import threading
import time

from fastapi.testclient import TestClient

from api.app import create_app
from rag.engine import Engine
from tests.conftest import FIXTURES, SAMPLE, fake_encoder, make_settings

TOKEN = "load-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
UPLOADS = ["verbatim-diet.txt", "summary-inline.txt", "summary-paren.txt", "web-agency-page.txt"]


def test_reads_stay_whole_while_admin_writes_commit(tmp_path, sudachi):
    settings = make_settings(tmp_path / "index", admin_token=TOKEN)
    Engine(settings, encoder=fake_encoder(), tokenize=sudachi).ingest([SAMPLE])
    app = create_app(settings, engine_factory=lambda s: Engine(s, encoder=fake_encoder(), tokenize=sudachi))
    manifest = tmp_path / "index" / "manifest.json"
    committed: dict[int, set[str]] = {}  # generation -> meeting ids, as the writer committed them
    problems: list[str] = []
    seen: list[tuple[int, str, object]] = []
    stop = threading.Event()

    with TestClient(app) as client:

        def record() -> None:
            generation = json.loads(manifest.read_text())["generation"]
            committed[generation] = {m["id"] for m in client.get("/meetings").json()}

        record()

        def write() -> None:
            uploaded: list[str] = []
            i = 0
            while not stop.is_set():
                name = UPLOADS[i % len(UPLOADS)]
                response = client.post("/ingest", files={"file": (name, (FIXTURES / name).read_bytes())}, headers=AUTH)
                if response.status_code != 200:
                    problems.append(f"upload {name}: {response.status_code} {response.text[:200]}")
                else:
                    uploaded.append(response.json()["meeting_id"])
                record()
                if len(uploaded) > 2:
                    gone = client.delete(f"/meetings/{uploaded.pop(0)}", headers=AUTH)
                    if gone.status_code != 200:
                        problems.append(f"delete: {gone.status_code} {gone.text[:200]}")
                    record()
                i += 1

        def read(n: int) -> None:
            urls = ["/meetings", "/search?q=防災&mode=lexical&k=20", "/search?q=委員長&k=20", "/who?q=教育"]
            while not stop.is_set():
                url = urls[n % len(urls)]
                n += 1
                response = client.get(url)
                if response.status_code != 200:
                    problems.append(f"{url}: {response.status_code} {response.text[:200]}")
                    continue
                generation = int(response.headers["X-Index-Generation"])
                body = response.json()
                if url == "/meetings":
                    seen.append((generation, url, {m["id"] for m in body}))
                elif url.startswith("/search"):
                    seen.append((generation, url, {h["meeting"]["id"] for h in body["hits"]}))

        threads = [threading.Thread(target=write)] + [threading.Thread(target=read, args=(i,)) for i in range(8)]
        for t in threads:
            t.start()
        time.sleep(5)
        stop.set()
        for t in threads:
            t.join(timeout=60)
        time.sleep(1.1)
        final = client.get("/readyz").json()
        assert not problems, problems[:5]
        assert len(committed) > 3, "the writer should have committed several generations"
        for generation, url, ids in seen:
            assert generation in committed, (generation, sorted(committed))
            if url == "/meetings":
                assert ids == committed[generation], (generation, url)  # the whole list of that generation
            else:
                assert ids <= committed[generation], (generation, url)  # no hit from another generation
        last = max(committed)
        assert final["generation"] == last and final["counts"]["meetings"] == len(committed[last])
        assert len(seen) > 100
    assert Engine(settings, encoder=fake_encoder(), tokenize=sudachi).check() == []
