"""Grounded question answering over news articles: `ask()` answers with citations to the exact passages."""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING

from rag import offline  # noqa: F401  (must run before any model or Chroma import)

# each public name and the module it lives in, imported when first used: a new `rag ask` reads its settings and
# starts loading the model (rag.models.load_early) before the engine's own imports (~0.5 s) are done
_HOMES = {
    "AnswerStream": "rag.answerer",
    "ChatLLM": "rag.chat",
    "Message": "rag.chat",
    "Reply": "rag.chat",
    "strip_markers": "rag.cite",
    "Engine": "rag.engine",
    "History": "rag.engine",
    "default_engine": "rag.engine",
    "BadQuestion": "rag.errors",
    "BrokenIndex": "rag.errors",
    "CorpusError": "rag.errors",
    "ModelError": "rag.errors",
    "RagError": "rag.errors",
    "SettingsError": "rag.errors",
    "StoreUnavailable": "rag.errors",
    "exit_code": "rag.errors",
    "IndexReport": "rag.indexer",
    "Progress": "rag.indexer",
    "SUFFIXES": "rag.loader",
    "MB": "rag.loader",
    "Article": "rag.loader",
    "NOT_FOUND": "rag.prompts",
    "REFUSAL": "rag.prompts",
    "UNVERIFIED": "rag.prompts",
    "UNVERIFIEDS": "rag.prompts",
    "Settings": "rag.settings",
    "get_settings": "rag.settings",
    "Answer": "rag.types",
    "Citation": "rag.types",
    "Passage": "rag.types",
    "Sentence": "rag.types",
    "Timings": "rag.types",
}

if TYPE_CHECKING:
    from rag.answerer import AnswerStream
    from rag.chat import ChatLLM, Message, Reply
    from rag.cite import strip_markers
    from rag.engine import Engine, History, default_engine
    from rag.errors import (
        BadQuestion,
        BrokenIndex,
        CorpusError,
        ModelError,
        RagError,
        SettingsError,
        StoreUnavailable,
        exit_code,
    )
    from rag.indexer import IndexReport, Progress
    from rag.loader import MB, SUFFIXES, Article
    from rag.prompts import NOT_FOUND, REFUSAL, UNVERIFIED, UNVERIFIEDS
    from rag.settings import Settings, get_settings
    from rag.types import Answer, Citation, Passage, Sentence, Timings


def __getattr__(name: str) -> object:
    """A public name (`rag.Engine`, `from rag import Answer`), imported from its module on first use."""
    if name not in _HOMES:
        raise AttributeError(f"module 'rag' has no attribute {name!r}")
    value = getattr(import_module(_HOMES[name]), name)
    globals()[name] = value
    return value


def ask(question: str, history: History = ()) -> Answer:
    """Answer `question` from the indexed articles (indexing the corpus folder on first use)."""
    from rag.engine import default_engine

    return default_engine().ask(question, history)


def ask_stream(question: str, history: History = ()) -> AnswerStream:
    """Like `ask`, but iterate for the verified text as it is generated; `.answer` holds the `Answer` afterwards."""
    from rag.engine import default_engine

    return default_engine().stream(question, history)


def index(*paths: str) -> IndexReport:
    """Index articles from `paths` (default: the corpus folder)."""
    from pathlib import Path

    from rag.engine import default_engine

    return default_engine().index([Path(p) for p in paths] or None)


__all__ = [
    "MB",
    "NOT_FOUND",
    "REFUSAL",
    "SUFFIXES",
    "UNVERIFIED",
    "UNVERIFIEDS",
    "Answer",
    "AnswerStream",
    "Article",
    "BadQuestion",
    "BrokenIndex",
    "ChatLLM",
    "Citation",
    "CorpusError",
    "Engine",
    "IndexReport",
    "Message",
    "ModelError",
    "Passage",
    "Progress",
    "RagError",
    "Reply",
    "SettingsError",
    "Sentence",
    "Settings",
    "StoreUnavailable",
    "Timings",
    "ask",
    "ask_stream",
    "default_engine",
    "exit_code",
    "get_settings",
    "index",
    "strip_markers",
]
