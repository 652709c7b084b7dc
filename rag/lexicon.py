"""Word lists and word normalisation shared by retrieval, context selection and verification: one stemmer, one
tokenizer, one list of each kind of word."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import Stemmer

stem = Stemmer.Stemmer("english").stemWord

STOPWORDS = frozenset(
    """a about above after again against all also am an and any are as at be because been before being below between
    both but by can could did do does doing down during each few for from further had has have having he her here
    hers herself him himself his how i if in into is it its itself just me more most my myself no nor not of off
    on once only or other our ours ourselves out over own same she should so some such than that the their theirs
    them themselves then there these they this those through to too under until up very was we were what when
    where which while who whom why will with would you your yours yourself yourselves s t shouldn now ll re ve
    d m o y per according article articles passage passages mention mentions mentioned state states stated said says
    whats whos hows wheres whens whys please pls plz""".split()
)
NEGATIONS = frozenset(
    """not no never none nor neither without cannot isn aren wasn weren doesn didn hasn haven hadn couldn
    shouldn wouldn n't isnt arent wasnt werent doesnt didnt dont wont cant hasnt havent hadnt couldnt shouldnt
    wouldnt""".split()
)
ORDINALS = """first second third fourth fifth sixth seventh eighth ninth tenth eleventh twelfth thirteenth fourteenth
    fifteenth sixteenth seventeenth eighteenth nineteenth twentieth""".split()


def _suffixed(n: int) -> str:
    """An ordinal as written in digits: 1 -> "1st", 12 -> "12th", 22 -> "22nd"."""
    return f"{n}{'th' if 10 <= n % 100 <= 20 else {1: 'st', 2: 'nd', 3: 'rd'}.get(n % 10, 'th')}"


MONTHS = "January February March April May June July August September October November December".split()
NUMBER_WORDS = {
    **{w: str(n) for n, w in enumerate("one two three four five six seven eight nine ten eleven twelve".split(), 1)},
    **{w: _suffixed(n) for n, w in enumerate(ORDINALS, 1)},  # "Seventh Avenue" is "7th Avenue"
    **{m[:3].lower(): m.lower() for m in MONTHS},
    "sept": "september",
}
# words nearly every question about news has: they frame what an article does, they are not facts it states
NEWS_WORDS = frozenset(
    """article articles report reported reports reporting published publication according mention mentioned mentions
    suggest suggests suggested indicate indicates indicated news say says said discuss discussed discusses
    discussing both later earlier prior following while whereas regarding concerning""".split()
)
# ... of which these are prepositions, skipped as written: their stems are nouns and verbs ("What concerns ...?")
PREPOSITIONS = frozenset("following regarding concerning".split())
# ... and what a yes/no question asks of the articles ("was there a change", "remained consistent"): the verdict
FRAMING = NEWS_WORDS | frozenset(
    """describe describes described focus focuses focused imply implies implied portray portrays portrayed portrayal
    coverage depiction anticipate anticipates reflect reflects highlight highlights reveal reveals revealing
    stating claim claims consistent consistency inconsistent inconsistency change changed discrepancy agreement
    disagreement remain remained same similar different difference perspective narrative""".split()
)
# words a question asks with, not what it asks about ("what is the name of", "how many"): never a constraint
ASKING = frozenset(
    """date day days year years month months time times many much number amount name names named call called happen
    happened happens people person kind type role main mention mentioned say tell describe explain reason purpose
    exact exactly specific specifically according report reported reports article news story one firm company
    organisation organization country city place thing react reaction reactions respond response responses think
    feel opinion opinions""".split()
)

# acronyms with dots (U.S., F.E.A.R.) or an ampersand (R&B, AT&T) and letter-digit names (H5N1, G7, 3M) are one
# token; hyphens separate words
TOKEN = re.compile(
    r"(?:[A-Za-z]\.){2,}|[A-Za-z]+&[A-Za-z]+|[A-Za-z]+\d[A-Za-z\d]*|\d+(?:st|nd|rd|th)\b|\d+[A-Za-z][A-Za-z\d]*\b|"
    r"\d+(?:[.,]\d+)*|[^\W\d_][^\W\d_'’]*(?:['’][^\W\d_]+)?"
)


@dataclass(frozen=True)
class Term:
    key: str  # normalised form compared against evidence
    critical: bool  # a name or a number: a wrong one is a wrong claim
    word: str = ""  # as written

    @property
    def number(self) -> bool:
        return self.key[:1].isdigit()


# a number with a unit written in lower case after it ("80m", "5km", "10bn"; not "3M", "G7"): the number it states
_MEASURE = re.compile(r"(\d+(?:[.,]\d+)?)(?:mm|cm|m|km|kg|mi|ft|lbs?|mn|bn|tn|k)")


_ACRONYM_FORM = re.compile(r"([A-Z]{2,})(?:s|['’]s)")


@lru_cache(maxsize=65536)
def norm(word: str) -> str:
    """One normal form per word: lower case, possessive dropped, number words as digits, a measure as its number
    ("80m" is the 80 of "80 m"), stemmed; a word in capitals is an acronym, not stemmed ("UPS" is not "up")."""
    if acronym := _ACRONYM_FORM.fullmatch(word):  # "GPUs", "AWS's": the acronym's plural or possessive is the acronym
        word = acronym.group(1)
    if len(word) >= 2 and word.isalpha() and word.isupper():
        return word.lower()
    if measure := _MEASURE.fullmatch(word):
        word = measure.group(1)
    word = word.lower().replace("’", "'")
    if word.endswith("'s"):
        word = word[:-2]
    word = NUMBER_WORDS.get(word, word)
    if "." in word and not word[0].isdigit() or "&" in word:  # an acronym: compared as written, without dots
        return word.replace(".", "")
    if word[0].isdigit():
        return word.replace(",", "").rstrip(".").removesuffix(".0")
    return stem(word.strip("'-"))


# a quantity too vague to be an answer or part of one: "used in several hospitals" adds nothing to "Which hospitals
# use it?" ("Several years" is answered by its "years")
VAGUE = frozenset(norm(w) for w in "several many various numerous multiple certain".split())
# the words a reader asks for the big picture with ("sum up", "the gist", "key takeaways", "tl;dr", "main points")
OVERVIEW = frozenset(
    norm(w)
    for w in """gist summary summarize summarise sum overview recap tldr tl dr key main point points takeaway
    takeaways highlight highlights overall general whole brief briefly quick quickly short picture big content contents
    topic topics subject involved involve""".split()
)
# ... and the words a request goes with ("give me", "help me understand", "in two sentences"): no topic either
REQUESTING = frozenset(
    norm(w)
    for w in """give show list share provide outline walk help understand know sentence sentences paragraph
    paragraphs bullet bullets line lines""".split()
)


def terms(text: str, lower: frozenset[str] = frozenset()) -> list[Term]:
    """Content terms: stopwords and negations dropped, words stemmed; capitalised words and numbers are critical
    (`lower`: words the articles write in lower case, which are no names when only grammar capitalises them)."""
    out: list[Term] = []
    text = _united(text)
    found = list(TOKEN.finditer(text))
    tokens = [m.group() for m in found]
    # "Finally, ...", "Founded in 1990, ...": an opening word set off by a comma, or one the articles write in
    # lower case, is an ordinary word whatever its capital ("Boeing will cut ..." is a name)
    opener = bool(found) and bool(_COMMA.match(text, found[0].end()))
    # a date written in digits states its day, month and year, as the spans' keys read it ('27 10 2025' is October)
    dates = _dates(text)
    for i, word in enumerate(tokens):
        date = next((d for d in dates if d[0].start() <= found[i].start() < d[0].end()), None)
        if date is not None:
            if date[0].start() == found[i].start():
                day, month, year = date[1]
                out += [Term(str(day), True, str(day)), Term(norm(MONTHS[month - 1]), True, MONTHS[month - 1])]
                out.append(Term(str(year), True, str(year)))
            continue
        low = word.lower().replace("’", "'")
        if (
            not (len(low) == 1 and _letter_name(found, i, text))
            and (
                _CONTRACTED.sub("", low) in STOPWORDS  # "what's" is "what", "they're" is "they"
                or low in NEGATIONS
                or low.endswith("n't")  # "didn't": a negation
                or len(low) == 1
                and not low.isdigit()
                or low == "one"
                and tokens[i + 1 : i + 2] == ["of"]  # "one of the reasons" counts nothing
            )
        ):
            continue
        is_number = word[0].isdigit()
        following = tokens[1] if i == 0 and len(tokens) > 1 else ""
        is_name = word[0].isupper() and (i > 0 or not _common_capitalised(word, following, lower, opener))
        out.append(Term(norm(word), is_number or is_name, word))
    return out


def content(text: str, lower: frozenset[str] = frozenset()) -> list[Term]:
    """The terms a sentence states something with: `terms` less the vague quantities (`VAGUE`), which state nothing."""
    return [t for t in terms(text, lower) if t.key not in VAGUE]


def _letter_name(found: list[re.Match[str]], i: int, text: str) -> bool:
    """A capital letter that ends a name ("Series D", "Model Y", "Plan B"): after a capitalised word, and not an
    initial ("George W. Bush") nor the pronoun or article."""
    word = found[i].group()
    return (
        word.isupper()
        and word not in ("I", "A")
        and i > 0
        and found[i - 1].group()[:1].isupper()
        and not text.startswith(".", found[i].end())
    )


_CONTRACTED = re.compile(r"'(?:s|re|ve|ll|d|m)$")


_COMMA = re.compile(r"\s*,")


def _common_capitalised(word: str, following: str, lower: frozenset[str], opener: bool = False) -> bool:
    """A sentence-initial capital on an ordinary word ('Training', 'Both') does not make it a name: a stopword, an
    adverb or participle set off by a comma ('Finally,'), or a word the articles write in lower case ("Healthcare is
    ...": "from healthcare to education") unless it begins a name of several capitalised words ("Hot Rod", "Twenty
    One Pilots"). 'Boeing', 'Beijing' and 'Italy' are names."""
    low = word.lower()
    adverb = low.endswith(("ing", "ed", "ly")) and opener
    return low in STOPWORDS or adverb or low in lower and not following[:1].isupper()


_UNITED = re.compile(r"\bUnited (States|Kingdom)\b")


def _united(text: str) -> str:
    """ "United States" as "US" and "United Kingdom" as "UK", as "U.S." and "U.K." are read ("states" is a word the
    articles frame facts with, not a name)."""
    return _UNITED.sub(lambda m: "US" if m.group(1) == "States" else "UK", text)


def keys(text: str) -> set[str]:
    """Every normalised word of a text, stopwords included (cheap membership tests); a date written in digits
    states its day, month and year, not a count ('27 10 2025' states October, not 10: see `_dated`)."""
    dated, spans = _dated(text)
    for start, end in reversed(spans):
        text = f"{text[:start]} {text[end:]}"
    found = {norm(m.group()) for m in TOKEN.finditer(_united(text))}
    return found | {m.group(1) for k in found if k[:1].isdigit() and (m := _DAY.fullmatch(k))} | dated


_DAY = re.compile(r"(\d+)(?:st|nd|rd|th)")  # an ordinal in digits: "October 28th" states the 28 of "28 October"
_NUMERIC_DATE = re.compile(  # an ISO date-time's time and offset go with its date ("2023-10-04T21:11:57+00:00")
    r"\b(\d{1,2})[ ./-](\d{1,2})[ ./-](\d{4})\b"
    r"|\b(\d{4})-(\d{1,2})-(\d{1,2})(?:T\d\d:\d\d(?::\d\d(?:\.\d+)?)?(?:Z|[+-]\d\d:?\d\d)?)?\b"
)


def _dated(text: str) -> tuple[set[str], list[tuple[int, int]]]:
    """The day, month name and year of each date written in digits ('27 10 2025', '27.10.2025', '10/27/2025',
    '2025-10-27'), so that '27 October 2025' is stated by it, and where those dates stand. A day-month order that
    cannot be told ('05/06/2025') states no month: its numbers stay numbers."""
    out: set[str] = set()
    spans: list[tuple[int, int]] = []
    for m, (day, month, year) in _dates(text):
        out |= {str(day), norm(MONTHS[month - 1]), str(year)}
        spans.append(m.span())
    return out, spans


def _dates(text: str) -> list[tuple[re.Match[str], tuple[int, int, int]]]:
    """Each date written in digits whose day and month can be told, with its day, month and year."""
    found = []
    for m in _NUMERIC_DATE.finditer(text):
        if m.group(4):
            year, month, day = int(m.group(4)), int(m.group(5)), int(m.group(6))
        else:
            first, second, year = int(m.group(1)), int(m.group(2)), int(m.group(3))
            if first > 12 >= second:
                day, month = first, second
            elif second > 12 >= first:
                day, month = second, first
            else:
                continue
        if 1 <= month <= 12 and 1 <= day <= 31:
            found.append((m, (day, month, year)))
    return found


def negated(text: str) -> bool:
    low = text.lower().replace("’", "'")
    return any(w in NEGATIONS for w in re.findall(r"[a-z]+", low)) or "n't" in low


CRITICAL_WEIGHT = 2.0  # a name or number counts double in a claim's coverage


def akin(term: Term, span: set[str] | frozenset[str]) -> bool:
    """A topic word of the question in another form ('private' / 'privacy', 'develop' / 'developers'), or as the
    reader typed it, one letter off ('alligned' / 'aligned', 'archaeologists' / 'archeologists'; names: `misspelt`
    where the names rule reads them)."""
    key = term.key
    if len(key) >= 5 and key.isalpha() and any(len(k) >= 5 and k[:5] == key[:5] for k in span):
        return True
    return not term.critical and misspelt(key, frozenset(span))


MOSTLY = 0.5  # the share of a sentence's words other than names and numbers that the sentence citing it must state


def share(terms: list[Term], span: set[str] | frozenset[str]) -> float:
    """Weighted share of `terms` the span states in some form, or `akin` (names and numbers count double)."""
    weight = {t.key: CRITICAL_WEIGHT if t.critical else 1.0 for t in terms}
    found = sum(weight[t.key] for t in terms if stated(t, span) or akin(t, span))
    return found / sum(weight[t.key] for t in terms)


def coverage(claim: list[Term], span: set[str] | frozenset[str]) -> float:
    """Weighted share of the claim's terms that the span states (critical terms count double)."""
    total = sum(CRITICAL_WEIGHT if t.critical else 1.0 for t in claim)
    found = sum(CRITICAL_WEIGHT if t.critical else 1.0 for t in claim if stated(t, span))
    return found / total if total else 0.0


def stated(term: Term, evidence: set[str] | frozenset[str]) -> bool:
    """The evidence has the term, or for a name another form of it ('Europe' / 'European': shared stem)."""
    if term.key in evidence:
        return True
    key = term.key
    if term.word[:1].isdigit() and (day := _DAY.fullmatch(key)):
        return day.group(1) in evidence  # "the 28th" is stated by "28 October"
    if not term.critical or len(key) < 5 or not key.isalpha():
        return False
    return any(len(k) >= 5 and (k.startswith(key) or key.startswith(k)) for k in evidence)


def misspelt(key: str, words: frozenset[str]) -> bool:
    """A reader's typo of a word the passage has ('Micorsoft'): one letter changed, added, dropped or two swapped,
    in a word of six letters or more."""
    if len(key) < 6 or not key.isalpha():
        return False
    return any(abs(len(w) - len(key)) <= 1 and w[:1] == key[:1] and _one_edit(key, w) for w in words)


def _one_edit(a: str, b: str) -> bool:
    if len(a) == len(b):
        diff = [i for i, (x, y) in enumerate(zip(a, b, strict=True)) if x != y]
        return len(diff) == 1 or len(diff) == 2 and diff[1] == diff[0] + 1 and a[diff[0]] == b[diff[1]]
    short, long_ = sorted((a, b), key=len)
    return any(long_[:i] + long_[i + 1 :] == short for i in range(len(long_)))
