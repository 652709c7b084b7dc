"""BM25 over the same chunks as the vector store (bm25s), saved under the data dir and rebuilt when the store changes."""

from __future__ import annotations

import contextlib
import json
import logging
import os
import re
import shutil
import threading
from collections.abc import Callable, Iterable
from itertools import pairwise
from pathlib import Path
from typing import TYPE_CHECKING

import bm25s
import numpy as np
from bm25s.stopwords import STOPWORDS_EN

from rag.lexicon import stem
from rag.types import Passage

# bm25s sets its own logger to DEBUG when imported: every program using this module would print its "Building
# index from IDs objects" through any handler. Undone here, where it is imported, for the CLI, `ask()` and eval alike.
logging.getLogger("bm25s").setLevel(logging.WARNING)

if TYPE_CHECKING:
    from rag.settings import Settings

_word = re.compile(r"(?u)\b\w\w+\b")  # bm25s's token pattern
_stop = frozenset(STOPWORDS_EN)
PAIR_CACHE = 10_000  # passages whose word pairs stay in memory (~10 KB each)


def _stem_all(words: list[str]) -> list[str]:
    return [stem(w) for w in words]


def tokenize(texts: list[str]):
    return bm25s.tokenize(texts, stopwords="en", stemmer=_stem_all, show_progress=False)


def words_of(text: str) -> list[str]:
    """The stemmed, lower-cased words of `text` without stopwords, in order: what `tokenize` gives the index."""
    return _stem_all([w for w in _word.findall(text.lower()) if w not in _stop])


class KeywordIndex:
    """An Okapi BM25 index of passages; `generation` ties it to the store contents it was built from."""

    def __init__(
        self,
        passages: list[Passage],
        generation: str,
        k1: float = 0.9,
        b: float = 0.4,
        bm25: bm25s.BM25 | None = None,
    ) -> None:
        """Index `passages`, or take `bm25`, an index of them already built (`load`)."""
        self.passages = passages
        self.generation = generation
        self.params = {"k1": k1, "b": b}
        if bm25 is None:
            bm25 = bm25s.BM25(k1=k1, b=b)
            if passages:
                bm25.index(tokenize([p.title + "\n" + p.text for p in passages]), show_progress=False)
        self.bm25 = bm25
        names = [p.outlet or "" for p in passages]
        self._outlets = {o for o in names if o}
        self._codes = {o: i for i, o in enumerate(sorted(self._outlets), start=1)}
        self._outlet_code = np.array([self._codes.get(o, 0) for o in names], dtype=np.int32)
        self._masks: dict[frozenset[str], np.ndarray] = {}
        self._pair_cache: dict[int, set[int]] = {}

    def outlets(self) -> set[str]:
        """The outlets (publications) of the indexed passages that have one."""
        return self._outlets

    @property
    def vocabulary(self) -> set[str]:
        """Every stemmed, lower-cased word of the indexed chunks (stopwords excluded)."""
        return set(getattr(self.bm25, "vocab_dict", None) or {})

    def search(self, query: str, k: int, outlets: Iterable[str] = (), phrase_boost: float = 0.0) -> list[Passage]:
        """The `k` best passages for `query` by Okapi BM25, only from `outlets` when given. With `phrase_boost`,
        each shared pair of adjacent query words (a phrase: "interest rates", "Sam Bankman-Fried") adds that share
        of the best BM25 score, so passages that keep the question's words together rise."""
        if not self.passages or k <= 0:
            return []
        vocab = self.bm25.vocab_dict
        query_words = words_of(query)
        words = [w for w in query_words if w in vocab]
        if not words:
            return []
        scores = self.bm25.get_scores(words)
        if outlets:
            mask = self._mask(frozenset(outlets))
            if not mask.any():
                return []
            scores = scores * mask
        k = min(k, len(scores))
        top = np.argpartition(-scores, k - 1)[:k]
        top = [int(i) for i in top[np.argsort(-scores[top], kind="stable")] if scores[i] > 0]
        final = {i: float(scores[i]) for i in top}
        pairs = {hash(pair) for pair in pairwise(query_words)}
        if phrase_boost and pairs and top:
            best = final[top[0]]
            for i in top:
                final[i] += phrase_boost * best * len(pairs & self._pairs(i))
            top.sort(key=lambda i: -final[i])  # stable: BM25 order breaks ties
        return [Passage(**{**self.passages[i].__dict__, "score": final[i]}) for i in top]

    def _pairs(self, i: int) -> set[int]:
        """Adjacent word pairs of passage `i` (title and text), hashed; the last PAIR_CACHE passages' are kept."""
        if i not in self._pair_cache:
            if len(self._pair_cache) >= PAIR_CACHE:
                del self._pair_cache[next(iter(self._pair_cache))]  # the oldest
            words = words_of(self.passages[i].title + "\n" + self.passages[i].text)
            self._pair_cache[i] = {hash(pair) for pair in pairwise(words)}
        return self._pair_cache[i]

    def _mask(self, outlets: frozenset[str]) -> np.ndarray:
        """1.0 for the passages from `outlets`, else 0.0 (cached: questions name the same outlets again and again)."""
        if outlets not in self._masks:
            wanted = [self._codes[o] for o in outlets if o in self._codes]
            self._masks[outlets] = np.isin(self._outlet_code, wanted).astype(np.float32)
        return self._masks[outlets]

    def save(self, folder: Path) -> None:
        """Write to a temporary folder, then swap it in: a crash leaves the old index or the new one, never half."""
        tmp = folder.with_name(folder.name + ".tmp")
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir(parents=True)
        if self.passages:
            self.bm25.save(str(tmp / "bm25"))
        rows = [p.__dict__ for p in self.passages]
        (tmp / "passages.json").write_text(
            json.dumps({"generation": self.generation, "params": self.params, "passages": rows})
        )
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
            passages = [Passage(**row) for row in data["passages"]]
            bm25 = bm25s.BM25.load(str(folder / "bm25")) if passages else bm25s.BM25()
            return cls(passages, data["generation"], **data["params"], bm25=bm25)
        except (OSError, ValueError, KeyError, TypeError):
            return None


_lock = threading.Lock()


def _folder(settings: Settings) -> Path:
    return settings.data_dir / "keywords" / settings.collection


def discard_keywords(settings: Settings) -> None:
    """Delete the saved keyword index of the collection `settings.collection` (a rebuild's staging one, once it
    is swapped in under the live name), if any."""
    shutil.rmtree(_folder(settings), ignore_errors=True)


def store_keywords(settings: Settings, passages: Callable[[], list[Passage]], generation: str) -> KeywordIndex:
    """The BM25 index of the collection's contents at `generation`, under the data dir, for the settings' k1 and b:
    loaded when current, else rebuilt from `passages()` (the store's, read only then) and saved."""
    folder = _folder(settings)
    params = {"k1": settings.bm25_k1, "b": settings.bm25_b}
    with _lock:
        index = KeywordIndex.load(folder)
        if index is None or index.generation != generation or index.params != params:
            index = KeywordIndex(passages(), generation, **params)
            with contextlib.suppress(OSError):  # a read-only data dir still answers, from memory
                index.save(folder)
        return index
