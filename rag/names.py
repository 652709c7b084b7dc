"""Names in a reply's sentence, read against the span it cites: a name the model put together from two the span
writes apart ("Microsoft Copilot" from "Microsoft ... GitHub Copilot"), a thing the span gives to another name by
a possessive ("OpenAI s pioneering safety research" cited for "Microsoft brings the pioneering safety research") or
writes as the answer's own ("OpenAI s exclusive cloud provider" for "OpenAI is the exclusive cloud provider"), and a
name that spells out the question's acronym ("Artificial General Intelligence" for "AGI")."""

from __future__ import annotations

import re
from functools import lru_cache

from rag import lexicon
from rag.evidence import Evidence, Span
from rag.lexicon import Term

_NAME_RUN = re.compile(r"[A-Z][\w'’.&-]*(?:\s+[A-Z][\w'’.&-]*)+")  # "GitHub Copilot", "Microsoft Office"
_END = re.compile(r"(?<=^[^.]{2})\.$|(?<=[^.]{3})\.$")  # a sentence's full stop after a name's last word
_TITLES = "CEO|CFO|CTO|COO|President|Chairman|Chairwoman|Chair|Minister|Secretary|Senator|Governor|Director|Founder"
_NAME_ENDS = re.compile(rf"(?<=['’]s)\s+|\s+(?:{_TITLES})\s+")  # a possessive, or a title between two names
_ACRONYM = re.compile(r"\b[A-Z]{2,6}\b")
_SPELT = re.compile(
    r"[A-Z][\w'’-]*(?:(?:\s+(?:of|and|for|the)){0,2}\s+[A-Z][\w'’-]*)+"
)  # "Bank of America", "Artificial ..."
# "OpenAI's pioneering ...", and "OpenAI s pioneering ..." in a text stripped of its apostrophes
_POSSESSIVE = re.compile(r"\b([A-Z][\w&-]*)(?:['’]s|\s+s)\s+([\w-]+)")
_AS = re.compile(r"\bas\s+$", re.I)  # "... as OpenAI's exclusive cloud provider"
_IS = re.compile(r"\b([A-Z][\w&-]*)\s+(?:is|was|are|were|remains|has been|will be)\s+(?:the|a|an|its|their)\b")


def runs(sentence: str) -> list[list[str]]:
    """The names of several capitalised words in the sentence, less a leading stopword ("The Azure ...") and
    possessives."""
    out = []
    for m in _NAME_RUN.finditer(sentence):
        # a possessive ends a name: "OpenAI's GPT models" names OpenAI and GPT, not an "OpenAI GPT"; a title
        # stands between two: "Microsoft CEO Satya Nadella" names Microsoft and Satya Nadella
        for run in _NAME_ENDS.split(m.group()):
            words = [re.sub(r"['’]s$", "", w) for w in run.split()]
            words[-1] = _END.sub("", words[-1])  # "Rainbow Estate." ending the sentence, not "D.C."
            while words and words[0].lower() in lexicon.STOPWORDS:
                words = words[1:]
            if len(words) >= 2:
                out.append(words)
    return out


def compounds(full: list[list[str]], new: list[Term]) -> list[list[str]]:
    """The names of several capitalised words in the sentence (`runs`) that hold a name it adds to the question."""
    fresh = {t.key for t in new if t.critical}
    return [words for words in full if any(k in fresh for w in words for k in lexicon.keys(w))]


def completed(full: list[list[str]], span: Span, evidence: Evidence) -> frozenset[str]:
    """The words of the sentence's full names (`runs`) that a one-sentence span names by their last word alone,
    written as a name, where its passage (title or text) writes the name whole: news names a person in full once,
    then by the last word ("Bankman-Fried" in a sentence of an article titled "Is Sam Bankman-Fried a bad 'man'
    ..."). Not for a pair of sentences, whose other sentence may be about someone else."""
    if not span.single:
        return frozenset()
    out: set[str] = set()
    text, written = evidence.text(span), ""
    for words in full:
        if not re.search(rf"(?<!\w){re.escape(words[-1])}(?!\w)", text):
            continue  # "university" in the span does not name "Stanford University"
        passage = evidence.passages[span.passage]
        written = written or _written(passage.title + " " + passage.text)
        if _flat(" ".join(words)) in written:
            out |= lexicon.keys(" ".join(words))
    return frozenset(out)


