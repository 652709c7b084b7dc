"""What the LLM backends share: llama-index's completion calls answered as one-message chats, so a backend only
implements `chat` and `stream_chat`."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from llama_index.core.base.llms.types import ChatMessage, CompletionResponse, CompletionResponseGen
from llama_index.core.llms import CustomLLM


class ChatLLM(CustomLLM):
    """A chat model behind llama-index's LLM interface: `complete(prompt)` is a chat of one user message."""

    def complete(self, prompt: str, formatted: bool = False, **kwargs: Any) -> CompletionResponse:
        text = self.chat([ChatMessage(role="user", content=prompt)], **kwargs).message.content or ""
        return CompletionResponse(text=text)

    def stream_complete(self, prompt: str, formatted: bool = False, **kwargs: Any) -> CompletionResponseGen:
        def gen() -> Iterator[CompletionResponse]:
            for r in self.stream_chat([ChatMessage(role="user", content=prompt)], **kwargs):
                yield CompletionResponse(text=r.message.content or "", delta=r.delta)

        return gen()
