"""Test doubles registered through the same registry as the real models."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from typing import Any

import numpy as np
from llama_index.core.base.embeddings.base import BaseEmbedding

from rag.chat import ChatLLM, Message, Replies, Reply, assistant
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


class QueueLLM(ChatLLM):
    """Replies with queued texts in order (streamed word by word) and records every prompt it was given."""

    name = "queue"

    def __init__(self) -> None:
        self._replies: list[str] = []
        self._prompts: list[list[Message]] = []

    def queue(self, *replies: str) -> None:
        self._replies.extend(replies)

    @property
    def prompts(self) -> list[list[Message]]:
        return self._prompts

    def _next(self, messages: Sequence[Message]) -> str:
        self._prompts.append(list(messages))
        if not self._replies:
            raise AssertionError("QueueLLM was called more often than replies were queued")
        return self._replies.pop(0)

    def chat(self, messages: Sequence[Message], **kwargs: Any) -> Reply:
        return assistant(self._next(messages))

    def stream_chat(self, messages: Sequence[Message], **kwargs: Any) -> Replies:
        reply = self._next(messages)

        def gen():
            text = ""
            for piece in re.findall(r"\S+\s*", reply):
                text += piece
                yield assistant(text, piece)

        return gen()


class ScoringLLM(QueueLLM):
    """A QueueLLM that also scores replies (rag.verdict.Scorer): queued log-probabilities per option, and replies
    continued after the decided word."""

    def __init__(self) -> None:
        super().__init__()
        self._scores: list[dict[str, float]] = []
        self._starts: list[str] = []

    def queue_scores(self, *scores: dict[str, float]) -> None:
        self._scores.extend(scores)

    @property
    def starts(self) -> list[str]:
        return self._starts

    def option_logprobs(self, messages: Sequence[Message], options: Sequence[str]) -> dict[str, float]:
        if not self._scores:
            raise AssertionError("ScoringLLM was asked for scores more often than they were queued")
        scores = self._scores.pop(0)
        return {o: scores[o] for o in options}

    def continue_reply(self, messages: Sequence[Message], start: str, **kwargs: Any):
        self._starts.append(start)
        return self.stream_chat(messages)


class SamplingLLM(QueueLLM):
    """A QueueLLM that also samples replies (rag.consistency.Sampler): queued sample lists, one per call."""

    def __init__(self) -> None:
        super().__init__()
        self._samples: list[list[str]] = []
        self._sampled = 0

    def queue_samples(self, *samples: list[str]) -> None:
        self._samples.extend(samples)

    @property
    def sampled(self) -> int:
        return self._sampled

    def samples(self, messages: Sequence[Message], n: int, max_tokens: int) -> list[str]:
        if not self._samples:
            raise AssertionError("SamplingLLM was asked for samples more often than they were queued")
        self._sampled += 1
        return self._samples.pop(0)[:n]
