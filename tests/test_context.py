"""What the LLM reads (rag.context): the sentences that bear on the question, by the words they share with it and,
given the embedder's closeness, by meaning; within the budget."""

from dataclasses import replace

from fakes import hash_embedder

from rag import context
from rag.evidence import build
from rag.question import parse
from rag.types import Passage

TEXT = (
    "Microsoft and OpenAI signed a new agreement in Redmond. "
    "Shares of both companies rose on the news. "
    "Analysts expect the cloud business to grow. "
    "The weather in Seattle was mild that week. "
    "European regulators are watching the market closely. "
    "A spokesperson declined to comment on the figures."
)


def _evidence():
    return build([Passage("a.txt#0", "a.txt", "Deal", TEXT, 0, len(TEXT), 1.0)])


def test_without_closeness_only_sentences_sharing_a_word_are_read():
    question = parse("How are watchdogs in Brussels reacting to the deal?")  # no word of the regulators' sentence
    (text,) = context.select(question, _evidence(), 40)
    assert "European regulators" not in text


def test_closeness_brings_the_sentence_a_paraphrase_points_to():
    question = parse("How are watchdogs in Brussels reacting to the deal?")
    evidence = _evidence()
    close = [0.1] * len(evidence.units[0])
    close[4] = 0.9  # the embedder finds the regulators' sentence closest in meaning
    (text,) = context.select(question, replace(evidence, closeness=tuple(close)), 40)
    assert "European regulators are watching the market closely." in text


def test_a_sentence_sharing_no_word_is_read_only_among_the_closest_few():
    question = parse("How are watchdogs in Brussels reacting to the deal?")
    evidence = _evidence()
    n = len(evidence.units[0])
    close = tuple(float(n - j) for j in range(n))  # closeness falls sentence by sentence; the last is farthest
    (text,) = context.select(question, replace(evidence, closeness=close), 1000)
    assert n > context.MEANING_ONLY and "declined to comment" not in text
    assert "Microsoft and OpenAI signed" in text


def test_the_budget_still_bounds_what_is_read():
    question = parse("How are watchdogs in Brussels reacting to the deal?")
    evidence = _evidence()
    (text,) = context.select(question, replace(evidence, closeness=(0.5,) * len(evidence.units[0])), 20)
    assert 0 < len(text) <= 20 * context.CHARS_PER_TOKEN


def test_near_gives_every_sentence_its_cosine_to_the_question():
    evidence = context.near(_evidence(), hash_embedder(), "The weather in Seattle was mild that week.")
    assert len(evidence.closeness) == len(evidence.units[0])
    assert max(range(len(evidence.closeness)), key=evidence.closeness.__getitem__) == 3
    assert abs(evidence.closeness[3] - 1.0) < 1e-3
