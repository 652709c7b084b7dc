"""Scale-out by configuration: a real Chroma server and OpenAI-compatible LLM servers, all on loopback.

The Chroma server is the installed `chroma run`; the LLM server is either a small scripted stub (fast tests) or
llama-cpp-python's server over the shipped GGUF (slow test). Every server is stopped by its fixture.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import chromadb
import httpx
import pytest
from chromadb.config import Settings as ChromaSettings
from conftest import ROOT, SEEDS

import rag
from rag import REFUSAL, ModelError, StoreUnavailable
from rag import models as registry
from rag.chunker import chunk
from rag.engine import default_engine
from rag.loader import load
from rag.settings import get_settings
from rag_cli import main as cli

QUESTION = "On what date did Microsoft and OpenAI formalize their new agreement?"
DATE_REPLY = "Microsoft and OpenAI formalized their new agreement on October 28, 2025."
DATE_SOURCE = "004_c32bc8aee1998fbf.txt"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until(check, seconds: float, what: str, proc: subprocess.Popen | None = None, log: Path | None = None):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            break
        try:
            if check():
                return
        except (httpx.HTTPError, OSError):
            pass
        time.sleep(0.2)
    tail = log.read_text(errors="replace")[-2000:] if log and log.exists() else ""
    raise RuntimeError(f"{what} did not come up within {seconds:.0f}s:\n{tail}")


def stop(proc: subprocess.Popen | None) -> None:
    if proc is None or proc.poll() is not None:
        return
    proc.send_signal(signal.SIGCONT)  # a paused server cannot act on SIGTERM
    proc.terminate()
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=15)


# -- a real Chroma server ------------------------------------------------------------------------------------------
class ChromaServer:
    """`chroma run` on 127.0.0.1 with telemetry off; start/kill/pause keep the same data folder and port."""

    def __init__(self, folder: Path) -> None:
        self.path, self.log, self.port = folder / "db", folder / "chroma.log", free_port()
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        env = {**os.environ, "ANONYMIZED_TELEMETRY": "False"}
        cmd = [str(Path(sys.executable).with_name("chroma")), "run", "--path", str(self.path)]
        with open(self.log, "ab") as log:
            self.proc = subprocess.Popen(
                [*cmd, "--host", "127.0.0.1", "--port", str(self.port)], stdout=log, stderr=log, env=env
            )
        url = f"http://127.0.0.1:{self.port}/api/v2/heartbeat"
        wait_until(lambda: httpx.get(url, timeout=1).is_success, 60, "The Chroma server", self.proc, self.log)

    def kill(self) -> None:
        self.proc.kill()
        self.proc.wait(timeout=15)

    def client(self):
        """A separate client, independent of the product, to look at what is on the server."""
        return chromadb.HttpClient(
            host="127.0.0.1", port=self.port, settings=ChromaSettings(anonymized_telemetry=False)
        )


@pytest.fixture
def chroma(tmp_path, monkeypatch):
    server = ChromaServer(tmp_path)
    server.start()
    monkeypatch.setenv("RAG_CHROMA_HOST", "127.0.0.1")
    monkeypatch.setenv("RAG_CHROMA_PORT", str(server.port))
    get_settings.cache_clear()
    yield server
    stop(server.proc)


def chunks_by_source(collection) -> dict[str, list[int]]:
    got = collection.get(include=["metadatas"])
    out: dict[str, list[int]] = {}
    for meta in got["metadatas"]:
        out.setdefault(meta["source"], []).append(meta["chunk"])
    return {source: sorted(ids) for source, ids in out.items()}


def expected_chunks() -> dict[str, list[int]]:
    """What a complete index of the seeds holds: every chunk of every article, as the product would cut them."""
    settings, embedder = get_settings(), registry.get_embedder(get_settings())
    out = {}
    for path in sorted(SEEDS.iterdir()):
        article = load(SEEDS, path, settings.max_file_mb)
        pieces = chunk(article.text, settings.chunk_size, settings.chunk_overlap, embedder.tokenize)
        out[article.source] = list(range(len(pieces)))
    return out


def assert_cited_date(answer) -> None:
    assert not answer.refused, answer.raw
    assert "October 28, 2025" in answer.text
    assert any(c.source == DATE_SOURCE and "October 28, 2025" in c.quote for c in answer.citations)
    for c in answer.citations:
        assert (SEEDS / c.source).read_text()[c.start : c.end] == c.quote


def test_index_and_ask_through_a_chroma_server(llm, chroma, isolated):
    report = rag.index()
    assert sorted(report.added) == sorted(p.name for p in SEEDS.iterdir())
    llm.queue(DATE_REPLY)
    assert_cited_date(rag.ask(QUESTION))

    collection = chroma.client().get_collection("articles")
    assert chunks_by_source(collection) == expected_chunks()
    assert collection.metadata["embed_model"] == "hash-bow-256"
    assert not (isolated / "data" / "chroma").exists()  # the embedded store was never opened

    assert rag.index().unchanged and not rag.index().changed  # a second run writes nothing


def test_server_killed_mid_run_names_the_settings_and_recovers_on_restart(llm, chroma):
    llm.queue(DATE_REPLY, DATE_REPLY)
    assert_cited_date(rag.ask(QUESTION))
    before = chunks_by_source(chroma.client().get_collection("articles"))

    chroma.kill()
    started = time.monotonic()
    with pytest.raises(StoreUnavailable, match="RAG_CHROMA_HOST/RAG_CHROMA_PORT") as err:
        rag.ask(QUESTION)
    assert f"127.0.0.1:{chroma.port}" in str(err.value)
    assert time.monotonic() - started < 10

    chroma.start()  # same port, same data folder
    assert_cited_date(rag.ask(QUESTION))  # the same engine and client carry on
    assert chunks_by_source(chroma.client().get_collection("articles")) == before


def test_a_hung_server_times_out_after_the_configured_seconds(llm, chroma, monkeypatch):
    monkeypatch.setenv("RAG_CHROMA_TIMEOUT_S", "1.5")
    get_settings.cache_clear()
    llm.queue(DATE_REPLY, DATE_REPLY)
    assert_cited_date(rag.ask(QUESTION))

    chroma.proc.send_signal(signal.SIGSTOP)  # accepts connections, never answers
    try:
        started = time.monotonic()
        with pytest.raises(StoreUnavailable, match=r"RAG_CHROMA_TIMEOUT_S=1.5s"):
            rag.ask(QUESTION)
        assert time.monotonic() - started < 8
    finally:
        chroma.proc.send_signal(signal.SIGCONT)
    assert_cited_date(rag.ask(QUESTION))


def test_a_server_that_is_not_there_fails_fast_at_connect(llm, monkeypatch):
    monkeypatch.setenv("RAG_CHROMA_HOST", "127.0.0.1")
    monkeypatch.setenv("RAG_CHROMA_PORT", str(free_port()))
    get_settings.cache_clear()
    started = time.monotonic()
    with pytest.raises(StoreUnavailable, match="Start it, or check RAG_CHROMA_HOST/RAG_CHROMA_PORT"):
        rag.ask(QUESTION)
    assert time.monotonic() - started < 10
    assert llm.prompts == []


def test_a_server_refusing_the_token_says_what_it_said(llm, monkeypatch):
    seen: list[str | None] = []

    class Refuse(BaseHTTPRequestHandler):
        def log_message(self, *args) -> None:
            pass

        def do_GET(self) -> None:
            seen.append(self.headers.get("Authorization"))
            data = b'{"error":"AuthError","message":"token not accepted"}'
            self.send_response(401)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Refuse)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        monkeypatch.setenv("RAG_CHROMA_HOST", "127.0.0.1")
        monkeypatch.setenv("RAG_CHROMA_PORT", str(httpd.server_address[1]))
        monkeypatch.setenv("RAG_CHROMA_TOKEN", "s3cret")
        get_settings.cache_clear()
        with pytest.raises(StoreUnavailable, match=r"HTTP 401: .*token not accepted.*RAG_CHROMA_TOKEN"):
            rag.ask(QUESTION)
        assert seen == ["Bearer s3cret"]
    finally:
        httpd.shutdown()
        httpd.server_close()


def test_cli_reports_a_dead_server_and_exits_2(llm, chroma, capsys):
    chroma.kill()
    assert cli(["ask", QUESTION]) == 2
    err = capsys.readouterr().err
    assert "Chroma server" in err and "RAG_CHROMA_HOST" in err


def test_indexing_cut_by_a_dead_server_leaves_whole_articles_only(llm, chroma, monkeypatch):
    monkeypatch.setenv("RAG_EMBED_BATCH_SIZE", "1")  # several writes per run: one per article
    get_settings.cache_clear()
    expected = expected_chunks()
    assert all(len(ids) >= 4 for ids in expected.values())  # so each article is written on its own

    def kill_before_last_write(done: int, total: int) -> None:
        if done == total:
            chroma.kill()

    with pytest.raises(StoreUnavailable, match="RAG_CHROMA_HOST/RAG_CHROMA_PORT"):
        default_engine().index(progress=kill_before_last_write)

    chroma.start()
    on_server = chunks_by_source(chroma.client().get_collection("articles"))
    assert len(on_server) == 1  # the first article, whole; nothing of the second
    ((source, ids),) = on_server.items()
    assert ids == expected[source]

    report = rag.index()  # the next run finishes the job
    assert report.unchanged == [source] and len(report.added) == 1
    assert chunks_by_source(chroma.client().get_collection("articles")) == expected


def test_rebuild_against_a_server_swaps_only_when_complete(llm, chroma):
    engine = default_engine()
    engine.index()
    expected = expected_chunks()
    old_generation = engine.store.generation()

    def kill_midway(done: int, total: int) -> None:
        if done == total:
            chroma.kill()

    with pytest.raises(StoreUnavailable):
        engine.rebuild(progress=kill_midway)
    chroma.start()
    client = chroma.client()
    assert chunks_by_source(client.get_collection("articles")) == expected  # the old collection still serves
    llm.queue(DATE_REPLY)
    assert_cited_date(rag.ask(QUESTION))

    report = engine.rebuild()
    assert len(report.added) == len(expected)
    assert sorted(c.name for c in client.list_collections()) == ["articles"]  # the staging copy was renamed in
    assert chunks_by_source(client.get_collection("articles")) == expected
    assert engine.store.generation() != old_generation
    llm.queue(DATE_REPLY)
    assert_cited_date(rag.ask(QUESTION))


# -- a scripted OpenAI-compatible server -------------------------------------------------------------------------
class StubLLMServer:
    """Answers /v1/chat/completions from a script: a reply text (streamed when asked), an HTTP error, or silence."""

    def __init__(self) -> None:
        self.script: list[str | tuple[int, str] | None] = []
        self.requests: list[dict] = []
        self.release = threading.Event()
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:
                pass

            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                stub.requests.append(body)
                step = stub.script.pop(0) if stub.script else (500, "script ran out")
                if step is None:
                    stub.release.wait(30)
                    return
                if isinstance(step, tuple):
                    status, message = step
                    self._send(status, {"error": {"message": message, "type": "stub_error", "code": status}})
                elif body.get("stream"):
                    self._stream(step)
                else:
                    message = {"role": "assistant", "content": step}
                    self._send(200, {**_head("chat.completion"), "choices": [_choice(message=message)]})

            def _send(self, status: int, payload: dict) -> None:
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _stream(self, text: str) -> None:
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.end_headers()
                for piece in [w + " " for w in text.split(" ")[:-1]] + text.split(" ")[-1:]:
                    chunk_ = {**_head("chat.completion.chunk"), "choices": [_choice(delta={"content": piece})]}
                    self.wfile.write(f"data: {json.dumps(chunk_)}\n\n".encode())
                    self.wfile.flush()
                self.wfile.write(b"data: [DONE]\n\n")

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.release.set()
        self.httpd.shutdown()
        self.httpd.server_close()


def _head(kind: str) -> dict:
    return {"id": "stub-1", "object": kind, "created": 0, "model": "stub"}


def _choice(**part) -> dict:
    return {"index": 0, "finish_reason": None, "logprobs": None, **part}


@pytest.fixture
def stub(llm, monkeypatch):
    """The fake embedder from `llm`, and RAG_LLM=openai pointed at a scripted server."""
    server = StubLLMServer()
    monkeypatch.setenv("RAG_LLM", "openai")
    monkeypatch.setenv("RAG_LLM_BASE_URL", server.url)
    get_settings.cache_clear()
    registry.clear_cache()  # LLMs are cached by URL: timeouts and retries set by this test must apply
    yield server
    server.close()
    registry.clear_cache()


def test_openai_backend_streams_and_the_answer_is_verified_and_cited(stub):
    stub.script.append(DATE_REPLY + " Microsoft holds a 49% stake in OpenAI.")
    stream = rag.ask_stream(QUESTION)
    pieces = list(stream)
    answer = stream.answer
    assert_cited_date(answer)
    assert "".join(pieces) == answer.text and len(pieces) == 1  # one verified sentence
    assert [d.text for d in answer.dropped] == ["Microsoft holds a 49% stake in OpenAI."]
    (request,) = stub.requests
    assert request["stream"] is True and request["max_tokens"] == 160 and request["temperature"] == 0.0
    assert request["model"] == "local-model"
    assert QUESTION in request["messages"][-1]["content"]


def test_openai_backend_refuses_like_the_local_model(stub):
    stub.script += ["The CEO of OpenAI is Sam Altman.", "NOT IN ARTICLES"]
    first, second = rag.ask("Who is the CEO of OpenAI?"), rag.ask("What is the price of the deal?")
    assert first.refused and first.text == REFUSAL and first.citations == ()
    assert second.refused and second.text == REFUSAL


def test_openai_backend_condenses_follow_ups_with_a_short_limit(stub):
    stub.script += ["When did Microsoft and OpenAI formalize their agreement?", DATE_REPLY]
    answer = rag.ask("and when was it signed?", history=[("What did Microsoft and OpenAI agree?", "A deal [1].")])
    assert answer.standalone_question == "When did Microsoft and OpenAI formalize their agreement?"
    assert_cited_date(answer)
    condense, reply = stub.requests
    assert not condense.get("stream") and condense["max_tokens"] == 64
    assert reply["stream"] is True and reply["max_tokens"] == 160


def test_openai_backend_retries_a_server_error_once(stub):
    stub.script += [(503, "loading model"), DATE_REPLY]
    assert_cited_date(rag.ask(QUESTION))
    assert len(stub.requests) == 2


def test_llm_server_down_is_a_model_error_naming_the_base_url(stub, monkeypatch):
    url = f"http://127.0.0.1:{free_port()}/v1"
    monkeypatch.setenv("RAG_LLM_BASE_URL", url)
    get_settings.cache_clear()
    started = time.monotonic()
    with pytest.raises(ModelError, match="cannot be reached") as err:
        rag.ask(QUESTION)
    assert url in str(err.value) and "RAG_LLM_BASE_URL" in str(err.value) and "refused" in str(err.value)
    assert time.monotonic() - started < 10


def test_llm_server_refusing_says_what_it_said_and_is_not_retried(stub):
    stub.script.append((401, "invalid api key sk-..."))
    with pytest.raises(ModelError, match=r"HTTP 401: invalid api key sk-\.\.\.\); check RAG_LLM_API_KEY"):
        rag.ask(QUESTION)
    assert len(stub.requests) == 1


def test_llm_server_that_hangs_times_out_after_bounded_tries(stub, monkeypatch):
    monkeypatch.setenv("RAG_LLM_TIMEOUT_S", "1")
    monkeypatch.setenv("RAG_LLM_RETRIES", "1")
    get_settings.cache_clear()
    stub.script += [None, None]
    started = time.monotonic()
    with pytest.raises(ModelError, match=r"did not answer within RAG_LLM_TIMEOUT_S=1s \(2 tries\)"):
        rag.ask(QUESTION)
    assert time.monotonic() - started < 6
    assert len(stub.requests) == 2


def test_openai_backend_needs_a_base_url(llm, monkeypatch):
    monkeypatch.setenv("RAG_LLM", "openai")
    get_settings.cache_clear()
    with pytest.raises(ModelError, match="RAG_LLM=openai needs RAG_LLM_BASE_URL"):
        rag.ask(QUESTION)


# -- the real thing: llama-cpp-python's server over the shipped GGUF, and the real embedder ------------------------
SERVER_WITHOUT_AMX_REPACKING = """
import runpy, sys
import llama_cpp.llama as module
default = module.llama_cpp.llama_model_default_params
def params():
    p = default()
    p.use_extra_bufts = False
    return p
