"""Question sets: JSONL lines of {question, answer?, answer_alt?, answerable, sources?, evidence?, choices?, split?},
checked line by line."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from rag.errors import RagError

DATA = Path(__file__).resolve().parent / "data"
SEED_SET = DATA / "seed.jsonl"
CLAIMS = DATA / "claims.jsonl"
SPLITS = ("dev", "test")  # an item's split; "" means none (it counts only in the whole-set figures)


@dataclass(frozen=True)
class Item:
    """One evaluation question with its gold labels (answer, sources and evidence are optional)."""

    id: str
    question: str
    answerable: bool
    answer: str | None = None
    sources: tuple[str, ...] = ()  # file names of the articles that state the answer
    evidence: tuple[str, ...] = ()  # verbatim strings of the articles that state it
    kind: str = ""  # free label, e.g. the MultiHop-RAG question type
    split: str = ""  # "dev", "test" or "" (none)
    answer_alt: tuple[str, ...] = ()  # other acceptable renderings of the answer
    choices: tuple[str, ...] = ()  # multiple choice: the options, `answer` being one of them

    @property
    def golds(self) -> tuple[str, ...]:
        """Every acceptable rendering of the gold answer."""
        return tuple(g for g in (self.answer, *self.answer_alt) if g)


def load_items(path: Path) -> list[Item]:
    """Read a question set; a bad line raises RagError naming the file, the line and what is wrong."""
    return [_item(row, f"{path}:{n}", n) for n, row in _rows(path)]


def json_lines(path: Path, missing: str, expected: str) -> list[tuple[int, dict]]:
    """(line number, object) of each non-empty line of a JSON-lines file. A RagError says `missing` after the path
    when there is no such file, and names the line (with `expected`) when one is not a JSON object."""
    if not path.is_file():
        raise RagError(f"{path} {missing}")
    rows = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise RagError(f"{path}:{n}: not JSON ({exc.msg}); {expected}.") from None
        if not isinstance(row, dict):
            raise RagError(f"{path}:{n}: expected a JSON object, got {type(row).__name__}.")
        rows.append((n, row))
    return rows


def _rows(path: Path) -> list[tuple[int, dict]]:
    missing = "is not a file: give a JSONL question set (one JSON object per line)."
    rows = json_lines(path, missing, "each line must be one JSON object")
    if not rows:
        raise RagError(f"{path} has no questions: write one JSON object per line.")
    return rows


def _item(row: dict, where: str, n: int) -> Item:
    question = row.get("question")
    if not isinstance(question, str) or not question.strip():
        raise RagError(f"{where}: 'question' must be non-empty text.")
    answer = row.get("answer")
    if answer is not None and not isinstance(answer, str):
        raise RagError(f"{where}: 'answer' must be text or absent.")
    answerable = row.get("answerable", answer is not None)
    if not isinstance(answerable, bool):
        raise RagError(f"{where}: 'answerable' must be true or false.")
    sources, evidence = _strings(row, "sources", where), _strings(row, "evidence", where)
    split = row.get("split", "")
    if split not in ("", *SPLITS):
        raise RagError(f"{where}: 'split' must be one of {', '.join(map(repr, SPLITS))} or absent, not {split!r}.")
    choices = _strings(row, "choices", where)
    if choices and answer is not None and answer not in choices:
        raise RagError(f"{where}: 'answer' must be one of the 'choices' (the gold option's text).")
    return Item(
        str(row.get("id", n)),
        question.strip(),
        answerable,
        answer,
        sources,
        evidence,
        str(row.get("kind", "")),
        split,
        _strings(row, "answer_alt", where),
        choices,
    )


def _strings(row: dict, key: str, where: str) -> tuple[str, ...]:
    value = row.get(key) or []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise RagError(f"{where}: '{key}' must be a list of strings.")
    return tuple(value)


@dataclass(frozen=True)
class Graded:
    """One line of `rag eval grade`: an answer from any system and the contexts it was given."""

    question: str
    answer: str
    contexts: tuple[str, ...]


def load_graded(path: Path) -> list[Graded]:
    out = []
    for n, row in _rows(path):
        where = f"{path}:{n}"
        answer = row.get("answer")
        if not isinstance(answer, str):
            raise RagError(f"{where}: 'answer' must be text.")
        contexts = row.get("contexts")
        if not isinstance(contexts, list) or not all(isinstance(c, str) for c in contexts):
            raise RagError(f"{where}: 'contexts' must be a list of strings (the passages the answer may use).")
        out.append(Graded(str(row.get("question", "")), answer, tuple(contexts)))
    return out


@dataclass(frozen=True)
class Claim:
    claim: str
    passage: str
    label: bool  # true: the passage supports the claim
    kind: str = ""


def load_claims(path: Path = CLAIMS) -> list[Claim]:
    out = []
    for n, row in _rows(path):
        if not isinstance(row.get("claim"), str) or not isinstance(row.get("passage"), str):
            raise RagError(f"{path}:{n}: 'claim' and 'passage' must be text.")
        if not isinstance(row.get("label"), bool):
            raise RagError(f"{path}:{n}: 'label' must be true (supported) or false.")
        out.append(Claim(row["claim"], row["passage"], row["label"], str(row.get("kind", ""))))
    return out
