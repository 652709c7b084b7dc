"""Dates from metadata: a question about which of two reports came first ("Did A report X before B reported Y?",
"Was X reported ... before or after B reported Y?") is answered from the publication dates of the passages that
state each side, computed, not guessed by the model, and cited with both passages and their dates. Where a side is
not stated by any passage, or both are dated the same, there is no order to give: the caller refuses."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime

from rag import verify
from rag.evidence import Evidence, Span, byline
from rag.question import Question

_ORDER = re.compile(r"\s+(before|after|prior to|earlier than|later than)\s+(?!or\b)", re.I)
_EITHER = re.compile(r"\s+before or after\s+", re.I)
_NEGATED = re.compile(r"\b(?:fail|failed|fails)\s+to\b|\b(?:did|does|was|were)\s*n[o']t\b", re.I)
_EARLIER = {"before", "prior to", "earlier than"}
_DATED = re.compile(r"(?:\d|(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+\d)", re.I)
_REPORTED = re.compile(
    r"\b(?:report|mention|publish|suggest|recommend|cover|announce|note|state|write|wrote|written|said|says)\w*", re.I
)


@dataclass(frozen=True)
class Order:
    """Two sides of an order question and how they are asked to relate."""

    first: str  # what is said to come first (for "after": the side that was reported later)
    second: str
    relation: str  # "before", "after", or "either" ("... before or after ...?")
    negated: bool  # "Did A fail to report X before B ...?"


def asks_order(question: Question) -> Order | None:
    """The order a yes/no or before/after question asks about, or None for any other question."""
    text = question.asked.strip().rstrip("?")
    either = _EITHER.split(text)
    if len(either) == 2 and question.form == "choice" and _REPORTED.search(either[1]):
        return Order(either[0], either[1], "either", False)
    if question.form != "yes-no":
        return None
    parts = _ORDER.split(text)
    if len(parts) != 3:  # none, or more than one order word: not a question about two reports' order
        return None
    first, word, second = parts
    if not _REPORTED.search(second) or _DATED.match(second) or question.judges:
        # "before the election": an event, not a second report; "reports before October 22, 2023": a time bound;
        # "... remained consistent ...": a judgement of how reports compare, not of their order
        return None
    relation = "before" if word.lower() in _EARLIER else "after"
    return Order(first, second, relation, _fails_to_report(first))


def _fails_to_report(side: str) -> bool:
    """The side says its report was not made ("Did A fail to report X ...?"), not that what it reports is negated
    ("Did A report that Apple did not confirm X ...?"): the negation comes before the reporting word."""
    negation, reported = _NEGATED.search(side), _REPORTED.search(side)
    return negation is not None and (reported is None or negation.start() < reported.start())


@dataclass(frozen=True)
class Dated:
    """A side of the order, the span that states it and its passage's publication date."""

    span: Span
    published: str


def moments(first: str, second: str) -> tuple[datetime, datetime] | tuple[str, str]:
    """Two publication dates as moments to compare (an offset read, a date alone at its midnight, UTC when none is
    given: "2023-10-10T20:00:00-04:00" is after "2023-10-10T22:00:00+00:00"); as written, to the second, when
    either is not an ISO date."""
    try:
        a, b = (datetime.fromisoformat(d.strip().replace("Z", "+00:00")) for d in (first, second))
    except ValueError:
        return first[:19], second[:19]
    return a if a.tzinfo else a.replace(tzinfo=UTC), b if b.tzinfo else b.replace(tzinfo=UTC)


def date(side: str, evidence: Evidence, threshold: float) -> Dated | None:
    """The best span stating `side`, if it supports it and its passage has a publication date."""
    support = verify.premise(side, evidence)
    if support.score < threshold or not support.spans:
        return None
    span = support.spans[0]
    published = evidence.passages[span.passage].published
    return Dated(span, published) if published else None


def answer(order: Order, evidence: Evidence, threshold: float) -> tuple[str, tuple[Dated, Dated]] | None:
    """The verdict word ("Yes"/"No", or "Before"/"After") from the two sides' publication dates; None when a side is
    not supported or both carry the same date."""
    first, second = date(order.first, evidence, threshold), date(order.second, evidence, threshold)
    if first is None or second is None:
        return None
    a, b = moments(first.published, second.published)
    if a == b:
        return None
    earlier = a < b
    if order.relation == "either":
        return ("Before" if earlier else "After"), (first, second)
    holds = earlier if order.relation == "before" else not earlier
    return ("Yes" if holds != order.negated else "No"), (first, second)


def sentence(word: str, sides: tuple[Dated, Dated], evidence: Evidence, keys: tuple[int, int]) -> str:
    """'No: [1] (The Guardian, December 13, 2023) came after [2] (The Independent, December 9, 2023).'"""
    first, second = sides
    a, b = byline(evidence.passages[first.span.passage]), byline(evidence.passages[second.span.passage])
    then, later = moments(first.published, second.published)
    relation = "before" if then < later else "after"
    return f"{word}: [{keys[0]}] ({a}) was published {relation} [{keys[1]}] ({b})."
