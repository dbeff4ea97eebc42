"""The ``gijiroku`` command: ingest, search, ask, who, model, check, delete, reindex, eval, shard and serve.

It lives beside the HTTP service because both are front ends over ``rag``; errors from the core
become one line on stderr and a non-zero exit, never a traceback.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import TypeAlias, get_args

from index.errors import IndexMissing, StoreError
from index.metadata import Filters
from index.store import read_manifest
from rag.errors import GijirokuError, InputError
from rag.settings import Settings, load_settings

EXIT_ERROR = 1
EXIT_USAGE = 2
DENSE_TYPES = list(get_args(Settings.model_fields["dense_index"].annotation))
BUNDLED_SAMPLE = Path(__file__).resolve().parent.parent / "rag" / "data" / "sample"
# argparse names the type of add_subparsers() only privately.
Subparsers: TypeAlias = "argparse._SubParsersAction[argparse.ArgumentParser]"


def _say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _engine(settings: Settings):
    from rag.engine import Engine

    return Engine(settings, progress=_say)


def _settings(args: argparse.Namespace) -> Settings:
    return load_settings(index_dir=getattr(args, "index", None))


def cmd_ingest(args: argparse.Namespace) -> int:
    """Ingest files; print one line per file; exit 1 if any file failed."""
    engine = _engine(_settings(args))

    def show(report) -> None:
        if report.status == "ingested":
            _say(f"ingested  {report.path}: {report.title} ({report.remarks} remarks, {report.passages} passages)")
            for warning in report.warnings:
                _say(f"  warning: {warning}")
        elif report.status == "skipped" and report.reason == "unchanged":
            _say(f"skipped   {report.path}: unchanged ({report.title})")
        elif report.status == "skipped":
            _say(f"skipped   {report.path}: {report.reason}")
        else:
            _say(f"failed    {report.path}: {report.reason}")

    reports = engine.ingest(
        [Path(p) for p in args.paths],
        fmt=args.format,
        recursive=args.recursive,
        show_progress=not args.quiet,
        on_report=show,
        ray=args.ray,
    )
    failed = sum(r.status == "failed" for r in reports)
    done = sum(r.status == "ingested" for r in reports)
    _say(f"{done} ingested, {sum(r.status == 'skipped' for r in reports)} skipped, {failed} failed")
    return EXIT_ERROR if failed else 0


def _filters(args: argparse.Namespace) -> Filters:
    return Filters(
        speaker=args.speaker or "",
        group=args.group or "",
        topic=args.topic or "",
        meeting=args.meeting or "",
        date_from=args.date_from or "",
        date_to=args.date_to or "",
    )


def _ready_engine(args: argparse.Namespace):
    engine = _engine(_settings(args))
    if not engine.has_index():
        raise IndexMissing(
            f"the index at {engine.index_dir} is empty; add minutes first: "
            f"gijiroku ingest PATH... --index {engine.index_dir}"
        )
    return engine


def _print_inferred(result) -> None:
    if result.inferred is not None:
        names = "、".join(result.inferred.names)
        print(f"note: searched only remarks by {names} (named in the query as {result.inferred.mention!r}; --no-infer)")
    _print_notes(result)


def _print_notes(result) -> None:
    for note in result.notes:
        print(f"note: {note}")


def cmd_search(args: argparse.Namespace) -> int:
    """Search and print hits (or JSON)."""
    from api.render import result_dict

    engine = _ready_engine(args)
    result = engine.search(query=args.query, k=args.k, mode=args.mode, filters=_filters(args), infer=not args.no_infer)
    if args.json:
        print(json.dumps(result_dict(result), ensure_ascii=False, indent=2))
        return 0
    _print_inferred(result)
    if not result.hits:
        print("no results")
    for hit in result.hits:
        r = hit.remark
        role = f"（{r.speaker.role}）" if r.speaker.role else ""
        topic = f" — {r.topic}" if r.topic else ""
        print(f"{hit.rank:>2}. [{hit.score:.4f}] {r.speaker.display}{role}{topic}")
        print(f"    {r.meeting_title} {r.meeting_date}  id={r.remark_id}")
        print("    " + hit.passage.replace("\n", "\n    "))
    return 0


def cmd_ask(args: argparse.Namespace) -> int:
    """Answer a question extractively, with numbered citations."""
    from api.render import answer_dict

    engine = _ready_engine(args)
    answer = engine.ask(question=args.question, k=args.k, filters=_filters(args), infer=not args.no_infer)
    if args.json:
        print(json.dumps(answer_dict(answer), ensure_ascii=False, indent=2))
        return 0
    _print_notes(answer.result)  # the answer itself says which speaker the question was narrowed to
    print(answer.text)
    for c in answer.citations:
        print(f"[{c.number}] {c.remark.meeting_title} {c.remark.meeting_date}  id={c.remark.remark_id}")
    return 0


def cmd_who(args: argparse.Namespace) -> int:
    """Who said what about a subject: speakers ranked, each with their top remarks."""
    from api.render import who_dict

    engine = _ready_engine(args)
    result, speakers = engine.who(query=args.query, filters=_filters(args), infer=not args.no_infer, limit=args.limit)
    if args.json:
        print(json.dumps(who_dict(result, speakers), ensure_ascii=False, indent=2))
        return 0
    _print_inferred(result)
    for i, s in enumerate(speakers, start=1):
        role = f"（{s.speaker.role}）" if s.speaker.role else ""
        topics = f"; {' / '.join(s.topics[:3])}" if s.topics else ""
        print(f"{i:>2}. {s.speaker.name}{role} — {s.remarks} remarks{topics}")
        for hit in s.top[:2]:
            print("      " + hit.passage.replace("\n", " ")[:100] + f"  (id={hit.remark.remark_id})")
    return 0


def cmd_model(args: argparse.Namespace) -> int:
    """Show the configured model, provisioning it (converting the default) when asked."""
    from rag.embedding.convert import DEFAULT_MODEL_NAME, is_converted
    from rag.embedding.encoder import default_model_dir

    settings = _settings(args)
    query, passage = settings.prompts()
    info: dict[str, object] = {"model": settings.model_name, "query_prompt": query, "passage_prompt": passage}
    if settings.model_name == DEFAULT_MODEL_NAME:
        info["path"] = str(default_model_dir(settings))
        info["provisioned"] = is_converted(default_model_dir(settings))
    if args.provision:
        encoder = _engine(settings).encoder
        info.update(provisioned=True, dimension=encoder.dim)
    print(json.dumps(info, ensure_ascii=False, indent=2))
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    """Verify that the dense, lexical and metadata stores agree."""
    engine = _engine(_settings(args))
    problems = engine.check()
    counts = engine.snapshot().manifest.get("counts", {})
    if problems:
        for p in problems:
            _say(f"problem: {p}")
        return EXIT_ERROR
    meetings, remarks, passages = (counts.get(k, 0) for k in ("meetings", "remarks", "passages"))
    print(f"ok: {meetings} meetings, {remarks} remarks, {passages} passages")
    return 0


def cmd_delete(args: argparse.Namespace) -> int:
    """Delete a meeting by id."""
    engine = _engine(_settings(args))
    removed = engine.delete_meeting(args.meeting_id)
    if not removed:
        raise InputError(f"no meeting {args.meeting_id!r} in {engine.index_dir}")
    print(f"deleted {args.meeting_id} ({removed} passages)")
    return 0


def cmd_reindex(args: argparse.Namespace) -> int:
    """Rebuild the dense index as another type (e.g. ivf_sq8 once a corpus passes ~100k passages)."""
    engine = _engine(_settings(args))
    before = read_manifest(engine.index_dir).get("dense", {}).get("type", "flat")
    manifest = engine.reindex(dense_type=args.dense_index)
    passages = manifest["counts"].get("passages", 0)
    print(f"reindexed {passages} passages: dense index {before} -> {manifest['dense']['type']}")
    return 0


def cmd_eval(args: argparse.Namespace) -> int:
    """Score the index on gold questions (one or several files)."""
    from rag.evaluation import evaluate, load_gold

    engine = _engine(_settings(args))
    questions = load_gold(Path(g) for g in args.gold)
    summary, outcomes = evaluate(
        questions, lambda q: engine.search(query=q, k=10, mode=args.mode, infer=not args.no_infer).hits
    )
    misses = [o for o in outcomes if not o.ranks or o.ranks[0] > 1]
    if args.json:
        rows = [
            {"id": o.question.qid, "file": o.question.source, "query": o.question.query, "top": o.top} for o in misses
        ]
        print(json.dumps({"mode": args.mode, "metrics": summary, "misses": rows}, ensure_ascii=False, indent=2))
        return 0
    _print_summary(summary)
    for o in misses:
        where = f"rank {o.ranks[0]}" if o.ranks else "missed"
        print(f"  {o.question.source}:{o.question.qid} ({where}) {o.question.query}\n      first: {o.top}")
    return 0


def _print_summary(summary: dict[str, dict[str, float]]) -> None:
    from rag.evaluation import METRICS

    print(f"{'group':<24}{'n':>4}" + "".join(f"{m:>9}" for m in METRICS) + "  MRR@10 95% interval")
    for group, values in summary.items():
        cells = "".join(f"{values[m]:>9.3f}" for m in METRICS)
        print(f"{group:<24}{int(values['n']):>4}{cells}  [{values['MRR@10 lo']:.3f}, {values['MRR@10 hi']:.3f}]")


def cmd_serve(args: argparse.Namespace) -> int:
    """Run the HTTP service (building an index from the bundled sample on first start)."""
    from api.server import serve

    settings = load_settings(index_dir=args.index, host=args.host, port=args.port)
    if args.shards is not None and args.ray is None:
        raise InputError("--shards needs --ray ADDRESS (or --ray auto for a local cluster)")
    serve(settings, sample_dir=BUNDLED_SAMPLE, say=_say, ray=args.ray, shards=args.shards or 2)
    return 0


def cmd_shard(args: argparse.Namespace) -> int:
    """Split the index into shards by meeting (what ``serve --ray --shards N`` serves)."""
    from api.ray_serve import split_dir
    from index.shards import split_index

    settings = load_settings(index_dir=args.index, shard_dir=args.out)
    out = split_dir(settings)
    layout = split_index(settings.index_dir, out, shards=args.shards)
    for entry in layout["shards"]:
        counts = entry["counts"]
        print(f"{out / entry['directory']}: {counts['meetings']} meetings, {counts['passages']} passages")
    return 0


def _add_filters(p: argparse.ArgumentParser) -> None:
    p.add_argument("--speaker", help="speaker label or name (宮坂, 村井 純)")
    p.add_argument("--group", help="speaker group (委員, 東京都, …)")
    p.add_argument("--topic", help="topic heading contains this")
    p.add_argument("--meeting", help="meeting id")
    p.add_argument("--date-from", type=_iso_date, help="YYYY-MM-DD")
    p.add_argument("--date-to", type=_iso_date, help="YYYY-MM-DD")
    p.add_argument("--no-infer", action="store_true", help="do not restrict to a person or role named in the query")


def _positive(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        number = 0
    if number < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of at least 1, got {value!r}")
    return number


def _iso_date(value: str) -> str:
    """A calendar date as YYYY-MM-DD; a typo (2024-13-45) is an error, not a filter that matches nothing."""
    try:
        return date.fromisoformat(value).isoformat()
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a date as YYYY-MM-DD, got {value!r}") from None


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (also used by tests)."""
    parser = argparse.ArgumentParser(prog="gijiroku", description="Semantic search over Japanese minutes.")
    sub = parser.add_subparsers(dest="command", required=True)
    _writing_commands(sub)
    _reading_commands(sub)
    _index_commands(sub)
    _serving_commands(sub)
    return parser


