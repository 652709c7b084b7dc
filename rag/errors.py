"""Errors a user can act on: each message says what went wrong and what to do."""

import os
import sys
from collections.abc import Callable


class RagError(Exception):
    """Base class: the message is meant for the user and names the fix."""


class BadQuestion(RagError, ValueError):
    """The question cannot be answered as asked (empty, too long, unreadable)."""


class CorpusError(RagError):
    """The articles cannot be read (missing folder, nothing indexable)."""


class BrokenIndex(RagError):
    """The index is missing, corrupted, or was built with another embedding model."""


class ModelError(RagError):
    """A model (embedder or LLM) cannot be loaded or reached."""


class StoreUnavailable(RagError):
    """The Chroma server cannot be reached."""


class SettingsError(RagError, ValueError):
    """A RAG_* setting has a value the product cannot use."""


def exit_code(command: Callable[[], int]) -> int:
    """A command line's exit code: the command's own, or 2 after printing a RagError's message, 130 on Ctrl-C, 141
    (as a shell reports SIGPIPE) when the reader of its output went away (`rag eval ... | head`), without a trace."""
    try:
        return command()
    except RagError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # the interpreter flushes stdout on exit
        return 141
