"""The one command dispatcher: `rag eval [SET]` runs a question set (default: the seed set; or --multihop,
--halueval, --realtimeqa), with --peer the llama-index peer beside it; `rag eval grade|checker|sweep|report` and
`rag bench latency|load|multihop` are the modules named below. Exit code 1: a threshold missed; 2: bad input."""

import argparse
import importlib
import logging
import sys
from pathlib import Path

from eval import peer, report, runner
from eval.datasets import NAMES, SEEDS, choose
from rag import Engine, RagError, exit_code, get_settings

EVAL = {"grade": "eval.grade", "checker": "eval.checker", "sweep": "eval.replay", "report": "eval.report"}
BENCH = {"latency": "eval.bench.latency", "load": "eval.bench.load", "multihop": "eval.bench.multihop"}
BENCHMARKS = {
    "multihop": "the MultiHop-RAG dev queries (433 answerable, 57 null) over its 609 articles",
    "halueval": "HaluEval-QA as QA over pooled knowledge paragraphs (dev: even rows, test: odd); with --limit N the "
    "first N questions (with --skip S, the N after the first S) over the first 4(S+N) rows' paragraphs",
    "realtimeqa": "RealTimeQA 2024 news quizzes over pooled articles, unanswerable when no article of the question "
    "has its gold option; with --limit N a seeded sample of N, half answerable, over their own articles",
}


def main(argv: list[str] | None = None) -> int:
    """`rag eval ...`: a subcommand, or a run of a question set."""
    return dispatch(sys.argv[1:] if argv is None else list(argv), EVAL, "rag eval")


def bench(argv: list[str] | None = None) -> int:
    """`rag bench SUBCOMMAND ...`."""
    return dispatch(sys.argv[1:] if argv is None else list(argv), BENCH, "rag bench")


def dispatch(argv: list[str], commands: dict[str, str], prog: str) -> int:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s: %(message)s")
    word = argv[0] if argv else ""
    if word in commands:
        module, argv = importlib.import_module(commands[word]), argv[1:]
        make, run = module.parser, module.run
    elif prog == "rag eval":
        make, run = parser, run_set
    else:
        usage = f"usage: {prog} {{{','.join(commands)}}} [options]  ({prog} SUBCOMMAND --help for its options)"
        print(usage if word in ("-h", "--help") else f"{usage}\nerror: unknown benchmark {word!r}", file=sys.stderr)
        return 0 if word in ("-h", "--help") else 2
    args = make().parse_args(argv)
    return exit_code(lambda: run(args))


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="rag eval",
        description="Evaluate grounded answers on a question set. Other commands: grade FILE (any system's answers), "
        "checker (the verifier on HaluEval-QA), sweep RUN (a run re-verified at other thresholds), report RUN.",
        epilog=report.THRESHOLDS_HELP,
    )
    p.add_argument("set", nargs="?", type=Path, help="JSONL question set (default: eval/data/seed.jsonl)")
    p.add_argument("--corpus", type=Path, help="its articles (default: seeds/ for the seed set, else RAG_CORPUS_DIR)")
    group = p.add_mutually_exclusive_group()
    for name, text in BENCHMARKS.items():
        group.add_argument(f"--{name}", action="store_true", help=f"{text} (../shared/benchmarks)")
    p.add_argument("--limit", type=int, help="only N questions (the first N; RealTimeQA: a seeded sample of N)")
    p.add_argument(
        "--skip",
        type=int,
        default=0,
        help="leave out the first N questions (a JSONL set, --multihop, --halueval) or, with --realtimeqa, the sample of N",
    )
    p.add_argument(
        "--exclude",
        type=Path,
        action="append",
        default=[],
        metavar="RUN",
        help="leave out the questions an earlier run asked (its folder; repeatable): a sample none of them is in",
    )
    p.add_argument("--peer", action="store_true", help="also the llama-index peer on the same questions, side by side")
    p.add_argument("--out", type=Path, help="folder for the results (default: RAG_DATA_DIR/eval/SET)")
    report.threshold_arguments(p)
    p.add_argument("--quiet", action="store_true", help="no per-question progress lines")
    return p


def run_set(args: argparse.Namespace) -> int:
    gates, base = report.thresholds(args), get_settings()
    bench = next((n for n in NAMES if getattr(args, n)), "")
    if args.exclude and bench == "halueval":  # its questions are numbered in file order: --skip takes the next ones
        raise RagError("--exclude does not go with --halueval: take the questions after an earlier run's with --skip.")
    exclude = frozenset(sample.id for run in args.exclude for sample, _ in runner.load(run))
    chosen = choose(bench, args.set, args.corpus, args.limit, base, args.skip, exclude)
    name, corpus, samples = chosen.name, chosen.corpus, chosen.samples
    if not corpus.is_dir():
        raise RagError(f"The corpus {corpus} is not a folder: pass --corpus DIR with the set's articles.")
    settings = runner.eval_settings(base, name, corpus)
    where = corpus.relative_to(SEEDS.parent) if corpus.is_relative_to(SEEDS.parent) else corpus
    print(
        f"Evaluating {len(samples)} questions of '{name}' over {where} (collection {settings.collection})...",
        file=sys.stderr,
    )

    def progress(i: int, r: runner.Record | peer.PeerRecord) -> None:
        if not args.quiet:
            tag, said = ("", r.sample.question[:70]) if isinstance(r, runner.Record) else ("peer ", repr(r.answer[:70]))
            print(f"[{tag}{i + 1}/{len(samples)}] {r.latency_s:5.1f}s {r.outcome:8} {said}", file=sys.stderr)

    asked = runner.ask(samples, Engine(settings), corpus, progress)
    out = args.out or base.data_dir / "eval" / name
    out.mkdir(parents=True, exist_ok=True)
    runner.save(out / runner.ANSWERS, asked)  # kept whatever the peer does; `rag eval sweep` replays them
    peers = None
    if args.peer:
        print(f"Running the llama-index peer on the same {len(samples)} questions...", file=sys.stderr)
        peers = peer.run(samples, settings, corpus, base.data_dir / "eval" / name / "peer-index", progress)
    records = [runner.score(*a, settings.articles_language) for a in asked]
    return report.finish(records, settings, out, gates, {"set": name}, peers)
