"""Test doubles registered through the same registry as the real models."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from typing import Any

import numpy as np
from llama_index.core.base.embeddings.base import BaseEmbedding
from llama_index.core.base.llms.types import ChatMessage, ChatResponse, CompletionResponse, LLMMetadata
from llama_index.core.llms import CustomLLM
from pydantic import PrivateAttr

from rag.models import Embedder

DIM = 256


class HashEmbedding(BaseEmbedding):
    """Deterministic hashed bag of words: texts sharing words are close, so ranking is meaningful."""

    def _vector(self, text: str) -> list[float]:
        v = np.zeros(DIM)
        for word in re.findall(r"\w+", text.lower()):
            h = int(hashlib.md5(word.encode()).hexdigest(), 16)
            v[h % DIM] += 1.0 if (h >> 8) % 2 else -1.0
        n = np.linalg.norm(v)
        return (v / n if n else v + 1 / np.sqrt(DIM)).tolist()

    def _get_text_embedding(self, text: str) -> list[float]:
        return self._vector(text)

    def _get_query_embedding(self, query: str) -> list[float]:
        return self._vector(query)

    async def _aget_query_embedding(self, query: str) -> list[float]:
        return self._vector(query)


def hash_embedder(_settings=None) -> Embedder:
    return Embedder("hash-bow-256", HashEmbedding(model_name="hash"), lambda text: text.split())


class QueueLLM(CustomLLM):
    """Replies with queued texts in order (streamed word by word) and records every prompt it was given."""

    _replies: list[str] = PrivateAttr(default_factory=list)
    _prompts: list[list[ChatMessage]] = PrivateAttr(default_factory=list)

    def queue(self, *replies: str) -> None:
        self._replies.extend(replies)

    @property
    def prompts(self) -> list[list[ChatMessage]]:
        return self._prompts

    @property
    def metadata(self) -> LLMMetadata:
        return LLMMetadata(is_chat_model=True, model_name="queue")

    def _next(self, messages: Sequence[ChatMessage]) -> str:
        self._prompts.append(list(messages))
        if not self._replies:
            raise AssertionError("QueueLLM was called more often than replies were queued")
        return self._replies.pop(0)

    def chat(self, messages: Sequence[ChatMessage], **kwargs: Any) -> ChatResponse:
        return ChatResponse(message=ChatMessage(role="assistant", content=self._next(messages)))

    def stream_chat(self, messages: Sequence[ChatMessage], **kwargs: Any):
        reply = self._next(messages)

        def gen():
            text = ""
            for piece in re.findall(r"\S+\s*", reply):
                text += piece
                yield ChatResponse(message=ChatMessage(role="assistant", content=text), delta=piece)

        return gen()

    def complete(self, prompt: str, formatted: bool = False, **kwargs: Any) -> CompletionResponse:
        return CompletionResponse(text=self.chat([ChatMessage(role="user", content=prompt)]).message.content)

    def stream_complete(self, prompt: str, formatted: bool = False, **kwargs: Any):
        raise NotImplementedError


class ScoringLLM(QueueLLM):
    """A QueueLLM that also scores replies (rag.verdict.Scorer): queued log-probabilities per option, and replies
    continued after the decided word."""

    _scores: list[dict[str, float]] = PrivateAttr(default_factory=list)
    _starts: list[str] = PrivateAttr(default_factory=list)

    def queue_scores(self, *scores: dict[str, float]) -> None:
        self._scores.extend(scores)

    @property
    def starts(self) -> list[str]:
        return self._starts

    def option_logprobs(self, messages: Sequence[ChatMessage], options: Sequence[str]) -> dict[str, float]:
        if not self._scores:
            raise AssertionError("ScoringLLM was asked for scores more often than they were queued")
        scores = self._scores.pop(0)
        return {o: scores[o] for o in options}

    def continue_reply(self, messages: Sequence[ChatMessage], start: str, **kwargs: Any):
        self._starts.append(start)
        return self.stream_chat(messages)


class SamplingLLM(QueueLLM):
    """A QueueLLM that also samples replies (rag.consistency.Sampler): queued sample lists, one per call."""

    _samples: list[list[str]] = PrivateAttr(default_factory=list)
    _sampled: int = PrivateAttr(default=0)

    def queue_samples(self, *samples: list[str]) -> None:
        self._samples.extend(samples)

    @property
    def sampled(self) -> int:
        return self._sampled

    def samples(self, messages: Sequence[ChatMessage], n: int, max_tokens: int) -> list[str]:
        if not self._samples:
            raise AssertionError("SamplingLLM was asked for samples more often than they were queued")
        self._sampled += 1
        return self._samples.pop(0)[:n]
