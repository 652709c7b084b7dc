"""The question, parsed once: its form (open, yes/no, either-or), the options of an either-or question, the premises
a yes/no question asks about, and the constraints (names, numbers, topic words) an answer must be stated with."""

from __future__ import annotations

import re
from dataclasses import dataclass

from rag import lexicon
from rag.errors import BadQuestion
from rag.lexicon import Term

# terminal escapes whole (CSI "ESC[...m", 8-bit CSI, OSC "ESC]...BEL" with its text), C0/C1 controls and the
# invisible format characters (zero-width spaces and joiners, byte-order mark) a pasted question may carry
_CONTROL = re.compile(
    r"\x1b\[[0-9;?]*[A-Za-z]|\x9b[0-9;?]*[A-Za-z]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|"
    r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b-\u200f\u2060\ufeff]"
)
_CHOICE = re.compile(
    r"\b(before|after|up|[a-z]{3,}) or ([a-z]{3,}|before|after)\b(?=[^,;]*(?:,\s*according to [^,;]+)?\?\s*$)"
)  # "... increase or decrease, according to TechCrunch?", "go up or down after ...?"
_PLURAL = re.compile(r"[a-z]+[^siu]s")  # "teams", "leagues", "products" (not "less", "various", "analysis", "bus")
# what an either-or's first option follows when the two are topics a yes/no question asks about, not a judgement
_ABOUT = re.compile(
    r"\b(?:about|regarding|concerning|including|like|any|anything|mentions?|mentioned|mentioning|covers?|covered|"
    r"discuss(?:es|ed)?)(?:\s+[\w'’-]+)?\s+$",
    re.I,
)
_ASKS_WHICH = re.compile(r"\b(?:which|what|whose)\s+$", re.I)  # the word before an either-or's first option
_AUXILIARY = re.compile(
    r"^\W*(?:is|are|was|were|do|does|did|has|have|had|can|could|will|would|should|shall|may|might|must)\b", re.I
)
_WH = re.compile(r"^\W*(?:who|whom|whose|what|which|when|where|how|why)\b", re.I)
_WH_LAST = re.compile(r"\b(?:who|whom|whose|what|which|when|where|how|why)\b(?:\s+[\w'’-]+){0,3}\s*\?\s*$", re.I)
# a question word of the reader's language: anywhere when it cannot be another word ("Contre quel type ...", "Von
# Firmen aus welchem Land ..."), at the start when it can ("que" is also a conjunction)
_READER_WH = {
    "fr": re.compile(
        r"\b(?:qui|quoi|quel|quelle|quels|quelles|quand|où|comment|pourquoi|combien|lequel|laquelle|lesquel(?:le)?s)\b"
        r"|^\W*(?:que|qu['’])",
        re.I,
    ),
    "es": re.compile(
        r"(?<!\w)(?:qué|quién|quiénes|cuándo|dónde|cómo|cuál|cuáles|cuánt[oa]s?)(?!\w)"
        r"|^\W*(?:que|quien|cuando|donde|como|cual|cuant[oa]s?)\b",
        re.I,
    ),
    "de": re.compile(
        r"\b(?:was|wer|wen|wem|wessen|wann|wo|wie|welche[rsnm]?|warum|weshalb|wieso|wozu|wo(?:r|)(?:an|auf|über|um|in|aus)"
        r"|wovon|womit|wodurch|wofür|wohin|woher)\b",
        re.I,
    ),
    "it": re.compile(
        r"(?<!\w)(?:chi|cosa|quale|quali|quando|dove|perché|perche|quant[oaie])(?!\w)|^\W*(?:che|come)\b", re.I
    ),
    "pt": re.compile(
        r"(?<!\w)(?:quem|qual|quais|quando|onde|porque|quant[oa]s?)(?!\w)|^\W*(?:que|o que|como|por que)\b", re.I
    ),
}
_CLAUSE = re.compile(r",?\s+(?:while|whereas|but|compared (?:to|with))\s+|,\s+and\s+(?=the\b)", re.I)
_WORD = re.compile(r"[\w'’&.-]+")
# "according to the first article", "the 2nd piece": the reader picks one of the articles (rag.articles); the place
# word is no figure a passage states
PLACE = re.compile(
    r"\b(first|second|third|fourth|fifth|last|\d(?:st|nd|rd|th))\s+(?:article|piece|story|write-?up)s?\b",
    re.I,
)
OPTIONS = re.compile(r"\s*\b(?:options|choices)\s*:\s*(.+?)\s*[.?]?\s*$", re.I)
_NAME = r"[A-Z0-9][\w'’&.-]*(?:\s+(?:of|the|de|and|&)?\s*[A-Z0-9][\w'’&.-]*)*"
_NAMED_CHOICE = re.compile(rf"({_NAME})\s*,?\s+or\s+({_NAME})")
# a wh-question asked politely: "Can you tell me when ...?", "Do you know who ...?", "Could you explain why ...?"
_EMBEDDED = re.compile(
    r"^\W*(?:can|could|would|will|do|does)\s+(?:you|anyone|someone|somebody)\s+(?:please\s+)?"
    r"(?:tell|show|explain|say|know|find|remind)\b(?:\s+(?:me|us))?(?:\s+(?:out|again))?\s+"
    r"((?:who|whom|whose|what|which|when|where|why|how)\b.*)$",
    re.I,
)
_PICKS = re.compile(r"\b(?:which|who)\b", re.I)
# "What is this news about?", "what happened", "what's going on", "what does the first article say?"
_BIG_PICTURE = re.compile(
    r"\babout\W*$|\bwhat(?:'s|’s|s| is| was| has)?\s+(?:going on|happen\w*)\b|\bsay\W*$|\bsaying\W*$", re.I
)
# a request ("Can you give me a quick summary ...?", "Could you please list ...", "Sum up both articles in two or
# three sentences"): it asks for what follows its verb, not yes or no, and offers no options ("two or three")
_REQUEST = re.compile(
    r"^\W*(?:(?:can|could|would|will)\s+(?:you|u)\s+|please\s+)?(?:please\s+|just\s+|\w+ly\s+)?"
    r"(?:give|tell|show|list|summari[sz]e|sum\s+up|explain|describe|outline|recap|share|provide|walk|break\s+down|"
    r"go\s+over|highlight|name|help)\b(?!\s+(?:me\s+|us\s+)?(?:whether|if)\b)",
    re.I,
)
# "between A and B, which ...?": the two names the question picks from (names, not a span of years)
_BETWEEN = re.compile(rf"\b(?i:between)\s+(?:[a-z]+\s+){{0,3}}?(?=[A-Z])({_NAME})\s+and\s+(?=[A-Z])({_NAME})")
COMPARES = re.compile(
    r"\b(?:first|last|earlier|later|older|younger|oldest|youngest|more|most|less|least|fewer|\w+er\s+than|"
    r"larger|largest|bigger|biggest|smaller|smallest|longer|longest|shorter|taller|higher|lower|same)\b",
    re.I,
)
# a judgement of how reports compare ("Was there inconsistency in the portrayal ...?", "Did the narrative change
# ...?", "... remained consistent ...?"), not a fact one of them states: its words, and a word naming reports ("the
# agreement" or "Did Microsoft agree to ...?" judges nothing)
JUDGED = re.compile(
    r"\b(?:consisten\w*|inconsisten\w*|chang(?:e|ed|es|ing)|same|differ\w*|similar\w*|agree(?:s|d|ing)?|disagree\w*|"
    r"contradict\w*|align\w*)\b",
    re.I,
)
_REPORTS = re.compile(r"\b(?:report\w*|articles?|portray\w*|coverage|narrative\w*|stor(?:y|ies)|publish\w*)\b", re.I)
# where a question's wh-word stands: first, or after the source it names ("According to the analysis, why ...?")
_OPENING = r"^\W*(?:(?:according to|as per|per|in|from)\b[^,?]*,\s*)?"
_WANTS = (
    ("time", re.compile(r"\bwhat time\b|\btime of (?:the )?day\b|\bat what hour\b", re.I)),
    ("number", re.compile(r"\bhow (?:many|much)\b|\bwhat (?:percentage|share|number|amount|proportion)\b", re.I)),
    ("date", re.compile(rf"{_OPENING}when\b|\b(?:what|which|in what) (?:date|day|year|month)\b", re.I)),
    ("reason", re.compile(rf"{_OPENING}why\b|\bfor what reason\b", re.I)),
)
# the time of day asked in the reader's own words, which a translation may turn into "when" ("¿A qué hora se firmó
# ...?" -> "When was ... signed?"): the kind asked is read from the reader's question too
_READER_TIME = {
    "fr": re.compile(r"\bà quelle heure\b", re.I),
    "es": re.compile(r"(?<!\w)a qué hora(?!\w)", re.I),
    "de": re.compile(r"\bum wie ?viel uhr\b|\bwelche[rn]? uhrzeit\b", re.I),
    "it": re.compile(r"(?<!\w)a che ora(?!\w)", re.I),
    "pt": re.compile(r"(?<!\w)a que horas?(?!\w)", re.I),
}
_PARTS = re.compile(r"\s*[,;]\s*|\s+(?:while|whereas)\s+|\s+and\s+(?=(?:is|was|has|had|also|which|who|that)\b)", re.I)
# "Is the deal a multi-million or a multi-billion dollar investment?", "Is it built on joint investments, or is it
# more of a licensing deal?": a question with an auxiliary verb offering two phrases asks which, not yes or no. The
# second runs to the end; the first begins with the word the second does ("as a one-off payment or as a ..."), or,
# after "or is it ...", is the last words before it back to a function word
_OR = re.compile(r"^(?P<head>.*?\S)\s*,?\s+or\s+(?P<tail>[^,;:?]+?)\s*[.?!]*\s*$", re.S)
_OR_IS_IT = re.compile(r"^(?:is|are|was|were|does|do|did|has|have|will|would)\s+(?:it|they|this|that|he|she)\s+", re.I)
_LEADS = frozenset("a an the as in on at to for by with from into more mostly only".split())
_NOT_AN_OPTION = frozenset("not so more less other another any anything else elsewhere both".split())
MOST_OPTION_WORDS = 6
MIN_PREMISE_TERMS = 3
MIN_CLAUSE_TERMS = 2


