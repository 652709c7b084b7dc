"""End to end with the real embedding model and the real LLM on the shipped seeds (slow)."""

import subprocess
import sys

import pytest
from conftest import ROOT, SEEDS

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


def test_a_french_question_is_rewritten_on_a_second_context_taking_turns_with_the_first(real):
    from rag.engine import default_engine
    from rag.llm import LlamaCppLLM

    engine = default_engine()
    answer = rag.ask("Quand Microsoft et OpenAI ont-ils conclu leur nouvel accord ?")
    assert not answer.refused and answer.text.startswith("28 octobre 2025 [1]")
    assert answer.claim.startswith("October 28, 2025") and answer.standalone_question
    llm, rewriter = engine.llm, engine.rewriter
    assert isinstance(rewriter, LlamaCppLLM) and rewriter is not llm
    assert rewriter._llama is not llm._llama and rewriter._lock is llm._lock  # two contexts, one call at a time


def test_a_process_holding_the_model_at_exit_ends_without_an_error(gguf):
    # Python's shutdown turns llama_cpp's module globals into None before it deletes a model still referenced from
    # a module; left to Llama.__del__ then, llama-cpp-python prints "TypeError: 'NoneType' object is not callable".
    # The first exit handler registered runs last: this one does what the shutdown does, after the product's own.
    code = (
        "import atexit\n"
        "import llama_cpp._internals as internals\n"
        "import rag.llm as m\n"
        "atexit.register(lambda: setattr(internals, 'llama_cpp', None))\n"
        f"m.kept = m.LlamaCppLLM({str(gguf)!r}, n_ctx=512)\n"
        "m.other = m.kept.sibling()\n"
        "print('loaded')"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0 and out.stdout.strip() == "loaded"
    assert "Exception ignored" not in out.stderr and "Traceback" not in out.stderr, out.stderr[-2000:]
