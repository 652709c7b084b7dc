"""The vector store: a Chroma collection, embedded or a server, used directly through chromadb's client (the
records' ids, texts, metadata and our own embeddings; Chroma never embeds)."""

from __future__ import annotations

import contextlib
import logging
import math
import os
import time
import uuid
from pathlib import Path
from typing import Any

from rag.chunker import Chunk
from rag.errors import BrokenIndex, StoreUnavailable
from rag.loader import Article
from rag.settings import Settings
from rag.types import Passage

log = logging.getLogger(__name__)


def connect(settings: Settings):
    """A Chroma client with telemetry off: a server when RAG_CHROMA_HOST is set, else the embedded store."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False)
    if settings.chroma_host:
        return _server(settings, chroma_settings)
    try:
        settings.chroma_path.mkdir(parents=True, exist_ok=True)
        return chromadb.PersistentClient(path=str(settings.chroma_path), settings=chroma_settings)
    except Exception as exc:
        _drop_failed_client(str(settings.chroma_path))
        raise BrokenIndex(
            f"The index at {settings.chroma_path} cannot be opened ({exc}). Check that RAG_DATA_DIR is writable; "
            f"if the folder is damaged, `rag index --rebuild` moves it aside and indexes the articles again."
        ) from exc


def _drop_failed_client(path: str) -> None:
    """chromadb (1.5) caches a path's client before starting it and keeps it when starting fails: every later client
    of that path in the process fails too ("'RustBindingsAPI' object has no attribute 'bindings'"), even once the
    folder is repaired. Forget it, so that the next connection starts afresh."""
    from chromadb.api.shared_system_client import SharedSystemClient

    with contextlib.suppress(AttributeError, TypeError):
        SharedSystemClient._identifier_to_system.pop(path, None)
        SharedSystemClient._identifier_to_refcount.pop(path, None)


def set_aside(settings: Settings) -> Path:
    """Rename an embedded store's folder that cannot be opened to `<folder>.damaged-<time>` (nothing is deleted: it
    can still be inspected or restored), so that a rebuild starts a new one. OSError when it cannot be renamed."""
    target = settings.chroma_path.with_name(f"{settings.chroma_path.name}.damaged-{time.strftime('%Y%m%d-%H%M%S')}")
    settings.chroma_path.rename(target)
    return target


def _server(settings: Settings, chroma_settings: Any):
    """A `chromadb.HttpClient` whose every request gives up after RAG_CHROMA_TIMEOUT_S (Chroma's default: never)."""
    import chromadb
    import httpx

    url = f"{'https' if settings.chroma_ssl else 'http'}://{settings.chroma_host}:{settings.chroma_port}"
    headers = {"Authorization": f"Bearer {settings.chroma_token}"} if settings.chroma_token else None
    timeout = httpx.Timeout(settings.chroma_timeout_s)
    try:  # the client's constructor already talks to the server, with no timeout: check it answers first
        httpx.get(f"{url}/api/v2/heartbeat", headers=headers, timeout=timeout).raise_for_status()
        client = chromadb.HttpClient(
            host=settings.chroma_host,
            port=settings.chroma_port,
            ssl=settings.chroma_ssl,
            headers=headers,
            settings=chroma_settings,
        )
    except Exception as exc:
        raise StoreUnavailable(
            f"Cannot use the Chroma server at {url}: {_said(exc, settings)}. Start it, or check RAG_CHROMA_HOST/"
            "RAG_CHROMA_PORT/RAG_CHROMA_SSL/RAG_CHROMA_TOKEN; unset RAG_CHROMA_HOST to use the embedded store."
        ) from exc
    session = getattr(getattr(client, "_server", None), "_session", None)
    if not isinstance(session, httpx.Client):
        raise StoreUnavailable(
            f"This chromadb {chromadb.__version__} client cannot be given a timeout; install chromadb>=1.5.9,<1.6."
        )
    session.timeout = timeout
    return client


def _stamp(settings: Settings) -> Path | None:
    """The file beside an embedded store that repeats its collection's generation, so that a new process learns it
    without starting Chroma (about a second of imports); none for a server, whose other clients change it."""
    return None if settings.chroma_host else settings.chroma_path / f"{settings.collection}.generation"


def recorded_generation(settings: Settings) -> str | None:
    """The collection's generation as its stamp file records it, or None (no file, an unreadable one, a server).
    Every write through `Store` removes the stamp first and writes the new generation after (`touch`); a write
    by anything else (chromadb used directly on the data dir) is not seen. Chroma's own files cannot tell: every
    process that opens the database writes to it."""
    path = _stamp(settings)
    if path is None:
        return None
    try:
        return path.read_text(encoding="utf-8").strip() or None
    except (OSError, UnicodeDecodeError):
        return None


def _forget(settings: Settings) -> None:
    """Remove the stamp before the contents change: a write cut short leaves readers asking Chroma itself."""
    path = _stamp(settings)
    if path is not None:
        with contextlib.suppress(OSError):
            path.unlink(missing_ok=True)


def _said(exc: Exception, settings: Settings) -> str:
    """What went wrong, in the server's words when it answered."""
    import httpx

    if isinstance(exc, httpx.TimeoutException):
        return f"no answer within RAG_CHROMA_TIMEOUT_S={settings.chroma_timeout_s:g}s"
    if isinstance(exc, httpx.HTTPStatusError):
        return f"HTTP {exc.response.status_code}: {exc.response.text[:300]}"
    return str(exc) or type(exc).__name__


class Store:
    """Chunks with their embeddings and metadata, in one collection tied to one embedding model."""

    def __init__(self, settings: Settings, embedder_id: str, client: Any = None, any_model: bool = False) -> None:
        self.settings = settings
        self.embedder_id = embedder_id  # what the collection's vectors were made with (the model loads elsewhere)
        self.client = client or connect(settings)
        self.collection = self._open(any_model)

    @classmethod
    def as_built(cls, settings: Settings) -> Store | None:
        """The collection `settings.collection` as it stands, whatever model embedded it (None when there is none):
        to read which articles it holds, as a rebuild after a change of model must, never to search it."""
        client = connect(settings)
        if settings.collection not in _restore_retired(client, settings.collection):
            return None
        return cls(settings, "", client=client, any_model=True)

    @classmethod
    def staging(cls, settings: Settings, embedder_id: str, live: Store | None = None) -> Store:
        """A new, empty collection `<collection>-rebuild` for a rebuild to fill, on `live`'s connection when given
        (the live collection itself is never opened here: it may be the broken one being rebuilt)."""
        staging = settings.model_copy(update={"collection": f"{settings.collection}-rebuild"})
        client = live.client if live else connect(staging)
        _delete(client, staging.collection)  # left by an interrupted rebuild
        return cls(staging, embedder_id, client=client)

    def swap_in(self, name: str) -> None:
        """Make this (staging) collection the collection `name`, replacing it, and mark its contents changed. The
        old collection is renamed `<name>-retired` first and deleted only once this one bears its name: a swap cut
        short leaves one of the two under `name`, or the old one retired, which the next opening renames back."""
        live = self.settings.model_copy(update={"collection": name})
        _forget(live)
        retired = f"{name}-retired"
        _delete(self.client, retired)
        try:
            if name in _names(self.client):
                self.client.get_collection(name, embedding_function=None).modify(name=retired)
            self.collection.modify(name=name)
        except Exception as exc:
            raise self._unavailable(exc) from exc
        _delete(self.client, retired)
        _forget(self.settings)  # the staging collection's, stamped when the rebuild's indexing finished
        self.settings = live
        self.touch()

    @staticmethod
    def delete(settings: Settings, live: Store | None = None) -> None:
        """Delete the collection `settings.collection` whatever model embedded it (without opening it), if any."""
        _forget(settings)
        _delete(live.client if live else connect(settings), settings.collection)

    def _open(self, any_model: bool = False):
        name = self.settings.collection
        try:
            _restore_retired(self.client, name)
            collection = self.client.get_or_create_collection(
                name,
                embedding_function=None,  # never let Chroma fetch its ONNX embedder: vectors always come from us
                configuration={"hnsw": {"space": "cosine"}},
                metadata={"embed_model": self.embedder_id, "generation": "empty"},
            )
        except Exception as exc:
            raise self._unavailable(exc) from exc
        built_with = (collection.metadata or {}).get("embed_model")
        if built_with != self.embedder_id and not any_model:
            raise BrokenIndex(
                f"Collection {name!r} was built with the embedding model {built_with!r}, but RAG_EMBED_MODEL and "
                f"RAG_EMBED_INT8 give "
                f"{self.embedder_id!r}. Run `rag index --rebuild` to re-embed, or set RAG_COLLECTION to another name."
            )
        return collection

    def _unavailable(self, exc: Exception) -> Exception:
        if self.settings.chroma_host:
            return StoreUnavailable(
                f"The Chroma server at {self.settings.chroma_host}:{self.settings.chroma_port} failed "
                f"({_said(exc, self.settings)}). Check that it is running and RAG_CHROMA_HOST/RAG_CHROMA_PORT/"
                "RAG_CHROMA_TOKEN; retry when it is back."
            )
        return BrokenIndex(
            f"The index at {self.settings.chroma_path} is unreadable ({exc}). Move the folder away and run "
            "`rag index` to rebuild it."
        )

    # -- reading -----------------------------------------------------------------------------------------------
    def generation(self) -> str:
        """Changes whenever the collection's contents change: keyword indexes built elsewhere compare against it."""
        try:
            self.collection = self.client.get_collection(self.settings.collection, embedding_function=None)
        except Exception as exc:
            raise self._unavailable(exc) from exc
        return str((self.collection.metadata or {}).get("generation", ""))

    def documents(self) -> dict[str, tuple[str, str]]:
        """source -> (sha256, corpus root) of every document with chunks in the store."""
        docs: dict[str, set[tuple[str, str]]] = {}
        for meta in self._get(include=["metadatas"])["metadatas"]:
            docs.setdefault(meta["source"], set()).add((meta["sha256"], meta.get("root", "")))
        # a source with two versions is a re-index cut short: report it as stale so the next run finishes it
        return {src: (next(iter(v)) if len(v) == 1 else ("", next(iter(v))[1])) for src, v in docs.items()}

    def passages(self) -> list[Passage]:
        got = self._get(include=["documents", "metadatas"])
        rows = zip(got["ids"], got["documents"], got["metadatas"], strict=True)
        return [_passage(i, d, m) for i, d, m in rows if m and "source" in m]

    def count(self) -> int:
        try:
            return self.collection.count()
        except Exception as exc:
            raise self._unavailable(exc) from exc

    def search(self, embedding: list[float], k: int, outlets: tuple[str, ...] = ()) -> list[Passage]:
        """The `k` nearest chunks, only from `outlets` when given."""
        if k <= 0:
            return []
        where = {"outlet": {"$in": list(outlets)}} if outlets else None
        try:
            got = self.collection.query(
                query_embeddings=[embedding],
                n_results=k,
                where=where,
                include=["documents", "metadatas", "distances"],
            )
        except Exception as exc:
            if self.count() == 0:
                return []
            raise self._unavailable(exc) from exc
        rows = zip(got["ids"][0], got["documents"][0], got["metadatas"][0], got["distances"][0], strict=True)
        # the score is exp(-cosine distance), as llama-index's ChromaVectorStore gave it (the retriever's boosts and
        # fusion were tuned on it); after a killed write, Chroma's vector index can still name a record that is
        # gone: skip such ids
        return [_passage(i, d or "", m, math.exp(-dist)) for i, d, m, dist in rows if "source" in (m or {})]

    def _get(self, include: list[str]) -> dict:
        out: dict[str, list] = {"ids": [], **{key: [] for key in include}}
        try:
            total, step = self.collection.count(), 5000
            for offset in range(0, total, step):
                got = self.collection.get(include=include, limit=step, offset=offset)
                for key in out:
                    values = got.get(key)
                    out[key].extend([] if values is None else values)
        except Exception as exc:
            raise self._unavailable(exc) from exc
        return out

    # -- writing -----------------------------------------------------------------------------------------------
    def add(self, article: Article, chunks: list[Chunk], embeddings: list[list[float]]) -> None:
        """Add one article's chunks, in as few writes as Chroma takes (its client's largest batch, 5,461 records
        embedded); when a write fails, the ones before it are deleted again, so a failed add leaves no part of the
        article behind."""
        about = {"source": article.source, "title": article.title, "sha256": article.sha256, "root": article.root}
        about |= {k: v for k, v in (("published", article.published), ("outlet", article.outlet)) if v}
        ids = [f"{article.source}#{article.sha256[:10]}:{c.index}" for c in chunks]
        _forget(self.settings)
        step = self.client.get_max_batch_size()
        for at in range(0, len(chunks), step):
            part = chunks[at : at + step]
            try:
                self.collection.add(
                    ids=ids[at : at + step],
                    embeddings=embeddings[at : at + step],
                    documents=[c.text for c in part],
                    metadatas=[{**about, "start": c.start, "end": c.end, "chunk": c.index} for c in part],
                )
            except Exception as exc:
                with contextlib.suppress(Exception):  # the store may be the thing that failed
                    if at:
                        self.collection.delete(ids=ids[:at])
                raise self._unavailable(exc) from exc

    def remove(self, source: str, keep_sha256: str | None = None) -> None:
        """Delete a document's chunks, except those of the version `keep_sha256`."""
        where: dict = {"source": source}
        if keep_sha256:
            where = {"$and": [{"source": source}, {"sha256": {"$ne": keep_sha256}}]}
        _forget(self.settings)
        try:
            self.collection.delete(where=where)
        except Exception as exc:
            raise self._unavailable(exc) from exc

    def rehome(self, source: str, root: str) -> None:
        """Record that a document's unchanged file is now read from the folder `root` (its old folder moved)."""
        try:
            got = self.collection.get(where={"source": source}, include=["metadatas"])
            if got["ids"]:
                self.collection.update(ids=got["ids"], metadatas=[{**m, "root": root} for m in got["metadatas"]])
        except Exception as exc:
            raise self._unavailable(exc) from exc

    def touch(self) -> str:
        """Record that the contents changed; the new generation."""
        _forget(self.settings)
        meta = dict(self.collection.metadata or {})
        meta["generation"] = uuid.uuid4().hex
        try:
            self.collection.modify(metadata=meta)
        except Exception as exc:
            raise self._unavailable(exc) from exc
        return self._stamped(meta["generation"])

    def stamp(self) -> str:
        """Write the collection's current generation to its stamp file (embedded store; see `recorded_generation`);
        that generation. A read-only data dir keeps no stamp: readers then ask Chroma."""
        return self._stamped(self.generation())

    def _stamped(self, generation: str) -> str:
        path = _stamp(self.settings)
        if path is not None:
            tmp = path.with_name(path.name + ".tmp")
            with contextlib.suppress(OSError):
                tmp.write_text(generation, encoding="utf-8")
                os.replace(tmp, path)
        return generation


def _names(client: Any) -> set[str]:
    return {c if isinstance(c, str) else c.name for c in client.list_collections()}


def _restore_retired(client: Any, name: str) -> set[str]:
    """A rebuild's swap cut short after the live collection was retired and before the new one took its name: the
    old collection serves again (the rebuild's own copy is dropped by the next rebuild). The collections' names,
    after."""
    names = _names(client)
    if name not in names and f"{name}-retired" in names:
        client.get_collection(f"{name}-retired", embedding_function=None).modify(name=name)
        log.warning("Collection %r was left retired by an interrupted rebuild; it serves again.", name)
        names = (names - {f"{name}-retired"}) | {name}
    return names


def _delete(client: Any, name: str) -> None:
    with contextlib.suppress(Exception):  # there may be no such collection
        client.delete_collection(name)


def _passage(chunk_id: str, text: str, meta: dict, score: float = 0.0) -> Passage:
    return Passage(
        chunk_id=chunk_id,
        source=meta["source"],
        title=meta.get("title", ""),
        text=text,
        start=int(meta["start"]),
        end=int(meta["end"]),
        score=float(score),
        published=meta.get("published"),
        outlet=meta.get("outlet"),
    )
