"""What the chat window does, as plain methods over an `Engine`: answer (streamed, in line), upload, list, remove.

The methods take and return plain values (messages, HTML, dropdown updates) so tests call them directly; answering
is in `ui.answering`.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import gradio as gr

from rag import RagError
from ui import render, uploads
from ui.answering import Answering, Conversation, Turn, View
from ui.progress import relay, with_progress

__all__ = ["Chat", "Conversation", "Library", "Turn", "View"]

Library = tuple[str, Any, str]  # status line, dropdown update, note on the index


class Chat(Answering):
    """The chat window's handlers, bound to one engine shared by every session (sessions keep their own turns)."""

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
            # nothing usable was indexed from them: an earlier upload of the name comes back
            kept = [path.name for path in saved if uploads.discard(path)]
            notes.append(f"✗ {exc}" + (f"; the earlier upload of {', '.join(kept)} is kept." if kept else ""))
        if not notes:
            notes.append("Choose .txt, .md, .html or .pdf files to upload.")
        yield self.library("\n".join(f"- {n}" for n in notes))

    def _outcome(self, saved: list[Path], report) -> list[str]:
        skipped = {Path(s.path).resolve(): s.reason for s in report.skipped}
        notes = []
        for path in saved:
            reason = skipped.get(path.resolve())
            if reason is not None:
                kept = uploads.discard(path)  # the earlier upload of the name stays, indexed as it was
                notes.append(
                    f"✗ {path.name} was not indexed: {reason}" + ("; the earlier upload is kept." if kept else ".")
                )
                continue
            uploads.settle(path)
            if path.name in report.updated:
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
