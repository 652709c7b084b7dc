"""Crash safety: SIGKILL the indexer at random points while it re-indexes; nothing goes missing, the next run finishes."""

import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

from conftest import ROOT
from fakes import hash_embedder

from rag import Engine, Settings
from rag.chunker import chunk

ARTICLES = 12
KILLS = 4
RUNNER = ROOT / "tests" / "crash_runner.py"


def _text(i: int, version: int) -> str:
    body = " ".join(
        f"Report {i} revision {version} sentence {n} mentions topic{i} and edition{version}." for n in range(30)
    )
    return f"Article {i} edition {version}\n\n{body}\n"


def _write(corpus: Path, version: int) -> None:
    for i in range(ARTICLES):
        (corpus / f"a{i:02}.txt").write_text(_text(i, version))


def _chunks(settings: Settings, i: int, version: int) -> int:
    return len(chunk(_text(i, version), settings.chunk_size, settings.chunk_overlap, hash_embedder().tokenize))


def _versions(engine: Engine) -> dict[str, Counter]:
    """source -> Counter(version -> chunks stored)."""
    out: dict[str, Counter] = {}
    for p in engine.store.passages():
        version = _edition(p.text)
        out.setdefault(p.source, Counter())[version] += 1
    return out


def _edition(text: str) -> int:
    import re

    return int(re.search(r"edition(\d+)", text).group(1))


def test_killed_reindex_keeps_every_article_and_the_next_run_finishes(tmp_path, llm, monkeypatch):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    data = tmp_path / "data"
    settings = Settings(
        data_dir=data,
        corpus_dir=corpus,
        embed_model="hash",
        llm="queue",
        chunk_size=64,
        chunk_overlap=8,
        embed_batch_size=2,
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("RAG_")}
    env.update(
        RAG_DATA_DIR=str(data),
        RAG_CORPUS_DIR=str(corpus),
        RAG_EMBED_MODEL="hash",
        RAG_LLM="queue",
        RAG_CHUNK_SIZE="64",
        RAG_CHUNK_OVERLAP="8",
        RAG_EMBED_BATCH_SIZE="2",
        CRASH_DELAY_S="0.05",
    )
    _write(corpus, 0)
    Engine(settings).index()
    rng = random.Random(7)
    mid_run = partial = 0
    for version in range(1, KILLS + 1):
        _write(corpus, version)
        child = subprocess.Popen(
            [sys.executable, str(RUNNER), str(corpus)],
            env=env,
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        assert child.stdout.readline().strip() == "indexing", child.stderr.read()
        if version > 1:  # the first kill lands before any write; the others while articles are being written
            assert child.stdout.readline().startswith("embedded"), child.stderr.read()
            time.sleep(rng.uniform(version - 2, version - 1) * 0.6)  # the writing phase lasts ~2 s here
        mid_run += child.poll() is None
        child.send_signal(signal.SIGKILL)
        child.wait()

        engine = Engine(settings)
        stored = _versions(engine)
        assert set(stored) == {f"a{i:02}.txt" for i in range(ARTICLES)}, "an article went missing"
        for source, counts in stored.items():
            i = int(source[1:3])
            assert set(counts) <= {version - 1, version}, (source, counts)
            # every version present is complete: an article is written whole or not at all
            assert any(n == _chunks(settings, i, v) for v, n in counts.items()), (source, counts)
        partial += len({v for c in stored.values() for v in c}) > 1
        # retrieval still answers for every article, from one of its versions
        for i in range(ARTICLES):
            hits = engine.retriever.retrieve(f"topic{i} report {i}")
            assert any(p.source == f"a{i:02}.txt" for p in hits), i

        report = Engine(settings).index()  # the next run finishes the job
        engine = Engine(settings)
        assert engine.store.documents().keys() == {f"a{i:02}.txt" for i in range(ARTICLES)}
        assert all(set(c) == {version} for c in _versions(engine).values()), report.summary()
        keyword_ids = {p.chunk_id for p in engine.keywords().passages}
        assert keyword_ids == {p.chunk_id for p in engine.store.passages()}, "BM25 index out of step with the store"
    assert mid_run >= 2 and partial >= 1, f"only {mid_run} kills landed mid-run: raise CRASH_DELAY_S"
    print(f"kills mid-run: {mid_run}/{KILLS}, partial states seen: {partial}")
