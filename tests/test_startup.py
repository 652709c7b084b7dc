"""A new process answers without loading what the question does not need: no LLM framework, no torch, no Chroma
when the store's stamp names the saved keyword index's generation, and the LLM loads while the index opens."""

import os
import subprocess
import sys
import threading
import time

import pytest
from conftest import ROOT, SEEDS, use_llm

import rag
from rag import ModelError, models

HEAVY = ("llama_index.core", "torch", "transformers", "openai")


def test_answering_imports_no_llm_framework_and_no_torch():
    code = (
        "import sys, rag, rag.engine, rag.llm, rag.server, rag.store, rag.answerer\n"
        f"print(sorted(m for m in {HEAVY + ('chromadb',)!r} if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert out.stdout.strip() == "[]"


def test_the_llm_loads_in_the_background_once_and_answers(llm, monkeypatch):
    made: list[str] = []

    def slow(_settings):
        time.sleep(0.2)
        made.append(threading.current_thread().name)
        return llm

    models.register_llm("slow", slow)
    monkeypatch.setenv("RAG_LLM", "slow")
    monkeypatch.setenv("RAG_CORPUS_DIR", str(SEEDS))
    rag.get_settings.cache_clear()
    engine = rag.Engine()
    loading = engine.load_llm_early()
    llm.queue("Microsoft and OpenAI formalized a new strategic agreement on October 28, 2025.")
    answer = engine.ask("When was the new agreement formalized?")
    loading.join()
    assert made == ["load-llm"]  # loaded once, by the background thread, and that model answered
    assert not answer.refused and "October 28, 2025" in answer.text


def test_a_model_that_fails_to_load_early_fails_again_with_its_error_when_asked(llm, monkeypatch):
    def broken(_settings):
        raise ModelError("RAG_LLM_MODEL_PATH=/nowhere.gguf is not a file: point it at a .gguf model.")

    use_llm(monkeypatch, "broken", None)
    models.register_llm("broken", broken)
    monkeypatch.setenv("RAG_CORPUS_DIR", str(SEEDS))
    rag.get_settings.cache_clear()
    engine = rag.Engine()
    engine.load_llm_early().join()  # nothing raised in the thread, nothing printed
    with pytest.raises(ModelError, match="RAG_LLM_MODEL_PATH"):
        engine.ask("When was the new agreement formalized?")


@pytest.mark.slow
def test_a_fresh_rag_ask_imports_neither_llama_index_nor_torch_nor_chroma(real, tmp_path):
    env = {**os.environ, "RAG_CORPUS_DIR": str(SEEDS)}
    rag_cli = [sys.executable, "-m", "rag_cli"]
    subprocess.run([*rag_cli, "index"], env=env, cwd=ROOT, check=True, capture_output=True)
    question = "On what date did Microsoft and OpenAI formalize their new agreement?"
    code = (
        "import sys, rag_cli\n"
        f"rag_cli.main(['ask', {question!r}])\n"
        f"print(sorted(m for m in {HEAVY + ('chromadb',)!r} if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], env=env, cwd=ROOT, check=True, capture_output=True, text=True)
    assert "October 28, 2025 [1]" in out.stdout
    # the store's stamp says the saved keyword index is current: Chroma is not started to read the articles whole
    assert out.stdout.strip().splitlines()[-1] == "[]"


def test_the_rag_command_ends_with_its_exit_code():
    # `python -m rag_cli` runs the command as the console script does (rag_cli.run)
    command = [sys.executable, "-m", "rag_cli"]
    ok = subprocess.run([*command, "--help"], cwd=ROOT, capture_output=True, text=True)
    assert ok.returncode == 0 and "usage: rag" in ok.stdout
    env = {**os.environ, "RAG_TOP_K": "x"}
    bad = subprocess.run([*command, "docs"], env=env, cwd=ROOT, capture_output=True, text=True)
    assert bad.returncode == 2 and "error: " in bad.stderr and "RAG_TOP_K" in bad.stderr


@pytest.mark.slow
def test_a_bad_question_and_the_chat_windows_address_are_printed_although_the_model_loads_meanwhile(real):
    # llama-cpp-python sends the whole process's stdout and stderr to /dev/null while a model loads
    # (abetlen/llama-cpp-python#1874): what `rag ask` and `rag chat` print must not be written during the load
    rag_cli = [sys.executable, "-m", "rag_cli"]
    empty = subprocess.run([*rag_cli, "ask", " "], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert empty.returncode == 2 and "error: The question is empty" in empty.stderr
    chat = subprocess.Popen(
        [*rag_cli, "chat", "--port", "7931"], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        lines = [chat.stdout.readline() for _ in range(2)]  # the address, then the window's own
        assert lines[0].startswith("Starting the chat window on http://127.0.0.1:7931")
        assert lines[1].startswith("Chat window running at http://127.0.0.1:7931")
    finally:
        chat.terminate()
        chat.wait(timeout=60)
