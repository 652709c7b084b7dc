"""HaluEval-QA (Li et al., EMNLP 2023; MIT) as QA over pooled passages: each row's knowledge is one article file,
gold = right_answer, dev = even rows, test = odd. `limit` N: the first N questions over the first min(500, 4N) rows'
knowledge. `rows` also feeds `rag eval checker` (pairs of a right and a hallucinated answer)."""

import re
from dataclasses import replace
from pathlib import Path

from eval.datasets import BENCHMARKS, EvalSet, write_files
from eval.sample import Sample, json_lines
from rag import RagError

HALUEVAL = BENCHMARKS / "halueval-qa" / "qa_one-turn_data.json"
POOL_PER_QUESTION = 4  # with --limit N, the corpus pools the knowledge of 4N rows (distractors, affordable indexing)
# HaluEval joins its paragraphs as "century.First" and 'Report."MedStar'
_GLUED = re.compile(r"(?<=[a-z0-9)\"”][.!?])(?=[A-Z])|(?<=[a-z0-9)][.!?][\"”])(?=[A-Z])")


def knowledge(text: str) -> str:
    """HaluEval's knowledge with its glued paragraphs separated again, so sentences split where they end."""
    return _GLUED.sub("\n", text)


def load(folder: Path, limit: int | None = None, path: Path | None = None) -> EvalSet:
    """Write the pooled corpus into `folder` and return the set (`path`: HaluEval-QA's JSON lines)."""
    found = rows(path or HALUEVAL)
    asked = found[:limit] if limit else found
    pooled = found[: min(len(found), POOL_PER_QUESTION * limit)] if limit else found
    write_files(folder, {_name(n): knowledge(r["knowledge"]).strip() + "\n" for n, r in enumerate(pooled)})
    split = ("dev", "test")
    samples = [
        Sample(f"halu{n}", r["question"].strip(), True, r["right_answer"].strip(), (_name(n),))
        for n, r in enumerate(asked)
    ]
    return EvalSet(
        "halueval", folder, tuple(replace(s, kind="halueval", split=split[n % 2]) for n, s in enumerate(samples))
    )


def _name(n: int) -> str:
    return f"halueval-{n:03d}.txt"


def rows(path: Path) -> list[dict]:
    """HaluEval-QA's rows (knowledge, question, right_answer, hallucinated_answer)."""
    out = []
    for n, row in json_lines(
        path,
        "is missing: HaluEval-QA is read from ../shared/benchmarks/halueval-qa.",
        "expected HaluEval-QA's JSON lines",
    ):
        if not all(isinstance(row.get(k), str) for k in ("knowledge", "question", "right_answer")):
            raise RagError(f"{path}:{n}: expected text fields knowledge, question and right_answer.")
        out.append(row)
    return out
