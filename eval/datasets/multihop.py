"""MultiHop-RAG (Tang & Yang, COLM 2024; ODC-BY) from ../shared/benchmarks/multihop-rag: 609 news articles with
outlet and date, written as .txt files with front matter for `rag eval --multihop` (null queries must be refused),
or kept in memory with the raw queries for `rag bench multihop`."""

import hashlib
import json
from pathlib import Path

from eval.datasets import BENCHMARKS, EvalSet, write_files
from eval.sample import Sample
from rag import Article, RagError

BENCH = BENCHMARKS / "multihop-rag"


def load(folder: Path, limit: int | None = None, bench: Path = BENCH) -> EvalSet:
    """Write the articles as `<n>.txt` with front matter into `folder`; the dev queries as samples."""
    files, names = {}, {}
    for n, a in enumerate(_json(bench / "corpus.json")):
        name = f"{n:04d}.txt"
        title = " ".join(a["title"].split())
        files[name] = f"---\ntitle: {title}\nsource: {a['source']}\npublished: {a['published_at']}\n---\n{a['body']}"
        names.setdefault(a["title"], name)
    write_files(folder, files)
    samples = []
    for n, q in enumerate(_json(bench / "queries_dev.json")):
        null = q["question_type"] == "null_query"
        evidence = q.get("evidence_list") or []
        sources = tuple(dict.fromkeys(names[e["title"]] for e in evidence if e["title"] in names))
        facts, answer = tuple(e["fact"] for e in evidence), None if null else q["answer"]
        samples.append(Sample(f"mh{n}", q["query"], not null, answer, sources, facts, q["question_type"]))
    return EvalSet("multihop", folder, tuple(samples[:limit] if limit else samples))


def articles(corpus: Path) -> list[Article]:
    """The corpus as in-memory articles with title, outlet and published date."""
    out = []
    for n, a in enumerate(_json(corpus)):
        body = a["body"]
        digest = hashlib.sha256(json.dumps([a["title"], a["source"], a["published_at"], body]).encode()).hexdigest()
        out.append(
            Article(f"{n:04d}.txt", str(corpus.parent), a["title"], body, digest, a["published_at"], a["source"])
        )
    return out


def queries(path: Path, limit: int | None) -> list[dict]:
    """The queries in file order, each with its position `n` (even-numbered ones tune, odd-numbered ones judge)."""
    rows = [{**q, "n": n} for n, q in enumerate(_json(path))]
    return rows[:limit] if limit else rows


def spread(rows: list[dict], n: int) -> list[dict]:
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


def _json(path: Path):
    if not path.is_file():
        raise RagError(f"{path} is missing: the MultiHop-RAG data is read from ../shared/benchmarks/multihop-rag.")
    return json.loads(path.read_text(encoding="utf-8"))
