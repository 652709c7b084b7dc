"""`rag bench multihop --scale`: retrieval time as the collection grows to 10k and 100k chunks."""

from __future__ import annotations

import random
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from eval.metrics import percentile
from rag.engine import Engine
from rag.settings import Settings
from rag.store import Rows

BATCH = 4000  # chunks per write


def scale(base: Settings, answerable: list[dict], sizes: Sequence[int] = (10_000, 100_000), n_queries: int = 100):
    """Grow the real chunks to `sizes` with perturbed copies, then time the default retrieval on real queries.

    A copy's text is its original with 15% of its words dropped at random (so BM25 sees new, similar documents);
    its vector is the original's plus Gaussian noise (sigma 0.02 per dimension, about 0.4 in norm before
    re-normalising), so no extra embedding is needed. Copies keep their original's outlet and date."""
    rng = random.Random(0)
    np_rng = np.random.default_rng(0)
    real = Engine(base).rows()
    ids, docs, metas = real.ids, real.texts, real.metadatas
    vectors = np.asarray(real.embeddings, dtype=np.float32)
    print(f"scale: {len(ids)} real chunks; perturbed copies up to {', '.join(f'{s:,}' for s in sizes)}", flush=True)
    picked = answerable[:n_queries]
    for size in sizes:
        settings = base.model_copy(update={"collection": f"scale-{size}"})
        engine = Engine(settings)
        engine.drop()
        engine.count()  # opens the collection anew, empty, before measuring the folder
        before = _size(settings.data_dir)
        started = time.perf_counter()
        for at in range(0, size, BATCH):
            batch = Rows([], [], [], [])
            for i in range(at, min(at + BATCH, size)):
                j = i % len(ids)
                if i < len(ids):
                    text, vec = docs[j], vectors[j]
                else:
                    words = docs[j].split()
                    text = " ".join(w for w in words if rng.random() > 0.15) or docs[j]
                    vec = vectors[j] + np_rng.normal(0, 0.02, vectors.shape[1]).astype(np.float32)
                    vec = vec / np.linalg.norm(vec)
                meta = dict(metas[j])
                meta.update(source=f"copy{i // len(ids)}/{meta['source']}", end=meta["start"] + len(text))
                batch.ids.append(f"{i}:{ids[j]}")
                batch.texts.append(text)
                batch.metadatas.append(meta)
                batch.embeddings.append(vec.tolist())
            engine.add_bulk(batch)
        engine.keywords()
        build = time.perf_counter() - started
        retriever = engine.retriever
        retriever.retrieve("warm up", 10)
        times = []
        for q in picked:
            t = time.perf_counter()
            retriever.retrieve(q["query"], 10)
            times.append((time.perf_counter() - t) * 1000)
        p50, p95 = percentile(times, 50), percentile(times, 95)
        size_mb = (_size(settings.data_dir) - before) / 2**20
        print(
            f"  {size:>7,} chunks: retrieval p50 {p50:.1f} ms, p95 {p95:.1f} ms over {len(picked)} queries; "
            f"inserted+BM25 in {build:.0f}s; index {size_mb:.0f} MB (Chroma + BM25)",
            flush=True,
        )


def _size(folder: Path) -> int:
    return sum(f.stat().st_size for f in folder.rglob("*") if f.is_file())
