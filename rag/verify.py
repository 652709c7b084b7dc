"""The grounding checker: does a span of the passages state this sentence *as an answer to this question*?

What is checked is the claim: the sentence's own terms together with the question's constraints (its names, numbers
and topic words). A span supports it only when it states the sentence's names and numbers and the question's, in the
span itself; a name the question asks about may also stand elsewhere in the same passage (its title, its byline, the
sentence before), at half weight. A name that merely occurs somewhere is not support. Lexical, weighted toward the
words hallucinations change (names, numbers, dates), with negation checks. No model weights needed."""

from __future__ import annotations

import re
from dataclasses import dataclass

from rag import lexicon
from rag.evidence import Evidence, Span
from rag.lexicon import Term
from rag.question import Question

CRITICAL_WEIGHT = 2.0
ASKED_WEIGHT = 0.5  # a topic word of the question (not a name or number): often paraphrased by the passage
FIT_WEIGHT = 0.2  # how much a span that fits the question worse than the best one loses
NAME_CAP = 0.5  # most support a claim can get while naming something the evidence does not


_YEAR = re.compile(r"(?:1[6-9]|20)\d\d")


@dataclass(frozen=True)
class Support:
    """How well the best span (or two joined spans) supports a claim."""

    score: float
    spans: tuple[Span, ...] = ()


def check(sentence: str, evidence: Evidence, question: Question | None = None) -> Support:
    """Best support of `sentence` by the evidence's spans, as an answer to `question`: the sentence's own terms must
    be stated by the span (`answer_score`), and the span must be where the evidence addresses what the question asks
    (`fit` relative to the best-fitting span anywhere in the evidence). Among equally supporting spans, the one
    sharing most words with the question wins, then a single sentence over a pair, then the shortest."""
    claim = lexicon.terms(sentence)
    if not claim or not evidence.spans:
        return Support(0.0)
    asked = _asked(claim, question)
    neg = lexicon.negated(sentence)
    fits = [fit(asked, sp.stated, evidence.context[sp.passage]) for sp in evidence.spans]
    best_fit = max(fits)
    wanted = {t.key for t in question.constraints} if question else set()
    scored = sorted(
        (
            (
                combine(
                    answer_score(claim, sp.stated, neg, sp.negated), fits[k], best_fit, conflict(asked, claim, sp.parts)
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
            joint = combine(value, max(fits[k], fits[k2]), best_fit, conflict(asked, claim, found.parts + other.parts))
            if joint > best + 0.15:
                return Support(joint, (found, other))
    return Support(best, (found,))


def _asked(claim: list[Term], question: Question | None) -> list[Term]:
    """The question's constraints, when it is an open question (a yes/no question's premises are checked on their
    own, and its verdict is the model's reading of them). All of them, also those the sentence repeats: the span's
    fit to the question is measured the same way for every span, whatever the sentence says."""
    if question is None or question.form != "open":
        return []
    return list(question.constraints)


def combine(answer: float, span_fit: float, best_fit: float, conflicting: bool) -> float:
    """The claim's support: the answer's own support, lowered as far as its span fits the question worse than the
    best span of the evidence does, and capped when the span states another year or number than the one asked."""
    relative = span_fit / best_fit if best_fit > 0 else 1.0
    value = answer * (1.0 - FIT_WEIGHT * (1.0 - relative))
    return min(value, 0.5) if conflicting else value


def answer_score(claim: list[Term], span: set[str] | frozenset[str], claim_negated: bool, span_negated: bool) -> float:
    """Support of the sentence's own terms in [0, 1]: weighted coverage, capped when a name or number is missing,
    or when the claim is negated and the span is not."""
    value = coverage(claim, span)
    if any(t.number and t.key not in span for t in claim):
        value = min(value, 0.5)  # a number the evidence does not state is the typical invented fact
    if any(t.critical and not stated(t, span) for t in claim):
        value = min(value, NAME_CAP)  # so is a name: a swapped entity or month ('Google', 'November')
    if claim_negated and not span_negated:
        value = min(value, 0.5)  # "X did not happen" is not supported by "X happened"
    return value


def fit(asked: list[Term], span: frozenset[str], context: frozenset[str]) -> float:
    """How much of what the question asks about a span states: its names and numbers (double), its topic words
    (ASKED_WEIGHT). A name may stand anywhere in the span's passage (its title, byline, another sentence): names say
    which passage is about the question, the other words which sentence of it answers."""
    total = found = 0.0
    for t in asked:
        w = CRITICAL_WEIGHT if t.critical else ASKED_WEIGHT
        total += w
        if stated(t, span) or t.critical and not t.number and stated(t, context):
            found += w
    return found / total if total else 1.0


def conflict(asked: list[Term], claim: list[Term], parts: tuple[frozenset[str], ...]) -> bool:
    """The sentence stating the answer gives a year other than the one the question asks about ('in 2018, Kerber won'
    for a question about 2019), and does not give the asked one."""
    years = {t.key for t in asked if _YEAR.fullmatch(t.key)}
    if not years:
        return False
    answer = {t.key for t in claim if t.critical} or {t.key for t in claim}
    return any(
        answer & part and not years & part and any(_YEAR.fullmatch(k) for k in part) for part in parts
    ) and not any(answer & part and years & part for part in parts)


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
