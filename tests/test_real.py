"""End to end with the real embedding model and the real LLM on the shipped seeds (slow)."""

import pytest
from conftest import SEEDS

import rag

pytestmark = pytest.mark.slow


def test_agreement_date_is_answered_and_cited(real):
    answer = rag.ask("On what date did Microsoft and OpenAI formalize their new agreement?")
    assert not answer.refused
    assert "October 28, 2025" in answer.text
    assert "[1]" in answer.text
    cited = {c.source for c in answer.citations}
    assert "004_c32bc8aee1998fbf.txt" in cited
    for c in answer.citations:
        assert (SEEDS / c.source).read_text()[c.start : c.end] == c.quote
    assert any("October 28, 2025" in c.quote for c in answer.citations)
    assert answer.dropped == () or all(not d.supported for d in answer.dropped)


def test_question_the_articles_do_not_answer_is_refused(real):
    answer = rag.ask("Who is the CEO of OpenAI?")
    assert answer.refused
    assert answer.text == rag.REFUSAL
    assert answer.citations == ()