def _writing_commands(sub: Subparsers) -> None:
    p = sub.add_parser("ingest", help="add minutes files or directories to the index")
    p.add_argument("paths", nargs="+")
    p.add_argument("--index", help="index directory (default: GIJIROKU_INDEX_DIR)")
    p.add_argument("--format", help="force a format: summary, verbatim, kokkai, markdown, assembly-json, csv, plain")
    p.add_argument("--recursive", action="store_true", help="descend into directories")
    p.add_argument("--quiet", action="store_true", help="no progress bars")
    p.add_argument("--ray", metavar="ADDRESS", help="parse and embed on a Ray cluster (auto: a local one)")
    p.set_defaults(func=cmd_ingest)

    p = sub.add_parser("delete", help="remove a meeting from the index")
    p.add_argument("meeting_id")
    p.add_argument("--index")
    p.set_defaults(func=cmd_delete)


def _reading_commands(sub: Subparsers) -> None:
    p = sub.add_parser("search", help="search the index")
    p.add_argument("query")
    p.add_argument("--index")
    p.add_argument("--k", type=int, default=10)
    p.add_argument("--mode", default="hybrid", choices=["hybrid", "dense", "lexical"])
    p.add_argument("--json", action="store_true")
    _add_filters(p)
    p.set_defaults(func=cmd_search)

    p = sub.add_parser("ask", help="answer a question with quotes from the minutes")
    p.add_argument("question")
    p.add_argument("--index")
    p.add_argument("--k", type=int, default=10, help="remarks to search for the answer")
    p.add_argument("--json", action="store_true")
    _add_filters(p)
    p.set_defaults(func=cmd_ask)

    p = sub.add_parser("who", help="who said what about a subject")
    p.add_argument("query")
    p.add_argument("--index")
    p.add_argument("--limit", type=_positive, default=10, help="speakers to list")
    p.add_argument("--json", action="store_true")
    _add_filters(p)
    p.set_defaults(func=cmd_who)

    p = sub.add_parser("eval", help="score retrieval on gold questions (one or several JSONL files)")
    p.add_argument("gold", nargs="+")
    p.add_argument("--index")
    p.add_argument("--mode", default="hybrid", choices=["hybrid", "dense", "lexical"])
    p.add_argument("--json", action="store_true")
    p.add_argument("--no-infer", action="store_true", help="no speaker inference from the questions")
    p.set_defaults(func=cmd_eval)


