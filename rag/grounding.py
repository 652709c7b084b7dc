"""Verify, then cite: split an answer into sentences, find the passage spans that support each one, attach
citations by evidence, and drop what no passage supports. The model's own citation markers are never trusted."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from rag import verify
from rag.prompts import NOT_FOUND
from rag.types import Citation, Passage, Sentence

_ABBREV = re.compile(
    r"\b(?:Mr|Mrs|Ms|Dr|Prof|Inc|Corp|Ltd|Co|St|Jr|Sr|vs|etc|No|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|"
    r"Oct|Nov|Dec|[A-Z])\.$"
)
_BOUNDARY = re.compile(r"[.!?]+[\"”’)\]]*(?=\s+[\"“(\[]?[A-Z0-9])|\n+")
_MARKER = re.compile(r"\s*\[(?:\d+(?:\s*[,;-]\s*\d+)*)\]")
_META = re.compile(
    r"\b(?:not (?:mentioned|stated|specified|provided|included|given|discussed|available)|"
    r"do(?:es)? not (?:mention|state|say|specify|provide|contain|include|discuss|give)|"
    r"(?:don't|doesn't) (?:mention|state|say|specify|provide|contain|include)|"
    r"no (?:information|mention|details?)\b|cannot (?:answer|determine|be determined)|unable to (?:answer|determine)|"
    r"insufficient information|there is no (?:information|mention))",
    re.I,
)
MAX_SPAN_WORDS = 50
MONTHS = "January February March April May June July August September October November December".split()  # noqa: SIM905


def split_sentences(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence; newlines end sentences, abbreviations like 'U.S.' and 'Mr.' do not."""
    spans, start = [], 0
    for m in _BOUNDARY.finditer(text):
        if m.group().startswith((".",)) and _ABBREV.search(text[start : m.start() + 1]):
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
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def windows(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """A run-on sentence (articles without punctuation) becomes overlapping windows of MAX_SPAN_WORDS words."""
    words = [m.span() for m in re.finditer(r"\S+", text[start:end])]
    if len(words) <= MAX_SPAN_WORDS:
        return [(start, end)]
    step = MAX_SPAN_WORDS // 2
    out = []
    for i in range(0, len(words) - step, step):
        chunk = words[i : i + MAX_SPAN_WORDS]
        out.append((start + chunk[0][0], start + chunk[-1][1]))
    return out


@dataclass
class _Span:
    passage: int
    start: int  # offsets in the passage text
    end: int
    keys: set[str]  # what the span's text states
    negated: bool
    stated: set[str] = field(default_factory=set)  # keys plus its passage's outlet and date


@dataclass
class Evidence:
    """The retrieved passages cut into candidate spans, ready to check sentences against."""

    passages: list[Passage]
    spans: list[_Span] = field(default_factory=list)

    def __post_init__(self) -> None:
        for i, p in enumerate(self.passages):
            about = verify.keys(byline(p))  # "TechCrunch reported on October 5, 2023" is checkable too
            sentences = [w for s, e in split_sentences(p.text) for w in windows(p.text, s, e)]
            for j, (s, e) in enumerate(sentences):
                ends = [e, sentences[j + 1][1]] if j + 1 < len(sentences) else [e]  # adjacent pairs: a claim often
                for end in ends:  # joins two sentences
                    keys = verify.keys(p.text[s:end])
                    self.spans.append(_Span(i, s, end, keys, verify.negated(p.text[s:end]), keys | about))

    def support(self, claim: str, question: str = "") -> tuple[float, list[_Span]]:
        """Best support score of `claim` and the spans giving it (two spans when it joins two places).
        Among equally supporting spans, the one sharing most words with the question wins, then the shortest."""
        claim_terms = verify.terms(claim)
        if not claim_terms or not self.spans:
            return 0.0, []
        neg = verify.negated(claim)
        asked = {t.key for t in verify.terms(question)}
        scored = sorted(
            (
                (
                    verify.score_terms(claim_terms, sp.stated, neg, sp.negated),
                    len(asked & sp.keys),
                    -(sp.end - sp.start),
                    k,
                )
                for k, sp in enumerate(self.spans)
            ),
            reverse=True,
        )
        best, _, _, k = scored[0]
        found = [self.spans[k]]
        critical = {t.key for t in claim_terms if t.critical}
        if best < 1.0:  # try joining the best span with another from elsewhere
            for *_, k2 in scored[1:8]:
                other = self.spans[k2]
                if other.passage == found[0].passage and other.start < found[0].end and found[0].start < other.end:
                    continue
                if not (critical & found[0].keys - other.keys and critical & other.keys - found[0].keys):
                    continue  # join only spans that each state a name or number the other lacks
                joint = verify.score_terms(
                    claim_terms, found[0].stated | other.stated, neg, found[0].negated or other.negated
                )
                if joint > best + 0.15:
                    best, found = joint, [found[0], other]
                    break
        return best, found


# Words a question uses to ask, not to name what it asks about: their absence from the articles proves nothing.
_ASKING = frozenset(
    verify._norm(w)
    for w in [
        "date",
        "day",
        "days",
        "year",
        "years",
        "month",
        "months",
        "time",
        "times",
        "many",
        "much",
        "number",
        "amount",
        "name",
        "names",
        "named",
        "call",
        "called",
        "happen",
        "happened",
        "people",
        "person",
        "kind",
        "type",
        "role",
        "main",
        "mention",
        "mentioned",
        "say",
        "tell",
        "describe",
        "explain",
        "reason",
        "purpose",
        "exact",
        "exactly",
        "specific",
        "specifically",
        "happen",
        "happens",
        "according",
        "report",
        "reported",
        "reports",
        "article",
        "news",
        "story",
    ]
)


def unknown_terms(question: str, vocabulary: set[str]) -> list[str]:
    """Names, numbers and topic words of the question that no indexed chunk contains, in any inflection; empty when
    some part of the question ('X and Y', 'X, Y') uses only words the articles know, since that part may be answered.

    Short common words are ignored, and a word counts as present when an indexed word shares its first five letters
    ('pursue' / 'pursuit'): only what the articles never touch is reported."""
    if not vocabulary:
        return []
    prefixes = {w[:5] for w in vocabulary if len(w) >= 5}
    digits = set(re.findall(r"\d+", question))
    asking = _ASKING | {t.key for option in choices(question) for t in verify.terms(option)}  # the verdict's words
    missing: set[str] = set()
    for part in re.split(r"\b(?:and|or|but|also)\b|[,;]", question):
        terms = verify.terms(part)
        lacking = {
            t.key
            for t in terms
            if not (
                t.key in vocabulary
                or t.key in asking
                or (t.key[0].isdigit() and t.key not in digits)
                or (not t.critical and len(t.key) < 4)
                or (len(t.key) >= 5 and t.key[:5] in prefixes)
            )
        }
        if terms and not lacking:
            return []
        missing |= lacking
    return sorted(missing)


def byline(p: Passage) -> str:
    """The passage's outlet and publication date in words ('TechCrunch, October 5, 2023'), or ''."""
    parts = [p.outlet or ""]
    m = re.match(r"(\d{4})-(\d\d)-(\d\d)", p.published or "")
    if m and 1 <= int(m.group(2)) <= 12:
        parts.append(f"{MONTHS[int(m.group(2)) - 1]} {int(m.group(3))}, {m.group(1)}")
    return ", ".join(x for x in parts if x)


def verdict(sentence: str, options: tuple[str, ...] = ()) -> tuple[str, str]:
    """Split a leading 'Yes'/'No' (or, to an either-or question, one of its `options`) off a sentence:
    ('Yes, ', 'Apple sued Google.'). The verdict is the model's conclusion, not a fact a passage can state; only the
    rest is verified."""
    words = "|".join(map(re.escape, options)) if options else "yes|no"
    m = re.match(rf"^(?:{words})\b[\s,.:;!\-–—]*", sentence.strip(), re.I)
    return (sentence.strip()[: m.end()], sentence.strip()[m.end() :]) if m else ("", sentence.strip())


_CHOICE = re.compile(r"\b(before|after|[a-z]{3,}) or ([a-z]{3,}|before|after)\b(?=[^,;]*\?\s*$)")


def choices(question: str) -> tuple[str, ...]:
    """The two options of an either-or question that asks for a judgement ('... consistent or inconsistent?'), in
    lower case; () for any other question. Names ('Apple or Google?') are not options: those answers are facts."""
    m = _CHOICE.search(question)
    if not m or {m.group(1), m.group(2)} & verify.STOPWORDS - {"before", "after"}:
        return ()
    return (m.group(1), m.group(2))


_AUXILIARY = re.compile(
    r"^\W*(?:is|are|was|were|do|does|did|has|have|had|can|could|will|would|should|shall|may|might|must)\b", re.I
)


def is_yes_no(question: str) -> bool:
    """A question asked with an auxiliary verb ('Did ...', 'Has ...', 'Between X and Y, was ...')."""
    clauses = [question, *re.split(r",\s*", question)[1:]]
    return any(_AUXILIARY.match(c) for c in clauses) and not re.match(
        r"^\W*(?:who|what|which|when|where|how|why)\b", question, re.I
    )


_CLAUSE = re.compile(r",?\s+(?:while|whereas|but|compared (?:to|with))\s+|,\s+and\s+(?=the\b)", re.I)
# words nearly every question about news has: they frame what an article does, they are not facts it states
NEWS_WORDS = frozenset(
    "article articles report reported reports reporting published publication according mention mentioned "  # noqa: SIM905
    "mentions suggest suggests suggested indicate indicates indicated news say says said discuss discussed "
    "discusses discussing both later earlier prior following while whereas regarding concerning".split()
)
# ... and what a yes/no question asks of the articles ("was there a change", "remained consistent"): the verdict
FRAMING = NEWS_WORDS | frozenset(
    "describe describes described focus focuses focused imply implies implied portray portrays portrayed "  # noqa: SIM905
    "portrayal coverage depiction anticipate anticipates reflect reflects highlight highlights reveal reveals "
    "revealing stating claim claims consistent consistency inconsistent inconsistency change changed discrepancy "
    "agreement disagreement remain remained same similar different difference perspective narrative".split()
)
_WORD = re.compile(r"[\w'’&.-]+")
MIN_PREMISE_TERMS = 3


def premises(question: str) -> list[str]:
    """The statements a yes/no or either-or question asks about, without its framing: 'Does A suggest that X, while
    B reports Y?' -> ['A X', 'B Y']. A clause too short to state anything ('the previous year') joins the one before it."""
    out: list[str] = []
    framing = FRAMING | set(choices(question))
    for part in _CLAUSE.split(question):
        kept = _WORD.sub(lambda m: "" if m.group().lower().strip(".'’") in framing else m.group(), part)
        text = " ".join(_AUXILIARY.sub("", kept).split()).strip(" .,?")
        if out and len(verify.terms(text)) < MIN_PREMISE_TERMS:
            out[-1] = f"{out[-1]} {text}".strip()
        elif text:
            out.append(text)
    return out


def is_meta(sentence: str) -> bool:
    """A sentence about the passages rather than the world ('the articles do not mention ...')."""
    return NOT_FOUND.lower() in sentence.lower() or bool(_META.search(sentence))


def strip_markers(sentence: str) -> str:
    return _MARKER.sub("", sentence).strip()


class Citer:
    """Checks answer sentences one by one and numbers the spans they cite in order of first use."""

    def __init__(self, passages: list[Passage], threshold: float, question: str = "") -> None:
        self.evidence = Evidence(passages)
        self.threshold = threshold
        self.question = question
        self.options = choices(question)
        self.citations: list[Citation] = []
        self._keys: dict[tuple[int, int, int], int] = {}

    def check(self, raw_sentence: str) -> Sentence:
        """A sentence with a verdict ('Yes, X.') is verified on what follows it; a bare verdict ('No.') is never
        supported by itself (the answerer shows it only in front of a supported sentence)."""
        text = strip_markers(raw_sentence)
        _, claim = verdict(text, self.options)
        if not claim or is_meta(text):
            return Sentence(text, 0.0, False)
        value, spans = self.evidence.support(claim, self.question)
        if value < self.threshold:
            return Sentence(text, round(value, 3), False)
        keys = tuple(self._key(sp) for sp in spans)
        return Sentence(_with_markers(text, keys), round(value, 3), True, keys)

    def _key(self, sp: _Span) -> int:
        ident = (sp.passage, sp.start, sp.end)
        if ident not in self._keys:
            p = self.evidence.passages[sp.passage]
            key = len(self.citations) + 1
            self._keys[ident] = key
            self.citations.append(
                Citation(
                    key, p.source, p.chunk_id, p.text[sp.start : sp.end], p.start + sp.start, p.start + sp.end, p.title
                )
            )
        return self._keys[ident]


def _with_markers(text: str, keys: tuple[int, ...]) -> str:
    marks = "".join(f"[{k}]" for k in keys)
    m = re.search(r"[.!?]+[\"”’)]*$", text)
    return f"{text[: m.start()]} {marks}{text[m.start() :]}" if m else f"{text} {marks}"


class SentenceBuffer:
    """Collects streamed tokens and releases whole sentences as soon as the next one has begun."""

    def __init__(self) -> None:
        self.text = ""
        self._done = 0

    def feed(self, delta: str) -> list[str]:
        self.text += delta
        spans = split_sentences(self.text[self._done :])
        if len(spans) < 2:
            return []
        ready = spans[:-1]
        out = [self.text[self._done + s : self._done + e] for s, e in ready]
        self._done += spans[-1][0]
        return out

    def flush(self) -> list[str]:
        rest = self.text[self._done :]
        self._done = len(self.text)
        return [rest[s:e] for s, e in split_sentences(rest)]
