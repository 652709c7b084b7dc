"""The grounding checker: does a span of the passages state this sentence *as an answer to this question*?

What is checked is the claim: the sentence's own terms (`answer_score`: weighted toward the words hallucinations
change, names, numbers and dates, with negation checks) together with what `rag.claim` asks of an answer to this
question (something new of the kind asked, in a span stating the question's constraints). A name that merely occurs
somewhere is not support. Lexical: no model weights needed."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rag import claim as claim_rules
from rag import lexicon
from rag.evidence import Evidence, Span
from rag.lexicon import Term, akin, coverage, stated
from rag.question import Question

NAME_CAP = 0.5  # most support a claim can get while naming something the evidence does not ...
PREMISE_CAP = 0.6  # ... or while repeating a word of the question's that the span does not state


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
    if question is not None and question.form == "open" and not claim_rules.answers(question, sentence, claim):
        return Support(0.0)
    # what the span must relate the answer to; a comparison between named candidates ("who is older, A or B?") is
    # the model's reading of what the passages state about each, so only its numbers and years must match
    topic = [] if question is not None and question.compares else asked
    groups = claim_rules.topics(question) if topic and question is not None else [topic]
    neg = lexicon.negated(sentence)
    wanted = {t.key for t in question.constraints} if question else set()
    asked_keys = {a.key for a in asked}
    premise = [t for t in claim if t.key in asked_keys]  # what it repeats of an open question's
    needed = claim_rules.bars(groups, evidence)
    scored = sorted(
        (
            (
                combine(
                    answer_score(claim, sp.stated, neg, sp.negated, premise),
                    claim_rules.related(groups, needed, claim, sp, evidence),
                    claim_rules.conflict(asked, claim, sp.parts),
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
                claim_rules.best_relation(groups, needed, found.stated | other.stated, context),
                claim_rules.conflict(asked, claim, found.parts + other.parts),
            )
            if joint > best + 0.15:
                return Support(joint, (found, other))
    return Support(best, (found,))


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


def _asked(question: Question | None) -> list[Term]:
    """The question's constraints, when it is an open question (a yes/no question's premises are checked on their
    own, and its verdict is the model's reading of them)."""
    if question is None or question.form != "open":
        return []
    return list(question.constraints)


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
    if any(not (stated(t, span) or akin(t, span)) for t in premise):
        value = min(value, PREMISE_CAP)
    if any(t.number and t.key not in span for t in claim):
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
