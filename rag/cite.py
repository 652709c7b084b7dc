"""Cite: check each answer sentence against the evidence, number the spans it rests on in order of first use, and
drop what no span supports. The model's own citation markers are never trusted."""

from __future__ import annotations

import re
from collections.abc import Sequence

from rag import consistency, grounding, verify
from rag.evidence import Evidence, Span
from rag.prompts import NOT_FOUND
from rag.question import Question
from rag.types import Citation, Sentence

_MARKER = re.compile(r"\s*\[(?:\d+(?:\s*[,;-]\s*\d+)*)\]")
_META = re.compile(
    r"\b(?:not (?:mentioned|stated|specified|discussed)|do(?:es)? not (?:mention|state|say|specify|discuss)|"
    r"(?:don't|doesn't) (?:mention|state|say|specify)|"
    r"no (?:information|mention)\b|cannot (?:answer|determine|be determined)|unable to (?:answer|determine)|"
    r"insufficient information|there is no (?:information|mention))",
    re.I,
)
# what a text does not give ("not provided", "does not include", "no details") is about the passages only when it
# says so ("The passages do not provide the price."): "Apple Intelligence is not available in the EU." is a fact
_WITHHELD = re.compile(
    r"\b(?:not (?:provided|included|given|available)|do(?:es)? not (?:provide|contain|include|give)|"
    r"(?:don't|doesn't) (?:provide|contain|include)|no details?\b)",
    re.I,
)
# why a sentence is refused, besides rag.grounding's reasons: it says something about the passages, it is a bare
# verdict word (shown only in front of a supported reason or on the premises), its support is below the threshold,
# or the model's sampled replies do not say it again
META, VERDICT, WEAK, INCONSISTENT = "meta", "verdict", "weak", "inconsistent"
_TEXTS = re.compile(r"\b(?:passages?|articles?|texts?|sources?|reports?|coverage|documents?)\b", re.I)


def declines(text: str) -> bool:
    """The text says the model's own refusal, NOT_FOUND, in any case ("... are not in articles.")."""
    return NOT_FOUND.lower() in text.lower()


def is_meta(sentence: str) -> bool:
    """A sentence about the passages rather than the world ('the articles do not mention ...')."""
    return (
        declines(sentence)
        or bool(_META.search(sentence))
        or bool(_WITHHELD.search(sentence) and _TEXTS.search(sentence))
    )


def strip_markers(sentence: str) -> str:
    return _MARKER.sub("", sentence).strip()


def split_verdict(sentence: str, options: tuple[str, ...] = ()) -> tuple[str, str]:
    """Split a leading 'Yes'/'No' (or, to an either-or question, one of its `options`) off a sentence:
    ('Yes, ', 'Apple sued Google.'). The verdict is the model's conclusion, not a fact a passage can state; only the
    rest is verified."""
    words = "|".join(map(re.escape, options)) if options else "yes|no"
    # the word alone or set off by punctuation: "No workers were hurt" says no workers, it is no verdict
    m = re.match(rf"^(?:{words})(?:[\s]*[,.:;!\-–—][\s,.:;!\-–—]*|\s*$)", sentence.strip(), re.I)
    return (sentence.strip()[: m.end()], sentence.strip()[m.end() :]) if m else ("", sentence.strip())


class Citer:
    """Checks answer sentences one by one against one `Evidence` and numbers the spans they cite."""

    def __init__(
        self, evidence: Evidence, question: Question, threshold: float, samples: Sequence[str] = (), floor: float = 0.0
    ) -> None:
        """With `samples` (other replies the model wrote to the question), a sentence is supported only when they
        agree with it at `floor` or more (rag.consistency)."""
        self.evidence = evidence
        self.question = question
        self.threshold = threshold
        self.samples = tuple(samples)
        self.floor = floor
        self.citations: list[Citation] = []
        self._keys: dict[tuple[int, int, int], int] = {}
        self._premises: list[verify.Support] | None = None

    def check(self, raw_sentence: str) -> Sentence:
        """A sentence with a verdict ('Yes, X.') is verified on what follows it; a bare verdict ('No.') is never
        supported by itself (the answerer shows it only in front of a supported sentence or on the premises)."""
        text = strip_markers(raw_sentence)
        _, claim = split_verdict(text, self.question.options)
        if not claim or is_meta(text):
            return Sentence(text, 0.0, False, reason=META if claim else VERDICT)
        support = grounding.check(claim, self.evidence, self.question)
        if support.score < self.threshold:
            return Sentence(text, round(support.score, 3), False, reason=support.reason or WEAK)
        if self.samples and consistency.agreement(claim, self.samples, self.question.asked) < self.floor:
            return Sentence(text, round(support.score, 3), False, reason=INCONSISTENT)
        keys = tuple(self.cite(sp) for sp in support.spans)
        return Sentence(with_markers(text, keys), round(support.score, 3), True, keys)

    def premises(self) -> list[verify.Support]:
        """How well the passages state each of the question's premises (checked once per answer)."""
        if self._premises is None:
            self._premises = [verify.premise(p, self.evidence) for p in self.question.premises]
        return self._premises

    def on_premises(self, word: str, floor: float) -> Sentence | None:
        """'Yes [1][2].': a bare verdict cited to the spans that state the question's premises at `floor` or more,
        when at least one does; None otherwise. The verdict is the model's reading of those spans."""
        supported = [c for c in self.premises() if c.score >= floor]
        keys = tuple(dict.fromkeys(self.cite(sp) for c in supported for sp in c.spans))
        if not keys:
            return None
        text = f"{word.strip(' .,;:!')} {''.join(f'[{k}]' for k in keys)}."
        return Sentence(text, round(min(c.score for c in supported), 3), True, keys)

    def cite(self, sp: Span) -> int:
        """The key of a span's citation, numbered on first use."""
        ident = (sp.passage, sp.start, sp.end)
        if ident not in self._keys:
            key = len(self.citations) + 1
            self._keys[ident] = key
            self.citations.append(quote(self.evidence, sp, key))
        return self._keys[ident]


def quote(evidence: Evidence, sp: Span, key: int) -> Citation:
    """A span as a `Citation` numbered `key`: its exact words and where they stand in the article's file."""
    p = evidence.passages[sp.passage]
    return Citation(key, p.source, p.chunk_id, p.text[sp.start : sp.end], p.start + sp.start, p.start + sp.end, p.title)


def with_markers(text: str, keys: tuple[int, ...]) -> str:
    """Citation markers before a sentence's final punctuation ("It rained [1]."), or after a closing quote or
    bracket, so that they never split a quotation ('He called it "a turning point." [1]')."""
    marks = "".join(f"[{k}]" for k in keys)
    m = re.search(r"[.!?]+$", text)
    return f"{text[: m.start()]} {marks}{text[m.start() :]}" if m else f"{text} {marks}"
