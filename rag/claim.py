"""What an answer must do to answer *this* question, beyond being stated: add what the question lacks, of the kind
it asks for, and stand in a span that states the question's constraints (its names, numbers, years and topic words).
`rag.verify` scores a sentence with these; they only read the question's `Question` and the evidence's spans."""

from __future__ import annotations

import re

from rag import lexicon
from rag.evidence import Evidence, Span
from rag.lexicon import Term, akin, coverage, stated
from rag.question import Question

RELATION_FLOOR = 0.25  # share of the question's constraints a span must state to count as answering it ...
RELATION_SHARE = 0.7  # ... and share of what the span of the evidence that states most of them states
_YEAR = re.compile(r"(?:1[6-9]|20)\d\d")
_TIME = re.compile(r"\b\d{1,2}(?:[:.h]| )\d\d\b(?!\d)|\b\d{1,2}\s*(?:a\.?m\.?|p\.?m\.?)|\b(?:noon|midnight)\b", re.I)
_MONTH_KEYS = frozenset(lexicon.norm(m) for m in lexicon.MONTHS)


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
        return any(t.number for t in new)
    if wants == "date":
        return any(t.number or t.key in _MONTH_KEYS for t in new)
    if wants == "reason":  # a reason is words: the question back with a year added explains nothing
        return any(not t.number and t.key not in _MONTH_KEYS for t in new)
    return True


def topics(question: Question) -> list[list[Term]]:
    """What a span may relate the answer to: all the question's constraints, or the constraints of any one of its
    clauses (a multi-hop question describes its answer once per article: no one sentence states every clause)."""
    return [list(question.constraints), *map(list, question.clauses)]


def bars(topics: list[list[Term]], evidence: Evidence) -> list[float]:
    """The relation a span needs to each topic: RELATION_FLOOR, or RELATION_SHARE of the best any span reaches."""
    return [
        max(
            RELATION_FLOOR,
            RELATION_SHARE * max(relation(t, sp.keys, evidence.context[sp.passage]) for sp in evidence.spans),
        )
        for t in topics
    ]


def related(topics: list[list[Term]], needed: list[float], claim: list[Term], sp: Span, evidence: Evidence) -> float:
    """How far the sentence of the span that states the claim relates it to the question: its best `relation` to any
    topic over that topic's bar (1.0 or more: enough). In a pair, the other sentence is context (a name it states says
    what the passage is about, not that the claim's sentence is about it)."""
    main = sp.stated if sp.single else max(sp.parts, key=lambda part: coverage(claim, part)) | (sp.stated - sp.keys)
    return best_relation(topics, needed, main, evidence.context[sp.passage])


def best_relation(
    topics: list[list[Term]], needed: list[float], span: frozenset[str], context: frozenset[str]
) -> float:
    """The span's highest `relation` to any topic over that topic's bar; 1.0 when there is nothing to relate to."""
    return max((relation(t, span, context) / bar for t, bar in zip(topics, needed, strict=True) if t), default=1.0)


def relation(asked: list[Term], span: frozenset[str], context: frozenset[str]) -> float:
    """The share of what the question asks about (its names, numbers and topic words) that a span states. A name
    may stand anywhere in the span's passage (its title, byline, another sentence): names say which passage is about
    the question, the other words which sentence of it answers; a number must be in the span."""
    if not asked:
        return 1.0
    found = 0.0
    for t in asked:
        if stated(t, span) or akin(t, span) or t.critical and not t.number and (stated(t, context) or akin(t, context)):
            found += 1.0
    return found / len(asked)


def conflict(asked: list[Term], claim: list[Term], parts: tuple[frozenset[str], ...]) -> bool:
    """The sentence stating the answer gives a year other than the one the question asks about ('in 2018, Kerber won'
    for a question about 2019), and does not give the asked one; or the span lacks a number the question states
    ('which automaker will cut 14,000 jobs?' is not answered by a span about another cut)."""
    numbers = {t.key for t in asked if t.number and t.critical and not _YEAR.fullmatch(t.key)}
    if numbers - set().union(*parts):
        return True
    years = {t.key for t in asked if _YEAR.fullmatch(t.key)}
    if not years:
        return False
    answer = {t.key for t in claim if t.critical} or {t.key for t in claim}
    return any(  # a year that is the answer itself ("born in 1988") is not another year
        answer & part and not years & part and any(_YEAR.fullmatch(k) for k in part - answer) for part in parts
    ) and not any(answer & part and years & part for part in parts)
