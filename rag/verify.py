"""The grounding checker: does a span of the passages state this sentence *as an answer to this question*?

What is checked is the claim: the sentence's own terms together with the question's constraints (its names, numbers
and topic words). A span supports it only when it states the sentence's names and numbers and the question's, in the
span itself; a name the question asks about may also stand elsewhere in the same passage (its title, its byline, the
sentence before), at half weight. A name that merely occurs somewhere is not support. Lexical, weighted toward the
words hallucinations change (names, numbers, dates), with negation checks. No model weights needed."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from rag import lexicon
from rag.evidence import Evidence, Span
from rag.lexicon import Term
from rag.question import Question

CRITICAL_WEIGHT = 2.0
RELATION_FLOOR = 0.25  # share of the question's constraints a span must state to count as answering it ...
CONTEXT_CREDIT = 0.0  # a topic word stated elsewhere in the span's passage (a multi-hop question's other hop)
RELATION_SHARE = 0.7  # ... and share of what the span of the evidence that states most of them states
PREMISE_CAP = 0.6  # ... or while repeating a word of the question's that the span does not state
NAME_CAP = 0.5  # most support a claim can get while naming something the evidence does not


_YEAR = re.compile(r"(?:1[6-9]|20)\d\d")


@dataclass(frozen=True)
class Support:
    """How well the best span (or two joined spans) supports a claim."""

    score: float
    spans: tuple[Span, ...] = ()


def check(sentence: str, evidence: Evidence, question: Question | None = None) -> Support:
    """Best support of `sentence` by the evidence's spans, as an answer to `question`. The claim is the question with
    the answer in place: to an open question, the sentence must add something the question does not already say, of
    the kind it asks for (a date to "when", a number to "how many"), and the span must state the sentence's terms
    (`answer_score`) together with the question's constraints (`relation`). Among equally supporting spans, the one
    sharing most words with the question wins, then a single sentence over a pair, then the shortest."""
    claim = lexicon.terms(sentence)
    if not claim or not evidence.spans:
        return Support(0.0)
    asked = _asked(question)
    if question is not None and question.form == "open" and not answers(question, sentence, claim):
        return Support(0.0)
    # what the span must relate the answer to; a comparison between named candidates ("who is older, A or B?") is
    # the model's reading of what the passages state about each, so only its numbers and years must match
    topic = [] if question is not None and question.compares else asked
    neg = lexicon.negated(sentence)
    wanted = {t.key for t in question.constraints} if question else set()
    premise = [t for t in claim if t.key in {a.key for a in asked}]  # what it repeats of an open question's
    bar = max(
        RELATION_FLOOR,
        RELATION_SHARE * max(relation(topic, sp.keys, evidence.context[sp.passage]) for sp in evidence.spans),
    )
    scored = sorted(
        (
            (
                combine(
                    answer_score(claim, sp.stated, neg, sp.negated, premise),
                    related(topic, claim, sp, evidence) / bar,
                    conflict(asked, claim, sp.parts),
                ),
                len(wanted & sp.keys),
                sp.single,
                -(sp.end - sp.start),
                k,
            )
            for k, sp in enumerate(evidence.spans)
        ),
        reverse=True,
    )
    best, *_, k = scored[0]
    found = evidence.spans[k]
    if best < 1.0:  # a claim joining two places: the best span and one stating a name or number it lacks
        critical = {t.key for t in claim if t.critical}
        for *_, k2 in scored[1:8]:
            other = evidence.spans[k2]
            if other.passage == found.passage and other.start < found.end and found.start < other.end:
                continue
            if not (critical & found.keys - other.keys and critical & other.keys - found.keys):
                continue
            value = answer_score(claim, found.stated | other.stated, neg, found.negated or other.negated)
            context = evidence.context[found.passage] | evidence.context[other.passage]
            joint = combine(
                value,
                relation(topic, found.stated | other.stated, context) / bar,
                conflict(asked, claim, found.parts + other.parts),
            )
            if joint > best + 0.15:
                return Support(joint, (found, other))
    return Support(best, (found,))


def _asked(question: Question | None) -> list[Term]:
    """The question's constraints, when it is an open question (a yes/no question's premises are checked on their
    own, and its verdict is the model's reading of them)."""
    if question is None or question.form != "open":
        return []
    return list(question.constraints)


def answers(question: Question, sentence: str, claim: list[Term]) -> bool:
    """Does the sentence say something the question does not, of the kind the question asks for? An answer that only
    repeats the question ("Microsoft" to "What edge does the deal give Microsoft?") answers nothing; one of the
    candidates the question names ("..., Apple or Google?") does."""
    said = lexicon.keys(question.asked) - {lexicon.norm(c) for c in question.candidate_words}
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
    return True


