"""The chat window over `rag`: `build_app(engine)` builds the Gradio page, `start`/`launch(host, port)` serve it."""

import rag  # noqa: F401  (first: no analytics or hub access, even before gradio is imported)
from ui.app import build_app, launch, start

__all__ = ["build_app", "launch", "start"]
