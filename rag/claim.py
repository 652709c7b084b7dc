"""Does a sentence answer *this* question at all: does it add what the question lacks, of the kind it asks for (a
date to "when", a number to "how many", words to "why")? `rag.grounding` asks it of every sentence of an open
question's answer; it reads only the question's `Question`."""

from __future__ import annotations

import re

from rag import lexicon
from rag.lexicon import Term
from rag.question import Question

_TIME = re.compile(
    r"\b\d{1,2}(?:[:.h]| )\d\d\b(?!\d)|\b\d{1,2}\s*(?:a\.?m\.?|p\.?m\.?)(?!\w)|\b(?:noon|midnight)\b", re.I
)
_MONTH_KEYS = frozenset(lexicon.norm(m) for m in lexicon.MONTHS)
# an amount an article gives as a magnitude ("a multi-billion dollar investment", "thousands of jobs")
_MAGNITUDES = frozenset(
    lexicon.norm(w)
    for w in "hundreds thousand thousands million millions billion billions trillion trillions dozens".split()
)


def answers(question: Question, sentence: str, claim: list[Term]) -> bool:
    """Does the sentence say something the question does not, of the kind the question asks for? An answer that only
    repeats the question ("Microsoft" to "What edge does the deal give Microsoft?") answers nothing; one of the
    candidates the question names ("..., Apple or Google?") does."""
    said = lexicon.keys(question.asked) - {k for c in question.candidates for k in lexicon.keys(c)}
    new = [t for t in claim if t.key not in said]
    if not new:
        return False
    wants = question.wants
    if wants == "time":
        return bool(_TIME.search(sentence))
    if wants == "number":
        return any(t.number or t.key in _MAGNITUDES for t in new)
    if wants == "date":
        return any(t.number or t.key in _MONTH_KEYS for t in new)
    if wants == "reason":  # a reason is words: the question back with a year added explains nothing
        return any(not t.number and t.key not in _MONTH_KEYS for t in new)
    return True