_TIME = re.compile(r"\b\d{1,2}(?:[:.h]| )\d\d\b(?!\d)|\b\d{1,2}\s*(?:a\.?m\.?|p\.?m\.?)|\b(?:noon|midnight)\b", re.I)
_MONTH_KEYS = frozenset(lexicon.norm(m) for m in lexicon.MONTHS)


def combine(answer: float, related: float, conflicting: bool) -> float:
    """The claim's support: the answer's own support, lowered as far as its span states less of what the question
    asks about than the bar (`related` is the span's relation over it), and capped when the span states another year
    than the one asked."""
    value = answer * min(1.0, related)
    return min(value, 0.5) if conflicting else value


def answer_score(
    claim: list[Term],
    span: set[str] | frozenset[str],
    claim_negated: bool,
    span_negated: bool,
    premise: Sequence[Term] = (),
) -> float:
    """Support of the sentence's own terms in [0, 1]: weighted coverage, capped when a name or number is missing,
    when a word it repeats from the question is missing (the question's premise, taken as given: "Microsoft ended
    the partnership because ..."), or when the claim is negated and the span is not."""
    value = coverage(claim, span)
    if any(not (stated(t, span) or _akin(t, span)) for t in premise):
        value = min(value, PREMISE_CAP)
    if any(t.number and t.key not in span for t in claim):
        value = min(value, 0.5)  # a number the evidence does not state is the typical invented fact
    if any(t.critical and not stated(t, span) for t in claim):
        value = min(value, NAME_CAP)  # so is a name: a swapped entity or month ('Google', 'November')
    if claim_negated and not span_negated:
        value = min(value, 0.5)  # "X did not happen" is not supported by "X happened"
    return value


def related(asked: list[Term], claim: list[Term], sp: Span, evidence: Evidence) -> float:
    """`relation` of the sentence of the span that states the claim; in a pair, the other sentence is context (a
    name it states says what the passage is about, not that the claim's sentence is about it)."""
    if not asked:
        return 1.0
    main = sp.stated if sp.single else max(sp.parts, key=lambda part: coverage(claim, part)) | (sp.stated - sp.keys)
    value = relation(asked, main, evidence.context[sp.passage])
    return value


def relation(asked: list[Term], span: frozenset[str], context: frozenset[str]) -> float:
    """The share of what the question asks about (its names, numbers and topic words) that a span states. A name
    may stand anywhere in the span's passage (its title, byline, another sentence): names say which passage is about
    the question, the other words which sentence of it answers; a number must be in the span."""
    if not asked:
        return 1.0
    found = 0.0
    for t in asked:
        if stated(t, span) or _akin(t, span):
            found += 1.0
        elif not t.number and (stated(t, context) or _akin(t, context)):
            found += 1.0 if t.critical else CONTEXT_CREDIT
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
    return any(
        answer & part and not years & part and any(_YEAR.fullmatch(k) for k in part) for part in parts
    ) and not any(answer & part and years & part for part in parts)


def _akin(term: Term, span: frozenset[str]) -> bool:
    """A topic word of the question in another form ('private' / 'privacy', 'develop' / 'developers')."""
    return len(term.key) >= 5 and term.key.isalpha() and any(len(k) >= 5 and k[:5] == term.key[:5] for k in span)


def coverage(claim: list[Term], span: set[str] | frozenset[str]) -> float:
    """Weighted share of the claim's terms that the span states (critical terms count double)."""
    total = sum(CRITICAL_WEIGHT if t.critical else 1.0 for t in claim)
    found = sum(CRITICAL_WEIGHT if t.critical else 1.0 for t in claim if stated(t, span))
    return found / total if total else 0.0


def stated(term: Term, evidence: set[str] | frozenset[str]) -> bool:
    """The evidence has the term, or for a name another form of it ('Europe' / 'European': shared stem)."""
    if term.key in evidence:
        return True
    key = term.key
    if not term.critical or len(key) < 5 or not key.isalpha():
        return False
    return any(len(k) >= 5 and (k.startswith(key) or key.startswith(k)) for k in evidence)


def score(claim: str, evidence: str) -> float:
    """Support of `claim` by one evidence text (as a single span), in [0, 1]."""
    terms = lexicon.terms(claim)
    keys = frozenset(lexicon.keys(evidence))
    return answer_score(terms, keys, lexicon.negated(claim), lexicon.negated(evidence)) if terms else 0.0
