"""What is said of two names at once ("Both A and B are American rock bands", "Are A and B both actors?") holds only
if it is stated of each: a sentence of the passages naming A states it, and one naming B. Two sentences joined, one
saying "American" of A and the other "Canadian" of B, state it of one only. `rag.grounding` asks it of a reply's
sentence, `rag.verdict` of a "Yes" to such a question."""

from __future__ import annotations

import re
from typing import NamedTuple

from rag import lexicon
from rag.evidence import Evidence
from rag.question import Question

# a name of one or more capitalised words, with "of", "the", "and" inside ("Kings of Leon", "The New Pornographers")
_NAME = r"(?:(?:the|The)\s+)?[A-Z][\w'’.&-]*(?:\s+(?:(?:of|the|de|van|von|and)\s+)?[A-Z][\w'’.&-]*)*"
_BE = r"(?:are|were|have|had)"
_IN_SENTENCE = (
    re.compile(rf"\b[Bb]oth\s+(?P<a>{_NAME})\s+and\s+(?P<b>{_NAME})\s+{_BE}\s+(?P<what>[^.;]+)"),
    re.compile(rf"^(?:(?:Yes|No)[.,]?\s+)?(?P<a>{_NAME})\s+and\s+(?P<b>{_NAME})\s+{_BE}\s+both\s+(?P<what>[^.;]+)"),
)
_IN_QUESTION = (
    re.compile(rf"^(?:Are|Were|Have|Had)\s+both\s+(?P<a>{_NAME})\s+and\s+(?P<b>{_NAME})\s+(?P<what>[^?]+)\?*\s*$"),
    re.compile(rf"^(?:Are|Were|Have|Had)\s+(?P<a>{_NAME})\s+and\s+(?P<b>{_NAME})\s+both\s+(?P<what>[^?]+)\?*\s*$"),
)


class Both(NamedTuple):
    first: str
    second: str
    what: str  # what is said of each: "American rock bands"


def in_sentence(sentence: str) -> Both | None:
    """ "Both A and B are P", "A and B are both P" (after a "Yes." or "No." too)."""
    found = next((m for pattern in _IN_SENTENCE if (m := pattern.search(sentence))), None)
    return Both(found["a"], found["b"], found["what"]) if found else None


def in_question(question: Question, evidence: Evidence) -> Both | None:
    """ "Are both A and B P?", "Were A and B both P?". With no verb between them, the second name ends where the
    passages stop writing it: "Kings of Leon American rock bands" is "Kings of Leon", then "American rock bands" (a
    name that no passage writes whole, or only by its first word, is taken whole)."""
    found = next((m for pattern in _IN_QUESTION if (m := pattern.match(question.asked.strip()))), None)
    if found is None:
        return None
    words = found["b"].split()
    for end in range(len(words), 1, -1):  # a name of two words or more ("Larry" alone is no evidence)
        name = re.compile(rf"\b{re.escape(' '.join(words[:end]))}\b", re.I)
        if any(name.search(p.text) for p in evidence.passages):
            return Both(found["a"], " ".join(words[:end]), " ".join([*words[end:], found["what"]]))
    return Both(found["a"], found["b"], found["what"])


def said_of_each(both: Both, evidence: Evidence, words: bool = True) -> bool:
    """What is said of both is stated of each: for each of the two that some sentence of the passages names, a
    sentence naming it (with its passage's outlet and date) states the names and numbers of what is said and, with
    `words`, most of its other words, in any form. A name no sentence writes leaves it open: other rules hold the
    answer to its names."""
    what = lexicon.content(both.what, evidence.lowercase)
    names = [t for t in what if t.critical]
    others = [t for t in what if not t.critical] if words else []
    if not names and not others:
        return True
    for subject in (both.first, both.second):
        named = [t for t in lexicon.terms(subject, evidence.lowercase) if t.critical]
        naming = [sp.stated for sp in evidence.spans if sp.single and all(lexicon.stated(t, sp.stated) for t in named)]
        if (
            named
            and naming
            and not any(
                all(lexicon.stated(t, stated) for t in names)
                and (not others or lexicon.share(others, stated) >= lexicon.MOSTLY)
                for stated in naming
            )
        ):
            return False
    return True
