"""What a question fixes that the span citing an answer must state: the names it asks about, its qualifiers (years,
quarters, categories), its own words (the topic a sentence must say something of) and a quiz's words and options.
Read by `rag.grounding`'s rules, from the parsed `Question`."""

from __future__ import annotations

import re

from rag import articles, lexicon
from rag.lexicon import Term
from rag.question import COMPARES, OPTIONS, Question

# words that fix which event or category a question asks about, though they are not names, by kinds whose members
# exclude each other
KINDS = tuple(
    frozenset(lexicon.norm(w) for w in group.split())
    for group in ("men women", "male female", "boys girls", "junior senior", "singles doubles", "q1 q2 q3 q4",
                  "first second third fourth fifth", "quarterfinal semifinal final")
)  # fmt: skip
QUALIFIERS = frozenset().union(*KINDS)
_STOP_KEYS = frozenset(lexicon.norm(w) for w in lexicon.STOPWORDS)  # "during" as keys write it: "dure"


def topic(question: Question | None) -> list[Term]:
    """The question's own words, less its names and numbers (other rules check those): what a sentence or its
    span must say something of; none when it asks for the big picture (`Question.overview`)."""
    if question is None or question.overview:
        return []
    first = _first_key(question)
    return [t for t in question.constraints if not t.number and (not t.critical or t.key == first)]


def quiz_words(question: Question | None) -> list[Term]:
    """A quiz question's own words ("Which automaker announced it will cut around 14,000 jobs? Options: Tesla; Ford;
    ..."), less its options and numbers: the sentence of the span that names the chosen option must state two of
    them. A span that merely names an option ("Ford" in a sentence about something else) does not answer the quiz.
    Chosen on RealTimeQA's dev half of 100 quizzes: one word refuses 2 wrong answers and 2 unanswerable quizzes
    answered; two refuse as well 2 right answers and 2 answered quizzes whose cited sentence states one of the quiz's
    words ("Google said it would appeal the decision." for the company that lost an antitrust suit); three, one more
    right and one more wrong."""
    if question is None or not question.candidates or not OPTIONS.search(question.asked):
        return []
    given = offered(question)
    return [t for t in question.constraints if not t.number and t.key not in given]


def names_an_option(sentence: str, question: Question) -> bool:
    """The sentence states every word of one of the options the quiz offers, in some form ("the Dassault Falcon
    900EX aircraft" names none of "Boat; Airplane; ...")."""
    said = lexicon.keys(sentence)
    return any(lexicon.keys(option) - _STOP_KEYS <= said for option in question.candidates)


def option_words(question: Question | None) -> list[frozenset[str]]:
    """The words of each option a quiz lists, all of them ("Not required" is not stated by "will be required")."""
    if not quiz_words(question):
        return []
    return [frozenset(lexicon.keys(option)) for option in question.candidates if option.strip()]


# "new" in lower case, or capitalised before no other capitalised word ("New York" names a place, not the news)
_RECENT = re.compile(
    r"\b(?i:recent\w*|latest|this (?:week|month|year)\b|current\w*|now|just)\b|\bnew(?:ly)?\b|\bNew(?:ly)?\b(?!\s+[A-Z])"
)


def recent(question: Question | None) -> bool:
    """The question asks about the latest news ("recently", "the latest", "this week", "new", "now"): an article a
    year older than the newest one retrieved reports an earlier event ("Turkey was struck by a magnitude 6.7
    earthquake" in 2020 for "Which country was recently struck by a 7.4 earthquake?")."""
    return question is not None and bool(_RECENT.search(OPTIONS.sub("", question.asked)))


def keys(question: Question | None) -> frozenset[str]:
    """Every normalised word of the question asked."""
    return frozenset(lexicon.keys(question.asked)) if question is not None else frozenset()


def qualifiers(question: Question | None) -> list[Term]:
    """What the question fixes that a span must state beside the answer: its numbers and years written in digits
    ("the two partners" fixes nothing), and its category words (an open question's; a yes/no question's premises
    are checked on their own); not those of a relative clause about another noun (`bridging`)."""
    bridge = {t.key for t in bridging(question)}
    return [t for t in _qualifying(question) if t.key not in bridge]


def bridging(question: Question | None) -> list[Term]:
    """The qualifiers of a relative clause that describes another noun than the one asked about ("Which
    Oscar-nominated film was written by the screenwriter who wrote a 1991 romantic drama ...?", "... featuring the
    American artist who was 1st runner-up in the 2005 ... competition?"): they fix the bridge to the answer, which
    the cited passage must state, not the answer, which its sentence need not stand beside. A clause after a
    comma ("how many Republicans, who ... in 2020?") or the question's own wh-word ("In which year ...?") is not
    one."""
    found = _RELATIVE.search(question.asked) if question is not None else None
    if found is None or len(lexicon.terms(_ASKED_NOUN.sub("", question.asked[: found.start()]))) <= 2:
        return []  # "Name the player who won the 2013 men's final": the clause describes the answer itself
    clause = set(lexicon.keys(found.group(1)))
    return [t for t in _qualifying(question) if t.key in clause]


