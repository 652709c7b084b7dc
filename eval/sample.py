"""The sample record: one question with its gold labels, read from JSON lines of {question, answer?, answer_alt?,
answerable, sources?, evidence?, choices?, split?, history?} and checked line by line."""

import json
from dataclasses import dataclass
from pathlib import Path

from rag import RagError

DATA = Path(__file__).resolve().parent / "data"
SEED_SET = DATA / "seed.jsonl"
SPLITS = ("dev", "test")  # a sample's split; "" means none (it counts only in the whole-set figures)


@dataclass(frozen=True)
class Sample:
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
    history: tuple[str, ...] = ()  # a follow-up's earlier questions, asked first: the product's answers to them are
    # the conversation it follows

    @property
    def golds(self) -> tuple[str, ...]:
        """Every acceptable rendering of the gold answer."""
        return tuple(g for g in (self.answer, *self.answer_alt) if g)


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


def rows(path: Path) -> list[tuple[int, dict]]:
    """The lines of a set of JSON objects (questions, or answers to grade); at least one."""
    found = json_lines(
        path, "is not a file: give a JSONL file (one JSON object per line).", "each line must be one JSON object"
    )
    if not found:
        raise RagError(f"{path} has no questions: write one JSON object per line.")
    return found


def load_samples(path: Path) -> list[Sample]:
    """Read a question set; a bad line raises RagError naming the file, the line and what is wrong."""
    return [_sample(row, f"{path}:{n}", n) for n, row in rows(path)]


def _sample(row: dict, where: str, n: int) -> Sample:
    question, answer = row.get("question"), row.get("answer")
    if not isinstance(question, str) or not question.strip():
        raise RagError(f"{where}: 'question' must be non-empty text.")
    if answer is not None and not isinstance(answer, str):
        raise RagError(f"{where}: 'answer' must be text or absent.")
    answerable = row.get("answerable", answer is not None)
    if not isinstance(answerable, bool):
        raise RagError(f"{where}: 'answerable' must be true or false.")
    split = row.get("split", "")
    if split not in ("", *SPLITS):
        raise RagError(f"{where}: 'split' must be one of {', '.join(map(repr, SPLITS))} or absent, not {split!r}.")
    choices = strings(row, "choices", where)
    if choices and answer is not None and answer not in choices:
        raise RagError(f"{where}: 'answer' must be one of the 'choices' (the gold option's text).")
    lists = {k: strings(row, k, where) for k in ("sources", "evidence", "answer_alt", "history")}
    kind = str(row.get("kind", ""))
    return Sample(
        str(row.get("id", n)), question.strip(), answerable, answer, kind=kind, split=split, choices=choices, **lists
    )


def strings(row: dict, key: str, where: str) -> tuple[str, ...]:
    value = row.get(key) or []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise RagError(f"{where}: '{key}' must be a list of strings.")
    return tuple(value)
