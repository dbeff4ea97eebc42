"""Fuzzed minutes: mutations of real minutes and fixtures through the parser and through
``Engine.ingest``. Every outcome is parsed minutes or a ``rag`` error with a message, never another
exception and never a hang, and a failed file leaves the index exactly as it was."""

from __future__ import annotations

import contextlib
import copy
import io
import json
import random
import signal
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rag.engine import Engine
from rag.errors import GijirokuError
from rag.models import ParsedMinutes
from rag.parsing import parse_bytes
from tests.conftest import CORPORA, FIXTURES, SAMPLE, fake_encoder, make_settings

# Per file: parsing a mutated file must end well within this.
TIME_LIMIT_S = 10


def _seeds() -> list[tuple[str, bytes]]:
    files = [SAMPLE, *sorted(FIXTURES.iterdir())]
    if CORPORA.exists():
        files += sorted(p for p in CORPORA.iterdir() if p.name != "SOURCES.md")
    return [(p.name, p.read_bytes()) for p in files if p.is_file()]


SEEDS = _seeds()


def _pdf() -> bytes:
    from reportlab.pdfgen import canvas

    out = io.BytesIO()
    page = canvas.Canvas(out)
    page.drawString(72, 720, "Minutes page")
    page.save()
    return out.getvalue()


def _broken_xref(data: bytes) -> bytes:
    at = data.rfind(b"xref")
    return data[:at] + b"xref\n0 999\nnot a table\n" + data[at + 40 :] if at > 0 else data[:-50]


def _json_mutation(rng: random.Random, data: bytes) -> bytes:
    try:
        doc = json.loads(data)
    except ValueError:
        return data
    weird = [None, 0, -1, 1e308, "", [], {}, True, "○", [[[]]], {"speechRecord": None}]

    def walk(node, depth=0):
        if isinstance(node, dict | list) and node:
            key = rng.choice(list(node)) if isinstance(node, dict) else rng.randrange(len(node))
            if depth > 3 or rng.random() < 0.3:
                node[key] = copy.deepcopy(rng.choice(weird))
            else:
                walk(node[key], depth + 1)

    for _ in range(rng.randint(1, 4)):
        walk(doc)
    return json.dumps(doc, ensure_ascii=False).encode()


def mutate(rng: random.Random, name: str, data: bytes, how: str) -> bytes:
    """One mutation of ``data``: truncation, byte flips, control characters, shuffled lines, …"""
    if how == "truncate":
        return data[: rng.randrange(len(data) + 1)]
    if how == "flip":
        out = bytearray(data)
        for _ in range(rng.randint(1, 50)):
            i = rng.randrange(len(out))
            out[i] ^= 1 << rng.randrange(8)
        return bytes(out)
    if how == "controls":
        out = bytearray(data)
        for _ in range(rng.randint(1, 30)):
            out.insert(rng.randrange(len(out) + 1), rng.choice([0, 1, 7, 8, 11, 12, 27, 127]))
        return bytes(out)
    if how == "shuffle":
        lines = data.split(b"\n")
        rng.shuffle(lines)
        return b"\n".join(lines)
    if how == "reencode":
        text = data.decode("utf-8", errors="replace")
        return text.encode(rng.choice(["cp932", "euc_jp", "utf-16", "utf-8-sig"]), errors="replace")
    if how == "json":
        return _json_mutation(rng, data)
    if how == "huge_line":
        return data + b"\n" + "発言".encode() * rng.randint(100_000, 400_000)
    if how == "nested_json":
        depth = rng.choice([100, 5_000, 200_000])
        nested = b"[" * depth + b"]" * depth if rng.random() < 0.5 else b'{"a":' * depth + b"1" + b"}" * depth
        key = rng.choice([b"", b"meetingRecord", b"speechRecord", b"Proceeding"])  # the formats' own keys too
        return b'{"%s": %s, "speechRecord": []}' % (key, nested) if key else nested
    if how == "broken_pdf":
        return _broken_xref(_pdf())
    return data


