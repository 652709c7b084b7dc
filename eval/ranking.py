"""Ranking metrics for `rag bench multihop`. A retrieved text is relevant when it contains an evidence fact
(whitespace-insensitive); Hits@k and MRR@k come from `eval.metrics`, and a query's metrics are averaged over queries
with the latency percentiles."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from eval.metrics import hit_at, percentile, reciprocal_rank


def _squash(text: str) -> str:
    return " ".join(text.split())


def covered(texts: Sequence[str], facts: Sequence[str]) -> list[set[int]]:
    """For each ranked text, the indexes of the facts it contains (whitespace-insensitive)."""
    wanted = [_squash(f) for f in facts]
    return [{i for i, f in enumerate(wanted) if f and f in _squash(t)} for t in texts]


def first_rank(cov: list[set[int]]) -> int | None:
    """1-based rank of the first text that contains an evidence fact, else None."""
    return next((r for r, c in enumerate(cov, start=1) if c), None)


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
    """Run `retrieve(question) -> ranked texts` on the answerable queries and average the metrics at 10."""
    rows, times = [], []
    for q in queries:
        facts = list(dict.fromkeys(e["fact"] for e in q["evidence_list"]))
        started = time.perf_counter()
        texts = retrieve(q["query"])
        times.append((time.perf_counter() - started) * 1000)
        cov = covered(texts[:10], facts)
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
    if not rows:
        return Scores()
    cols = list(zip(*rows, strict=True))
    return Scores(len(rows), *(statistics.fmean(c) for c in cols), percentile(times, 50), percentile(times, 95))
