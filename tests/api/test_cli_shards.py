"""The Ray and shard commands' edges: a clear message and a non-zero exit, never a traceback."""

from __future__ import annotations

import sys

import pytest

from api.cli import main
from tests.conftest import FIXTURES, SAMPLE


def test_shard_command_splits_an_index(sample_engine, tmp_path, capsys):
    from rag.engine import Engine
    from tests.conftest import fake_encoder, make_settings

    engine = Engine(make_settings(tmp_path / "index"), encoder=fake_encoder(), tokenize=sample_engine.tokenize)
    engine.ingest([SAMPLE, *sorted(FIXTURES.glob("*.txt"))])
    out = tmp_path / "split"
    assert main(["shard", "--index", str(tmp_path / "index"), "--shards", "2", "--out", str(out)]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 2 and all("meetings" in line for line in lines)
    assert (out / "shards.json").is_file()


def test_shard_command_refuses_more_shards_than_meetings(sample_engine, capsys):
    assert main(["shard", "--index", str(sample_engine.index_dir), "--shards", "9", "--out", "/tmp/x-unused"]) == 1
    assert "fewer than the 9 shards" in capsys.readouterr().err


def test_shard_count_must_be_positive(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["shard", "--shards", "0"])
    assert exc.value.code == 2
    assert "at least 1" in capsys.readouterr().err


def test_shards_without_ray_is_a_usage_error(capsys):
    assert main(["serve", "--shards", "2"]) == 1
    assert "--shards needs --ray" in capsys.readouterr().err


def test_ray_missing_says_how_to_install(monkeypatch, tmp_path, capsys):
    monkeypatch.setitem(sys.modules, "ray", None)  # as if the extra were not installed
    assert main(["ingest", str(SAMPLE), "--index", str(tmp_path / "i"), "--ray", "auto", "--quiet"]) == 1
    err = capsys.readouterr().err
    assert "needs Ray" in err and "pip install 'gijiroku[ray]'" in err
    assert not (tmp_path / "i").exists()
