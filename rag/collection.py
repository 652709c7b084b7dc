"""Whole-collection reading: when every indexed article fits the reading budget, the model reads all of them whole, in a
fixed order, with the question last. The prompt up to the question is then the same for every question, so llama.cpp
(or an OpenAI-compatible server's prefix cache) computes it once; a question costs only its own tokens.

The articles are rebuilt from their stored chunks (each chunk is its article's text between its offsets), so offsets
and citations stay those of the source file, whatever loaded the article (a file, a feed)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from rag.types import Passage

CHARS_PER_TOKEN = 4  # a backend that cannot count tokens is budgeted by this estimate
WHOLE = "#whole"  # chunk_id suffix of a whole article


def articles(chunks: Sequence[Passage]) -> tuple[Passage, ...]:
    """Each article whole, from its chunks, in reading order: oldest first (an article appended later goes last, so
    the prefix already computed stays a prefix), then by source."""
    by_source: dict[str, list[Passage]] = {}
    for c in chunks:
        by_source.setdefault(c.source, []).append(c)
    out = [_joined(sorted(parts, key=lambda p: (p.start, p.end))) for parts in by_source.values()]
    return tuple(sorted(out, key=lambda p: (p.published or "", p.source)))


def _joined(parts: list[Passage]) -> Passage:
    """One article from its chunks, overlaps read once; a gap between chunks (whitespace the splitter left out, between
    sentences or paragraphs) is kept at its length as line breaks, so offsets stay the source's."""
    first = parts[0]
    text, end = "", first.start
    for p in parts:
        if p.end <= end:
            continue
        if p.start > end:
            text += "\n" * (p.start - end)
            end = p.start
        text += p.text[end - p.start :]
        end = p.end
    return Passage(
        chunk_id=f"{first.source}{WHOLE}",
        source=first.source,
        title=first.title,
        text=text,
        start=first.start,
        end=end,
        published=first.published,
        outlet=first.outlet,
    )


def tokens(whole: Sequence[Passage], count: Callable[[str], int] | None) -> int:
    """How many tokens the articles take in the prompt, by the model's tokenizer when given, else estimated."""
    texts = [f"{p.title}\n{p.text}" for p in whole]
    if count is None:
        return sum(len(t) for t in texts) // CHARS_PER_TOKEN
    return sum(count(t) for t in texts)


def budget(whole_tokens: int, context: int, answer_tokens: int) -> int:
    """The reading budget that fits the model's context: `whole_tokens`, less what the rules, the question and the
    answer need beside the articles."""
    return max(0, min(whole_tokens, context - answer_tokens - 512))
