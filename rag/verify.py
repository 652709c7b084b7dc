"""The grounding checker: does a passage state what a sentence claims? Lexical evidence, weighted toward the words
hallucinations change (names, numbers, dates), with negation and quantity checks. No model weights needed."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import Stemmer

_stem = Stemmer.Stemmer("english").stemWord

STOPWORDS = frozenset(
    [
        "a",
        "about",
        "above",
        "after",
        "again",
        "against",
        "all",
        "also",
        "am",
        "an",
        "and",
        "any",
        "are",
        "as",
        "at",
        "be",
        "because",
        "been",
        "before",
        "being",
        "below",
        "between",
        "both",
        "but",
        "by",
        "can",
        "could",
        "did",
        "do",
        "does",
        "doing",
        "down",
        "during",
        "each",
        "few",
        "for",
        "from",
        "further",
        "had",
        "has",
        "have",
        "having",
        "he",
        "her",
        "here",
        "hers",
        "herself",
        "him",
        "himself",
        "his",
        "how",
        "i",
        "if",
        "in",
        "into",
        "is",
        "it",
        "its",
        "itself",
        "just",
        "me",
        "more",
        "most",
        "my",
        "myself",
        "no",
        "nor",
        "not",
        "of",
        "off",
        "on",
        "once",
        "only",
        "or",
        "other",
        "our",
        "ours",
        "ourselves",
        "out",
        "over",
        "own",
        "same",
        "she",
        "should",
        "so",
        "some",
        "such",
        "than",
        "that",
        "the",
        "their",
        "theirs",
        "them",
        "themselves",
        "then",
        "there",
        "these",
        "they",
        "this",
        "those",
        "through",
        "to",
        "too",
        "under",
        "until",
        "up",
        "very",
        "was",
        "we",
        "were",
        "what",
        "when",
        "where",
        "which",
        "while",
        "who",
        "whom",
        "why",
        "will",
        "with",
        "would",
        "you",
        "your",
        "yours",
        "yourself",
        "yourselves",
        "s",
        "t",
        "don",
        "shouldn",
        "now",
        "ll",
        "re",
        "ve",
        "d",
        "m",
        "o",
        "y",
        "according",
        "article",
        "articles",
        "passage",
        "passages",
        "mention",
        "mentions",
        "mentioned",
        "state",
        "states",
        "stated",
        "said",
        "says",
    ]
)
NEGATIONS = frozenset(
    [
        "not",
        "no",
        "never",
        "none",
        "nor",
        "neither",
        "without",
        "cannot",
        "isn",
        "aren",
        "wasn",
        "weren",
        "doesn",
        "didn",
        "don",
        "won",
        "hasn",
        "haven",
        "hadn",
        "couldn",
        "shouldn",
        "wouldn",
        "n't",
        # the same contractions written without an apostrophe (common in scraped text)
        "isnt",
        "arent",
        "wasnt",
        "werent",
        "doesnt",
        "didnt",
        "dont",
        "wont",
        "cant",
        "hasnt",
        "havent",
        "hadnt",
        "couldnt",
        "shouldnt",
        "wouldnt",
    ]
)
NUMBER_WORDS = {
    "one": "1",
    "two": "2",
    "three": "3",
    "four": "4",
    "five": "5",
    "six": "6",
    "seven": "7",
    "eight": "8",
    "nine": "9",
    "ten": "10",
    "eleven": "11",
    "twelve": "12",
    "first": "1st",
    "second": "2nd",
    "third": "3rd",
    "jan": "january",
    "feb": "february",
    "mar": "march",
    "apr": "april",
    "jun": "june",
    "jul": "july",
    "aug": "august",
    "sep": "september",
    "sept": "september",
    "oct": "october",
    "nov": "november",
    "dec": "december",
}
# acronyms with dots (U.S., F.E.A.R.) or an ampersand (R&B, AT&T) are one token; hyphens separate words
_TOKEN = re.compile(r"(?:[A-Za-z]\.){2,}|[A-Za-z]+&[A-Za-z]+|\d+(?:[.,]\d+)*|[A-Za-z][A-Za-z'’]*")
CRITICAL_WEIGHT = 2.0
NAME_CAP = 0.5  # most support a claim can get while naming something the evidence does not


@dataclass(frozen=True)
class Term:
    key: str  # normalised form compared against evidence
    critical: bool  # a name or a number: a wrong one is a wrong claim


@lru_cache(maxsize=65536)
def _norm(word: str) -> str:
    word = word.lower().replace("’", "'")
    if word.endswith("'s"):
        word = word[:-2]
    word = NUMBER_WORDS.get(word, word)
    if "." in word and not word[0].isdigit() or "&" in word:  # an acronym: compared as written, without dots
        return word.replace(".", "")
    if word[0].isdigit():
        return word.replace(",", "").rstrip(".").removesuffix(".0")
    return _stem(word.strip("'-"))


def terms(text: str) -> list[Term]:
    """Content terms of a claim: stopwords dropped, words stemmed; capitalised words and numbers are critical."""
    out: list[Term] = []
    for i, m in enumerate(_TOKEN.finditer(text)):
        word = m.group()
        low = word.lower()
        if low in STOPWORDS or low in NEGATIONS or len(low) == 1 and not low.isdigit():
            continue
        is_number = word[0].isdigit()
        is_name = word[0].isupper() and (i > 0 or not _is_common_capitalised(word))
        out.append(Term(_norm(word), is_number or is_name))
    return out


def _is_common_capitalised(word: str) -> bool:
    """A sentence-initial capital on an ordinary word ('Training', 'Both') does not make it a name."""
    return word.lower() in STOPWORDS or word.lower().endswith(("ing", "ed", "ly"))


def keys(text: str) -> set[str]:
    """Every normalised word of an evidence text, stopwords included (cheap membership tests)."""
    return {_norm(m.group()) for m in _TOKEN.finditer(text)}


def negated(text: str) -> bool:
    low = text.lower().replace("’", "'")
    return any(w in NEGATIONS for w in re.findall(r"[a-z]+", low)) or "n't" in low


def coverage(claim: list[Term], evidence: set[str]) -> float:
    """Weighted share of the claim's terms that the evidence states (critical terms count double)."""
    if not claim:
        return 0.0
    total = sum(CRITICAL_WEIGHT if t.critical else 1.0 for t in claim)
    found = sum(CRITICAL_WEIGHT if t.critical else 1.0 for t in claim if stated(t, evidence))
    return found / total


def stated(term: Term, evidence: set[str]) -> bool:
    """The evidence has the term, or for a name another form of it ('Europe' / 'European': shared stem)."""
    if term.key in evidence:
        return True
    key = term.key
    if not term.critical or len(key) < 5 or not key.isalpha():
        return False
    return any(len(k) >= 5 and (k.startswith(key) or key.startswith(k)) for k in evidence)


def score(claim: str, evidence: str) -> float:
    """Support of `claim` by `evidence` in [0, 1]: coverage, capped when a number is missing or negation differs."""
    claim_terms = terms(claim)
    return score_terms(claim_terms, keys(evidence), negated(claim), negated(evidence))


def score_terms(claim: list[Term], evidence: set[str], claim_negated: bool, evidence_negated: bool) -> float:
    value = coverage(claim, evidence)
    if any(t.key[0].isdigit() and t.key not in evidence for t in claim):
        value = min(value, 0.5)  # a number the evidence does not state is the typical invented fact
    if any(t.critical and not stated(t, evidence) for t in claim):
        value = min(value, NAME_CAP)  # so is a name: a swapped entity or month ('Google', 'November')
    if claim_negated and not evidence_negated:
        value = min(value, 0.5)  # "X did not happen" is not supported by "X happened"
    return value
