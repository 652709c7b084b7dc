"""First come, first served turns at the local LLM, which answers one question at a time (one llama.cpp context).

Every answer, from the chat or from `/ask`, takes a ticket; the oldest ticket has the model and the others wait in
the order they came, each able to see how many questions are ahead of it. A ticket leaves the line when its answer
ends, however it ends (done, failed, or its generator closed because the page went away).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

Ticket = object  # a place in the line: compared by identity only


class Line:
    def __init__(self) -> None:
        self._tickets: list[Ticket] = []  # oldest first; the first one has the model
        self._moved = threading.Condition()

    @contextmanager
    def ticket(self) -> Iterator[Ticket]:
        """A place at the end of the line, held for the `with` block."""
        ticket = Ticket()
        with self._moved:
            self._tickets.append(ticket)
        try:
            yield ticket
        finally:
            with self._moved:
                self._tickets.remove(ticket)
                self._moved.notify_all()

    def ahead(self, ticket: Ticket) -> int:
        """How many questions will be answered before `ticket`'s (0: it has the model)."""
        with self._moved:
            return self._tickets.index(ticket)

    def waiting(self, ticket: Ticket, every_s: float = 0.5) -> Iterator[int]:
        """Until `ticket` has the model: yield how many are ahead, each time the line moves and every `every_s`.

        The regular yields let a Gradio generator that waits here be closed (the page went away) without delay.
        """
        ahead = self.ahead(ticket)
        while ahead:
            yield ahead
            with self._moved:
                if self._tickets.index(ticket) == ahead:  # not moved since: wait for the next departure
                    self._moved.wait(every_s)
                ahead = self._tickets.index(ticket)

    def wait_turn(self, ticket: Ticket) -> None:
        """Block until `ticket` has the model."""
        with self._moved:
            self._moved.wait_for(lambda: self._tickets.index(ticket) == 0)