module.llama_cpp.llama_model_default_params = params
sys.argv[0] = "llama_cpp.server"
runpy.run_module("llama_cpp.server", run_name="__main__")
"""


@pytest.fixture
def llama_server(gguf, tmp_path):
    pytest.importorskip("llama_cpp.server.app", reason="pip install 'llama-cpp-python[server]==0.3.36'")
    port, log = free_port(), tmp_path / "llama-server.log"
    # llama.cpp's AMX repacking crashes the first decode on AMX CPUs (the product loads its own model without it,
    # rag.llm._loading); the server is started the same way here
    cmd = [sys.executable, "-c", SERVER_WITHOUT_AMX_REPACKING, "--model", str(gguf), "--host", "127.0.0.1"]
    cmd += ["--port", str(port), "--n_ctx", "4096", "--n_threads", str(os.cpu_count())]  # as the local backend
    with open(log, "wb") as out:
        proc = subprocess.Popen(cmd, stdout=out, stderr=out, cwd=ROOT)
    try:
        url = f"http://127.0.0.1:{port}/v1"
        wait_until(lambda: httpx.get(f"{url}/models", timeout=2).is_success, 180, "llama_cpp.server", proc, log)
        yield url
    finally:
        stop(proc)


@pytest.mark.slow
def test_real_models_behind_both_servers_give_the_cited_date(chroma, llama_server, monkeypatch):
    monkeypatch.setenv("RAG_LLM", "openai")
    monkeypatch.setenv("RAG_LLM_BASE_URL", llama_server)
    get_settings.cache_clear()
    stream = rag.ask_stream(QUESTION)
    pieces = list(stream)
    assert_cited_date(stream.answer)
    assert "".join(pieces) == stream.answer.text
    collection = chroma.client().get_collection("articles")
    assert chunks_by_source(collection) == expected_chunks()
    assert collection.metadata["embed_model"].startswith("all-MiniLM-L6-v2")
