"""HTML for the chat window: linked citations in answers, the sources panel, the article list. Pure functions."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from html import escape

from rag import UNVERIFIED, UNVERIFIEDS, Answer, Citation, Passage

_KEY = re.compile(r"\[(\d+)\]")


def anchor(turn: int, key: int) -> str:
    """The id of citation `key`'s card for answer number `turn` (ids stay unique across a conversation)."""
    return f"src-{turn}-{key}"


def link_citations(text: str, turn: int, citations: Sequence[Citation] = ()) -> str:
    """Each `[n]` of an answer becomes a link to its card in the sources panel, titled with the quoted words."""
    hints = {c.key: f"{c.title or c.source}: “{c.quote}”" for c in citations}

    def link(match: re.Match) -> str:
        key = int(match.group(1))
        hint = escape(hints.get(key, "see Sources"), quote=True)
        return f'<a class="cite" href="#{anchor(turn, key)}" title="{hint}">[{key}]</a>'

    return _KEY.sub(link, text)


def reply(answer: Answer, turn: int) -> str:
    """A complete answer as the chat shows it: its citations linked; an unverified refusal (rag.refusal) says so."""
    text = link_citations(answer.text, turn, answer.citations)
    note = UNVERIFIEDS.get(answer.language, UNVERIFIED)
    return f"{text}\n\n*{note}*" if answer.unverified else text


def error(message: str) -> str:
    return f"⚠️ {message}"


SEARCHING = "Searching the articles…"
QUEUED = "Queued…"  # sent; its answer has not started yet
AFTER_PREVIOUS = "Queued: after your previous question…"  # a tab's questions are answered one at a time, in order


def queued(ahead: int) -> str:
    """What a question waiting for the model shows: how many questions will be answered before it."""
    return f"Queued: {ahead} question{'s' if ahead != 1 else ''} ahead of yours…"


# an unverified refusal (rag.refusal): the model answered, but nothing verified its answer
NO_PASSAGE = "No passage could be verified as stating the answer the model wrote (it is left out below)."
NEAREST = "Nearest passage, not verified:"
AROUND = 280  # how much of a long passage a source card shows on each side of the cited words, in characters


def highlight(passage: Passage, citation: Citation, around: int | None = None) -> str:
    """The passage text, escaped, with the cited words inside <mark> (found by offset, else by search); with
    `around`, only the cited words' paragraph, cut at a word about `around` characters from them on each side."""
    text = passage.text
    at = citation.start - passage.start
    if not (at >= 0 and text[at : at + len(citation.quote)] == citation.quote):
        at = text.find(citation.quote) if citation.quote else -1
    if at < 0:
        return escape(text)
    end = at + len(citation.quote)
    left, right = _cut(text, at, end, around) if around is not None else (0, len(text))
    head = "…" if left > 0 and text[left - 1] != "\n" else ""  # cut inside a paragraph, not at its end
    tail = "…" if right < len(text) and text[right] != "\n" else ""
    return f"{head}{escape(text[left:at])}<mark>{escape(text[at:end])}</mark>{escape(text[end:right])}{tail}"


def _cut(text: str, at: int, end: int, around: int) -> tuple[int, int]:
    """Where an excerpt of `text` around text[at:end] begins and ends: that paragraph, cut at a word about `around`
    characters from it on each side."""
    first = text.rfind("\n", 0, at) + 1
    last = text.find("\n", end)
    last = len(text) if last < 0 else last
    left = first if at - first <= around else text.find(" ", at - around, at) + 1 or at - around
    space = text.rfind(" ", end, end + around)
    right = last if last - end <= around else space if space > end else end + around
    return left, right


def card(turn: int, citation: Citation, passages: Mapping[str, Passage], label: str = "") -> str:
    """A cited passage's card: its title and place, the cited words marked in their paragraph (a passage read whole
    is a whole article), and the whole passage folded below when it is longer. With `label`, a span shown for the
    reader to check, in place of the citation's key (an unverified refusal's nearest span: no citation)."""
    passage = passages.get(citation.chunk_id)
    body = highlight(passage, citation, AROUND) if passage else f"<mark>{escape(citation.quote)}</mark>"
    whole = highlight(passage, citation) if passage else body
    title = escape(citation.title or (passage.title if passage else "") or citation.source)
    folded = (
        f'<details class="whole"><summary>Whole passage</summary><p class="passage">{whole}</p></details>'
        if whole != body
        else ""
    )
    head = (
        f'<div class="source nearest"><div class="source-head"><span class="key">{escape(label)}</span>'
        if label
        else f'<div class="source" id="{anchor(turn, citation.key)}"><div class="source-head">'
        f'<span class="key">[{citation.key}]</span>'
    )
    return (
        f'{head} <span class="title">{title}</span></div>'
        f'<div class="source-meta"><code>{escape(citation.source)}</code> · characters {citation.start}–{citation.end}</div>'
        f'<p class="passage">{body}</p>{folded}</div>'
    )


def sources(turn: int, answer: Answer) -> str:
    """One answer's section of the sources panel: the rewritten question, the cited passages, what was left out."""
    parts = [f'<div class="turn-question">{escape(answer.question)}</div>']
    if answer.standalone_question:
        parts.append(f'<div class="rewritten">Searched as: <q>{escape(answer.standalone_question)}</q></div>')
    passages = {p.chunk_id: p for p in answer.passages}
    if answer.citations:
        parts += [card(turn, c, passages) for c in answer.citations]
    elif answer.refused:
        parts.append('<div class="no-sources">No passage of the indexed articles supports an answer.</div>')
    if answer.unverified:
        parts.append(f'<div class="unverified">{escape(NO_PASSAGE)}</div>')
        parts += [card(turn, c, passages, label=NEAREST) for c in answer.nearest]
    if answer.dropped:
        items = "".join(f"<li>{escape(s.text)}</li>" for s in answer.dropped)
        parts.append(
            f'<details class="dropped"><summary>Left out: not supported by the articles ({len(answer.dropped)})'
            f"</summary><ul>{items}</ul></details>"
        )
    return "".join(parts)


def panel(sections: Sequence[tuple[int, str]]) -> str:
    """The whole sources panel from (answer number, section) pairs: newest first and open, earlier ones folded."""
    if not sections:
        return '<div class="sources-empty">The passages behind each answer\'s [n] citations appear here.</div>'
    folded = [
        f'<details class="turn"{" open" if i == 0 else ""}><summary>Sources of answer {number}</summary>{html}</details>'
        for i, (number, html) in enumerate(reversed(sections))
    ]
    return '<div class="sources">' + "".join(folded) + "</div>"


def library(documents: Mapping[str, str]) -> str:
    """The note above the article list: how many are indexed, or that the index is empty and what to do."""
    if not documents:
        return (
            '<div class="empty-index"><b>The index is empty.</b> Upload articles (.txt, .md, .html, .pdf) '
            "to ask questions about them.</div>"
        )
    count = len(documents)
    return f'<div class="library-count">{count} article{"s" if count != 1 else ""} indexed</div>'


def choices(documents: Mapping[str, str]) -> list[tuple[str, str]]:
    """Dropdown entries (label, source), sorted by title."""
    return sorted(((f"{title} · {source}", source) for source, title in documents.items()), key=lambda c: c[0].lower())
