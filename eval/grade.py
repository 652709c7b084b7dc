"""Grade answers from any system against the contexts it was given, with the product's own checker (no LLM judge):
per sentence a support score as an answer to the question, per answer the weakest sentence's score and whether it
clears the threshold."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from eval.items import Graded
from rag import grounding, verdict, verify
from rag.cite import is_meta, split_verdict, strip_markers
from rag.evidence import build, split_sentences
from rag.question import Question, parse
from rag.types import Passage


def passages(texts: Sequence[str]) -> list[Passage]:
    return [Passage(f"context-{i}#0", f"context-{i}", "", t, 0, len(t)) for i, t in enumerate(texts, start=1)]


def support(claim: str, texts: Sequence[str], question: str = "") -> float:
    """The product's checker: best support of `claim`, as an answer to `question` when given, by the texts."""
    return support_in(claim, passages(texts), parse(question) if question else None)


def support_in(claim: str, cited: Sequence[Passage], question: Question | None = None) -> float:
    """The same, against passages that keep their outlet and date ("TechCrunch reported on ..." is checkable)."""
    if not cited:
        return 0.0
    evidence = build(list(cited))
    if question is not None and question.verdict_form:
        word, rest = split_verdict(claim, question.options)
        if word and not verdict.allowed(word, question, evidence):
            return 0.0  # a "Yes" to a premise naming what no passage states
        if word and not rest:  # a bare "Yes."/"No." stands on the question's premises, by the product's rule
            scores = [verify.premise(p, evidence).score for p in question.premises]
            return 1.0 if scores and max(scores) >= verdict.PREMISE_SHOWN else max(scores, default=0.0)
        claim = rest or claim
    return grounding.check(claim, evidence, question).score


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
    cited = passages(line.contexts)
    question = parse(line.question) if line.question.strip() else None
    sentences = []
    for s, e in split_sentences(line.answer):
        text = strip_markers(line.answer[s:e])
        if not text:
            continue
        if is_meta(text):
            sentences.append(SentenceGrade(text, 0.0, False, meta=True))
            continue
        value = round(support_in(text, cited, question), 3) if line.contexts else 0.0
        sentences.append(SentenceGrade(text, value, value >= threshold))
    claims = [s for s in sentences if not s.meta]
    score = min((s.score for s in claims), default=1.0)
    return Grade(line.question, line.answer, score, score >= threshold, not claims, sentences)
