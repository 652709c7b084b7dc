"""`rag eval checker`: how well does the product's verifier tell a right answer from a hallucinated one? Each
HaluEval-QA pair (question, knowledge paragraph, right answer, hallucinated answer) is verified as the product
verifies a reply (`eval.grade.verify`); an answer's score is its weakest sentence's support, 0 when a rule other than
support refused it. The threshold is chosen on the first half of the pairs (dev) and reported on the other (held
out), beside the product's own threshold and a naive floor: the share of the answer's words the paragraph has."""

import argparse
import json
import re
from pathlib import Path

from eval.datasets.halueval import HALUEVAL, knowledge, rows
from eval.grade import verify
from eval.metrics.stats import balanced_accuracy, best_threshold
from rag import Engine, get_settings

SWEEP = (0.5, 0.6, 0.7, 0.8, 0.9, 1.0)
_WORD = re.compile(r"\w+")
_STOP = set(
    "a an the of in on at to for by with from and or is was are were be been it its this that as which who".split()
)
Scores = tuple[list[float], list[float]]  # of the right answers, of the hallucinated ones


def support(engine: Engine, question: str, text: str, answer: str) -> float:
    """The answer's support by the text, as the product verifies it at the engine's threshold."""
    verified, threshold = verify(engine, question, [text], answer), engine.settings.support_threshold
    scores = [s.score for s in verified.sentences]
    scores += [s.score if s.score < threshold else 0.0 for s in verified.dropped]  # above it: refused by another rule
    return min(scores, default=0.0)


def naive(answer: str, text: str) -> float:
    """The floor any checker must beat: the share of the answer's content words found anywhere in the text."""
    words = {w for w in _WORD.findall(answer.lower()) if w not in _STOP}
    return len(words & set(_WORD.findall(text.lower()))) / len(words) if words else 0.0


def measure(path: Path = HALUEVAL) -> dict:
    """Every number of the checker report: tuned thresholds, held-out balanced accuracy, the sweep, the floor."""
    settings = get_settings()
    engine, found = Engine(settings), rows(path)
    checker: list[Scores] = [([], []), ([], [])]  # dev, held out
    floor: list[Scores] = [([], []), ([], [])]
    for n, r in enumerate(found):
        text, part = knowledge(r["knowledge"]), int(n >= len(found) // 2)
        for side, answer in enumerate((r["right_answer"], r.get("hallucinated_answer", ""))):
            checker[part][side].append(support(engine, r["question"], text, answer))
            floor[part][side].append(naive(answer, text))
    tuned, floor_tuned = round(best_threshold(*checker[0]), 4), round(best_threshold(*floor[0]), 4)
    held_out = lambda t, scores=checker[1]: round(balanced_accuracy(*scores, t), 4)  # noqa: E731
    return {
        "pairs_dev": len(checker[0][0]),
        "pairs_test": len(checker[1][0]),
        "product_threshold": settings.support_threshold,
        "threshold_tuned_on_dev": tuned,
        "balanced_accuracy_test_at_tuned": held_out(tuned),
        "balanced_accuracy_test_at_product": held_out(settings.support_threshold),
        "balanced_accuracy_dev_at_product": held_out(settings.support_threshold, checker[0]),
        "sweep_test": {f"{t:g}": held_out(t) for t in SWEEP},
        "naive_floor_threshold_tuned_on_dev": floor_tuned,
        "naive_floor_test_at_tuned": held_out(floor_tuned, floor[1]),
    }


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="rag eval checker", description=__doc__.split("\n\n")[0])
    p.add_argument("--halueval", type=Path, default=HALUEVAL, help="HaluEval-QA JSON lines")
    p.add_argument("--out", type=Path, help="write checker.json here (default: RAG_DATA_DIR/eval/checker)")
    return p


def run(args: argparse.Namespace) -> int:
    r = measure(args.halueval)
    out = args.out or get_settings().data_dir / "eval" / "checker"
    out.mkdir(parents=True, exist_ok=True)
    (out / "checker.json").write_text(json.dumps(r, indent=2), encoding="utf-8")
    print(f"HaluEval-QA: threshold tuned on the first {r['pairs_dev']} pairs = {r['threshold_tuned_on_dev']}")
    print(
        f"  balanced accuracy on the other {r['pairs_test']} pairs: {r['balanced_accuracy_test_at_tuned']:.3f}"
        f" (at the product's {r['product_threshold']:g}: {r['balanced_accuracy_test_at_product']:.3f};"
        f" dev pairs at it: {r['balanced_accuracy_dev_at_product']:.3f})"
    )
    print(f"  sweep (held out): {r['sweep_test']}")
    floor = r["naive_floor_test_at_tuned"]
    print(f"  naive content-word floor: {floor:.3f} at its dev-tuned {r['naive_floor_threshold_tuned_on_dev']}")
    print(f"written: {out / 'checker.json'}")
    return 0
