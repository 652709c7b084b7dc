"""The chat window over `rag`: `build_app(engine)` builds the Gradio page, `launch(host, port)` serves it."""

from ui.app import build_app, launch, start

__all__ = ["build_app", "launch", "start"]