@dataclass(frozen=True)
class Question:
    """What was asked. `text` as the user typed it; `asked` the standalone form the product answers (the same text
    unless a follow-up was rewritten with the conversation)."""

    text: str
    asked: str
    form: str  # "open", "yes-no" or "choice"
    options: tuple[str, ...] = ()  # the two words of an either-or judgement ("consistent", "inconsistent")
    premises: tuple[str, ...] = ()  # what a yes/no or either-or question asks about, without its framing
    constraints: tuple[Term, ...] = ()  # content terms an answer must be stated together with
    # a question describing its answer in several clauses ("which company, expected to focus on Macs according to
    # Engadget, and also known for ... as The Verge reported?"): each clause's constraints, which one span can state
    clauses: tuple[tuple[Term, ...], ...] = ()
    candidates: tuple[str, ...] = ()  # answers the question itself offers ("Options: A; B", "Apple or Google?")
    wants: str = ""  # the kind of answer asked for: "date", "number", "time", "reason", or "" (anything)
    language: str = "en"  # the reader's: the answer is verified in the articles' language and shown in this one
    # picks one of its candidates by comparing them ("Who is older, A or B?"): the answer is a reading of what the
    # passages state about each, like a yes/no verdict, not a fact one sentence states
    compares: bool = False
    # judges how two reports compare ("Was there inconsistency in ... between the report of October 1 and the
    # report of October 7?"): the passages state each report; the judgement is the model's reading of them
    judges: bool = False
    # offers two phrases to choose between, after an auxiliary verb ("Is the agreement described as a routine
    # renewal or a landmark move?"): `candidates` holds them, and the prompt asks for the one the passages state
    which: bool = False
    # asks for the big picture ("What is this news about?", "Sum up the first article", "give me the main points"):
    # it fixes no topic beyond the names it writes, so whatever the passages state answers it (rag.asked.topic)
    overview: bool = False

    @property
    def verdict_form(self) -> bool:
        """Answered with a verdict word ("Yes", "No", or one of the options) rather than a fact."""
        return self.form != "open"

    @property
    def rewritten(self) -> str | None:
        return self.asked if self.asked.lower() != self.text.lower() else None  # not when only names were cased


