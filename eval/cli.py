"""`rag eval`: run a question set (default: the seed set, or a benchmark: MultiHop-RAG, HaluEval-QA, RealTimeQA),
optionally the llama-index peer on the same questions, and report; `rag eval grade FILE` grades any system's answers;
`rag eval checker` measures the grounding checker itself. Exit code 1 when a threshold is missed."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from datetime import datetime
from pathlib import Path

from eval import outcomes, peer, reading, replay, report, runner, tools
from eval.items import SEED_SET, SPLITS, load_items
from eval.multihop import data as multihop_set
from eval.sets import EvalSet, halueval, realtimeqa
from rag.engine import Engine
from rag.errors import RagError
from rag.settings import ROOT, Settings, get_settings

THRESHOLDS_HELP = (
    "Thresholds (--min, --max, --config): a bare METRIC applies to the whole set, SPLIT.METRIC (dev.right, "
    "test.wrong_shown) to that split only; a split without questions fails its thresholds. Outcome metrics: right, "
    "wrong_shown, refused_answerable (shares of the answerable questions), refused_unanswerable, "
    "answered_unanswerable (shares of the unanswerable ones)."
)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s: %(message)s")
    commands = {
        "grade": (tools.grade_parser, tools.run_grade),
        "checker": (tools.checker_parser, tools.run_checker),
        "sweep": (tools.sweep_parser, tools.run_sweep),
        "reading": (reading.parser, reading.run),
    }
    make, run = commands.get(argv[0] if argv else "", (run_parser, _run))
    args = make().parse_args(argv[1:] if argv and argv[0] in commands else argv)
    try:
        return run(args)
    except RagError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


def run_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="rag eval",
        description="Evaluate grounded answers on a question set. Other commands: `rag eval grade FILE.jsonl` "
        "(grade any system's answers), `rag eval checker` (the checker's own accuracy), `rag eval sweep RUN` "
        "(a run's answers re-verified at other thresholds), `rag eval reading RUN` (was the answer's sentence in "
        "the prompt).",
        epilog=THRESHOLDS_HELP,
    )
    p.add_argument("set", nargs="?", type=Path, help=f"JSONL question set (default: the seed set {_rel(SEED_SET)})")
    p.add_argument(
        "--corpus", type=Path, help="articles the set is about (default: seeds/ for the seed set, else RAG_CORPUS_DIR)"
    )
    bench = p.add_mutually_exclusive_group()
    bench.add_argument("--multihop", action="store_true", help="the MultiHop-RAG dev set (../shared/benchmarks)")
    bench.add_argument(
        "--halueval",
        action="store_true",
        help="HaluEval-QA as QA over pooled passages: one article per row's knowledge; gold = right_answer; "
        "dev = even rows, test = odd rows. With --limit N: the first N questions over the knowledge of the first "
        f"min(500, {halueval.POOL_PER_QUESTION}N) rows (distractors, affordable indexing); without: 500 over 500",
    )
    bench.add_argument(
        "--realtimeqa",
        action="store_true",
        help="RealTimeQA 2024 news quizzes (4 options) over pooled articles; answerable when the gold option is in "
        "one of the question's own articles, else a refusal is right. With --limit N: a seeded sample of N "
        "questions, half answerable, over their own articles only; without: all 1,488 over 4,972 articles "
        "(indexing ~40 min)",
    )
    p.add_argument("--limit", type=int, help="only N questions (the first N; RealTimeQA: a seeded sample of N)")
    p.add_argument(
        "--peer",
        action="store_true",
        help="also run the llama-index peer (VectorStoreIndex + CitationQueryEngine, top 2, same embedder and LLM) "
        "on the same questions and report its outcomes side by side",
    )
    p.add_argument("--out", type=Path, help="folder for results.json and report.html (default: RAG_DATA_DIR/eval/...)")
    p.add_argument("--min", action="append", default=[], metavar="METRIC=VALUE", help="fail when METRIC is below")
    p.add_argument("--max", action="append", default=[], metavar="METRIC=VALUE", help="fail when METRIC is above")
    p.add_argument("--config", type=Path, help='JSON file {"min": {METRIC: VALUE}, "max": {...}} of thresholds')
    p.add_argument("--quiet", action="store_true", help="no per-question progress lines")
    return p


def _rel(path: Path) -> str:
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


def thresholds(args: argparse.Namespace) -> tuple[dict[str, float], dict[str, float]]:
    mins, maxes = {}, {}
    if args.config:
        try:
            config = json.loads(args.config.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as exc:
            raise RagError(f"Cannot read thresholds from {args.config}: {exc}") from None
        if not isinstance(config, dict) or set(config) - {"min", "max"}:
            raise RagError(f'{args.config}: expected {{"min": {{METRIC: VALUE}}, "max": {{METRIC: VALUE}}}}.')
        mins.update({k: float(v) for k, v in config.get("min", {}).items()})
        maxes.update({k: float(v) for k, v in config.get("max", {}).items()})
    for given, into in ((args.min, mins), (args.max, maxes)):
        for pair in given:
            name, _, value = pair.partition("=")
            try:
                into[name.strip()] = float(value)
            except ValueError:
                raise RagError(f"Bad threshold {pair!r}: write METRIC=VALUE, e.g. --min match=0.9") from None
    unknown = sorted(name for name in set(mins) | set(maxes) if not _known(name))
    if unknown:
        raise RagError(
            f"Unknown metric(s) {', '.join(unknown)}; known: {', '.join(runner.HIGHER_IS_BETTER)}, each also as "
            f"SPLIT.METRIC with SPLIT one of {', '.join(SPLITS)}."
        )
    return mins, maxes


def _known(name: str) -> bool:
    scope, _, metric = name.rpartition(".")
    return metric in runner.HIGHER_IS_BETTER and scope in ("", *SPLITS)


def choose(args: argparse.Namespace, base: Settings) -> EvalSet:
    """The question set and its corpus folder the arguments name."""
    if args.limit is not None and args.limit < 1:
        raise RagError(f"--limit must be at least 1, not {args.limit}.")
    bench = "multihop" if args.multihop else "halueval" if args.halueval else "realtimeqa" if args.realtimeqa else ""
    if bench and (args.set or args.corpus):
        raise RagError(f"--{bench} brings its own questions and articles: leave out the question set and --corpus.")
    corpus = base.data_dir / "eval" / bench / "corpus"
    if bench == "halueval":
        return halueval.load(corpus, args.limit)
    if bench == "realtimeqa":
        return realtimeqa.load(corpus, args.limit)
    if bench == "multihop":
        names = multihop_set.write_corpus(multihop_set.BENCH, corpus)
        return EvalSet(bench, corpus, tuple(multihop_set.load_queries(multihop_set.BENCH, names, args.limit)))
    path = args.set or SEED_SET
    corpus = args.corpus or (ROOT / "seeds" if path == SEED_SET else base.corpus_dir)
    items = load_items(path)
    return EvalSet(
        "seed" if path == SEED_SET else path.stem, corpus, tuple(items[: args.limit] if args.limit else items)
    )


def _run(args: argparse.Namespace) -> int:
    mins, maxes = thresholds(args)
    base = get_settings()
    name, corpus, items = (chosen := choose(args, base)).name, chosen.corpus, chosen.items
    if not corpus.is_dir():
        raise RagError(f"The corpus {corpus} is not a folder: pass --corpus DIR with the set's articles.")
    settings = runner.eval_settings(base, name, corpus)
    engine = Engine(settings)
    print(
        f"Evaluating {len(items)} questions of '{name}' over {_rel(corpus)} (collection {settings.collection})...",
        file=sys.stderr,
    )

    def progress(i: int, r: runner.Record) -> None:
        if not args.quiet:
            verdict = report.verdict(r)
            print(f"[{i + 1}/{len(items)}] {r.latency_s:5.1f}s {verdict:8} {r.question[:70]}", file=sys.stderr)

    answers: list = []
    records = runner.run(items, engine, corpus, progress, answers)
    summary, splits = runner.summarize(records, settings.top_k), runner.by_split(records, settings.top_k)
    failed = runner.failures(summary, mins, maxes, splits)
    folder = base.data_dir / "eval" / name
    out = args.out or folder
    out.mkdir(parents=True, exist_ok=True)
    replay.save(out / replay.ANSWERS, answers)  # kept whatever the peer does; `rag eval sweep` replays them
    peer_records = _peer(args, items, settings, corpus, folder / "peer-index") if args.peer else None
    meta = {
        "set": name,
        "when": datetime.now().isoformat(timespec="seconds"),
        "llm": settings.llm
        if settings.llm != "local"
        else str(settings.llm_model_path or "shipped Qwen2.5-Coder-1.5B"),
        "embed_model": settings.embed_model,
        "top_k": settings.top_k,
        "support_threshold": settings.support_threshold,
    }
    product = {"all": summary, **splits}
    cols = outcomes.columns(product, peer.summarize(peer_records) if peer_records is not None else None)
    json_path, html_path = report.write(out, summary, records, meta, failed, splits, peer_records)
    print(report.table(summary))
    print(f"\noutcomes (share of answerable / unanswerable questions, count){' vs the llama-index peer' * args.peer}:")
    print(outcomes.table(cols))
    print(f"\n{outcomes.REPLIES}:\n{outcomes.table(runner.replies(records))}")
    print(f"results: {json_path}\nreport:  {html_path}\nanswers: {out / replay.ANSWERS}")
    for line in failed:
        print(f"FAIL {line}", file=sys.stderr)
    return 1 if failed else 0


def _peer(args: argparse.Namespace, items, settings: Settings, corpus: Path, folder: Path) -> list[peer.PeerRecord]:
    print(
        f"Running the llama-index peer on the same {len(items)} questions (index in {_rel(folder)})...", file=sys.stderr
    )

    def progress(i: int, r: peer.PeerRecord) -> None:
        if not args.quiet:
            print(f"[peer {i + 1}/{len(items)}] {r.latency_s:5.1f}s {r.outcome:8} {r.answer[:70]!r}", file=sys.stderr)

    return peer.run(items, settings, corpus, folder, progress)
