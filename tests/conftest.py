import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from fakes import QueueLLM, hash_embedder  # noqa: E402

import rag  # noqa: E402,F401  (sets the offline environment first)
from rag import models  # noqa: E402
from rag.settings import Settings, get_settings  # noqa: E402

SEEDS = ROOT / "seeds"
BENCHMARKS = ROOT.parent / "shared" / "benchmarks"


@pytest.fixture(autouse=True)
def isolated(tmp_path, monkeypatch):
    """Every test gets its own data dir and settings from a clean environment."""
    for key in list(os.environ):
        if key.startswith("RAG_"):
            monkeypatch.delenv(key)
    monkeypatch.setenv("RAG_DATA_DIR", str(tmp_path / "data"))
    get_settings.cache_clear()
    yield tmp_path
    get_settings.cache_clear()


@pytest.fixture
def llm(monkeypatch) -> QueueLLM:
    """Fake embedder and queued-reply LLM, registered like real backends and selected by settings."""
    models.register_embedder("hash", hash_embedder)
    monkeypatch.setenv("RAG_EMBED_MODEL", "hash")
    return use_llm(monkeypatch, "queue", QueueLLM())


def use_llm(monkeypatch, name: str, fake):
    """Register `fake` as the LLM called `name`, through the same registry as the real ones, and select it."""
    models.register_llm(name, lambda _settings: fake)
    monkeypatch.setenv("RAG_LLM", name)
    get_settings.cache_clear()
    return fake


@pytest.fixture(scope="session")
def gguf() -> Path:
    """The shipped GGUF, assembled once into the repo's default data dir and shared by the slow tests."""
    from rag.llm import shipped_gguf

    return shipped_gguf(Settings(data_dir=ROOT / ".rag-data"))


@pytest.fixture
def real(monkeypatch, gguf) -> None:
    """Real embedder and real LLM, with this test's own data dir."""
    monkeypatch.setenv("RAG_LLM_MODEL_PATH", str(gguf))
    get_settings.cache_clear()
