"""Answer a question from retrieved passages: generate with the LLM, verify each sentence as it completes, cite."""

from __future__ import annotations

import time
from collections.abc import Generator, Iterator
from dataclasses import replace

from llama_index.core.llms import LLM, ChatMessage

from rag import context, prompts
from rag.grounding import Citer, SentenceBuffer, byline, choices, is_yes_no, premises, verdict
from rag.types import Answer, Passage, Sentence, Timings


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
        prompts.PASSAGE.format(key=i, title=_heading(p), text=text)
        for i, (p, text) in enumerate(zip(passages, texts, strict=True), start=1)
        if text
    )
    return [
        ChatMessage(role="system", content=prompts.SYSTEM),
        ChatMessage(
            role="user",
            content=prompts.QUESTION.format(
                passages=context_text,
                question=question,
                form=_form(question),
            ),
        ),
    ]


def _form(question: str) -> str:
    if options := choices(question):
        return prompts.CHOICE_FORM.format(first=options[0], second=options[1])
    return prompts.YES_NO_FORM if is_yes_no(question) else prompts.OPEN_FORM


def _on_premises(citer: Citer, lead: Sentence, question: str) -> Sentence | None:
    """'Yes [1][2].': the model's bare verdict, cited to the spans that state the question's own premises, when at
    least one premise is supported; None otherwise. The verdict is the model's reading of those spans."""
    checked = [citer.check(premise) for premise in premises(question)]
    keys = tuple(dict.fromkeys(k for c in checked if c.supported for k in c.keys))
    if not keys:
        return None
    word = lead.text.strip(" .,;:!")
    text = f"{word} {''.join(f'[{k}]' for k in keys)}."
    return Sentence(text, min(c.score for c in checked if c.supported), True, keys)


def _heading(p: Passage) -> str:
    """'Title (TechCrunch, October 5, 2023)': the model needs the outlet and date to tell articles apart."""
    return f"{_short(p.title)} ({line})" if (line := byline(p)) else _short(p.title)


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

    held: list[Sentence] = []  # a bare "Yes." waits for a supported sentence to stand on
    options = citer.options  # "consistent or inconsistent?" is answered like a yes/no question
    yes_no = is_yes_no(question) or bool(options)  # to any other question, a bare "Yes." is no answer

    def mark_first() -> None:  # the first text the user sees: a verified sentence or the refusal
        if not timings.first_token_s:
            timings.first_token_s = time.perf_counter() - started + timings.retrieve_s

    def release(raw: str) -> str | None:
        checked_at = time.perf_counter()
        sentence = citer.check(raw)
        timings.verify_s += time.perf_counter() - checked_at
        word, claim = verdict(sentence.text, options)
        if word and not claim and yes_no and not answer.sentences and not held:
            held.append(sentence)
            return None
        if sentence.supported and held:  # the verdict comes with the first fact that backs it
            sentence = replace(sentence, text=f"{held.pop().text} {sentence.text}")
        (answer.sentences if sentence.supported else answer.dropped).append(sentence)
        if not sentence.supported:
            return None
        piece = (" " if answer.text else "") + sentence.text
        answer.text += piece
        mark_first()
        return piece

    if passages:
        for part in llm.stream_chat(messages(question, passages, budget_tokens)):
            for raw in buffer.feed(part.delta or ""):
                if (piece := release(raw)) is not None:
                    yield piece
        for raw in buffer.flush():
            if (piece := release(raw)) is not None:
                yield piece
    if held and not answer.sentences and (backed := _on_premises(citer, held[0], question)):
        held.clear()  # a bare verdict stands on the passages that state what the question asks about
        answer.sentences.append(backed)
        answer.text = backed.text
        mark_first()
        yield backed.text
    answer.dropped.extend(held)  # a verdict nothing backs
    timings.generate_s = time.perf_counter() - started - timings.verify_s
    answer.raw = buffer.text
    answer.citations = citer.citations
    if not answer.sentences:
        answer.refused = True
        answer.text = prompts.REFUSAL
        mark_first()
        yield prompts.REFUSAL
    else:
        answer.refused = False
    return answer
