"""Grade answers from any system against the contexts it was given, with the product's own checker (no LLM judge):
per sentence a support score, per answer the weakest sentence's score and whether it clears the threshold."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from eval.data import Graded
from rag.grounding import Evidence, is_meta, split_sentences, strip_markers
from rag.types import Passage


def passages(texts: Sequence[str]) -> list[Passage]:
    return [Passage(f"context-{i}#0", f"context-{i}", "", t, 0, len(t)) for i, t in enumerate(texts, start=1)]


def support(claim: str, texts: Sequence[str]) -> float:
    """The product's checker (rag.grounding.Evidence over rag.verify): best support of `claim` by the texts."""
    return support_in(claim, passages(texts))


def support_in(claim: str, cited: Sequence[Passage]) -> float:
    """The same, against passages that keep their outlet and date ("TechCrunch reported on ..." is checkable)."""
    return Evidence(list(cited)).support(claim)[0] if cited else 0.0


@dataclass(frozen=True)
class SentenceGrade:
    text: str
    score: float
    supported: bool
    meta: bool = False  # a sentence about the sources ("the articles do not say ..."): no claim to check


@dataclass
class Grade:
    """An answer's support: `score` is its weakest claim's score (1.0 when it claims nothing, e.g. a refusal)."""

    question: str
    answer: str
    score: float
    supported: bool
    refused: bool
    sentences: list[SentenceGrade] = field(default_factory=list)


def grade(line: Graded, threshold: float) -> Grade:
    evidence = Evidence(passages(line.contexts))
    sentences = []
    for s, e in split_sentences(line.answer):
        text = strip_markers(line.answer[s:e])
        if not text:
            continue
        if is_meta(text):
            sentences.append(SentenceGrade(text, 0.0, False, meta=True))
            continue
        value = round(evidence.support(text)[0], 3) if line.contexts else 0.0
        sentences.append(SentenceGrade(text, value, value >= threshold))
    claims = [s for s in sentences if not s.meta]
    score = min((s.score for s in claims), default=1.0)
    return Grade(line.question, line.answer, score, score >= threshold, not claims, sentences)
