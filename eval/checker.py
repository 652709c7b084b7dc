"""How accurate is the grounding checker? HaluEval-QA pairs (right answer supported, hallucinated one not) with the
threshold tuned on the first half and reported on the second, and the hand-labelled seed claims."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from pathlib import Path

from eval import metrics
from eval.grade import support
from eval.items import Claim, json_lines
from rag import lexicon
from rag.settings import ROOT

HALUEVAL = ROOT.parent / "shared" / "benchmarks" / "halueval-qa" / "qa_one-turn_data.json"
MISSING = "is missing: HaluEval-QA is read from ../shared/benchmarks/halueval-qa."
SWEEP = (0.5, 0.6, 0.7, 0.8, 0.9, 1.0)
_GLUED = re.compile(r"(?<=[a-z0-9)\"”][.!?])(?=[A-Z])")  # HaluEval joins its paragraphs as "century.First"


def knowledge(text: str) -> str:
    """HaluEval's knowledge with its glued paragraphs separated again, so sentences split where they end."""
    return _GLUED.sub("\n", text)


@dataclass
class PairScores:
    """Checker scores of supported (pos) and unsupported (neg) claims."""

    pos: list[float] = field(default_factory=list)
    neg: list[float] = field(default_factory=list)

    def balanced(self, threshold: float) -> float:
        return round(metrics.balanced_accuracy(self.pos, self.neg, threshold), 4)

    def sweep(self) -> dict[str, float]:
        return {f"{t:g}": self.balanced(t) for t in SWEEP}


def naive(answer: str, text: str) -> float:
    """The floor any checker must beat: the share of the answer's content words found anywhere in the text."""
    words = {t.key for t in lexicon.terms(answer)}
    found = lexicon.keys(text)
    return len(words & found) / len(words) if words else 0.0


def halueval_scores(path: Path = HALUEVAL) -> tuple[PairScores, PairScores, PairScores, PairScores]:
    """Checker scores of the first (dev) and second (held-out) halves of HaluEval-QA (500 rows: 250 + 250), then
    the naive floor's scores of the same halves."""
    rows = [row for _, row in json_lines(path, MISSING, "expected HaluEval-QA's JSON lines")]
    half = len(rows) // 2
    out, floors = [], []
    for part in (rows[:half], rows[half:]):
        scores, floor = PairScores(), PairScores()
        floors.append(floor)
        for r in part:
            text = knowledge(r["knowledge"])
            scores.pos.append(support(r["right_answer"], [text], r["question"]))
            scores.neg.append(support(r["hallucinated_answer"], [text], r["question"]))
            floor.pos.append(naive(r["right_answer"], text))
            floor.neg.append(naive(r["hallucinated_answer"], text))
        out.append(scores)
    return out[0], out[1], floors[0], floors[1]


def claim_scores(claims: list[Claim]) -> PairScores:
    scores = PairScores()
    for c in claims:
        (scores.pos if c.label else scores.neg).append(support(c.claim, [c.passage]))
    return scores


def claim_mistakes(claims: list[Claim], threshold: float) -> list[dict]:
    out = []
    for c in claims:
        value = support(c.claim, [c.passage])
        if (value >= threshold) != c.label:
            out.append({"claim": c.claim, "label": c.label, "kind": c.kind, "score": round(value, 3)})
    return out


def measure(claims: list[Claim], product_threshold: float, halueval: Path = HALUEVAL) -> dict:
    """Every number of the checker report: tuned thresholds, held-out balanced accuracy, sweeps, mistakes."""
    tune, test, floor_tune, floor_test = halueval_scores(halueval)
    tuned = round(metrics.best_threshold(tune.pos, tune.neg), 4)
    floor_tuned = round(metrics.best_threshold(floor_tune.pos, floor_tune.neg), 4)
    seed = claim_scores(claims)
    seed_tuned = round(metrics.best_threshold(seed.pos, seed.neg), 4)
    return {
        "halueval": {
            "pairs_tune": len(tune.pos),
            "pairs_test": len(test.pos),
            "threshold_tuned_on_first_half": tuned,
            "balanced_accuracy_second_half_at_tuned": test.balanced(tuned),
            "balanced_accuracy_second_half_at_product": test.balanced(product_threshold),
            "balanced_accuracy_second_half_at_claims_tuned": test.balanced(seed_tuned),
            "sweep_second_half": test.sweep(),
            "naive_floor_second_half_at_0.8": floor_test.balanced(0.8),
            "naive_floor_second_half_at_its_dev_tuned": floor_test.balanced(floor_tuned),
            "naive_floor_threshold_tuned_on_first_half": floor_tuned,
        },
        "claims": {
            "claims": len(claims),
            "supported": len(seed.pos),
            "unsupported": len(seed.neg),
            "threshold_tuned_on_claims": seed_tuned,
            "balanced_accuracy_at_product": seed.balanced(product_threshold),
            "balanced_accuracy_at_halueval_tuned": seed.balanced(tuned),
            "sweep": seed.sweep(),
            "mistakes_at_product": claim_mistakes(claims, product_threshold),
        },
        "product_threshold": product_threshold,
    }


def as_dict(scores: PairScores) -> dict:
    return asdict(scores)
