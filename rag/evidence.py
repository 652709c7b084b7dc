"""The evidence, built once per answer: each retrieved passage cut into sentence spans (and adjacent pairs of them),
with the normalised words each span states. Context selection, verification and citation all read this one object."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from itertools import pairwise

from rag import lexicon
from rag.types import Passage

_ABBREV = re.compile(
    r"\b(?:Mr|Mrs|Ms|Dr|Prof|Sen|Rep|Gov|Gen|Lt|Col|Sgt|Capt|Rev|Inc|Corp|Ltd|Co|St|Jr|Sr|vs|v|etc|Jan|Feb|Mar|"
    r"Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec|[A-Z]|e\.g|i\.e)\.$"
)
_NUMBERED = re.compile(r"\bNo\.$")  # "No. 1" is a number's; "No. The articles ..." is a verdict before its reason
_BOUNDARY = re.compile(r"[.!?]+[\"”’)\]]*(?=\s+[\"“(\[]?[A-Z0-9])|\n+")
_MARK = r"(?:\d{1,2}[.)]|[-*•])"  # a list item's number or bullet ("1.", "2)", "-"): no sentence of its own
_ITEM = re.compile(rf"{_MARK}\s+")
MAX_SPAN_WORDS = 50


def split_sentences(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence; newlines end sentences, abbreviations like 'U.S.' and 'Mr.' do not."""
    spans, start = [], 0
    for m in _BOUNDARY.finditer(text):
        before = text[start : m.start() + 1]
        if m.group().startswith(".") and (
            _ABBREV.search(before)
            or _NUMBERED.search(before)
            and text[m.end() :].lstrip()[:1].isdigit()
            or re.fullmatch(_MARK, before.strip())
        ):
            continue
        end = m.end() if not m.group().startswith("\n") else m.start()
        if text[start:end].strip():
            spans.append(_trim(text, start, end))
        start = m.end()
    if text[start:].strip():
        spans.append(_trim(text, start, len(text)))
    return spans


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    if item := _ITEM.match(text, start, end):  # "1. Microsoft will ...": the item, not its number
        start = item.end()
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def windows(text: str, start: int, end: int, lower: frozenset[str]) -> list[tuple[int, int]]:
    """A run-on sentence (an article whose punctuation was stripped) is cut where a new sentence evidently begins
    (`_openers`; `lower`: the words the text writes in lower case), and what is still longer than MAX_SPAN_WORDS
    words becomes overlapping windows of that many."""
    words = [m.span() for m in re.finditer(r"\S+", text[start:end])]
    if len(words) <= MAX_SPAN_WORDS:
        return [(start, end)]
    cuts = [start, *_openers(text, start, end, lower), end]
    pieces = [_trim(text, a, b) for a, b in pairwise(cuts)]
    if len(pieces) > 1:
        return [w for a, b in pieces for w in windows(text, a, b, lower)]
    step = MAX_SPAN_WORDS // 2
    return [
        (start + words[i][0], start + words[min(i + MAX_SPAN_WORDS, len(words)) - 1][1])
        for i in range(0, len(words) - step, step)
    ]


_WORD = re.compile(r"[^\W\d_][\w'’-]*")


def _lower_case(text: str) -> frozenset[str]:
    """The words a text writes in lower case."""
    return frozenset(w for w in _WORD.findall(text) if w[:1].islower())


_LETTERS = re.compile(r"[^\W\d_]+")


def _cased(texts: list[tuple[str, list[tuple[int, int]]]]) -> dict[str, str]:
    """The names the texts write, by their lower-case form: words capitalised after a word in lower case inside a
    sentence (not a heading's, "The Facts"; not a later word of a name, "Azure OpenAI Service") and never written in
    lower case."""
    lower = {w for text, _ in texts for w in _LETTERS.findall(text) if w.islower()} | lexicon.STOPWORDS
    found: dict[str, str] = {}
    for text, cuts in texts:
        for start, end in cuts:
            words = [m.group() for m in _LETTERS.finditer(text, start, end)]
            if all(w[:1].isupper() or w in lexicon.STOPWORDS for w in words):
                continue  # a heading
            for before, word in pairwise(words):
                if len(word) > 1 and word[:1].isupper() and before[:1].islower() and word.lower() not in lower:
                    found.setdefault(word.lower(), word)
    return found


def _openers(text: str, start: int, end: int, lower: frozenset[str]) -> list[int]:
    """Where a sentence begins inside a run-on one: a capitalised word after a word (not a sentence end) that is a
    stopword ("... the technological landscape While the headlines ...", "... on Azure This ensures ..."), or that
    the text writes elsewhere in lower case and that a lower-case word follows ("Training and running ..."; not
    "Artificial General Intelligence", a name)."""
    found = list(_WORD.finditer(text, start, end))
    out = []
    for prev, m, nxt in zip(found, found[1:], [*found[2:], None], strict=False):
        word = m.group()
        if not word[:1].isupper() or not text[prev.end() : m.start()].isspace():
            continue
        if word.lower() in lexicon.STOPWORDS or (
            word.lower() in lower and nxt is not None and nxt.group()[:1].islower()
        ):
            out.append(m.start())
    return out