def apart(words: list[str], spans: tuple[Span, ...], evidence: Evidence) -> bool:
    """Each of the words is written capitalised in the spans or their titles, but not the words together, in that
    order: the name is the model's, put together from two others ("Microsoft" and "GitHub Copilot")."""
    written = (
        " ".join(evidence.text(sp) for sp in spans)
        + " "
        + " ".join(evidence.passages[sp.passage].title for sp in spans)
    )
    names = set(re.findall(r"\b[A-Z][\w&-]*", written))
    return all(w in names for w in words) and _flat(" ".join(words)) not in _flat(written)


@lru_cache(maxsize=64)
def _written(text: str) -> str:
    """`_flat` of a passage's title and text, once per passage (`completed` reads it for each of its spans)."""
    return _flat(text)


def _flat(text: str) -> str:
    """Lower-case words between single spaces, possessives dropped ("Microsoft's Azure" and "Microsoft s Azure" alike)."""
    words = re.findall(r"[a-z0-9]+", re.sub(r"['’]s\b", "", text.lower()))
    return " " + " ".join(w for w in words if w != "s") + " "  # "OpenAI s" in a text stripped of its apostrophes


def given_to_another(
    sentence: str, claim: list[Term], new: list[Term], spans: tuple[Span, ...], evidence: Evidence
) -> bool:
    """The spans give what the sentence says of its answer to another name, by a possessive: they write a word the
    sentence says of its answer right after the possessive of a name the sentence does not mention (the thing is
    that name's, not the answer's), or the sentence says the answer is a thing that the spans write only as the
    answer's ("OpenAI is the exclusive cloud provider." from "Microsoft s position as OpenAI s exclusive cloud
    provider": OpenAI has one). A possessive after "as" names a role of the clause's subject ("Microsoft's position
    as OpenAI's exclusive cloud provider" says Microsoft is the provider). Only for a sentence whose answer is a
    name or number."""
    answer = {t.key for t in new if t.critical}
    if not answer:
        return False
    said = {t.key for t in claim}
    words = {t.key for t in claim if not t.critical}
    says_is = _says_it_is(sentence, answer)
    for sp in spans:
        text = evidence.text(sp)
        possessives = [
            (lexicon.keys(m.group(1)), lexicon.keys(m.group(2)), m.start())
            for m in _POSSESSIVE.finditer(text)
            if m.group(1).lower() not in lexicon.STOPWORDS  # "There's growing demand": a contraction, no owner
        ]
        for owner, thing, start in possessives:
            if owner and not owner & said and thing & words and not thing & answer and not _AS.search(text[:start]):
                return True
        if says_is and _only_owns(answer, words, possessives, text):
            return True
    return False


def _says_it_is(sentence: str, answer: set[str]) -> bool:
    """The sentence says the answer is (or was) something, and writes no possessive of the answer's."""
    return any(lexicon.keys(m.group(1)) & answer for m in _IS.finditer(sentence)) and not any(
        lexicon.keys(m.group(1)) & answer for m in _POSSESSIVE.finditer(sentence)
    )


def _only_owns(answer: set[str], words: set[str], possessives: list[tuple[set[str], set[str], int]], text: str) -> bool:
    """The span writes a word of the sentence after the answer's possessive, and the answer nowhere else: it says the
    answer has one, not that it is one."""
    owned = [thing for owner, thing, _ in possessives if owner & answer]
    if not any(thing & words for thing in owned):
        return False
    named = [m for m in re.finditer(r"\b[A-Z][\w&-]*", text) if lexicon.keys(m.group()) & answer]
    return len(named) == len(owned)


def spells_out(sentence: str, question: str, new: list[Term]) -> bool:
    """Every word the sentence adds to the question belongs to a name whose capitals spell an acronym the question
    writes ("Artificial General Intelligence" for "AGI"): the sentence defines it."""
    acronyms = set(_ACRONYM.findall(question))
    spelt = [m.group() for m in _SPELT.finditer(sentence) if "".join(re.findall(r"\b[A-Z]", m.group())) in acronyms]
    return bool(spelt and new) and {t.key for t in new} <= lexicon.keys(" ".join(spelt))
