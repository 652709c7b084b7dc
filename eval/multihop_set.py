"""MultiHop-RAG dev set as an eval set: articles written as .txt files under the data dir (never into the repo),
queries turned into `Item`s (null queries are unanswerable and must be refused)."""

from __future__ import annotations

import json
from pathlib import Path

from eval.data import Item
from rag.errors import RagError
from rag.settings import ROOT

BENCH = ROOT.parent / "shared" / "benchmarks" / "multihop-rag"


def write_corpus(bench: Path, folder: Path) -> dict[str, str]:
    """Write each article as `<n>.txt` (front matter with title, outlet and date, then the body) into `folder` if
    changed; returns title -> file name."""
    articles = _json(bench / "corpus.json")
    folder.mkdir(parents=True, exist_ok=True)
    names = {}
    for n, a in enumerate(articles):
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
