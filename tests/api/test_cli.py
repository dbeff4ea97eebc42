"""The gijiroku command end to end, with the real default model (slow)."""

from __future__ import annotations

import json
import shutil

import pytest

from api.cli import main
from tests.conftest import SAMPLE

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def index_dir(tmp_path_factory, model_cache):
    patch = pytest.MonkeyPatch()
    patch.setenv("GIJIROKU_MODEL_CACHE_DIR", str(model_cache))
    path = tmp_path_factory.mktemp("cli") / "index"
    assert main(["ingest", str(SAMPLE), "--index", str(path), "--quiet"]) == 0
    yield path
    patch.undo()


def test_search_json_schema(index_dir, capsys):
    assert main(["search", "南海トラフ巨大地震とデジタル", "--index", str(index_dir), "--json", "--k", "3"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert set(out) >= {"query", "mode", "filters", "hits"}
    assert out["mode"] == "hybrid" and len(out["hits"]) == 3
    hit = out["hits"][0]
    assert set(hit) >= {"rank", "score", "remark_id", "speaker", "topic", "meeting", "text", "passage", "context"}
    assert set(hit["speaker"]) >= {"label", "name", "role", "group", "affiliation"}
    assert set(hit["meeting"]) == {"id", "title", "date"}
    assert set(hit["context"]) == {"prev", "next"}
    assert hit["speaker"]["name"] == "村井 純"
    assert hit["passage"] in hit["text"]


def test_search_with_speaker_filter(index_dir, capsys):
    assert main(["search", "防災", "--index", str(index_dir), "--speaker", "宮坂", "--json"]) == 0
    hits = json.loads(capsys.readouterr().out)["hits"]
    assert hits and all(h["speaker"]["name"] == "宮坂 学" for h in hits)


def test_human_output(index_dir, capsys):
    assert main(["search", "カオスエンジニアリング", "--index", str(index_dir), "--k", "1"]) == 0
    out = capsys.readouterr().out
    assert "小野 和俊" in out and "カオスエンジニアリング" in out


def test_check_and_reingest_skip(index_dir, capsys):
    assert main(["check", "--index", str(index_dir)]) == 0
    assert "53 remarks" in capsys.readouterr().out
    assert main(["ingest", str(SAMPLE), "--index", str(index_dir), "--quiet"]) == 0
    assert "skipped" in capsys.readouterr().err


def test_reindex_converts_the_dense_index_without_re_embedding(index_dir, tmp_path, capsys):
    copy = tmp_path / "index"
    shutil.copytree(index_dir, copy)
    query = ["search", "南海トラフ巨大地震とデジタル", "--index", str(copy), "--json", "--k", "3"]
    assert main(query) == 0
    before = [h["remark_id"] for h in json.loads(capsys.readouterr().out)["hits"]]
    assert main(["reindex", "--index", str(copy), "--dense-index", "ivf_sq8"]) == 0
    assert "dense index flat -> ivf_sq8" in capsys.readouterr().out
    assert main(["check", "--index", str(copy)]) == 0
    capsys.readouterr()
    assert main(query) == 0
    assert [h["remark_id"] for h in json.loads(capsys.readouterr().out)["hits"]] == before
    with pytest.raises(SystemExit) as exc:
        main(["reindex", "--index", str(copy), "--dense-index", "annoy"])
    assert exc.value.code == 2 and "invalid choice" in capsys.readouterr().err
    assert main(["reindex", "--index", str(tmp_path / "none")]) == 1
    assert "no index" in capsys.readouterr().err


def test_bad_file_exits_non_zero_and_keeps_index(index_dir, tmp_path, capsys):
    bad = tmp_path / "scan.txt"
    bad.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    manifest = (index_dir / "manifest.json").read_text()
    assert main(["ingest", str(bad), "--index", str(index_dir), "--quiet"]) == 1
    err = capsys.readouterr().err
    assert "scan.txt" in err and "binary file" in err
    assert (index_dir / "manifest.json").read_text() == manifest


def test_readable_text_without_turns_is_ingested_with_a_warning(index_dir, tmp_path, capsys):
    notes = tmp_path / "notes.txt"
    notes.write_text("会議録ではないただのメモ。\n\n防災の予算について確認した。", encoding="utf-8")
    copy = tmp_path / "copy"
    shutil.copytree(index_dir, copy)
    assert main(["ingest", str(notes), "--index", str(copy), "--quiet"]) == 0
    err = capsys.readouterr().err
    assert "ingested  " in err and "warning: no minutes format was recognised" in err
    assert "no meeting date found" in err


def test_a_folder_skips_what_is_not_minutes(index_dir, tmp_path, capsys):
    folder = tmp_path / "corpus"
    folder.mkdir()
    (folder / "SOURCES.md").write_text(
        "# Sources\n\n| file | body |\n|---|---|\n| a.txt | 会議録 |\n", encoding="utf-8"
    )
    manifest = (index_dir / "manifest.json").read_text()
    assert main(["ingest", str(folder), "--index", str(index_dir), "--quiet"]) == 0
    err = capsys.readouterr().err
    assert "skipped   " in err and "SOURCES.md: not minutes" in err and "0 ingested, 1 skipped, 0 failed" in err
    assert (index_dir / "manifest.json").read_text() == manifest


def test_empty_index_says_how_to_ingest(tmp_path, capsys):
    assert main(["search", "防災", "--index", str(tmp_path / "none")]) == 1
    assert "gijiroku ingest" in capsys.readouterr().err


def test_bad_query_is_a_message_not_a_traceback(index_dir, capsys):
    assert main(["search", "  ", "--index", str(index_dir)]) == 1
    assert "query is empty" in capsys.readouterr().err
    assert main(["search", "防災", "--index", str(index_dir), "--k", "0"]) == 1
    assert "k must be between" in capsys.readouterr().err


def test_model_command(capsys):
    assert main(["model"]) == 0
    info = json.loads(capsys.readouterr().out)
    assert info["model"] == "intfloat/multilingual-e5-small"
    assert info["query_prompt"] == "query: "


def test_ask_quotes_verbatim(index_dir, capsys):
    assert main(["ask", "避難所の通信環境の整備", "--index", str(index_dir), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["status"] == "answered" and out["citations"]
    texts = {h["remark_id"]: h["text"] for h in out["hits"]}
    assert all(c["quote"] in texts[c["remark_id"]] for c in out["citations"])
    assert main(["ask", "How do I bake sourdough bread?", "--index", str(index_dir)]) == 0
    assert capsys.readouterr().out.startswith("Nothing in the indexed minutes addresses this question.")


def test_a_range_that_ends_before_it_starts_is_said_not_searched(index_dir, capsys):
    dates = ["--date-from", "2023-09-01", "--date-to", "2023-08-01"]
    for command in ("search", "ask", "who"):
        assert main([command, "防災", "--index", str(index_dir), *dates]) == 0
        assert "note: date_from (2023-09-01) is after date_to (2023-08-01)" in capsys.readouterr().out, command


def test_who_and_inference(index_dir, capsys):
    assert main(["who", "防災", "--index", str(index_dir), "--limit", "3"]) == 0
    lines = [line for line in capsys.readouterr().out.splitlines() if line[:3].strip().rstrip(".").isdigit()]
    assert len(lines) == 3
    assert main(["search", "宮坂副知事の防災の発言", "--index", str(index_dir), "--k", "2"]) == 0
    out = capsys.readouterr().out
    assert "searched only remarks by 宮坂 学" in out
    assert main(["search", "宮坂副知事の防災の発言", "--index", str(index_dir), "--k", "2", "--no-infer"]) == 0
    assert "searched only" not in capsys.readouterr().out


def test_a_remark_without_a_topic_is_listed_without_a_dash(tmp_path, model_cache, capsys, monkeypatch):
    monkeypatch.setenv("GIJIROKU_MODEL_CACHE_DIR", str(model_cache))
    table = tmp_path / "kaigiroku.csv"
    table.write_text("発言者,発言内容\n佐藤議員,避難所の通信環境について伺います。\n", encoding="utf-8")
    index = str(tmp_path / "index")
    assert main(["ingest", str(table), "--index", index, "--quiet"]) == 0
    assert main(["search", "避難所の通信", "--index", index, "--k", "1"]) == 0
    assert main(["who", "避難所の通信", "--index", index]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].endswith("佐藤（議員）") and lines[3].endswith("— 1 remarks")
