"""Grounded question answering over news articles: `ask()` answers with citations to the exact passages."""

from rag import offline  # noqa: F401  (must run before any model or Chroma import)
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
from rag.loader import SUFFIXES, Article
from rag.prompts import NOT_FOUND, REFUSAL
from rag.settings import Settings, get_settings
from rag.types import Answer, Citation, Passage, Sentence, Timings


def ask(question: str, history: History = ()) -> Answer:
    """Answer `question` from the indexed articles (indexing the corpus folder on first use)."""
    return default_engine().ask(question, history)


def ask_stream(question: str, history: History = ()) -> AnswerStream:
    """Like `ask`, but iterate for the verified text as it is generated; `.answer` holds the `Answer` afterwards."""
    return default_engine().stream(question, history)


def index(*paths: str) -> IndexReport:
    """Index articles from `paths` (default: the corpus folder)."""
    from pathlib import Path

    return default_engine().index([Path(p) for p in paths] or None)


__all__ = [
    "NOT_FOUND",
    "REFUSAL",
    "SUFFIXES",
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
