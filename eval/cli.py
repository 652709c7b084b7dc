"""`rag eval`: run a question set (default: the seed set) and report; `rag eval grade FILE` grades any system's
answers; `rag eval checker` measures the grounding checker itself. Exit code 1 when a threshold is missed."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from datetime import datetime
from pathlib import Path

from eval import checker, multihop_set, report, runner
from eval.data import SEED_SET, load_claims, load_graded, load_items
from eval.grade import grade
from rag.engine import Engine
from rag.errors import RagError
from rag.settings import ROOT, get_settings


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s: %(message)s")
    commands = {"grade": (grade_parser, _grade), "checker": (checker_parser, _checker)}
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
        "(grade any system's answers), `rag eval checker` (the checker's own accuracy).",
    )
    p.add_argument("set", nargs="?", type=Path, help=f"JSONL question set (default: the seed set {_rel(SEED_SET)})")
    p.add_argument(
        "--corpus", type=Path, help="articles the set is about (default: seeds/ for the seed set, else RAG_CORPUS_DIR)"
    )
    p.add_argument("--multihop", action="store_true", help="the MultiHop-RAG dev set (../shared/benchmarks)")
    p.add_argument("--limit", type=int, help="only the first N questions")
    p.add_argument("--out", type=Path, help="folder for results.json and report.html (default: RAG_DATA_DIR/eval/...)")
    p.add_argument("--min", action="append", default=[], metavar="METRIC=VALUE", help="fail when METRIC is below")
    p.add_argument("--max", action="append", default=[], metavar="METRIC=VALUE", help="fail when METRIC is above")
    p.add_argument("--config", type=Path, help='JSON file {"min": {METRIC: VALUE}, "max": {...}} of thresholds')
    p.add_argument("--quiet", action="store_true", help="no per-question progress lines")
    return p


def grade_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="rag eval grade", description="Support scores of answers from any system, by the local checker."
    )
    p.add_argument("file", type=Path, help="JSONL lines of {question, answer, contexts: [text, ...]}")
    p.add_argument("--json", action="store_true", help="one JSON object per input line, in input order")
    p.add_argument("--threshold", type=float, help="support threshold (default RAG_SUPPORT_THRESHOLD)")
    return p


def checker_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="rag eval checker", description="Accuracy of the grounding checker.")
    p.add_argument("--halueval", type=Path, default=checker.HALUEVAL, help="HaluEval-QA JSON lines")
    p.add_argument("--claims", type=Path, default=None, help="labelled claims JSONL (default: eval/data/claims.jsonl)")
    p.add_argument("--out", type=Path, help="write checker.json here (default: RAG_DATA_DIR/eval/checker)")
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
    unknown = sorted((set(mins) | set(maxes)) - set(runner.HIGHER_IS_BETTER))
    if unknown:
        raise RagError(f"Unknown metric(s) {', '.join(unknown)}; known: {', '.join(runner.HIGHER_IS_BETTER)}.")
    return mins, maxes


def _run(args: argparse.Namespace) -> int:
    mins, maxes = thresholds(args)
    base = get_settings()
    if args.multihop:
        if args.set:
            raise RagError("Give either a question set or --multihop, not both.")
        name, corpus = "multihop", base.data_dir / "eval" / "multihop" / "corpus"
        names = multihop_set.write_corpus(multihop_set.BENCH, corpus)
        items = multihop_set.load_queries(multihop_set.BENCH, names, args.limit)
    else:
        path = args.set or SEED_SET
        name = "seed" if path == SEED_SET else path.stem
        corpus = args.corpus or (ROOT / "seeds" if path == SEED_SET else base.corpus_dir)
        items = load_items(path)[: args.limit] if args.limit else load_items(path)
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

    records = runner.run(items, engine, corpus, progress)
    summary = runner.summarize(records, settings.top_k)
    failed = runner.failures(summary, mins, maxes)
    out = args.out or base.data_dir / "eval" / name
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
    json_path, html_path = report.write(out, summary, records, meta, failed)
    print(report.table(summary))
    print(f"results: {json_path}\nreport:  {html_path}")
    for line in failed:
        print(f"FAIL {line}", file=sys.stderr)
    return 1 if failed else 0


def _grade(args: argparse.Namespace) -> int:
    threshold = get_settings().support_threshold if args.threshold is None else args.threshold
    if not 0 <= threshold <= 1:
        raise RagError(f"--threshold must be between 0 and 1, not {threshold}.")
    lines = load_graded(args.file)
    grades = [grade(line, threshold) for line in lines]
    for n, g in enumerate(grades, start=1):
        if args.json:
            print(
                json.dumps(
                    {
                        "line": n,
                        "question": g.question,
                        "score": g.score,
                        "supported": g.supported,
                        "refused": g.refused,
                        "sentences": [s.__dict__ for s in g.sentences],
                    },
                    ensure_ascii=False,
                )
            )
        else:
            mark = "ok " if g.supported else "NO "
            print(f"{mark} {g.score:.2f}  {g.answer[:90]}")
            for s in g.sentences:
                print(f"       {'meta' if s.meta else f'{s.score:.2f}'}  {s.text[:90]}")
    if not args.json:
        ok = sum(g.supported for g in grades)
        print(f"{ok}/{len(grades)} answers supported at threshold {threshold:g}")
    return 0


def _checker(args: argparse.Namespace) -> int:
    settings = get_settings()
    claims = load_claims(args.claims) if args.claims else load_claims()
    result = checker.measure(claims, settings.support_threshold, args.halueval)
    out = args.out or settings.data_dir / "eval" / "checker"
    out.mkdir(parents=True, exist_ok=True)
    (out / "checker.json").write_text(json.dumps(result, indent=2), encoding="utf-8")
    h, c = result["halueval"], result["claims"]
    print(f"HaluEval-QA: threshold tuned on the first {h['pairs_tune']} pairs = {h['threshold_tuned_on_first_half']}")
    print(
        f"  balanced accuracy on the other {h['pairs_test']} pairs: {h['balanced_accuracy_second_half_at_tuned']:.3f}"
        f" (at the product's {settings.support_threshold:g}: {h['balanced_accuracy_second_half_at_product']:.3f};"
        f" at the claims-tuned {c['threshold_tuned_on_claims']}: {h['balanced_accuracy_second_half_at_claims_tuned']:.3f})"
    )
    print(f"  sweep (second half): {h['sweep_second_half']}")
    print(
        f"Seed claims ({c['claims']}: {c['supported']} supported, {c['unsupported']} not):"
        f" balanced accuracy {c['balanced_accuracy_at_product']:.3f} at {settings.support_threshold:g},"
        f" {c['balanced_accuracy_at_halueval_tuned']:.3f} at the HaluEval-tuned threshold"
    )
    print(f"  sweep: {c['sweep']}")
    for m in c["mistakes_at_product"]:
        print(
            f"  wrong at {settings.support_threshold:g}: [{m['kind']}] label={m['label']} score={m['score']} {m['claim']}"
        )
    print(f"written: {out / 'checker.json'}")
    return 0
