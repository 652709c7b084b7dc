"""The llama-index peer: what a user builds from llama-index's docs over the same articles with the product's
embedder and LLM (`VectorStoreIndex` with `SentenceSplitter(256, 32)`, `CitationQueryEngine`, top 2), persisted in
its own folder while the corpus is unchanged. It refused when it says it cannot answer; it cites its `[n]` sources."""

import hashlib
import logging
import re
import shutil
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from eval.metrics import outcome as outcomes
from eval.sample import Sample
from rag import Engine, RagError, Settings

SUFFIXES = [".txt", ".md", ".markdown", ".html", ".htm"]  # read as text (PDFs need llama-index-readers-file)
CHUNK_SIZE, CHUNK_OVERLAP, TOP_K = 256, 32, 2
_MARKER = re.compile(r"\[(\d+)\]")
_CITED = re.compile(r"\[(\d+)\]|\bSource (\d+)\b")  # "[2]", or "Source 2" when it echoes the prompt's labels


@dataclass(frozen=True)
class PeerRecord:
    """One question as the peer answered it, scored like the product's (`eval.metrics.outcome`)."""

    id: str
    split: str
    answerable: bool
    answer: str
    refused: bool
    cited: tuple[str, ...]  # sources of the [n] markers ("Source n") in the answer
    outcome: str
    latency_s: float
    error: str | None = None


def _index(embedder, corpus: Path, folder: Path):
    from llama_index.core import SimpleDirectoryReader, StorageContext, VectorStoreIndex, load_index_from_storage
    from llama_index.core.node_parser import SentenceSplitter

    # the corpus may live under a hidden folder (.rag-data/eval/...): only files hidden inside it are left out
    files = [
        p
        for p in sorted(corpus.rglob("*"))
        if p.is_file()
        and p.suffix.lower() in SUFFIXES
        and not any(s.startswith(".") for s in p.relative_to(corpus).parts)
    ]
    digest = hashlib.sha256(f"{embedder.id}|{CHUNK_SIZE}|{CHUNK_OVERLAP}".encode())
    for path in files:
        digest.update(f"{path.relative_to(corpus)}|".encode() + hashlib.sha256(path.read_bytes()).digest())
    stamp, fingerprint = folder / "corpus.sha256", digest.hexdigest()
    if stamp.is_file() and stamp.read_text() == fingerprint:
        return load_index_from_storage(
            StorageContext.from_defaults(persist_dir=str(folder)), embed_model=embedder.model
        )
    if not files:
        raise RagError(f"The peer found no text articles ({', '.join(SUFFIXES)}) in {corpus}.")
    # without llama-index-readers-file it warns once per file that PDF/DOCX readers are missing; text is read anyway
    logging.getLogger("llama_index.core.readers.file.base").setLevel(logging.ERROR)
    docs = SimpleDirectoryReader(input_files=[str(p) for p in files], exclude_hidden=False, required_exts=SUFFIXES)
    splitter = SentenceSplitter(chunk_size=CHUNK_SIZE, chunk_overlap=CHUNK_OVERLAP)
    index = VectorStoreIndex.from_documents(docs.load_data(), embed_model=embedder.model, transformations=[splitter])
    shutil.rmtree(folder, ignore_errors=True)
    index.storage_context.persist(persist_dir=str(folder))
    stamp.write_text(fingerprint)
    return index


def run(samples: Sequence[Sample], settings: Settings, corpus: Path, folder: Path, progress=None) -> list[PeerRecord]:
    """Build (or reload) the peer's index of `corpus`, then ask it every question once (`progress(i, record)`)."""
    from llama_index.core.query_engine import CitationQueryEngine

    from eval.peer_llm import PeerLLM

    corpus, engine, records = corpus.resolve(), Engine(settings), []  # the product's embedder and LLM, not its index
    peer = CitationQueryEngine.from_args(
        _index(engine.embedder, corpus, folder), llm=PeerLLM(engine.llm), similarity_top_k=TOP_K
    )
    for i, sample in enumerate(samples):
        started, text, cited, error = time.perf_counter(), "", (), None
        try:
            response = peer.query(sample.question)
            text, nodes = str(response.response or "").strip(), response.source_nodes
            keys = dict.fromkeys(int(a or b) for a, b in _CITED.findall(text))
            paths = [Path(nodes[k - 1].node.metadata.get("file_path", "")) for k in keys if 1 <= k <= len(nodes)]
            cited = tuple(
                dict.fromkeys(str(p.relative_to(corpus)) if p.is_relative_to(corpus) else p.name for p in paths)
            )
        except Exception as exc:  # third-party pipeline: one failed question is recorded, the run goes on
            error = str(exc)
        refused = error is not None or outcomes.declines(text)
        outcome = (
            outcomes.ERROR
            if error
            else outcomes.outcome(sample, refused, "" if refused else _MARKER.sub("", text), cited)
        )
        elapsed = 0.0 if error else round(time.perf_counter() - started, 3)
        records.append(
            PeerRecord(sample.id, sample.split, sample.answerable, text, refused, cited, outcome, elapsed, error)
        )
        if progress:
            progress(i, records[-1])
    return records


def summarize(records: Sequence[PeerRecord]) -> dict[str, dict[str, float | None]]:
    """The peer's outcomes for the whole set and per split."""
    return outcomes.by_split([(r.split, r.answerable, r.outcome) for r in records])