def _index_commands(sub: Subparsers) -> None:
    p = sub.add_parser("model", help="show or provision the embedding model")
    p.add_argument("--provision", action="store_true", help="convert/load the model now")
    p.set_defaults(func=cmd_model)

    p = sub.add_parser("check", help="verify the index stores agree")
    p.add_argument("--index")
    p.set_defaults(func=cmd_check)

    p = sub.add_parser("reindex", help="rebuild the dense index as another type, without re-embedding")
    p.add_argument("--index")
    p.add_argument("--dense-index", choices=DENSE_TYPES, help="the new type (default: GIJIROKU_DENSE_INDEX)")
    p.set_defaults(func=cmd_reindex)


def _serving_commands(sub: Subparsers) -> None:
    p = sub.add_parser("serve", help="run the HTTP service")
    p.add_argument("--index")
    p.add_argument("--host")
    p.add_argument("--port", type=int)
    p.add_argument("--ray", metavar="ADDRESS", help="serve shards on Ray Serve (auto: a local cluster)")
    p.add_argument("--shards", type=_positive, help="shards to split the index into (with --ray; default 2)")
    p.set_defaults(func=cmd_serve)

    p = sub.add_parser("shard", help="split the index into shards by meeting, for sharded serving")
    p.add_argument("--index")
    p.add_argument("--shards", type=_positive, required=True)
    p.add_argument("--out", help="where to write the split (default: beside the index, <index>-shards)")
    p.set_defaults(func=cmd_shard)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``gijiroku`` console script."""
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args))
    except (GijirokuError, StoreError) as exc:
        _say(f"error: {exc.message}")
        return EXIT_ERROR
    except KeyboardInterrupt:
        _say("interrupted; the index is unchanged unless a commit had finished")
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
