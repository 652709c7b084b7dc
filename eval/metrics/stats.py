"""Aggregates: mean, nearest-rank percentile, balanced accuracy and the threshold that maximises it, and the Wilson
interval of a share."""

import math
from collections.abc import Sequence


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


def best_threshold(scores_pos: Sequence[float], scores_neg: Sequence[float]) -> float:
    """The threshold with the highest balanced accuracy (ties: the lowest such threshold, a midpoint between
    observed scores so it does not sit exactly on one)."""
    points = sorted(set(scores_pos) | set(scores_neg))
    candidates = [points[0]] + [(a + b) / 2 for a, b in zip(points, points[1:], strict=False)] + [points[-1] + 1e-9]
    return max(candidates, key=lambda t: (balanced_accuracy(scores_pos, scores_neg, t), -t))


def wilson(k: int, n: int, z: float = 1.96) -> tuple[float, float]:
    """The 95% Wilson score interval of k successes in n."""
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return centre - half, centre + half
