"""How well a text states a statement, word by word: `answer_score` (weighted toward the words hallucinations
change, names, numbers and dates, with negation checks), `score` for two plain texts (a translation against its
source), and `premise` for the premises of a yes/no question against the passages. Answers themselves are checked by
`rag.grounding`. Lexical: no model weights needed."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rag import lexicon
from rag.evidence import Evidence, Span
from rag.lexicon import Term, akin, coverage, stated

NAME_CAP = 0.5  # most support a claim can get while naming something the evidence does not ...
PREMISE_CAP = 0.6  # ... or while repeating a word of the question's that the span does not state


@dataclass(frozen=True)
class Support:
    """How well the best span (or two joined spans) supports a claim."""

    score: float
    spans: tuple[Span, ...] = ()


def premise(text: str, evidence: Evidence) -> Support:
    """How well one passage states a premise of a yes/no question ('the TechCrunch article on October 2 says Sam
    Bankman-Fried meant to save humanity'): its names and numbers may stand anywhere in the passage (its byline,
    title, another sentence: they say which article the premise is about), its other words in the span (what that
    article says)."""
    claim = lexicon.terms(text)
    if not claim or not evidence.spans:
        return Support(0.0)
    names = {t.key for t in claim if t.critical}
    neg = lexicon.negated(text)
    # among equal scores, the span stating most of the premise itself, then a single sentence, then the shortest
    best, *_, found = max(
        (
            answer_score(claim, sp.stated | (names & evidence.context[sp.passage]), neg, sp.negated),
            answer_score(claim, sp.stated, neg, sp.negated),
            sp.single,
            -(sp.end - sp.start),
            -k,
        )
        for k, sp in enumerate(evidence.spans)
    )
    return Support(best, (evidence.spans[-found],))


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
    if any(not (stated(t, span) or akin(t, span)) for t in premise):
        value = min(value, PREMISE_CAP)
    if any(t.number and not stated(t, span) for t in claim):
        value = min(value, 0.5)  # a number the evidence does not state is the typical invented fact
    if any(t.critical and not stated(t, span) for t in claim):
        value = min(value, NAME_CAP)  # so is a name: a swapped entity or month ('Google', 'November')
    if claim_negated and not span_negated:
        value = min(value, 0.5)  # "X did not happen" is not supported by "X happened"
    return value


def score(claim: str, evidence: str) -> float:
    """Support of `claim` by one evidence text (as a single span), in [0, 1]."""
    terms = lexicon.terms(claim)
    keys = frozenset(lexicon.keys(evidence))
    return answer_score(terms, keys, lexicon.negated(claim), lexicon.negated(evidence)) if terms else 0.0
