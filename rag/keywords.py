"""BM25 over the same chunks as the vector store (bm25s), saved under the data dir and rebuilt when the store changes."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import threading
from collections.abc import Iterable
from pathlib import Path

import bm25s
import numpy as np
import Stemmer

from rag.types import Passage

_stemmer = Stemmer.Stemmer("english")


def tokenize(texts: list[str]):
    return bm25s.tokenize(texts, stopwords="en", stemmer=_stemmer, show_progress=False)


class KeywordIndex:
    """An Okapi BM25 index of passages; `generation` ties it to the store contents it was built from."""

    def __init__(self, passages: list[Passage], generation: str) -> None:
        self.passages = passages
        self.generation = generation
        self.bm25 = bm25s.BM25()
        if passages:
            self.bm25.index(tokenize([p.title + "\n" + p.text for p in passages]), show_progress=False)

    def outlets(self) -> set[str]:
        """The outlets (publications) of the indexed passages that have one."""
        if not hasattr(self, "_outlets"):
            self._outlet_of = np.array([p.outlet or "" for p in self.passages], dtype=object)
            self._outlets = {o for o in self._outlet_of if o}
        return self._outlets

    @property
    def vocabulary(self) -> set[str]:
        """Every stemmed, lower-cased word of the indexed chunks (stopwords excluded)."""
        return set(getattr(self.bm25, "vocab_dict", None) or {})

    def search(self, query: str, k: int, outlets: Iterable[str] = ()) -> list[Passage]:
        """The `k` best passages for `query` by Okapi BM25, only from `outlets` when given."""
        if not self.passages or k <= 0:
            return []
        tokens = tokenize([query])
        if not tokens.vocab:
            return []
        mask = None
        if outlets:
            self.outlets()
            mask = np.isin(self._outlet_of, list(outlets)).astype(np.float32)
            if not mask.any():
                return []
        docs, scores = self.bm25.retrieve(
            tokens, k=min(k, len(self.passages)), show_progress=False, n_threads=1, weight_mask=mask
        )
        hits = []
        for i, score in zip(docs[0], scores[0], strict=True):
            if score > 0:
                p = self.passages[int(i)]
                hits.append(Passage(**{**p.__dict__, "score": float(score)}))
        return hits

    def save(self, folder: Path) -> None:
        """Write to a temporary folder, then swap it in: a crash leaves the old index or the new one, never half."""
        tmp = folder.with_name(folder.name + ".tmp")
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir(parents=True)
        if self.passages:
            self.bm25.save(str(tmp / "bm25"))
        rows = [p.__dict__ for p in self.passages]
        (tmp / "passages.json").write_text(json.dumps({"generation": self.generation, "passages": rows}))
        old = folder.with_name(folder.name + ".old")
        shutil.rmtree(old, ignore_errors=True)
        if folder.exists():
            os.replace(folder, old)
        os.replace(tmp, folder)
        shutil.rmtree(old, ignore_errors=True)

    @classmethod
    def load(cls, folder: Path) -> KeywordIndex | None:
        """The saved index, or None when there is none or it cannot be read (the caller rebuilds it)."""
        try:
            data = json.loads((folder / "passages.json").read_text())
            self = cls.__new__(cls)
            self.passages = [Passage(**row) for row in data["passages"]]
            self.generation = data["generation"]
            self.bm25 = bm25s.BM25.load(str(folder / "bm25")) if self.passages else bm25s.BM25()
            return self
        except (OSError, ValueError, KeyError, TypeError):
            return None


_lock = threading.Lock()


def keyword_index(folder: Path, generation: str, passages_of) -> KeywordIndex:
    """The index for `generation`: loaded from `folder` when current, else rebuilt from `passages_of()` and saved."""
    with _lock:
        index = KeywordIndex.load(folder)
        if index is None or index.generation != generation:
            index = KeywordIndex(passages_of(), generation)
            with contextlib.suppress(OSError):  # a read-only data dir still answers, from memory
                index.save(folder)
        return index
