"""Which of the articles a question is about, when it says: one by its place ("according to the second article")
or every one ("what do both articles say ...?"). Only whole articles, in the order the model read them
(rag.collection), are numbered: retrieved chunks are not articles."""

from __future__ import annotations

import re

from rag.collection import WHOLE
from rag.evidence import Evidence
from rag.question import PLACE, Question

_ORDINALS = {"first": 0, "second": 1, "third": 2, "fourth": 3, "fifth": 4, "last": -1}
_SECTION = re.compile(r"\s+[-|]\s+.*$")  # "FOX News - Lifestyle", "Cnbc | World Business News Leader"
_EVERY = re.compile(
    r"\b(?:both|the two|all the|each of the)\s+(?:articles|pieces|stories|reports|posts)\b"
    r"|\beach\s+(?:article|piece|story|report|post)\b",
    re.I,
)


def places(asked: str) -> list[str]:
    """The place words with which a question names articles ("second" of "the second article")."""
    return [m.group(1) for m in PLACE.finditer(asked)]


def named(question: Question | None, evidence: Evidence) -> int | None:
    """The passage a question names by its place ("the second article": 1; "the last": the last one), when it names
    one and the passages are the collection's articles, whole."""
    found = {word.lower() for word in places(question.asked)} if question is not None else set()
    if len(found) != 1 or not _whole(evidence):
        return None
    word = found.pop()
    place = _ORDINALS[word] if word in _ORDINALS else int(word[0]) - 1
    at = place if place >= 0 else len(evidence.passages) + place
    return at if 0 <= at < len(evidence.passages) else None


def asks_every(question: Question | None, evidence: Evidence) -> bool:
    """The question asks what every article says of something ("do both articles say ...?"), and there are several,
    whole. A summary of both ("sum up both articles", `Question.overview`) is said a sentence at a time, each from
    the article it sums up."""
    return (
        question is not None
        and not question.overview
        and len(evidence.passages) > 1
        and _whole(evidence)
        and bool(_EVERY.search(question.asked))
    )


def outlets_named(question: Question | None, evidence: Evidence) -> int:
    """How many of the passages' outlets the question names ("reported by both TechCrunch and The Verge"), each by
    its name before any section ("FOX News - Lifestyle": "FOX News")."""
    if question is None:
        return 0
    found = {_SECTION.sub("", p.outlet).strip() for p in evidence.passages if p.outlet}
    return sum(bool(name and _outlet(name).search(question.asked)) for name in found)


def _outlet(name: str) -> re.Pattern[str]:
    """An outlet's name as written, capitals included ("made a fortune" names no Fortune, "in the age of AI" no The
    Age), its leading "The" in either case ("reported by the Verge")."""
    rest = name[4:] if name.lower().startswith("the ") else ""
    written = rf"[Tt]he\s+{re.escape(rest)}" if rest else re.escape(name)
    return re.compile(rf"(?<!\w){written}(?!\w)")


def _whole(evidence: Evidence) -> bool:
    return all(p.chunk_id.endswith(WHOLE) for p in evidence.passages)
