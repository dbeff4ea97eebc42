"""Crash safety and readers during writes.

A writer process killed with SIGKILL in the middle of an ingest leaves the last committed index
intact and usable, and the next writer gets the lock. A server keeps answering while another
process commits new generations: each response comes from one generation (never a mix), and the
server picks up the new index without a restart.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time

import pytest
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
    plain = encoder.encode_passage_tokens  # the index keeps token vectors: ingest encodes through here

    def slow(texts, **kw):
        Path({flag!r}).write_text("inside")
        time.sleep(60)
        return plain(texts, **kw)

    encoder.encode_passage_tokens = slow
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


# A writer that ingests, deletes and reindexes in a loop, logging each commit, until it is killed.
_LOOPING_WRITER = textwrap.dedent(
    """
    import json, os, sys
    from pathlib import Path
    sys.path.insert(0, {root!r})
    from tests.conftest import fake_encoder, make_settings, FIXTURES
    from rag.engine import Engine
    from rag.tokenize import make_sudachi_tokenizer

    engine = Engine(make_settings(Path({index!r})), encoder=fake_encoder(), tokenize=make_sudachi_tokenizer("C"))
    log = open({log!r}, "a")

    def committed(step):
        manifest = json.loads((Path({index!r}) / "manifest.json").read_text())
        log.write(json.dumps({{"step": step, "generation": manifest["generation"]}}) + "\\n")
        log.flush()
        os.fsync(log.fileno())

    Path({flag!r}).write_text("ready")
    while True:
        report = engine.ingest([FIXTURES / "verbatim-diet.txt", FIXTURES / "summary-paren.txt"])[0]
        committed("ingest")
        engine.delete_meeting(report.meeting_id)
        committed("delete")
        engine.reindex(dense_type="flat")
        committed("reindex")
    """
)


def _crash_trial(tmp_path, sudachi, trial: int, rng) -> None:
    index = tmp_path / "index"
    flag, log = tmp_path / f"ready-{trial}", tmp_path / "commits.log"
    script = _LOOPING_WRITER.format(root=str(ROOT), index=str(index), flag=str(flag), log=str(log))
    proc = subprocess.Popen([sys.executable, "-c", script], stderr=subprocess.DEVNULL)
    try:
        for _ in range(600):
            if flag.exists() or proc.poll() is not None:
                break
            time.sleep(0.02)
        assert flag.exists(), "the writer never started"
        time.sleep(rng.uniform(0.0, 1.5))  # somewhere in an ingest, a delete, a reindex or a commit
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.wait(timeout=30)
    logged = [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []
    reader = Engine(make_settings(index), encoder=fake_encoder(), tokenize=sudachi)
    generation = reader.snapshot().generation
    last = logged[-1]["generation"] if logged else 1
    # The manifest names the last logged commit, or one the writer made before it could log it.
    assert generation in (last, last + 1), (generation, last)
    assert reader.check() == [], f"trial {trial}: stores disagree after the kill"
    assert reader.search(query="防災", mode="lexical").hits
    report = reader.ingest([FIXTURES / "summary-inline.txt"])[0]  # the next writer gets the lock
    assert report.status in ("ingested", "skipped") and reader.check() == []
    assert not list(index.glob(".tmp-*"))
    reader.delete_meeting(report.meeting_id)
    # The reader's own commits are logged too: a next writer killed before it logs a commit of its
    # own leaves the manifest at the reader's last generation (or one past it), not the last writer's.
    with log.open("a") as out:
        out.write(json.dumps({"step": "reader", "generation": reader.snapshot().generation}) + "\n")


def _crash_trials(tmp_path, sudachi, count: int) -> None:
    import random

    Engine(make_settings(tmp_path / "index"), encoder=fake_encoder(), tokenize=sudachi).ingest([SAMPLE])
    rng = random.Random(20261203)
    for trial in range(count):
        _crash_trial(tmp_path, sudachi, trial, rng)


def test_sigkill_at_random_moments_of_ingest_delete_and_reindex(tmp_path, sudachi):
    _crash_trials(tmp_path, sudachi, 3)


@pytest.mark.slow
def test_twenty_sigkills_at_random_moments(tmp_path, sudachi):
    _crash_trials(tmp_path, sudachi, 20)