HOWS = ["truncate", "flip", "controls", "shuffle", "reencode", "json", "huge_line", "nested_json", "broken_pdf"]


@contextlib.contextmanager
def time_limit(seconds: int) -> Iterator[None]:
    """Fail the test (rather than hang) when the block runs past ``seconds``."""

    def expired(*_):
        raise TimeoutError(f"parsing took over {seconds} s")

    previous = signal.signal(signal.SIGALRM, expired)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def outcome(data: bytes, name: str) -> ParsedMinutes | GijirokuError:
    """Parsed minutes or the ``rag`` error; any other exception propagates and fails the test."""
    with time_limit(TIME_LIMIT_S):
        try:
            return parse_bytes(data, name)
        except GijirokuError as exc:
            assert (exc.message and name in exc.message) or exc.message
            return exc


mutations = st.tuples(st.sampled_from(range(len(SEEDS))), st.sampled_from(HOWS), st.integers(0, 2**32 - 1))


def _case(seed: int, how: str, salt: int) -> tuple[str, bytes]:
    name, data = SEEDS[seed]
    return name, mutate(random.Random(salt), name, data, how)


def _check_parse(case) -> None:
    name, data = _case(*case)
    result = outcome(data, name)
    if isinstance(result, ParsedMinutes):
        assert result.meeting.meeting_id and all(t.text for t in result.turns)


@settings(max_examples=200, deadline=None, suppress_health_check=list(HealthCheck))
@given(mutations)
def test_mutated_minutes_parse_or_fail_with_a_message(case):
    _check_parse(case)


@pytest.mark.slow
@settings(max_examples=1000, deadline=None, suppress_health_check=list(HealthCheck))
@given(mutations)
def test_mutated_minutes_parse_or_fail_with_a_message_at_length(case):
    _check_parse(case)


@pytest.fixture(scope="module")
def fuzz_engine(tmp_path_factory, sudachi) -> Engine:
    engine = Engine(make_settings(tmp_path_factory.mktemp("fuzz") / "index"), encoder=fake_encoder(), tokenize=sudachi)
    engine.ingest([SAMPLE])
    return engine


def _state(engine: Engine) -> tuple:
    manifest = json.loads((engine.index_dir / "manifest.json").read_text())
    return manifest["generation"], manifest["counts"]


def _check_ingest(engine: Engine, case) -> None:
    name, data = _case(*case)
    before = _state(engine)
    with time_limit(TIME_LIMIT_S * 3):
        reports = engine.ingest_bytes(data, name)
    assert reports and all(r.status in ("ingested", "skipped", "failed") for r in reports)
    if all(r.status == "failed" for r in reports):
        assert all(r.reason for r in reports) and _state(engine) == before  # nothing written for a failed file
    else:
        assert engine.check() == []


@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
@given(mutations)
def test_mutated_minutes_through_ingest_leave_a_consistent_index(fuzz_engine, case):
    _check_ingest(fuzz_engine, case)


@pytest.mark.slow
@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
@given(mutations)
def test_mutated_minutes_through_ingest_at_length(fuzz_engine, case):
    _check_ingest(fuzz_engine, case)


def test_the_mutations_reach_every_kind_of_damage():
    rng = random.Random(0)
    name, data = next((n, d) for n, d in SEEDS if n.endswith(".txt"))
    assert b"\x00" in mutate(rng, name, data, "controls") or b"\x07" in mutate(rng, name, data, "controls")
    assert mutate(rng, name, b"[1]", "nested_json").startswith((b"[[", b'{"a":', b'{"'))
    nested = [mutate(random.Random(seed), name, b"[1]", "nested_json") for seed in range(40)]
    assert any(n.startswith(b'{"meetingRecord": [[') for n in nested)  # under a format's own key too
    assert b"xref" in mutate(rng, name, data, "broken_pdf")
    assert isinstance(outcome(mutate(rng, name, data, "broken_pdf"), "broken.pdf"), GijirokuError)
    assert Path(name).suffix == ".txt"
