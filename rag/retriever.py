"""Find the passages for a question: dense (Chroma) and BM25 candidates fused by reciprocal rank, duplicates removed."""

from __future__ import annotations

import re
from collections.abc import Callable

from rag.keywords import KeywordIndex
from rag.models import Embedder
from rag.settings import Settings
from rag.store import Store
from rag.types import Passage


class Retriever:
    def __init__(
        self, settings: Settings, store: Store, embedder: Embedder, keywords: Callable[[], KeywordIndex]
    ) -> None:
        self.settings = settings
        self.store = store
        self.embedder = embedder
        self.keywords = keywords  # returns the current keyword index (rebuilt when the store changed)

    def retrieve(self, question: str, k: int | None = None) -> list[Passage]:
        k = k or self.settings.top_k
        n = max(self.settings.candidates, k)
        ranked: list[list[Passage]] = []
        if self.settings.retrieval in ("hybrid", "dense"):
            ranked.append(self.store.search(self.embedder.embed_query(question), n))
        if self.settings.retrieval in ("hybrid", "bm25"):
            ranked.append(self.keywords().search(question, n))
        fused = rrf(ranked, self.settings.rrf_k) if len(ranked) > 1 else ranked[0]
        return dedupe(fused)[:k]


def rrf(rankings: list[list[Passage]], k: int = 60) -> list[Passage]:
    """Reciprocal-rank fusion: score = sum over rankings of 1 / (k + rank)."""
    scores: dict[str, float] = {}
    first: dict[str, Passage] = {}
    for ranking in rankings:
        for rank, p in enumerate(ranking, start=1):
            scores[p.chunk_id] = scores.get(p.chunk_id, 0.0) + 1.0 / (k + rank)
            first.setdefault(p.chunk_id, p)
    order = sorted(scores, key=scores.get, reverse=True)
    return [Passage(**{**first[c].__dict__, "score": scores[c]}) for c in order]


def dedupe(passages: list[Passage], threshold: float = 0.9) -> list[Passage]:
    """Drop passages whose words mostly repeat a higher-ranked one (syndicated copies, re-posted articles)."""
    kept: list[tuple[Passage, set[str]]] = []
    for p in passages:
        words = set(re.findall(r"\w+", p.text.lower()))
        if any(_jaccard(words, w) >= threshold for _, w in kept):
            continue
        kept.append((p, words))
    return [p for p, _ in kept]


def _jaccard(a: set[str], b: set[str]) -> float:
    return len(a & b) / len(a | b) if a and b else 0.0
