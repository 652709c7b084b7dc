"""The llama-index peer: what a user builds from llama-index's docs over the same articles, with the product's
embedder and LLM, asked the same questions: `SimpleDirectoryReader` -> `VectorStoreIndex` (llama-index's in-memory
vector store; `SentenceSplitter(256, 32)`, as in `rag bench multihop`'s starter, since MiniLM reads 256 word-pieces)
-> `CitationQueryEngine.from_args(index, similarity_top_k=2)`. The index is persisted in its own folder and reused
while the corpus is unchanged; it never touches the product's collection. A peer answer is refused only when it says
it cannot answer (REFUSALS); what it cites are the sources of the `[n]` (or "Source n") it writes."""

from __future__ import annotations

import hashlib
import logging
import re
import shutil
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

from eval import outcomes
from eval.items import Item
from rag.errors import RagError
from rag.models import get_embedder, get_llm
from rag.settings import Settings

REFUSALS = (
    "not contain",
    "no information",
    "cannot be determined",
    "can't be determined",
    "does not mention",
    "do not mention",
    "not mentioned",
    "not provided",
    "does not provide",
    "unable to",
    "cannot answer",
    "empty response",
)
SUFFIXES = [".txt", ".md", ".markdown", ".html", ".htm"]  # read as text (PDFs need llama-index-readers-file)
CHUNK_SIZE, CHUNK_OVERLAP, TOP_K = 256, 32, 2
_MARKER = re.compile(r"\[(\d+)\]")
_CITED = re.compile(r"\[(\d+)\]|\bSource (\d+)\b")  # "[2]", or "Source 2" when it echoes the prompt's labels


@dataclass(frozen=True)
class PeerRecord:
    """One question as the peer answered it, scored like the product's (`eval.outcomes`)."""

    id: str
    split: str
    answerable: bool
    answer: str
    refused: bool
    cited: tuple[str, ...]  # sources of the [n] markers ("Source n") in the answer
    outcome: str
    latency_s: float
    error: str | None = None

    def to_dict(self) -> dict:
        return asdict(self)


def says_refused(text: str) -> bool:
    """The peer's answer says it cannot answer (or is empty)."""
    flat = " ".join(text.lower().replace("’", "'").split())
    return not flat or any(phrase in flat for phrase in REFUSALS)


class Peer:
    """The llama-index pipeline over `corpus`, its vectors persisted in `folder`."""

    def __init__(self, settings: Settings, corpus: Path, folder: Path) -> None:
        from llama_index.core.query_engine import CitationQueryEngine

        self.corpus = corpus.resolve()
        index = _index(settings, self.corpus, folder)
        self.engine = CitationQueryEngine.from_args(index, llm=get_llm(settings), similarity_top_k=TOP_K)

    def ask(self, question: str) -> tuple[str, tuple[str, ...]]:
        """The peer's answer text and the sources it cites."""
        response = self.engine.query(question)
        text = str(response.response or "").strip()
        nodes = response.source_nodes
        keys = dict.fromkeys(int(a or b) for a, b in _CITED.findall(text))
        cited = (self._source(nodes[k - 1].node.metadata) for k in keys if 1 <= k <= len(nodes))
        return text, tuple(dict.fromkeys(cited))

    def _source(self, metadata: dict) -> str:
        path = Path(metadata.get("file_path", ""))
        return str(path.relative_to(self.corpus)) if path.is_relative_to(self.corpus) else metadata.get("file_name", "")


def _fingerprint(settings: Settings, corpus: Path) -> str:
    digest = hashlib.sha256(f"{get_embedder(settings).id}|{CHUNK_SIZE}|{CHUNK_OVERLAP}".encode())
    for path in sorted(p for p in corpus.rglob("*") if p.is_file() and p.suffix.lower() in SUFFIXES):
        digest.update(f"{path.relative_to(corpus)}|".encode() + hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def _hidden(relative: Path) -> bool:
    return any(part.startswith(".") for part in relative.parts)


def _index(settings: Settings, corpus: Path, folder: Path):
    from llama_index.core import SimpleDirectoryReader, StorageContext, VectorStoreIndex, load_index_from_storage
    from llama_index.core.node_parser import SentenceSplitter

    embed = get_embedder(settings).model
    stamp, fingerprint = folder / "corpus.sha256", _fingerprint(settings, corpus)
    if stamp.is_file() and stamp.read_text() == fingerprint:
        return load_index_from_storage(StorageContext.from_defaults(persist_dir=str(folder)), embed_model=embed)
    # without llama-index-readers-file it warns once per file that PDF/DOCX readers are missing; text is read anyway
    logging.getLogger("llama_index.core.readers.file.base").setLevel(logging.ERROR)
    # the corpus may live under a hidden folder (.rag-data/eval/...): only files hidden inside it are left out
    files = [
        str(p)
        for p in sorted(corpus.rglob("*"))
        if p.is_file() and p.suffix.lower() in SUFFIXES and not _hidden(p.relative_to(corpus))
    ]
    if not files:
        raise RagError(f"The peer found no text articles ({', '.join(SUFFIXES)}) in {corpus}.")
    docs = SimpleDirectoryReader(input_files=files, exclude_hidden=False, required_exts=SUFFIXES).load_data()
    splitter = SentenceSplitter(chunk_size=CHUNK_SIZE, chunk_overlap=CHUNK_OVERLAP)
    index = VectorStoreIndex.from_documents(docs, embed_model=embed, transformations=[splitter])
    shutil.rmtree(folder, ignore_errors=True)
    index.storage_context.persist(persist_dir=str(folder))
    stamp.write_text(fingerprint)
    return index


def run(
    items: Sequence[Item],
    settings: Settings,
    corpus: Path,
    folder: Path,
    progress: Callable[[int, PeerRecord], None] | None = None,
) -> list[PeerRecord]:
    """Build (or reload) the peer's index of `corpus`, then ask it every question once."""
    peer = Peer(settings, corpus, folder)
    records = []
    for i, item in enumerate(items):
        started = time.perf_counter()
        try:
            text, cited = peer.ask(item.question)
        except Exception as exc:  # third-party pipeline: one failed question is recorded, the run goes on
            records.append(
                PeerRecord(item.id, item.split, item.answerable, "", True, (), outcomes.ERROR, 0.0, str(exc))
            )
        else:
            refused = says_refused(text)
            shown = "" if refused else _MARKER.sub("", text)
            outcome = outcomes.outcome(item, refused, shown, cited)
            elapsed = round(time.perf_counter() - started, 3)
            records.append(PeerRecord(item.id, item.split, item.answerable, text, refused, cited, outcome, elapsed))
        if progress:
            progress(i, records[-1])
    return records


def summarize(records: Sequence[PeerRecord]) -> dict[str, dict[str, float | None]]:
    """The peer's outcomes for the whole set and per split."""
    return outcomes.by_split([(r.split, r.answerable, r.outcome) for r in records])
