"""Metric functions on plain values (no models): answer match and token-F1, retrieval rank, ALCE-style citation
precision and recall, and small aggregation helpers. Formulas are in the docstrings and in docs/evaluation.md."""

from __future__ import annotations

import math
import re
import string
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

# support(claim, cited texts or passages) -> score in [0, 1]; the eval passes the product's checker
Support = Callable[[str, Sequence[Any]], float]

_ARTICLES = re.compile(r"\b(a|an|the)\b")
_PUNCT = str.maketrans({c: " " for c in string.punctuation + "“”‘’–—"})


def normalize(text: str) -> str:
    """SQuAD normalisation: lower case, punctuation and articles removed, whitespace collapsed."""
    text = text.lower().replace("'s ", " ").translate(_PUNCT)
    return " ".join(_ARTICLES.sub(" ", text).split())


def matches(prediction: str, gold: str) -> bool:
    """Normalised match: the normalised gold answer occurs as a whole-word run inside the normalised prediction."""
    p, g = normalize(prediction), normalize(gold)
    return bool(g) and f" {g} " in f" {p} "


def token_f1(prediction: str, gold: str) -> float:
    """Token F1 = 2PR/(P+R) over normalised tokens (P: share of predicted tokens in gold, R: share of gold found)."""
    p, g = normalize(prediction).split(), normalize(gold).split()
    common = sum((Counter(p) & Counter(g)).values())
    if not p or not g or not common:
        return 0.0
    precision, recall = common / len(p), common / len(g)
    return 2 * precision * recall / (precision + recall)


def first_hit(
    retrieved: Sequence[tuple[str, str]], sources: Sequence[str] = (), evidence: Sequence[str] = ()
) -> int | None:
    """1-based rank of the first retrieved (source, text) that is relevant, else None. Relevant: its text contains
    a gold evidence string (whitespace-insensitive) when evidence is given, otherwise its source is a gold source."""
    wanted = [_squash(e) for e in evidence if e.strip()]
    for rank, (source, text) in enumerate(retrieved, start=1):
        if wanted:
            flat = _squash(text)
            if any(e in flat for e in wanted):
                return rank
        elif source in sources:
            return rank
    return None


def _squash(text: str) -> str:
    return " ".join(text.split()).lower()


def hit_at(rank: int | None, k: int) -> float:
    """hit@k = 1 if the first relevant passage is within the top k, else 0."""
    return 1.0 if rank is not None and rank <= k else 0.0


def reciprocal_rank(rank: int | None) -> float:
    """RR = 1/rank of the first relevant passage (0 when none was retrieved); MRR is its mean."""
    return 1.0 / rank if rank else 0.0


@dataclass(frozen=True)
class CitationCounts:
    """ALCE citation counts for one answer: recall = supported / sentences; precision = precise / citations."""

    sentences: int = 0
    supported: int = 0  # sentences whose citations, together, support them
    citations: int = 0
    precise: int = 0  # citations that are needed or sufficient (see `citation_counts`)

    def __add__(self, other: CitationCounts) -> CitationCounts:
        return CitationCounts(
            self.sentences + other.sentences,
            self.supported + other.supported,
            self.citations + other.citations,
            self.precise + other.precise,
        )

    @property
    def recall(self) -> float | None:
        return self.supported / self.sentences if self.sentences else None

    @property
    def precision(self) -> float | None:
        return self.precise / self.citations if self.citations else None


def citation_counts(
    sentences: Sequence[tuple[str, Sequence[str]]], support: Support, threshold: float
) -> CitationCounts:
    """ALCE (Gao et al., 2023) with the checker as the judge. Per sentence s with cited texts C:
    recall: s counts as supported when support(s, C) >= threshold (a sentence citing nothing is not);
    precision: citation c in C is precise when s is supported by C and either c alone supports s or
    C without c no longer does (c is needed); otherwise c is irrelevant."""
    total = CitationCounts()
    for text, cited in sentences:
        full = bool(cited) and support(text, cited) >= threshold
        precise = 0
        if full:
            for i, c in enumerate(cited):
                rest = [x for j, x in enumerate(cited) if j != i]
                if support(text, [c]) >= threshold or not rest or support(text, rest) < threshold:
                    precise += 1
        total += CitationCounts(1, int(full), len(cited), precise)
    return total


def mean(values: Sequence[float | None]) -> float | None:
    """Mean of the defined values; None when there are none."""
    kept = [v for v in values if v is not None]
    return sum(kept) / len(kept) if kept else None


def percentile(values: Sequence[float], q: float) -> float | None:
    """Nearest-rank percentile (q in 0-100) of the values; None when empty."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q / 100 * len(ordered)) - 1)]


def balanced_accuracy(scores_pos: Sequence[float], scores_neg: Sequence[float], threshold: float) -> float:
    """(TPR + TNR) / 2: positives should score >= threshold, negatives below it."""
    tpr = sum(s >= threshold for s in scores_pos) / len(scores_pos) if scores_pos else 0.0
    tnr = sum(s < threshold for s in scores_neg) / len(scores_neg) if scores_neg else 0.0
    return (tpr + tnr) / 2


def auc(scores_pos: Sequence[float], scores_neg: Sequence[float]) -> float | None:
    """The chance that a positive scores above a negative (ties count half): 0.5 is no separation; None when a side
    is empty."""
    if not scores_pos or not scores_neg:
        return None
    above = sum((p > n) + 0.5 * (p == n) for p in scores_pos for n in scores_neg)
    return above / (len(scores_pos) * len(scores_neg))


def best_threshold(scores_pos: Sequence[float], scores_neg: Sequence[float]) -> float:
    """The threshold with the highest balanced accuracy (ties: the lowest such threshold, a midpoint between
    observed scores so it does not sit exactly on one)."""
    points = sorted(set(scores_pos) | set(scores_neg))
    candidates = [points[0]] + [(a + b) / 2 for a, b in zip(points, points[1:], strict=False)] + [points[-1] + 1e-9]
    return max(candidates, key=lambda t: (balanced_accuracy(scores_pos, scores_neg, t), -t))


def matches_any(prediction: str, golds: Sequence[str]) -> bool:
    """`matches` against any acceptable rendering of the gold answer."""
    return any(matches(prediction, g) for g in golds)


def choices_named(prediction: str, choices: Sequence[str]) -> list[str]:
    """The options a prediction names (normalised whole-word runs), in option order. An option found only inside a
    longer option that is named ("Biden" inside "Joe Biden") does not count: longer options are matched first and
    blanked out."""
    text = f" {normalize(prediction)} "
    named = set()
    for choice in sorted(choices, key=lambda c: -len(normalize(c))):
        g = normalize(choice)
        if g and f" {g} " in text:
            named.add(choice)
            text = text.replace(f" {g} ", " | ")
    return [c for c in choices if c in named]
