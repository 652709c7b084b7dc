"""What a refusal rests on: the articles lack the answer, or the model answered and nothing verified its answer.

Either way the answer's text is the one refusal, rag.REFUSAL, so that whatever reads answers by it (a script, a
benchmark's grader) reads them alike. What differs is what comes with it:

- the model said it could not answer, or every sentence it wrote was refused because it names, numbers or quotes
  what no span states ("invented"), only says the question back ("restates") or speaks of the articles ("not
  specified"): the articles most likely lack the answer (docs/results.md counts these refusals by kind of question);
- otherwise the model answered in words the verifier could not match to a span answering this question (a
  rewording of the question's words, a span about something else, a verdict whose premises no span states in the
  question's words): the refusal is `unverified`, and `nearest` is the span its reply drew on most, for the reader to
  read. It is never a citation: nothing verified that it answers the question."""

from __future__ import annotations

from collections.abc import Sequence

from rag import lexicon
from rag.cite import META, Citer, declines, quote, split_verdict
from rag.evidence import Evidence, Span
from rag.grounding import most_stated
from rag.types import Citation, Sentence

ABSENT = frozenset({"invented", "restates", META})  # the refusals that say the articles lack the answer


def unverified(reply: str, dropped: Sequence[Sentence]) -> bool:
    """The model answered (it did not decline) and some sentence of its reply was refused for another reason than
    `ABSENT`'s."""
    return bool(dropped) and not declines(reply) and any(s.reason not in ABSENT for s in dropped)


def nearest(citer: Citer, dropped: Sequence[Sentence]) -> tuple[Citation, ...]:
    """For an unverified refusal: the span stating most of the words of the first refused sentence that some span
    states at least lexicon.MOSTLY of (names and numbers counting double); failing that (a bare verdict), the span
    stating one of the question's premises best, at MOSTLY or more; () when no span states that much."""
    options = citer.question.options
    for sentence in dropped:
        claim = split_verdict(sentence.text, options)[1]
        if sentence.reason not in ABSENT and claim and (span := _stating(claim, citer.evidence)):
            return (quote(citer.evidence, span, 1),)
    premises = [p for p in citer.premises() if p.spans and p.score >= lexicon.MOSTLY]
    return (quote(citer.evidence, max(premises, key=lambda p: p.score).spans[0], 1),) if premises else ()


def _stating(text: str, evidence: Evidence) -> Span | None:
    """The span stating the largest share of `text`'s words (grounding.most_stated), if at least MOSTLY."""
    terms = lexicon.content(text, evidence.lowercase)
    if not terms or not evidence.spans:
        return None
    span = most_stated(terms, evidence.spans)
    return span if lexicon.share(terms, span.stated) >= lexicon.MOSTLY else None
