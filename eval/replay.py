"""`rag eval sweep RUN`: choose the support threshold on dev data without asking the LLM again. Each recorded reply
is replayed through the product's own answering path (`rag.Engine.answer(question, passages, reply)`) at other
thresholds; the model's text does not depend on the threshold, so this gives exactly what the product would have
shown at each."""

import argparse
from collections.abc import Sequence
from pathlib import Path

from eval import runner
from eval.metrics import outcome as outcomes
from eval.sample import Sample
from rag import Answer, Engine, RagError, Settings, get_settings

SWEEP = (0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9)


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="rag eval sweep",
        description="Re-verify a run's answers (its answers.jsonl) at other support thresholds, without the LLM: "
        "right / wrong shown / refused per split at each. Choose on dev, report test.",
    )
    p.add_argument("run", type=Path, help=f"the folder `rag eval` wrote (holding {runner.ANSWERS})")
    p.add_argument("--thresholds", default=",".join(f"{t:g}" for t in SWEEP), help="comma-separated")
    return p


def run(args: argparse.Namespace) -> int:
    try:
        thresholds = [float(t) for t in args.thresholds.split(",") if t.strip()]
    except ValueError:
        raise RagError(f"--thresholds takes numbers separated by commas, not {args.thresholds!r}.") from None
    pairs = runner.load(args.run)
    for t, scopes in sweep(pairs, thresholds).items():
        print(f"\nthreshold {t}:\n{outcomes.table(scopes)}")
    replies = outcomes.by_split([(s.split, s.answerable, outcomes.reply(s, a)) for s, a in pairs])
    print(f"\n{outcomes.REPLIES}:\n{outcomes.table(replies)}")
    return 0


def replay(answer: Answer, threshold: float, settings: Settings | None = None) -> Answer:
    """The answer the product would have given at `threshold`, from the same passages and the same reply."""
    engine = Engine((settings or get_settings()).model_copy(update={"support_threshold": threshold}))
    asked = answer.standalone_question or answer.question
    return engine.answer(asked, passages=answer.passages, reply=answer.raw, samples=answer.samples).collect()


def sweep(pairs: Sequence[tuple[Sample, Answer]], thresholds: Sequence[float] = SWEEP) -> dict[str, dict]:
    """Per threshold, the outcome tallies per split (see eval.metrics.outcome.by_split)."""
    return {
        f"{t:g}": outcomes.by_split([(s.split, s.answerable, outcomes.shown(s, replay(a, t))) for s, a in pairs])
        for t in thresholds
    }
