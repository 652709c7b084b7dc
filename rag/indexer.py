"""Index articles: load, chunk, embed new or changed files only, store them, drop deleted ones."""

from __future__ import annotations

import fcntl
import logging
import time
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path

from tqdm import tqdm

from rag.chunker import Chunk, chunk
from rag.errors import CorpusError, RagError
from rag.keywords import store_keywords
from rag.loader import Article, Skipped, find_files, load
from rag.models import Embedder
from rag.settings import Settings
from rag.store import Store

log = logging.getLogger(__name__)

Progress = Callable[[int, int], None]  # (chunks embedded, chunks to embed)


@dataclass
class IndexReport:
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    chunks: int = 0  # chunks embedded in this run
    seconds: float = 0.0

    @property
    def changed(self) -> bool:
        return bool(self.added or self.updated or self.removed)

    def summary(self) -> str:
        parts = [
            f"{len(self.added)} added",
            f"{len(self.updated)} updated",
            f"{len(self.removed)} removed",
            f"{len(self.unchanged)} unchanged",
            f"{len(self.skipped)} skipped",
            f"{self.chunks} chunks embedded in {self.seconds:.1f}s",
        ]
        return ", ".join(parts)


def index_paths(
    paths: list[Path],
    store: Store,
    embedder: Embedder,
    settings: Settings,
    progress: Progress | None = None,
    show_bar: bool = False,
) -> IndexReport:
    """Bring the store in line with `paths`: a no-op when nothing changed. Folders also drop their deleted files."""
    started = time.perf_counter()
    report = IndexReport()
    files, report.skipped = find_files(paths)
    with _locked(settings):
        known = store.documents()
        todo: list[tuple[Article, list[Chunk]]] = []
        seen: set[str] = set()
        kept: set[str] = set()  # files that could not be read this time
        moved: set[str] = set()  # recorded folders that no longer exist, whose files this run found elsewhere
        claimed: dict[str, tuple[str, str]] = {}  # source -> (folder, sha256) of the file that has it in this run
        for root, path in files:
            try:
                article = load(root, path, settings.max_file_mb)
            except (OSError, ValueError) as exc:
                report.skipped.append(Skipped(str(path), str(exc)))
                kept.add(_indexed_as(path.relative_to(root).as_posix(), str(root.resolve()), known))  # its indexed
                continue  # version keeps answering
            article = replace(article, source=_name(article, known, claimed))
            if article.source in seen:
                continue  # the same text under the same name, from a second folder of this run: one article
            claimed[article.source] = (article.root, article.sha256)
            seen.add(article.source)
            was = known.get(article.source, ("", ""))[1]
            if was and was != article.root and not Path(was).is_dir():
                moved.add(was)  # its folder moved here: that folder's files not found here were deleted
            if known.get(article.source, ("",))[0] == article.sha256:
                report.unchanged.append(article.source)
                if was in moved:
                    store.rehome(article.source, article.root)  # deletions here count from now on too
                continue
            pieces = chunk(article.text, settings.chunk_size, settings.chunk_overlap, embedder.tokenize)
            (report.updated if article.source in known else report.added).append(article.source)
            todo.append((article, pieces))
        for skip in report.skipped:
            log.warning("skipped %s: %s", skip.path, skip.reason)
        if not seen and not report.skipped and all(p.is_dir() for p in paths):
            raise CorpusError(f"No articles in {', '.join(map(str, paths))}: add .txt, .md, .html or .pdf files.")
        if not seen and report.skipped:
            raise CorpusError(
                "None of the files could be indexed: "
                + "; ".join(f"{Path(s.path).name}: {s.reason}" for s in report.skipped[:5])
            )
        _embed_and_store(todo, store, embedder, settings, report, progress, show_bar)
        folders = {str(p.resolve()) for p in paths if p.is_dir()}
        for source in sorted(set(known) - seen - kept):  # files deleted from an indexed folder leave the index
            if known[source][1] in folders or known[source][1] in moved:
                store.remove(source)
                report.removed.append(source)
        _settle(store, settings, report.changed)
    report.seconds = time.perf_counter() - started
    return report


