"""Run a slow step (indexing) in a thread and report its progress as status lines a Gradio generator can yield."""

from __future__ import annotations

import threading
from collections.abc import Callable, Generator
from typing import Any, TypeVar

from rag import Progress

T = TypeVar("T")


class _Tracker:
    def __init__(self) -> None:
        self.done = 0
        self.total = 0
        self.result = None
        self.error: BaseException | None = None

    def __call__(self, done: int, total: int) -> None:
        self.done, self.total = done, total


def with_progress(task: Callable[[Progress], T], label: str, every_s: float = 0.3) -> Generator[str, None, T]:
    """Yield "label: done/total chunks" lines while `task(progress)` runs; return its result or raise its error."""
    tracker = _Tracker()

    def run() -> None:
        try:
            tracker.result = task(tracker)
        except BaseException as exc:  # handed to the caller's thread below
            tracker.error = exc

    thread = threading.Thread(target=run, name=f"ui-{label}", daemon=True)
    thread.start()
    yield f"{label}…"
    while thread.is_alive():
        thread.join(every_s)
        if tracker.total:
            yield f"{label}: {tracker.done}/{tracker.total} passages embedded"
    if tracker.error is not None:
        raise tracker.error
    return tracker.result  # type: ignore[return-value]


def relay(steps: Generator[str, None, T], show: Callable[[str], Any]) -> Generator[Any, None, T]:
    """Yield `show(line)` for each progress line of `steps`, then return its result."""
    while True:
        try:
            line = next(steps)
        except StopIteration as stop:
            return stop.value
        yield show(line)