def cleaned(question: object, limit: int) -> str:
    """The question without control characters and terminal escapes; a BadQuestion, saying what to do, when it is
    not text, is empty, or is longer than `limit` characters (RAG_MAX_QUESTION_CHARS)."""
    if not isinstance(question, str):
        raise BadQuestion(f"The question must be text, not {type(question).__name__}.")
    text = _CONTROL.sub(" ", question).strip()
    if not text:
        raise BadQuestion("The question is empty: type a question about the articles.")
    if len(text) > limit:
        raise BadQuestion(
            f"The question is {len(text):,} characters long; the limit is {limit:,} (RAG_MAX_QUESTION_CHARS). "
            "Ask something shorter."
        )
    return text


def parse(text: str, asked: str | None = None, language: str = "en") -> Question:
    """Parse `asked` (default: `text`) once; every later stage takes the `Question`. `asked` is the standalone
    question in the articles' language; `language` the one `text` was asked in."""
    asked = asked or text
    request = any(_REQUEST.match(part) for part in openings(asked))  # "hey, ..., can u give me the gist"
    options = () if request else choices(asked)
    # "Is A or B the largest ...?" asks which of two names, as "Which is the largest, A or B?" does: not yes or no
    embedded = _EMBEDDED.match(asked)  # "Can you tell me when the deal was signed?" asks when
    yes_no = not request and (
        is_yes_no(asked) and not asks_for_a_fact(text, language) and not _NAMED_CHOICE.search(asked) and not embedded
    )
    phrases = alternatives(asked) if yes_no and not options else ()
    form = "choice" if options else "yes-no" if yes_no and not phrases else "open"
    offered = phrases or (candidates(asked) if form == "open" else ())
    placed = PLACE.sub("article", asked)  # an article named by its place is no figure to state
    stem = OPTIONS.sub("", placed)  # the question without its list of options
    fixed = constraints(stem, options + offered)
    wants = wanted(text, asked[embedded.start(1) :] if embedded else asked, language)
    return Question(
        text=text,
        asked=asked,
        form=form,
        options=options,
        premises=tuple(premises(placed, options)) if form != "open" else (),
        constraints=tuple(fixed),
        clauses=clauses(stem, options + offered) if form == "open" else (),
        candidates=offered,
        wants=wants,
        language=language,
        compares=bool(offered) and bool(COMPARES.search(stem)),
        judges=bool(JUDGED.search(stem) and _REPORTS.search(stem)),
        which=bool(phrases),
        overview=form == "open" and not wants and big_picture(asked) and all(_overview(t) for t in fixed),
    )


