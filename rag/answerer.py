"""Answer a question from retrieved passages: generate with the LLM, verify each sentence as it completes, cite."""

from __future__ import annotations

import time
from collections.abc import Generator, Iterator

from llama_index.core.llms import LLM, ChatMessage

from rag import context, prompts
from rag.grounding import Citer, SentenceBuffer
from rag.types import Answer, Passage, Timings


class AnswerStream:
    """Iterate to get the verified answer text piece by piece; `answer` holds the full `Answer` afterwards."""

    def __init__(self, gen: Generator[str, None, Answer]) -> None:
        self._gen = gen
        self.answer: Answer | None = None

    def __iter__(self) -> Iterator[str]:
        self.answer = yield from self._gen

    def collect(self) -> Answer:
        for _ in self:
            pass
        assert self.answer is not None
        return self.answer


def messages(question: str, passages: list[Passage], budget_tokens: int = 0) -> list[ChatMessage]:
    """System rules plus the question and, per passage, the sentences that bear on it (see rag.context)."""
    texts = context.select(question, passages, budget_tokens)
    context_text = "\n\n".join(
        prompts.PASSAGE.format(key=i, title=_short(p.title), text=text)
        for i, (p, text) in enumerate(zip(passages, texts, strict=True), start=1)
        if text
    )
    return [
        ChatMessage(role="system", content=prompts.SYSTEM),
        ChatMessage(role="user", content=prompts.QUESTION.format(passages=context_text, question=question)),
    ]


def _short(title: str, words: int = 12) -> str:
    parts = title.split()
    return " ".join(parts[:words]) + ("…" if len(parts) > words else "")


def generate(
    llm: LLM, question: str, passages: list[Passage], threshold: float, timings: Timings, budget_tokens: int = 0
) -> Generator[str, None, Answer]:
    """Stream the LLM's answer, releasing each sentence only once a passage supports it; refuse if none does."""
    started = time.perf_counter()
    answer = Answer(question=question, text="", refused=True, passages=passages, timings=timings)
    citer = Citer(passages, threshold, question)
    buffer = SentenceBuffer()

    def release(raw: str) -> str | None:
        checked_at = time.perf_counter()
        sentence = citer.check(raw)
        timings.verify_s += time.perf_counter() - checked_at
        (answer.sentences if sentence.supported else answer.dropped).append(sentence)
        if not sentence.supported:
            return None
        piece = (" " if answer.text else "") + sentence.text
        answer.text += piece
        if not timings.first_token_s:
            timings.first_token_s = time.perf_counter() - started + timings.retrieve_s
        return piece

    if passages:
        for part in llm.stream_chat(messages(question, passages, budget_tokens)):
            for raw in buffer.feed(part.delta or ""):
                if (piece := release(raw)) is not None:
                    yield piece
        for raw in buffer.flush():
            if (piece := release(raw)) is not None:
                yield piece
    timings.generate_s = time.perf_counter() - started - timings.verify_s
    answer.raw = buffer.text
    answer.citations = citer.citations
    if not answer.sentences:
        answer.refused = True
        answer.text = prompts.REFUSAL
        if not timings.first_token_s:
            timings.first_token_s = time.perf_counter() - started + timings.retrieve_s
        yield prompts.REFUSAL
    else:
        answer.refused = False
    return answer
