"""Whole-collection reading with fake models: every article whole, in a fixed order, the question last; the mode
switches at the budget and follows the index; evaluation replays a recorded reply through the same code."""

import json

import pytest
from conftest import SEEDS

import rag
from rag import collection, kvstate
from rag.chunker import chunk
from rag.engine import Engine
from rag.prompts import QUESTION_LEAD
from rag.settings import get_settings
from rag.types import Passage


def user_prompt(llm, i: int = -1) -> str:
    return llm.prompts[i][-1].content


def test_the_model_reads_every_article_whole_with_the_question_last(llm):
    llm.queue("October 28, 2025, Microsoft and OpenAI formalized their agreement.", "Azure hosts the models.")
    first = rag.ask("When did Microsoft and OpenAI formalize their agreement?")
    rag.ask("Which cloud hosts OpenAI's models?")
    prompt = user_prompt(llm, 0)
    for path in SEEDS.glob("*.txt"):  # each article whole, not sentence windows
        body = " ".join(path.read_text().split()[5:60])
        assert body in " ".join(prompt.split())
    assert (
        prompt.rstrip().splitlines()[-2] == f"{QUESTION_LEAD} When did Microsoft and OpenAI formalize their agreement?"
    )
    # the prompt before the question is byte-identical for every question: a server's prefix cache reuses it
    before = [m.content for m in llm.prompts[0][:-1]] + [prompt.rsplit(QUESTION_LEAD, 1)[0]]
    again = [m.content for m in llm.prompts[1][:-1]] + [user_prompt(llm, 1).rsplit(QUESTION_LEAD, 1)[0]]
    assert before == again
    assert not first.refused and "October 28, 2025" in first.citations[0].quote
    assert all(p.chunk_id.endswith(collection.WHOLE) for p in first.passages) and len(first.passages) == 2


def test_past_the_budget_the_model_reads_retrieved_passages_in_article_order(llm, monkeypatch):
    monkeypatch.setenv("RAG_WHOLE_TOKENS", "500")  # the two seed articles take ~2,000 (estimated without a tokenizer)
    get_settings.cache_clear()
    llm.queue("October 28, 2025.")
    answer = rag.ask("When did Microsoft and OpenAI formalize their agreement?")
    assert not any(p.chunk_id.endswith(collection.WHOLE) for p in answer.passages)
    order = [(p.source, p.start) for p in answer.passages]
    sources = list(dict.fromkeys(s for s, _ in order))
    assert order == sorted(order, key=lambda x: (sources.index(x[0]), x[1]))  # grouped by article, in its order


def test_an_index_change_changes_what_the_model_reads(llm, tmp_path, monkeypatch):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for path in SEEDS.glob("*.txt"):
        (corpus / path.name).write_text(path.read_text())
    monkeypatch.setenv("RAG_CORPUS_DIR", str(corpus))
    get_settings.cache_clear()
    engine = Engine(get_settings())
    engine.index()
    assert len(engine.whole().passages) == 2
    (corpus / "zz_new.txt").write_text("Harbor Ledger\n\nThe council voted 7-2 to fund the Elm Street bridge.")
    engine.index()
    whole = engine.whole()
    assert len(whole.passages) == 3 and "Elm Street bridge" in whole.passages[-1].text
    engine.remove("zz_new.txt")
    assert len(engine.whole().passages) == 2


def test_articles_rebuilt_from_their_chunks_are_the_source_text():
    text = (SEEDS / "004_c32bc8aee1998fbf.txt").read_text()
    pieces = chunk(text, 60, 12, str.split)
    chunks = [Passage(f"a#x:{c.index}", "a.txt", "T", c.text, c.start, c.end) for c in pieces]
    (whole,) = collection.articles(list(reversed(chunks)))
    assert whole.chunk_id == "a.txt" + collection.WHOLE and whole.text.split() == text.split()
    for c in chunks:  # every offset is the source's: a citation's span quotes the file
        assert whole.text[c.start - whole.start : c.end - whole.start] == c.text
    assert len(text) - (whole.end - whole.start) < 3  # only surrounding whitespace is left out


def test_a_recorded_reply_is_verified_and_cited_without_calling_the_model(llm):
    given = [Passage("d#1", "d.txt", "Deal signed", "On October 28, 2025, Microsoft and OpenAI signed a deal.", 0, 56)]
    engine = Engine(get_settings())
    answer = engine.answer(
        "When was the deal signed?", passages=given, reply="The deal was signed on October 28, 2025."
    )
    replayed = answer.collect()
    assert llm.prompts == [] and not replayed.refused and replayed.citations[0].source == "d.txt"
    invented = engine.answer("When was the deal signed?", passages=given, reply="It was signed in March 2024.")
    assert invented.collect().refused and llm.prompts == []


@pytest.mark.parametrize("tokens", ["-1", "x"])
def test_a_bad_budget_is_an_actionable_error(monkeypatch, tokens):
    monkeypatch.setenv("RAG_WHOLE_TOKENS", tokens)
    get_settings.cache_clear()
    with pytest.raises(rag.SettingsError, match="RAG_WHOLE_TOKENS"):
        get_settings()


class _Context:
    def kv_cache_clear(self) -> None:
        pass


class _Llama:
    """Enough of a llama.cpp model for `kvstate.load` to reset it and refuse a file before reading it."""

    _ctx = _Context()

    def reset(self) -> None:
        pass


def test_a_state_file_changed_after_it_was_saved_is_never_loaded(tmp_path):
    # llama.cpp loads a state file whose KV bytes were changed without complaint: the digest saved beside it catches it
    path = tmp_path / "prefix.kv"
    path.write_bytes(bytes(range(256)) * 4096)
    meta = {"identity": {}, "tokens": [1, 2], "sha256": kvstate._digest(path)}
    kvstate._sidecar(path).write_text(json.dumps(meta))
    assert kvstate._intact(path)
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF  # one byte in the middle, the size unchanged
    path.write_bytes(bytes(data))
    assert not kvstate._intact(path) and kvstate.load(_Llama(), path, [1, 2]) is False
    kvstate._sidecar(path).write_text(json.dumps({"identity": {}, "tokens": [1, 2]}))  # a sidecar without a digest
    assert not kvstate._intact(path)
    kvstate._sidecar(path).write_text("{not json")
    assert not kvstate._intact(path)