def big_picture(asked: str) -> bool:
    """The question asks for the big picture: with one of lexicon.OVERVIEW's words ("sum up", "main points"), or
    what something is about, what happened, what an article says."""
    return bool(_BIG_PICTURE.search(asked)) or any(k in lexicon.OVERVIEW for k in lexicon.keys(asked))


def _overview(term: Term) -> bool:
    """A word a question asking for the big picture may have: a name it is about, a word it asks or requests with
    (lexicon.OVERVIEW, REQUESTING), or a count in words ("the two articles", "in two or three sentences")."""
    return term.critical or term.key in lexicon.OVERVIEW | lexicon.REQUESTING or term.number and term.word.isalpha()


def wanted(text: str, asked: str, language: str = "en") -> str:
    """The kind of answer asked for ("time", "number", "date", "reason" or ""), read from the standalone English
    question, and from the reader's own words for a time of day."""
    if (reader := _READER_TIME.get(language)) and reader.search(text):
        return "time"
    return next((kind for kind, pattern in _WANTS if pattern.search(asked)), "")


def candidates(question: str) -> tuple[str, ...]:
    """The answers an open question offers to choose from: a trailing "Options: A; B; C" list, or two names joined by
    "or" ("Which firm, Apple or Google, ...?") or offered "between A and B"."""
    m = OPTIONS.search(question)
    if m:
        return tuple(c.strip() for c in re.split(r"\s*;\s*", m.group(1)) if c.strip())
    found = _NAMED_CHOICE.search(question)
    if found is None and (between := _BETWEEN.search(question)) and _PICKS.search(question, between.end()):
        found = between  # "Between A and B, which ...?" (not "Which deal was signed between A and B?")
    # "Is A or B ...?": the auxiliary opening the question is no part of the first name
    return (_AUXILIARY.sub("", found.group(1)).strip(), found.group(2)) if found else ()


