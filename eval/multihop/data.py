"""MultiHop-RAG (Tang & Yang, COLM 2024; ODC-BY), read from ../shared/benchmarks/multihop-rag. For the benchmark:
the articles in memory with outlet and date, and the raw queries. For the eval (`rag eval --multihop`): the articles
written as .txt files under the data dir (never into the repo), and the queries as `Item`s (null queries are
unanswerable and must be refused)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from eval.items import Item
from eval.sets import BENCHMARKS
from rag.errors import RagError
from rag.loader import Article

BENCH = BENCHMARKS / "multihop-rag"


# -- the benchmark ----------------------------------------------------------------------------------------------------
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


# -- the eval set -----------------------------------------------------------------------------------------------------
def write_corpus(bench: Path, folder: Path) -> dict[str, str]:
    """Write each article as `<n>.txt` (front matter with title, outlet and date, then the body) into `folder` if
    changed; returns title -> file name."""
    rows = _json(bench / "corpus.json")
    folder.mkdir(parents=True, exist_ok=True)
    names = {}
    for n, a in enumerate(rows):
        name = f"{n:04d}.txt"
        title = " ".join(a["title"].split())
        text = f"---\ntitle: {title}\nsource: {a['source']}\npublished: {a['published_at']}\n---\n{a['body']}"
        path = folder / name
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
        names.setdefault(a["title"], name)
    return names


def load_queries(bench: Path, names: dict[str, str], limit: int | None = None) -> list[Item]:
    """The dev queries as items, in file order (first `limit`, with null queries kept in their share)."""
    out = []
    for n, q in enumerate(_json(bench / "queries_dev.json")):
        null = q["question_type"] == "null_query"
        evidence = q.get("evidence_list") or []
        out.append(
            Item(
                id=f"mh{n}",
                question=q["query"],
                answerable=not null,
                answer=None if null else q["answer"],
                sources=tuple(dict.fromkeys(names[e["title"]] for e in evidence if e["title"] in names)),
                evidence=tuple(e["fact"] for e in evidence),
                kind=q["question_type"],
            )
        )
    return out[:limit] if limit else out


def _json(path: Path):
    if not path.is_file():
        raise RagError(f"{path} is missing: the MultiHop-RAG data is read from ../shared/benchmarks/multihop-rag.")
    return json.loads(path.read_text(encoding="utf-8"))