def units(text: str, lower: frozenset[str] | None = None) -> list[tuple[int, int]]:
    """The sentences of a text, run-on ones cut into windows: the smallest pieces the evidence is made of (`lower`:
    the text's lower-case words, when already known)."""
    lower = _lower_case(text) if lower is None else lower
    return [w for s, e in split_sentences(text) for w in windows(text, s, e, lower)]


def published(p: Passage) -> date | None:
    """The passage's publication date ("2023-10-05" or an ISO date-time), or None when unknown or malformed."""
    m = re.match(r"(\d{4})-(\d\d)-(\d\d)", p.published or "")
    try:
        return date(int(m.group(1)), int(m.group(2)), int(m.group(3))) if m else None
    except ValueError:
        return None


def byline(p: Passage) -> str:
    """The passage's outlet and publication date in words ('TechCrunch, October 5, 2023'), or ''."""
    parts = [p.outlet or ""]
    if (day := published(p)) is not None:
        parts.append(f"{lexicon.MONTHS[day.month - 1]} {day.day}, {day.year}")
    return ", ".join(x for x in parts if x)


@dataclass(frozen=True)
class Span:
    """A sentence of a passage, or two adjacent ones: what one citation quotes."""

    passage: int
    start: int  # offsets in the passage text
    end: int
    keys: frozenset[str]  # what the span's text states
    stated: frozenset[str]  # keys plus its passage's outlet and date
    negated: bool
    parts: tuple[frozenset[str], ...]  # the keys of each sentence in it (one, or two for a pair)

    @property
    def single(self) -> bool:
        return len(self.parts) == 1


@dataclass(frozen=True)
class Evidence:
    """The retrieved passages, their sentence units (for the prompt) and spans (for verification and citation)."""

    passages: tuple[Passage, ...]
    units: tuple[tuple[tuple[int, int], ...], ...]  # per passage, its sentence units
    spans: tuple[Span, ...]
    context: tuple[frozenset[str], ...]  # per passage, every word of its title, byline and text
    closeness: tuple[float, ...] = ()  # per unit (passage by passage), similarity to the question (rag.context.near)
    titles: tuple[frozenset[str], ...] = ()  # per passage, the words of its title
    lowercase: frozenset[str] = frozenset()  # the words the passages write in lower case ("healthcare")
    dates: tuple[date | None, ...] = ()  # per passage, its publication date, when known
    # the names the passages write, by their lower-case form: words capitalised inside a sentence and never written
    # in lower case ("openai": "OpenAI"), so that a question typed in lower case names what they name
    cased: Mapping[str, str] = field(default_factory=dict, compare=False)  # a dict: not hashed

    def older(self, days: int) -> frozenset[int]:
        """The passages published more than `days` before the newest passage of the evidence."""
        newest = max((d for d in self.dates if d is not None), default=None)
        if newest is None:
            return frozenset()
        return frozenset(i for i, d in enumerate(self.dates) if d is not None and (newest - d).days > days)

    def truecased(self, question: str) -> str:
        """The question with each name it types in lower case written as the passages write it ("which cloud does
        openai use" names OpenAI, as "Which cloud does OpenAI use?" does)."""
        return _LETTERS.sub(
            lambda m: self.cased.get(m.group(), m.group()) if m.group().islower() else m.group(), question
        )

    def text(self, span: Span) -> str:
        return self.passages[span.passage].text[span.start : span.end]


def build(passages: list[Passage] | tuple[Passage, ...]) -> Evidence:
    """Cut every passage into sentence units and spans (each unit and each adjacent pair of units) once."""
    all_units, spans, context, titles, lowers = [], [], [], [], []
    for i, p in enumerate(passages):
        about = lexicon.keys(byline(p))  # "TechCrunch reported on October 5, 2023" is checkable too
        lowers.append(_lower_case(p.text))
        cuts = units(p.text, lowers[-1])
        all_units.append(tuple(cuts))
        titles.append(frozenset(lexicon.keys(p.title)))
        context.append(frozenset(lexicon.keys(p.text)) | titles[-1] | about)
        for j, (s, e) in enumerate(cuts):
            own = frozenset(lexicon.keys(p.text[s:e]))
            spans.append(Span(i, s, e, own, own | about, lexicon.negated(p.text[s:e]), (own,)))
            if j + 1 < len(cuts):  # a claim often joins two sentences
                end = cuts[j + 1][1]
                words = frozenset(lexicon.keys(p.text[s:end]))
                nxt = frozenset(lexicon.keys(p.text[cuts[j + 1][0] : end]))
                spans.append(Span(i, s, end, words, words | about, lexicon.negated(p.text[s:end]), (own, nxt)))
    return Evidence(
        tuple(passages),
        tuple(all_units),
        tuple(spans),
        tuple(context),
        titles=tuple(titles),
        lowercase=frozenset().union(*lowers),
        cased=_cased([(p.text, list(cuts)) for p, cuts in zip(passages, all_units, strict=True)]),
        dates=tuple(published(p) for p in passages),
    )
