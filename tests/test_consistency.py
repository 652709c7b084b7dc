"""Self-consistency with fake models: a sentence the verifier would show is shown only when the model's sampled
replies agree with it; samples are drawn only for a reply with something to show, recorded, and replayed."""

import pytest
from conftest import use_llm
from fakes import SamplingLLM, hash_embedder

from rag import models
from rag.consistency import agreement
from rag.engine import Engine
from rag.settings import get_settings
from rag.types import Passage

GIVEN = [
    Passage(
        "d#1",
        "d.txt",
        "Tools",
        "GitHub Copilot is transforming software development. The Azure OpenAI Service gives firms the models.",
        0,
        104,
    )
]
QUESTION = "Which tool is transforming software development?"
REPLY = "GitHub Copilot is transforming software development."
ELSEWHERE = ["The Azure OpenAI Service.", "Azure OpenAI gives firms the models.", "NOT IN ARTICLES"]


@pytest.fixture
def sampler(monkeypatch) -> SamplingLLM:
    models.register_embedder("hash", hash_embedder)
    monkeypatch.setenv("RAG_EMBED_MODEL", "hash")
    monkeypatch.setenv("RAG_CONSISTENCY_SAMPLES", "3")
    return use_llm(monkeypatch, "sampling", SamplingLLM())


def test_agreement_is_the_share_of_the_answer_words_the_samples_state():
    asked = "Which Microsoft product is changing the way programmers write code?"
    assert agreement("GitHub Copilot changes the way programmers code.", ["GitHub Copilot.", "Copilot"], asked) == 0.75
    assert agreement("The Azure OpenAI Service does.", ["GitHub Copilot.", "Copilot"], asked) == 0.0
    # a quiz's chosen option repeats the question's words: all of the sentence's words count
    assert agreement("Figure skating", ["Figure skating", "Ice hockey"], "Figure skating or ice hockey?") == 0.5
    assert agreement("Copilot.", [], QUESTION) == 1.0


def test_a_sample_that_only_restates_the_question_is_no_evidence():
    asked = "What is the length of the track where the race was staged?"
    sentence = "The length of the track where the race was staged is 6.213 km."
    assert agreement(sentence, ["The length of the track where", "6.213 km"], asked) == 1.0
    assert agreement(sentence, ["The length of the track where"], asked) == 1.0
    assert agreement(sentence, ["The track is 4 miles long."], asked) == 0.0


def test_a_sentence_the_samples_do_not_repeat_is_refused(sampler):
    sampler.queue(REPLY)
    sampler.queue_samples(ELSEWHERE)
    answer = Engine(get_settings()).answer(QUESTION, passages=GIVEN).collect()
    assert answer.refused and sampler.sampled == 1 and answer.samples == tuple(ELSEWHERE)
    assert answer.timings.sample_s > 0
    assert "Copilot" in answer.dropped[0].text and answer.citations == ()


def test_a_sentence_the_samples_repeat_is_shown_and_cited(sampler):
    sampler.queue(REPLY)
    sampler.queue_samples(["GitHub Copilot.", "GitHub Copilot is.", "Copilot, from GitHub."])
    answer = Engine(get_settings()).answer(QUESTION, passages=GIVEN).collect()
    assert not answer.refused and answer.citations[0].source == "d.txt" and "Copilot" in answer.text


def test_no_samples_are_drawn_for_a_reply_with_nothing_to_show(sampler):
    sampler.queue("NOT IN ARTICLES")
    answer = Engine(get_settings()).answer(QUESTION, passages=GIVEN).collect()
    assert answer.refused and sampler.sampled == 0 and answer.samples == ()


def test_a_replay_with_the_recorded_samples_decides_the_same_without_the_model(sampler):
    sampler.queue(REPLY)
    sampler.queue_samples(ELSEWHERE)
    engine = Engine(get_settings())
    live = engine.answer(QUESTION, passages=GIVEN).collect()
    replayed = engine.answer(QUESTION, passages=GIVEN, reply=live.raw, samples=live.samples).collect()
    assert replayed.refused == live.refused is True and sampler.sampled == 1 and len(sampler.prompts) == 1
    unchecked = engine.answer(QUESTION, passages=GIVEN, reply=live.raw).collect()  # no samples recorded: no check
    assert not unchecked.refused


def test_off_no_samples_are_drawn(sampler, monkeypatch):
    monkeypatch.setenv("RAG_CONSISTENCY_SAMPLES", "0")
    get_settings.cache_clear()
    sampler.queue(REPLY)
    answer = Engine(get_settings()).answer(QUESTION, passages=GIVEN).collect()
    assert sampler.sampled == 0 and answer.samples == () and not answer.refused


@pytest.mark.slow
def test_with_the_real_model_samples_are_seeded_and_repeat_a_read_answer(real, monkeypatch):
    monkeypatch.setenv("RAG_CONSISTENCY_SAMPLES", "3")
    get_settings.cache_clear()
    engine = Engine(get_settings())
    question = "On what date did Microsoft and OpenAI formalize their new agreement?"
    answer = engine.ask(question)
    assert not answer.refused and "October 28, 2025" in answer.text
    assert len(answer.samples) == 3 and all("October 28" in s for s in answer.samples)
    again = engine.ask(question)  # the same prompt and seeds: the same samples
    assert again.samples == answer.samples and again.text == answer.text and answer.timings.sample_s > 0
    refused = engine.ask("Who is the CEO of OpenAI?")
    assert refused.refused and refused.samples == ()  # nothing to show: nothing sampled
