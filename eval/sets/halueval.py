"""HaluEval-QA as question answering over pooled passages: every row's knowledge (HotpotQA's Wikipedia sentences)
is one small article file and all of them form one corpus, so each question's passages compete with the other
rows'. Items: the questions with gold = right_answer and gold source = their own row's file; dev = even rows,
test = odd rows. With `limit` N, the first N questions over the knowledge of the first min(500, 4N) rows."""

from __future__ import annotations

from pathlib import Path

from eval.checker import HALUEVAL, MISSING, knowledge
from eval.items import Item, json_lines
from eval.sets import EvalSet, write_files
from rag.errors import RagError

POOL_PER_QUESTION = 4  # with --limit N, the corpus pools the knowledge of 4N rows (distractors, affordable indexing)


def load(folder: Path, limit: int | None = None, path: Path | None = None) -> EvalSet:
    """Write the pooled corpus into `folder` and return the set (`path`: HaluEval-QA's JSON lines)."""
    rows = _rows(path or HALUEVAL)
    asked = rows[:limit] if limit else rows
    pooled = rows[: min(len(rows), POOL_PER_QUESTION * limit)] if limit else rows
    write_files(folder, {_name(n): knowledge(r["knowledge"]).strip() + "\n" for n, r in enumerate(pooled)})
    items = tuple(
        Item(
            id=f"halu{n}",
            question=r["question"].strip(),
            answerable=True,
            answer=r["right_answer"].strip(),
            sources=(_name(n),),
            kind="halueval",
            split="dev" if n % 2 == 0 else "test",
        )
        for n, r in enumerate(asked)
    )
    return EvalSet("halueval", folder, items)


def _name(n: int) -> str:
    return f"halueval-{n:03d}.txt"


def _rows(path: Path) -> list[dict]:
    rows = []
    for n, row in json_lines(path, MISSING, "expected HaluEval-QA's JSON lines"):
        if not all(isinstance(row.get(k), str) for k in ("knowledge", "question", "right_answer")):
            raise RagError(f"{path}:{n}: expected text fields knowledge, question and right_answer.")
        rows.append(row)
    return rows
