"""Choose the support threshold on dev data without asking the LLM again: each answer's recorded reply is replayed
through the product's own answering path (`rag.Engine.answer(question, passages, reply)`) at other thresholds. The
model's text does not depend on the threshold, so this gives exactly what the product would have shown at each."""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from dataclasses import asdict, fields
from pathlib import Path

from eval import outcomes
from eval.items import Item, json_lines
from rag import Answer, Citation, Engine, Passage, RagError, Sentence, Settings, Timings, get_settings

SWEEP = (0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9)


def replay(answer: Answer, threshold: float, settings: Settings | None = None) -> Answer:
    """The answer the product would have given at `threshold`, from the same passages and the same reply."""
    engine = Engine((settings or get_settings()).model_copy(update={"support_threshold": threshold}))
    asked = answer.standalone_question or answer.question
    return engine.answer(asked, passages=answer.passages, reply=answer.raw).collect()


def sweep(pairs: Sequence[tuple[Item, Answer]], thresholds: Sequence[float] = SWEEP) -> dict[str, dict]:
    """Per threshold, the outcome tallies per split (see eval.outcomes.by_split)."""
    out = {}
    for t in thresholds:
        rows = []
        for item, answer in pairs:
            again = replay(answer, t)
            shown = "" if again.refused else again.text
            verdict = outcomes.outcome(item, again.refused, shown, [c.source for c in again.citations])
            rows.append((item.split, item.answerable, verdict))
        out[f"{t:g}"] = outcomes.by_split(rows)
    return out


def save(path: Path, pairs: Sequence[tuple[Item, Answer]]) -> None:
    """One JSON line per answer: its item and the whole `Answer` (passages and raw generation included)."""
    with path.open("w", encoding="utf-8") as f:
        for item, answer in pairs:
            f.write(json.dumps({"item": asdict(item), "answer": answer.to_dict()}, ensure_ascii=False) + "\n")


def load(path: Path) -> list[tuple[Item, Answer]]:
    """What `save` wrote."""
    out = []
    for _, row in json_lines(
        path, "is missing: pass the folder a `rag eval` run wrote.", "expected `rag eval` answers"
    ):
        a = row["answer"]
        answer = Answer(
            **{f.name: a[f.name] for f in fields(Answer) if f.name in a and f.name not in _NESTED},
            citations=tuple(Citation(**c) for c in a["citations"]),
            sentences=tuple(Sentence(**{**x, "keys": tuple(x["keys"])}) for x in a["sentences"]),
            dropped=tuple(Sentence(**{**x, "keys": tuple(x["keys"])}) for x in a["dropped"]),
            passages=tuple(Passage(**p) for p in a["passages"]),
            timings=Timings(**a["timings"]),
        )
        item = Item(**{k: tuple(v) if isinstance(v, list) else v for k, v in row["item"].items()})
        out.append((item, answer))
    return out


_NESTED = {"citations", "sentences", "dropped", "passages", "timings"}
ANSWERS = "answers.jsonl"  # what a `rag eval` run saves in its folder


def load_run(folder: Path) -> list[tuple[Item, Answer]]:
    """The answers a `rag eval` run saved in `folder`."""
    return load(folder / ANSWERS)


def numbers(text: str, flag: str, kind: type[float] | type[int] = float) -> list:
    """A comma-separated option's values ('0.8,0.9', '200,300'), or an actionable error naming the option."""
    try:
        return [kind(t) for t in text.split(",") if t.strip()]
    except ValueError:
        raise RagError(f"{flag} takes numbers separated by commas, not {text!r}.") from None


def run_argument(p: argparse.ArgumentParser) -> None:
    """The RUN argument of the commands that re-read a finished run (`rag eval sweep`, `rag eval reading`)."""
    p.add_argument("run", type=Path, help=f"the folder `rag eval` wrote (holding {ANSWERS})")
