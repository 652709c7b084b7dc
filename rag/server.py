"""The OpenAI-compatible LLM server backend (RAG_LLM=openai): llama-index's OpenAILike with bounded retries and
errors that name the setting to check (llama-index is imported when this backend is made, not before)."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import httpx

from rag.chat import ChatLLM, Message, Replies, Reply, assistant
from rag.errors import ModelError
from rag.settings import Settings


class OpenAIServerLLM(ChatLLM):
    """Any OpenAI-compatible server through llama-index's OpenAILike, with bounded retries and actionable errors.

    The openai client's own retries and llama-index's retry decorator are off: a request is tried `retries + 1` times
    at most, each bounded by `timeout` seconds, and a stream is retried only before its first token. Errors name the
    setting to check and what the server said.
    """

    def __init__(
        self,
        base_url: str,
        model: str = "local-model",
        api_key: str = "not-needed",
        context_window: int = 4096,
        max_tokens: int = 160,
        timeout: float = 120.0,
        retries: int = 1,
    ) -> None:
        from llama_index.llms.openai_like import OpenAILike  # imported here: the openai client costs ~2 s to import

        self.base_url, self.name = base_url, model
        self.context_window, self.max_tokens, self.timeout, self.retries = context_window, max_tokens, timeout, retries

        self._client = OpenAILike(
            model=model,
            api_base=self.base_url,
            api_key=api_key,
            is_chat_model=True,
            context_window=self.context_window,
            max_tokens=None,  # sent with each call instead, so a caller's limit (condense asks for 64) is honoured
            temperature=0.0,
            timeout=self.timeout,
            max_retries=0,
        )

    def chat(self, messages: Sequence[Message], **kwargs: Any) -> Reply:
        kwargs.setdefault("max_tokens", self.max_tokens)
        said = self._retry(lambda: self._client.chat(_theirs(messages), **kwargs))
        return assistant(said.message.content or "")

    def stream_chat(self, messages: Sequence[Message], **kwargs: Any) -> Replies:
        kwargs.setdefault("max_tokens", self.max_tokens)
        return self._stream(lambda: self._client.stream_chat(_theirs(messages), **kwargs))

    def _retry(self, call: Callable[[], Any]) -> Any:
        import openai

        for attempt in range(self.retries + 1):
            try:
                return call()
            except (openai.OpenAIError, httpx.HTTPError) as exc:
                if attempt == self.retries or not _retryable(exc):
                    raise self._error(exc) from exc
            _pause(attempt)

    def _stream(self, start: Callable[[], Iterator[Any]]) -> Replies:
        import openai

        def gen() -> Replies:
            for attempt in range(self.retries + 1):
                sent = False
                try:
                    for part in start():
                        sent = True
                        yield assistant(part.message.content or "", part.delta or "")
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


def _theirs(messages: Sequence[Message]) -> list[Any]:
    """The messages as llama-index's OpenAILike takes them."""
    from llama_index.core.base.llms.types import ChatMessage

    return [ChatMessage(role=m.role, content=m.content) for m in messages]


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


def server_llm(settings: Settings) -> OpenAIServerLLM:
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
