"""Every eval metric on hand-made cases with known values (no models)."""

import pytest

from eval import metrics
from eval.metrics import CitationCounts, citation_counts


def test_normalize_and_match():
    assert metrics.normalize("The Azure  cloud, Inc.!") == "azure cloud inc"
    assert metrics.matches("It was formalized on October 28, 2025 [1].", "October 28, 2025")
    assert metrics.matches("Microsoft's Azure hosts them.", "Azure")
    assert not metrics.matches("October 29, 2025", "October 28, 2025")
    assert not metrics.matches("Azured", "Azure")  # whole words only
    assert not metrics.matches("anything", "")


def test_token_f1_known_values():
    assert metrics.token_f1("the Azure cloud", "Azure") == pytest.approx(2 * 0.5 * 1 / 1.5)  # P=1/2, R=1
    assert metrics.token_f1("GitHub Copilot", "GitHub Copilot") == 1.0
    assert metrics.token_f1("Bing", "GitHub Copilot") == 0.0
    assert metrics.token_f1("", "x") == 0.0


def test_first_hit_by_evidence_then_by_source():
    ranked = [("a.txt", "Nothing here."), ("b.txt", "On October 28,\n2025, they  signed."), ("a.txt", "x")]
    assert metrics.first_hit(ranked, evidence=["October 28, 2025, they signed"]) == 2
    assert metrics.first_hit(ranked, sources=["a.txt"]) == 1
    assert metrics.first_hit(ranked, sources=["c.txt"]) is None
    assert metrics.first_hit(ranked, sources=["a.txt"], evidence=["not there"]) is None  # evidence wins


def test_hit_at_k_and_reciprocal_rank():
    assert metrics.hit_at(2, 4) == 1.0 and metrics.hit_at(5, 4) == 0.0 and metrics.hit_at(None, 4) == 0.0
    assert metrics.reciprocal_rank(4) == 0.25 and metrics.reciprocal_rank(None) == 0.0
    assert metrics.mean([metrics.reciprocal_rank(r) for r in (1, 2, None)]) == pytest.approx(0.5)


def _support(claim, texts):
    """Toy judge: the share of the claim's words found in the cited texts."""
    words = set(" ".join(texts).lower().split())
    claim_words = claim.lower().split()
    return sum(w in words for w in claim_words) / len(claim_words)


def test_citation_precision_and_recall_alce():
    sentences = [
        ("a b", ["a b", "z"]),  # supported; "a b" alone suffices, "z" is irrelevant
        ("a b", ["a", "b"]),  # supported only jointly: both needed, both precise
        ("c d", ["c"]),  # not supported: counts against recall, its citation is not precise
        ("e", []),  # cites nothing: unsupported
    ]
    counts = citation_counts(sentences, _support, threshold=1.0)
    assert counts == CitationCounts(sentences=4, supported=2, citations=5, precise=3)
    assert counts.recall == 0.5 and counts.precision == pytest.approx(0.6)
    assert CitationCounts().recall is None and CitationCounts().precision is None


def test_percentile_mean_and_balanced_accuracy():
    assert metrics.percentile([3.0, 1.0, 2.0, 10.0], 50) == 2.0
    assert metrics.percentile([3.0, 1.0, 2.0, 10.0], 95) == 10.0
    assert metrics.percentile([], 50) is None
    assert metrics.mean([None, 1.0, 0.0]) == 0.5 and metrics.mean([None]) is None
    pos, neg = [1.0, 0.9, 0.4], [0.2, 0.7]
    assert metrics.balanced_accuracy(pos, neg, 0.8) == pytest.approx((2 / 3 + 1) / 2)
    t = metrics.best_threshold(pos, neg)
    assert 0.7 < t <= 0.9 and metrics.balanced_accuracy(pos, neg, t) == pytest.approx((2 / 3 + 1) / 2)