# a relative pronoun after a word that is neither a comma nor a preposition: "the screenwriter who wrote ..."
_RELATIVE = re.compile(
    r"(?<![,;])(?<!\bin)(?<!\bof)(?<!\bfor)(?<!\bby)(?<!\bto)(?<!\bat)(?<!\bon)(?<!\bfrom)(?<!\bwith)"
    r"\s+(?:who|whom|whose|which)\s+(.*)$",
    re.I,
)


# how a question opens before the noun it asks about: "Who was the", "What is the name of the", "Name the", "Which"
_ASKED_NOUN = re.compile(
    r"^\s*(?:(?:who|what|which)\s+(?:is|was|are|were)\s+(?:the\s+)?(?:name\s+of\s+)?|name\s+|which\s+|what\s+)"
    r"(?:the\s+|a\s+|an\s+)?",
    re.I,
)


def _qualifying(question: Question | None) -> list[Term]:
    if question is None or question.form != "open":
        return []
    # "the second article" names a document, not a fact; "Who was born first, A or B?" compares the two names it
    # offers: "first" fixes no event or category there
    framing = {lexicon.norm(word) for word in articles.places(question.asked)}
    if question.compares:
        framing |= {lexicon.norm(m.group()) for m in COMPARES.finditer(question.asked)}
    return [t for t in question.constraints if (t.word[:1].isdigit() or t.key in QUALIFIERS) and t.key not in framing]


_ASKS_AGAIN = re.compile(r",?\s+and\s+(?=(?:who|what|when|where|which|how|why)\b)|[;?]\s*", re.I)


def names(question: Question | None) -> list[list[Term]]:
    """Per question asked ("When was it signed, and who is its CEO?" asks two), the names it asks about: the
    passage an answer cites must state one of the names of one of them (a question about another company is not
    answered by an article that never names it; "Real ID ... in the United States" is, by one saying "U.S."), and
    none is asked when one of them names nothing. Names are capitalised words past a question's first (or from
    its first, when it opens with a name of several words), less the answers it offers ("Options: A; B", "A or
    B?"). A single question describing its answer in clauses (rag.question.clauses: "which company, expected to
    ... according to Engadget, ...") asks about the names of any one clause that has some. Chosen on dev:
    requiring every name refused two more right answers and no more wrong."""
    if question is None or question.form != "open":
        return []
    stem = OPTIONS.sub("", question.asked)  # "Options: A; B; C" offers answers; it asks about nothing
    given = offered(question)  # nor does "A or B"
    parts = [part for part in _ASKS_AGAIN.split(stem) if part.strip()]
    if len(parts) == 1 and question.clauses:
        first = _first_key(question)
        named = (
            [t for t in clause if t.critical and not t.number and t.key != first and t.key not in given]
            for clause in question.clauses
        )
        return [found for found in named if found]
    out = [[t for t in _named(part) if t.key not in given] for part in parts]
    return out if all(out) else []


def mentions(question: Question | None) -> list[Term]:
    """Every name the question states, whatever it asks (capitalised words past its first, or from its first when it
    opens with a name of several), less the answers it offers: each of two articles that an answer joins must name
    one of them ("Nicholas Ray directed ..." from an article on another film, for the film shot at the Quality
    Cafe)."""
    if question is None:
        return []
    given = offered(question)
    return [t for t in _named(OPTIONS.sub("", question.asked)) if t.key not in given]


def _named(part: str) -> list[Term]:
    """The names and other capitalised words of a part of a question, less its first word, capitalised only because
    it comes first ("Microsoft" of "Microsoft bought which company?" is lost with "Name" of "Name the ..."; "What
    did Microsoft announce?" names it), unless the part opens with a name of several words."""
    terms = [t for t in lexicon.terms(part) if t.critical and not t.number]
    first = lexicon.TOKEN.search(part)
    if terms and first and not _opens_with_name(part) and terms[0].key == lexicon.norm(first.group()):
        return terms[1:]
    return terms


def _opens_with_name(part: str) -> bool:
    """The part begins with a name of several capitalised words ("Chang Ucchin was born ..."), not with a word
    capitalised only because it comes first ("Name the ...")."""
    words = lexicon.TOKEN.findall(part)[:2]
    return len(words) == 2 and all(w[:1].isupper() for w in words) and words[0].lower() not in lexicon.STOPWORDS


def _first_key(question: Question) -> str:
    """The key of the question's first word ("Which", or a name it begins with)."""
    return lexicon.norm(m.group()) if (m := lexicon.TOKEN.search(question.asked)) else ""


def named(question: Question | None) -> frozenset[str]:
    """The keys of the names and numbers the question writes."""
    return (
        frozenset(t.key for t in lexicon.terms(question.asked) if t.critical) if question is not None else frozenset()
    )


def offered(question: Question) -> set[str]:
    """The keys of the answers the question itself offers ("Options: A; B", "A or B?")."""
    return {k for c in question.candidates for k in lexicon.keys(c)}


def offered_only(question: Question | None) -> set[str]:
    """The keys of the answers the question offers that it writes nowhere else ("first" is no answer of "Which
    magazine was started first, Arthur's Magazine or First for Women?")."""
    if question is None or not question.candidates:
        return set()
    rest = question.asked
    for candidate in question.candidates:
        rest = rest.replace(candidate, " ")
    return offered(question) - lexicon.keys(rest)
