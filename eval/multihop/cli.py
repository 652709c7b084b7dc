"""`rag bench multihop`: MultiHop-RAG (Tang & Yang, COLM 2024; ODC-BY) retrieval, build time and answer accuracy.

The 609 articles go into the benchmark's own data dir and collection (never the user's), with outlet and date.
A query's evidence `fact`s are verbatim substrings of article bodies, so a retrieved chunk is relevant when it
contains one. Every configuration and the llama-index starter are measured in the same run; the last line printed
is one JSON object for the default configuration.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import time
from pathlib import Path

from eval.multihop.answers import answer, report_saved
from eval.multihop.build import build_ours, build_starter, ratio
from eval.multihop.configs import CONFIGS, DEFAULT, run_config
from eval.multihop.data import BENCH, articles, queries, sample
from eval.multihop.scale import scale
from eval.ranking import HEADER, Scores, score
from rag.settings import ROOT, Settings, get_settings


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="rag bench multihop", description=__doc__.split("\n\n")[0])
    p.add_argument("--corpus", type=Path, default=BENCH / "corpus.json", help="MultiHop-RAG corpus.json")
    p.add_argument("--queries", type=Path, default=BENCH / "queries_dev.json", help="MultiHop-RAG queries file")
    p.add_argument("--limit", type=int, default=None, help="use only the first N queries")
    p.add_argument("--answers", type=int, default=0, help="answer N queries (spread over types) with the local LLM")
    p.add_argument("--data-dir", type=Path, default=ROOT / ".rag-data" / "bench" / "multihop", help="its own data dir")
    p.add_argument("--reuse", action="store_true", help="keep an index built by an earlier run (build_s is its)")
    p.add_argument("--no-starter", action="store_true", help="skip llama-index's starter pipeline")
    p.add_argument(
        "--starter-articles",
        type=int,
        default=0,
        help="time both builds on the first N articles only (the ratio, not the starter's retrieval); 0: all",
    )
    p.add_argument("--scale", action="store_true", help="also time retrieval at 10k and 100k synthetic chunks")
    p.add_argument("--configs", default="", help="comma-separated subset of the retrieval configurations")
    p.add_argument(
        "--report",
        type=Path,
        default=None,
        metavar="ANSWERS",
        help="only print the answers report of an answers.jsonl an earlier --answers run saved (no index, no LLM)",
    )
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    if args.report is not None:
        if not args.report.is_file():
            print(
                f"error: {args.report} does not exist: pass the answers.jsonl an --answers run saved", file=sys.stderr
            )
            return 2
        report_saved(args.report)
        return 0
    for path in (args.corpus, args.queries):
        if not path.is_file():
            print(f"error: {path} does not exist: pass --corpus/--queries (MultiHop-RAG's JSON files)", file=sys.stderr)
            return 2
    base = get_settings().model_copy(update={"data_dir": args.data_dir.resolve(), "collection": "multihop"})
    marker, record = base.data_dir / ".rag-bench", base.data_dir / "build.json"
    if base.data_dir.exists() and any(base.data_dir.iterdir()) and not marker.exists():
        print(
            f"error: {base.data_dir} is not empty and not a benchmark folder: pass another --data-dir", file=sys.stderr
        )
        return 2
    if not args.reuse or not record.exists():
        shutil.rmtree(base.data_dir, ignore_errors=True)
        base.data_dir.mkdir(parents=True)
        marker.write_text("made by `rag bench multihop`; deleted and rebuilt by it\n")
        seconds, chunks = build_ours(base, articles(args.corpus))
        record.write_text(json.dumps({"build_s": seconds, "chunks": chunks, "at": time.strftime("%F %T")}))
    built = json.loads(record.read_text())
    print(f"ours: {built['chunks']} chunks, built in {built['build_s']:.1f}s ({built['at']})", flush=True)

    rows = queries(args.queries, args.limit)
    answerable = [q for q in rows if q["question_type"] != "null_query" and q["evidence_list"]]
    results: dict[str, Scores] = {}
    print(HEADER)
    wanted = [c.strip() for c in args.configs.split(",") if c.strip()] or list(CONFIGS)
    for name in wanted:
        results[name] = run_config(base, CONFIGS[name], answerable)
        print(results[name].row(f"{name} ({results[name].n})"), flush=True)

    starter_s = None
    if not args.no_starter and args.starter_articles:
        ratio(base, articles(args.corpus)[: args.starter_articles])
    elif not args.no_starter:
        starter_s = starter(base, args, answerable, results)
    if starter_s:
        print(
            f"build: ours {built['build_s']:.1f}s, llama-index starter {starter_s:.1f}s "
            f"-> {starter_s / built['build_s']:.2f}x faster"
        )

    accuracy = null_refused = None
    if args.answers:
        saved = base.data_dir / "answers.jsonl"
        accuracy, null_refused = answer(base, sample(rows, args.answers), saved)
        print(f"answers saved to {saved}")
    if args.scale:
        scale(base, answerable)

    default = results.get(DEFAULT) or next(iter(results.values()))
    summary = {
        "hits@4": round(default.hits4, 3),
        "hits@10": round(default.hits10, 3),
        "mrr@10": round(default.mrr10, 3),
        "map@10": round(default.map10, 3),
        "all@10": round(default.all10, 3),
        "accuracy": accuracy,
        "null_refused": null_refused,
        "build_s": round(built["build_s"], 1),
        "p50_ms": round(default.p50_ms, 1),
    }
    print(json.dumps(summary))
    return 0


def starter(base: Settings, args: argparse.Namespace, answerable: list[dict], results: dict[str, Scores]):
    """Build (or with --reuse, load) llama-index's starter index, score its retrieval into `results`; returns its
    build time in seconds (None when unknown)."""
    starter_s = None
    folder = base.data_dir / "llamaindex-starter"
    if args.reuse and (base.data_dir / "starter.json").exists():
        starter_s = json.loads((base.data_dir / "starter.json").read_text())["build_s"]
    index, seconds = build_starter(base, articles(args.corpus), folder, args.reuse)
    if seconds is not None:
        starter_s = seconds
        stamp = {"build_s": seconds, "chunks": len(index.docstore.docs), "at": time.strftime("%F %T")}
        (base.data_dir / "starter.json").write_text(json.dumps(stamp))
    retriever = index.as_retriever(similarity_top_k=10)
    results["llama-index starter"] = score(lambda q: [n.get_content() for n in retriever.retrieve(q)], answerable)
    print(results["llama-index starter"].row(f"llama-index starter ({results['llama-index starter'].n})"))
    return starter_s
