"""Crash safety and readers during writes.

A writer process killed with SIGKILL in the middle of an ingest leaves the last committed index
intact and usable, and the next writer gets the lock. A server keeps answering while another
process commits new generations: each response comes from one generation (never a mix), and the
server picks up the new index without a restart.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import threading
import time

from fastapi.testclient import TestClient

from api.app import create_app
from rag.engine import Engine
from tests.conftest import FIXTURES, ROOT, SAMPLE, fake_encoder, make_settings

# A writer that parks inside an ingest (after the new generation is being built) until killed.
_WRITER = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    sys.path.insert(0, {root!r})
    from tests.conftest import fake_encoder, make_settings, FIXTURES
    from rag.engine import Engine
    from rag.tokenize import make_sudachi_tokenizer

    encoder = fake_encoder()
    plain = encoder.encode_passages

    def slow(texts, **kw):
        Path({flag!r}).write_text("inside")
        time.sleep(60)
        return plain(texts, **kw)

    encoder.encode_passages = slow
    engine = Engine(make_settings(Path({index!r})), encoder=encoder, tokenize=make_sudachi_tokenizer("C"))
    engine.ingest([FIXTURES / "verbatim-diet.txt", FIXTURES / "summary-inline.txt"])
    """
)


def test_sigkill_mid_ingest_leaves_the_last_commit_usable(tmp_path, sudachi):
    index = tmp_path / "index"
    engine = Engine(make_settings(index), encoder=fake_encoder(), tokenize=sudachi)
    engine.ingest([SAMPLE])
    before = engine.snapshot().manifest
    flag = tmp_path / "inside"
    script = _WRITER.format(root=str(ROOT), flag=str(flag), index=str(index))
    proc = subprocess.Popen([sys.executable, "-c", script])
    try:
        for _ in range(300):
            if flag.exists() or proc.poll() is not None:
                break
            time.sleep(0.05)
        assert flag.exists(), "the writer never reached the ingest"
        assert list(index.glob(".tmp-*")), "the writer should be building a new generation"
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL

    reader = Engine(make_settings(index), encoder=fake_encoder(), tokenize=sudachi)
    snap = reader.snapshot()
    assert snap.generation == before["generation"] and snap.manifest["counts"] == before["counts"]
    assert reader.check() == []
    assert reader.search(query="南海トラフ", mode="lexical").hits
    # the dead writer's lock is gone with it, and its half-built generation is cleaned up
    report = reader.ingest([FIXTURES / "summary-paren.txt"])[0]
    assert report.status == "ingested"
    assert not list(index.glob(".tmp-*")) and reader.check() == []


def test_server_sees_old_or_new_state_and_picks_up_commits(tmp_path, sudachi):
    settings = make_settings(tmp_path / "index")
    Engine(settings, encoder=fake_encoder(), tokenize=sudachi).ingest([SAMPLE])
    app = create_app(settings, engine_factory=lambda s: Engine(s, encoder=fake_encoder(), tokenize=sudachi))
    writer = Engine(settings, encoder=fake_encoder(), tokenize=sudachi)
    problems: list[str] = []
    stop = threading.Event()

    def write() -> None:
        while not stop.is_set():
            report = writer.ingest([FIXTURES / "verbatim-diet.txt"])[0]
            writer.delete_meeting(report.meeting_id)

    with TestClient(app) as client:
        first = client.get("/readyz").json()["generation"]

        def read() -> None:
            while not stop.is_set():
                for url in ("/search?q=委員長&mode=lexical", "/search?q=防災", "/meetings", "/who?q=教育"):
                    response = client.get(url)
                    if response.status_code != 200:
                        problems.append(f"{url}: {response.status_code} {response.text[:200]}")
                    elif url.startswith("/search") and any(not h["text"] for h in response.json()["hits"]):
                        problems.append(f"{url}: a hit without its remark")

        threads = [threading.Thread(target=write)] + [threading.Thread(target=read) for _ in range(4)]
        for t in threads:
            t.start()
        time.sleep(4)
        stop.set()
        for t in threads:
            t.join(timeout=60)
        assert not problems, problems[:5]
        time.sleep(1.1)  # the server looks for a newer generation at most once a second
        assert client.get("/readyz").json()["generation"] > first
        assert [m["title"] for m in client.get("/meetings").json()] == ["第７回東京デジタルサービス会議"]
