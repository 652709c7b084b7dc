"""Verdicts by probability: a yes/no or either-or question is decided by the model's log-probabilities of the two
answers as the start of its reply, under the same prompt, shifted by a bias measured on dev data (the 1.5B model
leans to "Yes"), not by the first word it happens to sample. The reply is then written after the decided word.

A backend that can score its replies implements `Scorer` (the local llama.cpp one does); any other LLM answers the
question as it samples it, and the verifier treats its verdict the same way."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, runtime_checkable

from rag import both, lexicon, verify
from rag.chat import Message, Replies
from rag.evidence import Evidence
from rag.question import Question
from rag.types import Verdict

YES, NO = "Yes", "No"
# how well a passage must state a premise (rag.verify.premise) for a bare verdict to be shown citing it (chosen on
# MultiHop-RAG's even dev queries); the dates a report-order question compares must be stated as well
PREMISE_SHOWN = 0.6


@runtime_checkable
class Scorer(Protocol):
    def option_logprobs(self, messages: Sequence[Message], options: Sequence[str]) -> dict[str, float]:
        """The log-probability of each option as the beginning of the reply."""
        ...

    def continue_reply(self, messages: Sequence[Message], start: str) -> Replies:
        """Stream the reply that follows `start`."""
        ...


def reads(word: str, answer: str) -> bool:
    """The verdict word as the reply writes it ("No.", "yes,") is `answer`."""
    return word.strip(" .,;:!").lower() == answer.lower()


def options(question: Question) -> tuple[str, str]:
    """The two answers a verdict chooses between, the positive one first ("Yes", or the question's first option)."""
    if question.form == "choice":
        first, second = question.options
        return first[:1].upper() + first[1:], second[:1].upper() + second[1:]
    return YES, NO


def decide(scorer: Scorer, messages: Sequence[Message], question: Question, bias: float) -> Verdict:
    """The verdict whose log-probability margin, less `bias`, is highest. `bias` applies to yes/no questions, whose
    options are always the same two; an either-or question's two words differ from question to question, so its
    verdict is the more probable one."""
    first, second = options(question)
    scores = scorer.option_logprobs(messages, (first, second))
    margin = scores[first] - scores[second]
    shift = bias if question.form == "yes-no" else 0.0
    return Verdict(word=first if margin > shift else second, margin=round(margin, 4), bias=shift)


def allowed(word: str, question: Question, evidence: Evidence, premises: Sequence[verify.Support]) -> bool:
    """May the model go on to write this verdict, given how well the passages state each of the question's premises
    (`premises`: rag.verify.premise of each, as `rag.cite.Citer.premises` computes them once per answer)? A "Yes"
    asserts every premise of the question: it is refused, before a word is written, when a premise names someone or
    something, or gives a number, that no passage states (an invented premise), or when some premise no span states
    at PREMISE_SHOWN (the small model leans to "Yes": most wrong answers shown on MultiHop-RAG were a "Yes" to a gold
    "no"), or when the question judges how reports compare ("Was there inconsistency ...?", "Did the narrative
    change ...?"): the passages state each report, not that judgement, and the model says "Yes" to nearly every
    one (MultiHop-RAG's first 300 dev queries: to all 42 whose gold answer is "yes" and 41 of the 48 whose gold
    answer is "no"). Any other verdict is shown only in front of a reason the verifier supports (rag.answerer)."""
    positive = question.form == "yes-no" and reads(word, YES)
    if not positive:
        return True
    if question.judges:
        return False
    stated = frozenset().union(*evidence.context) if evidence.context else frozenset()
    named = [
        t
        for p in question.premises
        for t in lexicon.terms(p)
        if t.critical and not t.key.isdigit() or t.word[:1].isdigit()
    ]
    if not all(lexicon.stated(t, stated) for t in named):  # "the two firms" names no number
        return False
    if (asked := both.in_question(question, evidence)) and not both.said_of_each(asked, evidence, words=False):
        return False  # "Are A and B both American?": the passages say it of one of them only
    return all(support.score >= PREMISE_SHOWN for support in premises)


def restates(word: str, reason: str, question: Question) -> bool:
    """A "No" whose reason says what the question asks, unnegated and with nothing of its own ("Is Microsoft the only
    cloud provider for OpenAI?" -> "No. ... Microsoft is the exclusive cloud provider for OpenAI."): the reason
    backs a "Yes", so it cannot back the "No". A reason naming someone or something else, or giving a number, may
    be the contrast ("No. ... OpenAI also uses Google Cloud.")."""
    if question.form != "yes-no" or not reads(word, NO) or lexicon.negated(reason):
        return False
    said = lexicon.keys(reason)
    premised = [t for p in question.premises for t in lexicon.content(p)]
    asked = {t.key for t in premised}
    added = [t for t in lexicon.content(reason) if t.critical and t.key not in asked]
    return bool(premised) and not added and all(lexicon.stated(t, said) or lexicon.akin(t, said) for t in premised)
