"""Chat messages, replies, and what every LLM backend implements (the local llama.cpp model, an OpenAI-compatible
server, the test fakes): plain dataclasses, so that answering a question imports no LLM framework (llama-index's
core alone costs 1.5-3.5 s at the start of every process; it stays for the llama-index peer and the server client)."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Message:
    role: str  # "system", "user" or "assistant"
    content: str


@dataclass(frozen=True)
class Reply:
    """A reply, or a streamed reply so far: `message.content` is the text up to now, `delta` what this step added."""

    message: Message
    delta: str = ""


Replies = Iterator[Reply]


def assistant(text: str, delta: str = "") -> Reply:
    """The assistant's reply `text` (with `delta`, a step of a stream)."""
    return Reply(Message("assistant", text), delta)


class ChatLLM(ABC):
    """A chat model: `stream_chat` streams a reply to `messages`; `chat` collects it. Keyword arguments a backend
    honours: `max_tokens`."""

    max_tokens: int = 160
    context_window: int = 4096
    name: str = "chat model"

    @abstractmethod
    def stream_chat(self, messages: Sequence[Message], **kwargs: Any) -> Replies: ...

    def chat(self, messages: Sequence[Message], **kwargs: Any) -> Reply:
        text = "".join(r.delta for r in self.stream_chat(messages, **kwargs))
        return assistant(text)
