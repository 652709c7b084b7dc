"""Find the passages for a question: dense (Chroma) and BM25 candidates fused by weight, boosted by the outlet and
date a question names, one sub-query per outlet of a comparison, near-duplicates removed."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from functools import lru_cache

from rag import lexicon
from rag.keywords import KeywordIndex
from rag.lexicon import MONTHS, NEWS_WORDS
from rag.settings import Settings
from rag.types import Passage

_DATE = re.compile(
    r"\b(?P<month>" + "|".join(MONTHS) + r")(?:\s+(?P<day>\d{1,2})(?:st|nd|rd|th)?)?,?\s+(?P<year>(?:19|20)\d\d)\b"
    r"|\b(?P<iso>(?:19|20)\d\d-\d\d(?:-\d\d)?)\b"
)


@dataclass(frozen=True)
class Plan:
    """What a question asks for beyond its words: outlets and dates it names, and one sub-query per named outlet."""

    question: str
    outlets: frozenset[str] = frozenset()  # every outlet named anywhere in the question
    dates: tuple[str, ...] = ()  # ISO prefixes of the dates named: "2023-10-07" or "2023-10"
    parts: tuple[tuple[str, frozenset[str]], ...] = ()  # (sub-query, its outlets) when it names two or more
    numbers: frozenset[str] = frozenset()  # the numbers the question names, normalised ("2019", "12")


class Retriever:
    def __init__(
        self,
        settings: Settings,
        nearest: Callable[[str, int, tuple[str, ...]], list[Passage]],
        keywords: KeywordIndex | None,
    ) -> None:
        self.settings = settings
        self.nearest = nearest  # (text, k, outlets) -> the k passages nearest in meaning; called by dense searches only
        self.keywords = keywords  # the BM25 index of the store's current contents; None when nothing lexical is on

    def retrieve(self, question: str, k: int | None = None) -> list[Passage]:
        s = self.settings
        k = k or s.top_k
        index = self.keywords
        known = index.outlets() if index is not None else set()
        plan = make_plan(question, known)
        ranked = self._search(question, frozenset(), index, k, known)
        ranked = boost(ranked, plan, s.outlet_boost, s.date_boost, s.number_boost)
        if s.decompose and plan.parts:
            subs = [self._search(text, outlets, index, k, known) for text, outlets in plan.parts]
            ranked = interleave([ranked, *subs])
        return dedupe(ranked, s.dedupe_threshold, limit=k)

    def _search(
        self, text: str, outlets: frozenset[str], index: KeywordIndex | None, k: int, known: set[str]
    ) -> list[Passage]:
        """One query through the configured retrievers, fused; only `outlets` when given."""
        s = self.settings
        n = max(s.candidates, k)
        ranked: list[list[Passage]] = []
        if s.retrieval in ("hybrid", "dense"):
            ranked.append(self.nearest(text, n, tuple(sorted(outlets))))
        if s.retrieval in ("hybrid", "bm25") and index is not None:
            words = keyword_query(text, known) if s.clean_query else text
            ranked.append(index.search(words, n, outlets=outlets, phrase_boost=s.phrase_boost))
        if s.retrieval == "bm25" and s.dense_fill and ranked and len(ranked[0]) < k:
            # few or none of the question's words are indexed (a paraphrase, another language): vectors fill the rest
            have = {p.chunk_id for p in ranked[0]}
            dense = self.nearest(text, n, tuple(sorted(outlets)))
            return ranked[0] + [p for p in dense if p.chunk_id not in have]
        if len(ranked) == 1:
            return ranked[0]
        if s.fusion == "rrf":
            return rrf(ranked, s.rrf_k)
        return weighted(ranked, [1 - s.bm25_weight, s.bm25_weight])


def make_plan(question: str, outlets: Iterable[str]) -> Plan:
    """Find the outlets (by name or the name's head, e.g. 'The Independent') and dates a question names."""
    mentions = outlet_mentions(question, outlets)
    named = frozenset(o for _, _, group in mentions for o in group)
    parts: list[tuple[str, frozenset[str]]] = []
    if len(mentions) >= 2:
        for i, (start, _, group) in enumerate(mentions):
            begin = 0 if i == 0 else start
            end = mentions[i + 1][0] if i + 1 < len(mentions) else len(question)
            parts.append((question[begin:end].strip(" ,;"), frozenset(group)))
    numbers = frozenset(t.key for t in lexicon.terms(question) if t.number)
    return Plan(question, named, dates(question), tuple(parts), numbers)


def keyword_query(text: str, outlets: Iterable[str]) -> str:
    """The question without the outlet names it mentions (boosts and filters handle those) and NEWS_WORDS."""
    rest = text
    for start, end, _ in reversed(outlet_mentions(text, outlets)):
        rest = f"{rest[:start]} {rest[end:]}"
    words = re.findall(r"\S+", rest)
    return " ".join(w for w in words if w.lower().strip(".,;:!?'\"()") not in NEWS_WORDS) or text


def outlet_mentions(question: str, outlets: Iterable[str]) -> list[tuple[int, int, frozenset[str]]]:
    """(start, end, outlets) of each mention, in order; a name's head may stand for several outlets."""
    found: list[tuple[int, int, frozenset[str]]] = []
    taken: list[tuple[int, int]] = []
    for pattern, group in _alias_patterns(frozenset(outlets)):  # the longest name wins where names overlap
        for m in pattern.finditer(question):
            # a capital first letter: "The Age" names the outlet, "the age of AI" does not
            if not m.group()[0].isupper() or any(m.start() < e and s < m.end() for s, e in taken):
                continue
            taken.append((m.start(), m.end()))
            found.append((m.start(), m.end(), group))
    return sorted(found)


@lru_cache(maxsize=8)
def _alias_patterns(outlets: frozenset[str]) -> list[tuple[re.Pattern[str], frozenset[str]]]:
    """Each outlet's name and its head ('The Independent' of 'The Independent - Life and Style'), longest first."""
    aliases: dict[str, set[str]] = {}
    for outlet in outlets:
        for alias in {outlet, *(re.split(r"\s+[|:\-–]\s+", outlet)[:1])}:
            if len(alias) >= 3:
                aliases.setdefault(alias.lower(), set()).add(outlet)
    return [
        (re.compile(r"(?<!\w)" + re.escape(alias) + r"(?!\w)", flags=re.I), frozenset(aliases[alias]))
        for alias in sorted(aliases, key=len, reverse=True)
    ]


def dates(question: str) -> tuple[str, ...]:
    """ISO prefixes of the dates a question names ('October 7, 2023' -> '2023-10-07', 'October 2023' -> '2023-10')."""
    out = []
    for m in _DATE.finditer(question):
        if m.group("iso"):
            out.append(m.group("iso"))
            continue
        month = MONTHS.index(m.group("month")) + 1
        day = f"-{int(m.group('day')):02d}" if m.group("day") else ""
        out.append(f"{m.group('year')}-{month:02d}{day}")
    return tuple(dict.fromkeys(out))


def boost(
    ranked: list[Passage], plan: Plan, outlet_boost: float, date_boost: float, number_boost: float = 0.0
) -> list[Passage]:
    """Raise passages from an outlet or on a date the question names, and those stating every number it names
    (score x (1 + boost) each), then re-sort."""
    wanted = (plan.outlets and outlet_boost) or (plan.dates and date_boost) or (plan.numbers and number_boost)
    if not ranked or not wanted:
        return ranked
    out = []
    for p in ranked:
        factor = 1.0
        if outlet_boost and p.outlet in plan.outlets:
            factor += outlet_boost
        if date_boost and p.published and any(p.published.startswith(d) for d in plan.dates):
            factor += date_boost
        if number_boost and plan.numbers and plan.numbers <= lexicon.keys(f"{p.title} {p.text}"):
            factor += number_boost
        out.append(replace(p, score=p.score * factor))
    return sorted(out, key=lambda p: p.score, reverse=True)


def interleave(rankings: list[list[Passage]]) -> list[Passage]:
    """Round-robin over the rankings (the whole question first, then each sub-query), each passage once."""
    seen: set[str] = set()
    out: list[Passage] = []
    for rank in range(max((len(r) for r in rankings), default=0)):
        for ranking in rankings:
            if rank < len(ranking) and ranking[rank].chunk_id not in seen:
                seen.add(ranking[rank].chunk_id)
                out.append(ranking[rank])
    return out


def weighted(rankings: list[list[Passage]], weights: list[float]) -> list[Passage]:
    """Weighted score fusion: each ranking's scores min-max scaled to [0, 1], times its weight, summed per passage
    (a passage missing from a ranking gets 0 from it)."""
    scores: dict[str, float] = {}
    first: dict[str, Passage] = {}
    for ranking, weight in zip(rankings, weights, strict=True):
        if not ranking:
            continue
        hi, lo = max(p.score for p in ranking), min(p.score for p in ranking)
        for p in ranking:
            norm = (p.score - lo) / (hi - lo) if hi > lo else 1.0
            scores[p.chunk_id] = scores.get(p.chunk_id, 0.0) + weight * norm
            first.setdefault(p.chunk_id, p)
    order = sorted(scores, key=lambda c: scores[c], reverse=True)
    return [replace(first[c], score=scores[c]) for c in order]


def rrf(rankings: list[list[Passage]], k: int = 60) -> list[Passage]:
    """Reciprocal-rank fusion: score = sum over rankings of 1 / (k + rank)."""
    scores: dict[str, float] = {}
    first: dict[str, Passage] = {}
    for ranking in rankings:
        for rank, p in enumerate(ranking, start=1):
            scores[p.chunk_id] = scores.get(p.chunk_id, 0.0) + 1.0 / (k + rank)
            first.setdefault(p.chunk_id, p)
    order = sorted(scores, key=lambda c: scores[c], reverse=True)
    return [replace(first[c], score=scores[c]) for c in order]


def dedupe(passages: list[Passage], threshold: float = 0.9, limit: int | None = None) -> list[Passage]:
    """Drop passages whose words mostly repeat a higher-ranked one (syndicated copies, re-posted articles); stop
    once `limit` are kept."""
    kept: list[tuple[Passage, set[str]]] = []
    for p in passages:
        if limit is not None and len(kept) >= limit:
            break
        words = set(re.findall(r"\w+", p.text.lower()))
        if any(_jaccard(words, w) >= threshold for _, w in kept):
            continue
        kept.append((p, words))
    return [p for p, _ in kept]


def _jaccard(a: set[str], b: set[str]) -> float:
    return len(a & b) / len(a | b) if a and b else 0.0