def alternatives(question: str) -> tuple[str, ...]:
    """The two phrases an auxiliary question offers to choose between ("a routine renewal", "a landmark move"), or ()
    when it asks yes or no ("... or not?", "... or any other?", one phrase of a list, or a long clause)."""
    m = _OR.match(question)
    if not m or not _AUXILIARY.match(question) or len(m["head"].split()) < 2:
        return ()
    head, tail = m["head"].split(), m["tail"]
    if tail.split()[0].lower() in _NOT_AN_OPTION:
        return ()
    if it := _OR_IS_IT.match(tail):  # "..., or is it more of a licensing deal?"
        second = tail[it.end() :]
        cut = max((i for i, w in enumerate(head) if w.lower() in lexicon.STOPWORDS), default=-1) + 1
        first = head[max(cut, len(head) - MOST_OPTION_WORDS) :]
    else:
        lead = tail.split()[0].lower()
        if lead not in _LEADS:
            return ()
        at = max((i for i, w in enumerate(head) if w.lower() == lead), default=None)
        if at is None:
            return ()
        first, second = head[at:], tail
    if not first or not 0 < len(second.split()) <= MOST_OPTION_WORDS or len(first) > MOST_OPTION_WORDS:
        return ()
    return " ".join(first), second


def choices(question: str) -> tuple[str, ...]:
    """The two options of an either-or question that asks for a judgement ('... consistent or inconsistent?'), in
    lower case; () for any other question (a wh-question asks for a fact). Names ('Apple or Google?') are not
    options: those answers are facts."""
    m = _CHOICE.search(question)
    if not m or _WH.match(question) or {m.group(1), m.group(2)} & lexicon.STOPWORDS - {"before", "after", "up", "down"}:
        return ()
    if _ASKS_WHICH.search(question[: m.start()]):
        return ()  # "Which hospitals or healthcare companies ...?" asks for names of either kind, not a judgement
    if _ABOUT.search(question[: m.start()]):
        return ()  # "Does the deal say anything about privacy or security?": topics, either of which makes it yes
    if all(_PLURAL.fullmatch(word) for word in m.groups()):
        return ()  # "... a connection to sports teams or leagues?": kinds of things, either of which makes it yes
    if len(_WORD.findall(question[m.end() :])) > 1 and not contrast(m.group(1), m.group(2)):
        return ()  # "... a quarter or total points scored?": the words go on, and name no judgement
    return (m.group(1), m.group(2))


_NEGATING = ("in", "un", "dis", "non", "im", "ir", "il")
_CONTRASTS = frozenset(
    frozenset(pair.split("/"))
    for pair in "before/after up/down increase/decrease similar/different same/different positive/negative "
    "higher/lower more/less rise/fall success/failure better/worse earlier/later optimistic/pessimistic".split()
)


def contrast(first: str, second: str) -> bool:
    """Two words a judgement chooses between: one the other negated ("consistent", "inconsistent"; "agreement",
    "disagreement") or a pair of opposites ("before", "after"; "similar", "different")."""
    a, b = first.lower(), second.lower()
    negated = any(b == p + a or a == p + b for p in _NEGATING)  # _CHOICE's words have no hyphen
    return negated or frozenset((a, b)) in _CONTRASTS


