"""Split an article into chunks sized in embedding-model tokens, each with its exact character span."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Chunk:
    index: int
    text: str  # exactly article.text[start:end]
    start: int
    end: int


def chunk(text: str, size: int, overlap: int, tokenize: Callable[[str], list]) -> list[Chunk]:
    """Chunks of at most `size` tokens (by `tokenize`) with `overlap`; offsets index into `text`. llama-index's
    sentence splitter cuts them (imported here: indexing needs it, answering does not)."""
    from llama_index.core.node_parser import SentenceSplitter

    splitter = SentenceSplitter(
        chunk_size=size,
        chunk_overlap=min(overlap, size // 2),
        tokenizer=tokenize,
        paragraph_separator="\n\n",
    )
    chunks: list[Chunk] = []
    cursor = 0
    for piece in splitter.split_text(text):
        span = _locate(text, piece, cursor)
        if span is None:
            continue  # never happens for splitter output, but an unlocatable chunk must not get a wrong span
        start, end = span
        chunks.append(Chunk(len(chunks), text[start:end], start, end))
        # the next chunk overlaps this one, so it starts after this chunk's start
        cursor = start + 1
    return chunks


def _locate(text: str, piece: str, cursor: int) -> tuple[int, int] | None:
    """Find `piece` in `text` at or after `cursor`, tolerating whitespace the splitter normalised."""
    piece = piece.strip()
    if not piece:
        return None
    at = text.find(piece, cursor)
    if at < 0:
        at = text.find(piece)
    if at >= 0:
        return at, at + len(piece)
    words = piece.split()
    pattern = re.compile(r"\s+".join(re.escape(w) for w in words))
    match = pattern.search(text, cursor) or pattern.search(text)
    return (match.start(), match.end()) if match else None
