"""The whole-collection prompt prefix kept in llama.cpp's KV cache and in a state file, with the real model: a restored
state answers token for token as a fresh computation; a corrupt or stale file is rebuilt; appended articles extend
it; rewriting on the second context leaves it in place."""

import pytest

from rag.answerer import messages, prefix_messages
from rag.chat import Message
from rag.evidence import build
from rag.llm import LlamaCppLLM, has_amx
from rag.prompts import QUESTION_LEAD
from rag.question import parse
from rag.types import Passage

pytestmark = pytest.mark.slow

ONE = Passage(
    "a#whole", "a.txt", "Deal signed", "On October 28, 2025, Microsoft and OpenAI signed a new agreement.", 0, 65
)
TWO = Passage("b#whole", "b.txt", "Cloud", "OpenAI's models run on Microsoft's Azure cloud.", 0, 47)


def reply(llm: LlamaCppLLM, evidence, question: str) -> str:
    return "".join(r.delta or "" for r in llm.stream_chat(messages(parse(question), evidence), max_tokens=24))


@pytest.fixture(scope="module")
def model(gguf) -> LlamaCppLLM:
    return LlamaCppLLM(model_path=str(gguf), n_ctx=1024)


def test_a_restored_state_answers_as_a_fresh_computation(model, gguf, tmp_path):
    evidence = build([ONE, TWO])
    held = model.hold(prefix_messages(evidence), QUESTION_LEAD, tmp_path)
    assert held.how == "computed" and held.path is not None and held.path.stat().st_size > 1_000_000
    assert model.hold(prefix_messages(evidence), QUESTION_LEAD, tmp_path).how == "memory"
    fresh = reply(model, evidence, "When was the agreement signed?")

    other = LlamaCppLLM(model_path=str(gguf), n_ctx=1024)  # another process's model: nothing in its cache
    restored = other.hold(prefix_messages(evidence), QUESTION_LEAD, tmp_path)
    assert restored.how == "file" and restored.tokens == held.tokens
    assert reply(other, evidence, "When was the agreement signed?") == fresh and "October 28, 2025" in fresh

    held.path.write_bytes(held.path.read_bytes()[:4096])  # a truncated file is rebuilt, never trusted
    third = LlamaCppLLM(model_path=str(gguf), n_ctx=1024)
    again = third.hold(prefix_messages(evidence), QUESTION_LEAD, tmp_path)
    assert again.how == "computed" and held.path.stat().st_size > 1_000_000
    assert reply(third, evidence, "When was the agreement signed?") == fresh

    data = bytearray(held.path.read_bytes())  # bytes changed inside the KV data, the size unchanged: rebuilt too
    data[-8192:-4096] = b"\xff" * 4096
    held.path.write_bytes(bytes(data))
    fourth = LlamaCppLLM(model_path=str(gguf), n_ctx=1024)
    assert fourth.hold(prefix_messages(evidence), QUESTION_LEAD, tmp_path).how == "computed"
    assert reply(fourth, evidence, "When was the agreement signed?") == fresh


def test_another_collection_gets_its_own_state_and_appended_articles_extend_it(model, tmp_path):
    model._llama.reset()  # the context holds the earlier test's prefix, which begins with this one
    first = model.hold(prefix_messages(build([ONE])), QUESTION_LEAD, tmp_path)
    model._llama.reset()  # as in a new process: only the file is left
    extended = model.hold(prefix_messages(build([ONE, TWO])), QUESTION_LEAD, tmp_path)
    assert first.how == "computed" and extended.how == "extended" and extended.path != first.path
    assert not first.path.exists()  # the state of the collection before is stale now: removed
    model._llama.reset()
    assert model.hold(prefix_messages(build([TWO])), QUESTION_LEAD, tmp_path).how == "computed"  # not a prefix of it


def test_rewriting_on_the_second_context_leaves_the_prefix_in_place(model, tmp_path):
    evidence = build([ONE, TWO])
    model.hold(prefix_messages(evidence), QUESTION_LEAD, tmp_path)
    rewriter = model.sibling()
    rewriter.chat([Message("user", "Translate into French: the deal was signed.")], max_tokens=16)
    assert model.hold(prefix_messages(evidence), QUESTION_LEAD, tmp_path).how == "memory"


def test_a_state_computed_by_other_kernels_is_computed_again(model, gguf, tmp_path):
    # repacked weights read the prefix with other kernels: their state is another file, never loaded in place of it
    evidence = build([ONE])
    model._llama.reset()
    plain = model.hold(prefix_messages(evidence), QUESTION_LEAD, tmp_path)
    repacked = LlamaCppLLM(model_path=str(gguf), n_ctx=1024, repack=True)
    other = repacked.hold(prefix_messages(evidence), QUESTION_LEAD, tmp_path)
    if has_amx():  # never repacked there: the same kernels, the same state
        assert other.how == "file" and other.path == plain.path
    else:
        assert other.how == "computed" and other.path != plain.path
