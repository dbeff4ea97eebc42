"""Ingest over a two-node Ray cluster writes the index one process writes; a killed worker changes nothing."""

from __future__ import annotations

import os
import signal
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from index.store import verify
from rag.embedding.encoder import Encoder
from rag.embedding.hashing import hashing_encoder, hashing_second
from rag.engine import Engine
from tests.conftest import FIXTURES, SAMPLE, make_settings

FILES = [SAMPLE, *sorted(FIXTURES.glob("*.txt")), *sorted(FIXTURES.glob("*.md")), *sorted(FIXTURES.glob("*.html"))]
QUERIES = ["デジタル人材の育成", "防災", "ありがとうございます", "open data"]


def _engine(index: Path, sudachi, **factories) -> Engine:
    settings = make_settings(index, second_model="use-multilingual-v3", ray_embed_batch=16)
    return Engine(
        settings,
        encoder=hashing_encoder(),
        tokenize=sudachi,
        second=hashing_second(),
        encoder_factory=factories.get("encoder_factory", hashing_encoder),
        second_factory=hashing_second,
    )


@pytest.fixture(scope="module")
def single(tmp_path_factory, sudachi) -> Engine:
    engine = _engine(tmp_path_factory.mktemp("single") / "index", sudachi)
    engine.ingest(FILES)
    return engine


def assert_same_index(a: Engine, b: Engine) -> None:
    sa, sb = a.snapshot(), b.snapshot()
    assert verify(sb) == []
    assert sa.meta.counts() == sb.meta.counts()
    ids = np.sort(sa.dense.ids())
    assert np.array_equal(ids, np.sort(sb.dense.ids()))
    assert sa.meta.passages(ids.tolist()) == sb.meta.passages(ids.tolist())
    for leg_a, leg_b in ((sa.dense, sb.dense), (sa.second, sb.second)):
        assert leg_a is not None and leg_b is not None
        cos = (leg_a.vectors(ids) * leg_b.vectors(ids)).sum(axis=1)
        assert cos.min() >= 0.9999
    # Token vectors (late interaction), made on the actors: the same MaxSim for every passage.
    assert sa.tokens is not None and sb.tokens is not None
    probe = np.random.default_rng(0).standard_normal((4, sa.tokens.dim)).astype(np.float32)
    assert np.allclose(sa.tokens.rescore(probe, ids.tolist()), sb.tokens.rescore(probe, ids.tolist()), atol=1e-5)
    for q in QUERIES:
        tokens = a.tokenize(q)
        assert sa.lexical.search(tokens, 50) == sb.lexical.search(tokens, 50)
        hits_a = [h.remark.remark_id for h in a.search(query=q, infer=False).hits]
        assert hits_a == [h.remark.remark_id for h in b.search(query=q, infer=False).hits]


def test_two_node_ingest_equals_one_process(ray_cluster, single, tmp_path, sudachi):
    ray, _ = ray_cluster
    assert len(ray.nodes()) == 2
    engine = _engine(tmp_path / "index", sudachi)
    reports = engine.ingest(FILES, ray="auto")
    assert [r.status for r in reports] == ["ingested"] * len(FILES)
    assert_same_index(single, engine)


def test_reports_match_one_process_for_bad_and_repeated_files(ray_cluster, tmp_path, sudachi):
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    diet = FIXTURES / "kokkai-two-meetings.json"  # one file, two meetings: a report for each
    files = [SAMPLE, bad, empty, SAMPLE, tmp_path / "missing.txt", diet, diet]
    one = _engine(tmp_path / "one", sudachi).ingest(files)
    two = _engine(tmp_path / "two", sudachi).ingest(files, ray="auto")
    assert [(r.path, r.status, r.reason, r.meeting_id) for r in one] == [
        (r.path, r.status, r.reason, r.meeting_id) for r in two
    ]
    assert [r.status for r in two[-4:]] == ["ingested", "ingested", "skipped", "skipped"]


class DiesOnce:
    """An encoder factory whose first actor SIGKILLs its own process at its first batch."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __call__(self) -> Encoder:
        encoder = hashing_encoder()
        marker = self.marker

        def dies_once(inner):
            def encode(texts, **kwargs):
                if not marker.exists():
                    marker.write_text(str(os.getpid()))
                    os.kill(os.getpid(), signal.SIGKILL)
                return inner(texts, **kwargs)

            return encode

        # Vectors alone, or with token vectors where the index keeps them (this one does).
        encoder.encode_passages = dies_once(encoder.encode_passages)  # type: ignore[method-assign]
        encoder.encode_passage_tokens = dies_once(encoder.encode_passage_tokens)  # type: ignore[method-assign]
        return encoder


def test_a_worker_killed_mid_ingest_leaves_the_same_index(ray_cluster, single, tmp_path, sudachi):
    ray, _ = ray_cluster
    ray.cloudpickle.register_pickle_by_value(sys.modules[__name__])  # workers cannot import the tests
    marker = tmp_path / "killed"
    engine = _engine(tmp_path / "index", sudachi, encoder_factory=DiesOnce(marker))
    engine.ingest(FILES, ray="auto")
    assert marker.exists()  # a worker really died mid-run
    assert_same_index(single, engine)


DRIVER = """
import sys, time
from pathlib import Path
import ray
from rag.embedding.hashing import hashing_encoder
from rag.engine import Engine
from rag.settings import Settings
from rag.tokenize import make_sudachi_tokenizer

class Slow:
    def __call__(self):
        encoder = hashing_encoder()
        def slow(inner):
            def encode(texts, **kwargs):
                time.sleep(0.5)
                return inner(texts, **kwargs)
            return encode
        encoder.encode_passages = slow(encoder.encode_passages)
        encoder.encode_passage_tokens = slow(encoder.encode_passage_tokens)
        return encoder

ray.init(address=sys.argv[1], log_to_driver=False)
settings = Settings(index_dir=Path(sys.argv[2]), model_name="test/hashing", second_model="none", ray_embed_batch=4)
engine = Engine(settings, encoder=hashing_encoder(), tokenize=make_sudachi_tokenizer("C"), encoder_factory=Slow())
print("ingesting", flush=True)
engine.ingest([Path(p) for p in sys.argv[3:]], ray="auto")
print("committed", flush=True)
"""


def test_a_driver_killed_mid_ingest_leaves_the_last_commit(ray_cluster, tmp_path, sudachi):
    import subprocess

    from index.store import read_manifest
    from tests.conftest import ROOT, fake_encoder

    _, cluster = ray_cluster
    index = tmp_path / "index"
    before = Engine(make_settings(index), encoder=fake_encoder(), tokenize=sudachi)
    before.ingest([SAMPLE])
    manifest = read_manifest(index)
    files = [str(p) for p in FILES[1:]]
    proc = subprocess.Popen(
        [sys.executable, "-c", DRIVER, cluster.address, str(index), *files],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None and proc.stdout.readline().strip() == "ingesting"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not any(index.glob(".tmp-*")):
        time.sleep(0.1)  # the writer's next generation is being built
    time.sleep(2.0)
    proc.kill()
    proc.wait(30)
    assert read_manifest(index) == manifest  # nothing was committed
    after = Engine(make_settings(index), encoder=fake_encoder(), tokenize=sudachi)
    assert verify(after.snapshot()) == []
    assert after.snapshot().meta.counts() == before.snapshot().meta.counts()
    assert after.ingest([SAMPLE])[0].status == "skipped"  # the lock was released; writing works
