"""Retrieval metrics: a retrieved text is relevant when it contains a gold evidence string (whitespace- and
case-insensitive) or, without evidence, comes from a gold source; MAP@k and all@k count the evidence facts."""

from collections.abc import Sequence


def _squash(text: str) -> str:
    return " ".join(text.split()).lower()


def first_hit(
    retrieved: Sequence[tuple[str, str]], sources: Sequence[str] = (), evidence: Sequence[str] = ()
) -> int | None:
    """1-based rank of the first relevant (source, text) retrieved, else None."""
    wanted = [_squash(e) for e in evidence if e.strip()]
    for rank, (source, text) in enumerate(retrieved, start=1):
        if (wanted and any(e in _squash(text) for e in wanted)) or (not wanted and source in sources):
            return rank
    return None


def hit_at(rank: int | None, k: int) -> float:
    """hit@k = 1 if the first relevant passage is within the top k, else 0."""
    return 1.0 if rank is not None and rank <= k else 0.0


def reciprocal_rank(rank: int | None) -> float:
    """RR = 1/rank of the first relevant passage (0 when none was retrieved); MRR is its mean."""
    return 1.0 / rank if rank else 0.0


def covered(texts: Sequence[str], facts: Sequence[str]) -> list[set[int]]:
    """For each ranked text, the indexes of the facts it contains (whitespace-insensitive)."""
    wanted = [" ".join(f.split()) for f in facts]
    return [{i for i, f in enumerate(wanted) if f and f in " ".join(t.split())} for t in texts]


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
