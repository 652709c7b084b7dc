"""Answering in the chat window: each tab's questions in order, every question in one fair line for the model.

A question is added to its tab's `Conversation` the moment it is sent and shows as queued; `answer` then works
through the tab's waiting questions one at a time, in the order sent. Before its turn at the model a question shows
how many are ahead of it (`ui.line`), then its answer streams in its place.
"""

from __future__ import annotations

import itertools
import logging
import threading
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, field
from functools import partial
from typing import Any

import gradio as gr

from rag import AnswerStream, Engine, RagError
from ui import render
from ui.line import Line
from ui.progress import relay, with_progress

log = logging.getLogger(__name__)
SHOWN_QUESTION_CHARS = 600  # a huge (refused) question is shown cut short


@dataclass(eq=False)  # turns are told apart by identity: two alike questions are still two turns
class Turn:
    """One exchange of a session: what the chat shows, what goes back to the engine as history, and its sources."""

    question: str
    reply: str  # the assistant message as shown (queued, progress, the answer with linked citations, or an error)
    answer: str | None = None  # the verified answer text; None when the turn ended in an error
    sources: str = ""  # this answer's section of the sources panel
    waiting: bool = False  # sent, and its answer not started yet


@dataclass
class Conversation:
    """One browser tab's turns, shared by all of that tab's events.

    Kept in a `gr.State`, which gives each tab a fresh copy and then hands that same object to every event of the tab,
    so a question sent while an answer is streaming is added to the same turns, not to a stale copy of them.
    """

    turns: list[Turn] = field(default_factory=list)
    answering: bool = False  # an event of this tab is working through its waiting turns


View = tuple[list[dict], str]  # chat messages, sources panel HTML
UNCHANGED: Any = (gr.skip(), gr.skip())


class Answering:
    """The answering handlers, over one engine shared by every tab (each tab keeps its own `Conversation`)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.line = Line()
        self._lock = threading.Lock()  # guards the conversations' turn lists and `answering` flags (held briefly)

    def send(self, question: str, conversation: Conversation) -> tuple[str, list[dict], str]:
        """The box was submitted: empty it and show the question as queued (`answer` answers it)."""
        return ("", *self.add(question, conversation))

    def add(self, question: str, conversation: Conversation) -> View:
        with self._lock:
            busy = conversation.answering or any(t.waiting for t in conversation.turns)
            conversation.turns.append(Turn(question, render.AFTER_PREVIOUS if busy else render.QUEUED, waiting=True))
        return self.view(conversation)

    def answer(self, conversation: Conversation) -> Iterator[View]:
        """Answer the tab's waiting questions one at a time, in the order sent, streaming each into the chat.

        An event of the same tab that finds one already at work changes nothing: that one goes on to the questions
        sent meanwhile once the earlier ones are answered, so none is lost, answered twice or mixed with another.
        (It still yields once: a Gradio generator that yields nothing would blank the chat.)
        """
        with self._lock:
            busy, conversation.answering = conversation.answering, True
        if busy:
            yield UNCHANGED
            return
        answered = 0
        try:
            while (turn := self._next(conversation)) is not None:
                yield from self._answer(conversation, turn)
                answered += 1
        except BaseException:  # closed mid-answer (the page went away): the tab's next event takes over
            with self._lock:
                conversation.answering = False
            raise
        if not answered:
            yield UNCHANGED

    def _next(self, conversation: Conversation) -> Turn | None:
        """Take the tab's oldest waiting turn; when none is left, the tab is no longer answering."""
        with self._lock:
            turn = next((t for t in conversation.turns if t.waiting), None)
            if turn is None:
                conversation.answering = False
            else:
                turn.waiting = False
            return turn

    def _answer(self, conversation: Conversation, turn: Turn) -> Iterator[View]:
        """Stream the answer to `turn`, with the answered turns before it as history; errors become messages."""
        earlier = list(itertools.takewhile(lambda t: t is not turn, conversation.turns))
        history = [(t.question, t.answer) for t in earlier if t.answer is not None]
        number = len(earlier) + 1
        show = partial(self._show, conversation, turn)
        try:
            stream = self.engine.stream(turn.question, history)  # a bad question raises here, before any work
            if self._needs_seeds():  # index here only to show its progress: the engine's own check is then a no-op
                yield from relay(
                    with_progress(
                        lambda p: self.engine.ensure_indexed(progress=p), "Indexing the articles (first use)"
                    ),
                    show,
                )
            with self.line.ticket() as ticket:
                for ahead in self.line.waiting(ticket):
                    if turn not in conversation.turns:  # the chat was cleared while it waited
                        break
                    yield show(render.queued(ahead))
                else:
                    yield from self._write(conversation, turn, stream, number)
        except RagError as exc:
            turn.reply = render.error(str(exc))
        except Exception as exc:  # never crash the page: say what happened, keep the session
            log.exception("answering %r failed", turn.question)
            turn.reply = render.error(
                f"Something went wrong while answering ({type(exc).__name__}: {exc}). "
                "Try again; if it keeps happening, the server's log has the details."
            )
        yield self.view(conversation)

    def _write(self, conversation: Conversation, turn: Turn, stream: AnswerStream, number: int) -> Iterator[View]:
        """Stream the answer into `turn`, then link its citations; stop if the chat is cleared meanwhile."""
        yield self._show(conversation, turn, render.SEARCHING)
        text = ""
        for piece in stream:
            if turn not in conversation.turns:  # nobody will read the rest
                return
            text += piece
            yield self._show(conversation, turn, render.link_citations(text, number))
        answer = stream.answer
        turn.answer = answer.text
        turn.reply = render.reply(answer, number)
        turn.sources = render.sources(number, answer)

    def view(self, conversation: Conversation) -> View:
        turns: Sequence[Turn] = list(conversation.turns)
        messages: list[dict] = []
        for t in turns:
            shown = t.question if len(t.question) <= SHOWN_QUESTION_CHARS else t.question[:SHOWN_QUESTION_CHARS] + "…"
            messages.append({"role": "user", "content": shown})
            messages.append({"role": "assistant", "content": t.reply})
        sections = [(i, t.sources) for i, t in enumerate(turns, start=1) if t.sources]
        return messages, render.panel(sections)

    def _show(self, conversation: Conversation, turn: Turn, line: str) -> View:
        turn.reply = line
        return self.view(conversation)

    def clear(self, conversation: Conversation) -> View:
        """Start over: questions still waiting are dropped, and an answer being written stops."""
        with self._lock:
            conversation.turns = []
        return self.view(conversation)

    def api_ask(self, question: str, history: list[list[str]] | None = None) -> tuple[str, list[dict]]:
        """The `/ask` API: the verified answer text and its citations (source, quote, start, end, ...).

        It waits in the same line as the chat's questions."""
        pairs = []
        for pair in history or []:
            if not (isinstance(pair, list | tuple) and len(pair) == 2 and all(isinstance(x, str) for x in pair)):
                raise gr.Error("history must be a list of [question, answer] pairs of text.")
            pairs.append((pair[0], pair[1]))
        try:
            stream = self.engine.stream(question, pairs)  # a bad question is refused before it waits
            with self.line.ticket() as ticket:
                self.line.wait_turn(ticket)
                answer = stream.collect()
        except RagError as exc:
            raise gr.Error(str(exc)) from exc
        return answer.text, [asdict(c) for c in answer.citations]

    def _needs_seeds(self) -> bool:
        return self.engine.count() == 0 and self.engine.settings.corpus_dir.is_dir()