def asks_for_a_fact(text: str, language: str) -> bool:
    """The reader's question (in `language`, not English) asks with a question word: it stays an open question even
    when its translation reads as a yes/no one ("Was wollen die beiden Firmen ...?" -> "Did both companies ...?")."""
    pattern = _READER_WH.get(language)
    return bool(pattern and pattern.search(text))


def openings(question: str) -> list[str]:
    """Where the question, or one of its clauses, may begin asking: the whole, then what follows each comma."""
    return [question, *re.split(r",\s*", question)[1:]]


def is_yes_no(question: str) -> bool:
    """A question asked with an auxiliary verb ('Did ...', 'Has ...', 'Between X and Y, was ...'), unless it ends by
    asking for a name ('X and Y, are located in which city?') or, opened by a phrase ('Considering ...'), asks with a
    wh-word in a later clause ('Considering A and B, which company, known for X, is ...?')."""
    clauses = openings(question)
    last = clauses[-1]  # the question itself when it has no comma ("Is OpenAI based in which city?")
    # "..., are located in which city?"; "The X, started in Melbourne, is active in all of which country?"
    names = bool((_AUXILIARY.match(last) or not _AUXILIARY.match(question)) and _WH_LAST.search(last))
    asks_wh = not _AUXILIARY.match(question) and any(_WH.match(c) for c in clauses[1:])
    return any(_AUXILIARY.match(c) for c in clauses) and not _WH.match(question) and not names and not asks_wh


def premises(question: str, options: tuple[str, ...] = ()) -> list[str]:
    """The statements a yes/no or either-or question asks about, without its framing: 'Does A suggest that X, while
    B reports Y?' -> ['A X', 'B Y']. A clause too short to state anything joins the one before it."""
    out: list[str] = []
    framing = lexicon.FRAMING | set(options)
    for part in _CLAUSE.split(question):
        kept = _WORD.sub(lambda m: "" if m.group().lower().strip(".'’") in framing else m.group(), part)
        text = " ".join(_AUXILIARY.sub("", kept).split()).strip(" .,?")
        if out and len(lexicon.terms(text)) < MIN_PREMISE_TERMS:
            out[-1] = f"{out[-1]} {text}".strip()
        elif text:
            out.append(text)
    return out


def constraints(question: str, options: tuple[str, ...] = ()) -> list[Term]:
    """The question's content terms, once each: what it asks about, not the words it asks with ('how many', 'name',
    'according to the article') nor an either-or question's options (they are the verdict)."""
    skip = {lexicon.norm(w) for w in lexicon.ASKING | lexicon.NEWS_WORDS - lexicon.PREPOSITIONS}
    skip |= {k for option in options for k in lexicon.keys(option)}
    seen: dict[str, Term] = {}
    for t in lexicon.terms(question):
        if t.key not in skip and t.word.lower() not in lexicon.PREPOSITIONS and t.key not in seen:
            seen[t.key] = t
    return list(seen.values())


def clauses(question: str, options: tuple[str, ...] = ()) -> tuple[tuple[Term, ...], ...]:
    """The constraints of each clause of a question that describes its answer in several ('Who is the individual
    that, according to Fortune, ..., and who is also ...?'); () when it has fewer than two clauses that say something."""
    parts = [tuple(constraints(part, options)) for part in _PARTS.split(question)]
    found = tuple(p for p in parts if len(p) >= MIN_CLAUSE_TERMS)
    return found if len(found) >= 2 else ()


_BACK = re.compile(
    r"\b(?:it|its|it's|they|them|their|theirs|he|him|his|she|her|hers|this|that|these|those|there|then|the same|"
    r"the (?:deal|agreement|company|firm|article|report|partnership|former|latter|other)|also|too|again|else)\b",
    re.I,
)


def refers_back(text: str) -> bool:
    """Might the question lean on the conversation ("and when was it signed?")? If not, a follow-up is asked as it is,
    without an LLM call to rewrite it (English questions; any other language is rewritten when there is history)."""
    return bool(_BACK.search(text)) or len(lexicon.terms(text)) < 2
