"""What the chat window does, as plain methods over an `Engine`: answer (streamed), upload, list, remove, clear.

The methods take and return plain values (messages, HTML, dropdown updates) so tests call them directly.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Generator, Iterator, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, TypeVar

import gradio as gr

from rag.engine import Engine
from rag.errors import RagError
from ui import render, uploads
from ui.progress import with_progress

log = logging.getLogger(__name__)
T = TypeVar("T")
SHOWN_QUESTION_CHARS = 600  # a huge (refused) question is shown cut short


@dataclass
class Turn:
    """One exchange of a session: what the chat shows, what goes back to the engine as history, and its sources."""

    question: str
    reply: str  # the assistant message as shown (answer with linked citations, or an error)
    answer: str | None = None  # the verified answer text; None when the turn ended in an error
    sources: str = ""  # this answer's section of the sources panel


View = tuple[list[dict], str, list[Turn]]  # chat messages, sources panel HTML, the session's turns
Library = tuple[str, Any, str]  # status line, dropdown update, note on the index


def relay(steps: Generator[str, None, T], show: Callable[[str], Any]) -> Generator[Any, None, T]:
    """Yield `show(line)` for each progress line of `steps`, then return its result."""
    while True:
        try:
            line = next(steps)
        except StopIteration as stop:
            return stop.value
        yield show(line)


class Chat:
    """The chat window's handlers, bound to one engine shared by every session (sessions keep their own turns)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    # -- answering -------------------------------------------------------------------------------------------
    def respond(self, question: str, turns: Sequence[Turn]) -> Iterator[View]:
        """Stream the answer to `question` into the chat, with the earlier turns as history; errors become messages."""
        turns = list(turns)
        history = [(t.question, t.answer) for t in turns if t.answer is not None]
        turn = Turn(question=question, reply="Searching the articles…")
        turns.append(turn)
        number = len(turns)
        yield self.view(turns)
        try:
            stream = self.engine.stream(question, history)  # a bad question raises here, before any work
            if self._needs_seeds():  # index here only to show its progress: the engine's own check is then a no-op
                yield from relay(
                    with_progress(
                        lambda p: self.engine.ensure_indexed(progress=p), "Indexing the articles (first use)"
                    ),
                    lambda line: self._show(turns, turn, line),
                )
                turn.reply = "Searching the articles…"
                yield self.view(turns)
            text = ""
            for piece in stream:
                text += piece
                turn.reply = render.link_citations(text, number)
                yield self.view(turns)
            answer = stream.answer
            turn.answer = answer.text
            turn.reply = render.link_citations(answer.text, number, answer.citations)
            turn.sources = render.sources(number, answer)
        except RagError as exc:
            turn.reply = render.error(str(exc))
        except Exception as exc:  # never crash the page: say what happened, keep the session
            log.exception("answering %r failed", question)
            turn.reply = render.error(
                f"Something went wrong while answering ({type(exc).__name__}: {exc}). "
                "Try again; if it keeps happening, the server's log has the details."
            )
        yield self.view(turns)

    def view(self, turns: Sequence[Turn]) -> View:
        messages: list[dict] = []
        for t in turns:
            shown = t.question if len(t.question) <= SHOWN_QUESTION_CHARS else t.question[:SHOWN_QUESTION_CHARS] + "…"
            messages.append({"role": "user", "content": shown})
            messages.append({"role": "assistant", "content": t.reply})
        sections = [(i, t.sources) for i, t in enumerate(turns, start=1) if t.sources]
        return messages, render.panel(sections), list(turns)

    def _show(self, turns: list[Turn], turn: Turn, line: str) -> View:
        turn.reply = line
        return self.view(turns)

    def clear(self) -> View:
        return self.view([])

    def api_ask(self, question: str, history: list[list[str]] | None = None) -> tuple[str, list[dict]]:
        """The `/ask` API: the verified answer text and its citations (source, quote, start, end, ...)."""
        pairs = []
        for pair in history or []:
            if not (isinstance(pair, list | tuple) and len(pair) == 2 and all(isinstance(x, str) for x in pair)):
                raise gr.Error("history must be a list of [question, answer] pairs of text.")
            pairs.append((pair[0], pair[1]))
        try:
            answer = self.engine.ask(question, pairs)
        except RagError as exc:
            raise gr.Error(str(exc)) from exc
        return answer.text, [asdict(c) for c in answer.citations]

    # -- the article library ---------------------------------------------------------------------------------
    def start(self) -> Iterator[Library]:
        """On page load: index the sample articles if the index is empty (showing progress), then list articles."""
        try:
            if self._needs_seeds():
                yield from relay(
                    with_progress(lambda p: self.engine.ensure_indexed(progress=p), "Indexing the sample articles"),
                    lambda line: (line, gr.skip(), gr.skip()),
                )
            yield self.library("")
        except RagError as exc:
            yield render.error(str(exc)), gr.skip(), gr.skip()

    def library(self, status: str) -> Library:
        documents = self.engine.documents()
        return status, gr.update(choices=render.choices(documents), value=None), render.library(documents)

    def upload(self, files: Sequence[str] | None) -> Iterator[Library]:
        """Check and store each file under the uploads folder, index them with progress, and report per file."""
        settings = self.engine.settings
        notes: list[str] = []
        saved: list[Path] = []
        try:
            known = self.engine.documents()
            for file in files or []:
                try:
                    saved.append(uploads.save(Path(file), Path(file).name, settings, known))
                except RagError as exc:
                    notes.append(f"✗ {exc}")
            if saved:
                report = yield from relay(
                    with_progress(lambda p: self.engine.index([settings.uploads_dir], progress=p), "Indexing uploads"),
                    lambda line: (line, gr.skip(), gr.skip()),
                )
                notes += self._outcome(saved, report)
        except RagError as exc:
            for path in saved:  # nothing usable was indexed from them: do not keep them around
                path.unlink(missing_ok=True)
            notes.append(f"✗ {exc}")
        if not notes:
            notes.append("Choose .txt, .md, .html or .pdf files to upload.")
        yield self.library("\n".join(f"- {n}" for n in notes))

    def _outcome(self, saved: list[Path], report) -> list[str]:
        skipped = {Path(s.path).resolve(): s.reason for s in report.skipped}
        notes = []
        for path in saved:
            reason = skipped.get(path.resolve())
            if reason is not None:
                path.unlink(missing_ok=True)
                notes.append(f"✗ {path.name} was not indexed: {reason}.")
            elif path.name in report.updated:
                notes.append(f"✓ {path.name} re-indexed (it replaced the earlier upload).")
            elif path.name in report.unchanged:
                notes.append(f"✓ {path.name} is already indexed, unchanged.")
            else:
                notes.append(f"✓ {path.name} indexed.")
        return notes

    def remove(self, source: str | None) -> Library:
        """Remove an article from the index, and its file when it was uploaded here."""
        if not source:
            return self.library("Pick an article to remove first.")
        try:
            root = self.engine.origin(source)
            if root is None:
                raise RagError(f"{source!r} is not indexed (any more); the list shows what is.")
            self.engine.remove(source)
            uploaded = root == str(self.engine.settings.uploads_dir.resolve())
            if uploaded:
                uploads.delete(source, self.engine.settings)
            return self.library(f"Removed {source}" + (" and deleted the uploaded file." if uploaded else "."))
        except RagError as exc:
            return self.library(render.error(str(exc)))

    def _needs_seeds(self) -> bool:
        return self.engine.count() == 0 and self.engine.settings.corpus_dir.is_dir()
