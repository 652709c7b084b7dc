"""The product's chat model behind llama-index's LLM interface, for the llama-index peer (eval.peer) only: the
product itself calls its models through `rag.chat` and imports no llama-index when it answers."""

from collections.abc import Iterator, Sequence
from typing import Any

from llama_index.core.base.llms.types import (
    ChatMessage,
    ChatResponse,
    ChatResponseGen,
    CompletionResponse,
    CompletionResponseGen,
    LLMMetadata,
)
from llama_index.core.llms import CustomLLM
from pydantic import PrivateAttr

from rag import ChatLLM, Message, Reply


class PeerLLM(CustomLLM):
    """A `rag.chat.ChatLLM` as a llama-index chat model; a completion is a chat of one user message."""

    _model: ChatLLM = PrivateAttr()

    def __init__(self, model: ChatLLM) -> None:
        super().__init__()
        self._model = model

    @property
    def metadata(self) -> LLMMetadata:
        m = self._model
        return LLMMetadata(
            context_window=m.context_window, num_output=m.max_tokens, is_chat_model=True, model_name=m.name
        )

    def chat(self, messages: Sequence[ChatMessage], **kwargs: Any) -> ChatResponse:
        return _theirs(self._model.chat(_ours(messages), **kwargs))

    def stream_chat(self, messages: Sequence[ChatMessage], **kwargs: Any) -> ChatResponseGen:
        return (_theirs(r) for r in self._model.stream_chat(_ours(messages), **kwargs))

    def complete(self, prompt: str, formatted: bool = False, **kwargs: Any) -> CompletionResponse:
        return CompletionResponse(text=self._model.chat([Message("user", prompt)], **kwargs).message.content)

    def stream_complete(self, prompt: str, formatted: bool = False, **kwargs: Any) -> CompletionResponseGen:
        def gen() -> Iterator[CompletionResponse]:
            for r in self._model.stream_chat([Message("user", prompt)], **kwargs):
                yield CompletionResponse(text=r.message.content, delta=r.delta)

        return gen()


def _ours(messages: Sequence[ChatMessage]) -> list[Message]:
    return [Message(m.role.value, m.content or "") for m in messages]


def _theirs(reply: Reply) -> ChatResponse:
    return ChatResponse(message=ChatMessage(role="assistant", content=reply.message.content), delta=reply.delta)