def _name(article: Article, known: dict[str, tuple[str, str]], claimed: dict[str, tuple[str, str]]) -> str:
    """An article's source: its path under the folder it was found in ("report.txt"), unless another article has
    that name, one of another folder with other text that is still there (indexed before, or met earlier in this
    run); then the folder's name before it ("other/report.txt"), or its whole path when that is taken too. Two
    folders' `report.txt` are two articles; the same file read from a folder that moved, or its copy, is one."""
    relative, root = article.source, article.root
    *names, whole = _names(relative, root)
    for name in names:
        sha, owner = known.get(name, (article.sha256, root))
        other_root, other_sha = claimed.get(name, (root, article.sha256))
        elsewhere = owner != root and sha != article.sha256 and (not owner or (Path(owner) / relative).exists())
        if not elsewhere and (other_root == root or other_sha == article.sha256):
            return name
    return whole


def _indexed_as(relative: str, root: str, known: dict[str, tuple[str, str]]) -> str:
    """The source under which the file at `relative` in `root` is indexed (see `_name`)."""
    return next((name for name in _names(relative, root) if known.get(name, ("", ""))[1] == root), relative)


def _names(relative: str, root: str) -> tuple[str, str, str]:
    """The sources a file may have, in the order `_name` tries them: its path under its folder, that path after the
    folder's name, the whole path."""
    return relative, f"{Path(root).name}/{relative}", f"{root}/{relative}"


def index_articles(
    articles: list[Article], store: Store, embedder: Embedder, settings: Settings, show_bar: bool = False
) -> IndexReport:
    """Index articles already in memory (e.g. a news feed with outlet and date); unchanged ones cost nothing."""
    started = time.perf_counter()
    report = IndexReport()
    with _locked(settings):
        known = store.documents()
        todo = []
        for article in articles:
            if known.get(article.source, ("",))[0] == article.sha256:
                report.unchanged.append(article.source)
                continue
            (report.updated if article.source in known else report.added).append(article.source)
            todo.append((article, chunk(article.text, settings.chunk_size, settings.chunk_overlap, embedder.tokenize)))
        _embed_and_store(todo, store, embedder, settings, report, None, show_bar)
        _settle(store, settings, report.changed)
    report.seconds = time.perf_counter() - started
    return report


def _settle(store: Store, settings: Settings, changed: bool) -> None:
    """After a run: a new generation when the contents changed (else the current one stamped: a store indexed before
    stamps were kept gets one), and the keyword index of that generation."""
    generation = store.touch() if changed else store.stamp()
    store_keywords(settings, store.passages, generation)


def _embed_and_store(todo, store, embedder, settings, report, progress, show_bar) -> None:
    """Embed in batches across articles; write each article whole, then delete its previous version."""
    total = sum(len(pieces) for _, pieces in todo)
    bar = tqdm(total=total, unit="chunk", desc="Embedding", disable=not show_bar)
    group: list[tuple[Article, list[Chunk]]] = []
    size = repeats = 0
    for item in [*todo, None]:
        if item is not None:
            group.append(item)
            size += len(item[1])
        if group and (item is None or size >= settings.embed_batch_size * 4):
            texts = [c.text for _, pieces in group for c in pieces]
            # each distinct text once (syndicated copies repeat), longest first so batches pad little
            unique = sorted(set(texts), key=len, reverse=True)
            done: dict[str, list[float]] = {}
            for i in range(0, len(unique), settings.embed_batch_size):
                batch = unique[i : i + settings.embed_batch_size]
                done.update(zip(batch, embedder.embed(batch), strict=True))
                report.chunks += len(batch)
                bar.update(len(batch))
                if progress:
                    progress(report.chunks + repeats, total)
            repeats += len(texts) - len(unique)
            bar.update(len(texts) - len(unique))
            if progress:
                progress(report.chunks + repeats, total)
            vectors = [done[t] for t in texts]
            at = 0
            for article, pieces in group:
                if pieces:
                    store.add(article, pieces, vectors[at : at + len(pieces)])
                    at += len(pieces)
                store.remove(article.source, keep_sha256=article.sha256)
            group, size = [], 0
    bar.close()


@contextmanager
def _locked(settings: Settings):
    """One indexer at a time per data dir."""
    try:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        handle = open(settings.data_dir / "index.lock", "w")  # noqa: SIM115  (closed by the with below)
    except OSError as exc:
        raise RagError(f"Cannot write to RAG_DATA_DIR={settings.data_dir} ({exc}): make it writable.") from exc
    with handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield
