"""The grounding rules: is this sentence of the model's reply an answer the articles state, or one it made up?

Rewording is not the risk: a small model reading whole articles writes right answers in its own words. Invention
is: a name, number, date or quote from outside the articles, or a real fact cited for a question it does not answer.
So a sentence is shown, citing the span that states it, when

1. it answers: it says something the question does not (not only its own words back; a vague quantity, "several",
   adds nothing), of the kind asked (a date to "when", a number to "how many"), names one of a quiz's options when
   the question lists them, and is not a sentence about the articles ("not specified");
2. it invents nothing: each name, number and quote it states stands in the cited span's passage (its title, outlet
   and date included), each number or year in the span itself or its byline (a count in words that it repeats from
   the question, "the two companies", is no figure); a name of several words that it adds is not made of names the
   span writes apart ("Microsoft Copilot" from "Microsoft ... GitHub Copilot");
3. the span is about what was asked: its passage names what the question names (one of its questions', when it asks
   several; one of its clauses', when it describes its answer in clauses), and is the article the question names by
   place ("the second article"), or each article, cited, when it asks what both say (rag.articles); each of two
   articles that a sentence joins names something the question names; and, when it asks about the latest news
   ("recently", "this week"), was published within a year of the newest one; the qualifiers the question fixes (its
   numbers and years, its category words such as "men's" or "Q2") are stated by the span or its passage's title and
   date, beside the answer (a number of a question describing its answer in clauses, by a passage naming the answer;
   one of a relative clause about another noun, "the screenwriter who wrote a 1991 drama", by the cited passage: it
   fixes the bridge, not the answer); a sentence, or the sentence of its span stating its answer, says something of
   what was asked (one of the question's own words, in some form); a sentence that repeats words of the question
   ("OpenAI will get extra backing to build ...") cites a span stating at least one of them, and one that only wraps
   a name in the question's words ("Microsoft signed on to the partnership") names it in a span sentence stating two
   of them; a quiz's option is chosen by a span sentence stating two of the quiz's words and naming no other option
   (a sentence spelling out the question's acronym repeats nothing: it defines); what the sentence says of its answer
   is not, in the span, another name's ("OpenAI's pioneering safety research" for "Microsoft brings the pioneering
   safety research"); to a question describing its answer by what two or more outlets report, the name it answers
   with stands in two or more passages (not a witness one report mentions beside what it says); a question asking
   for the big picture ("What is this news about?", "Sum up the first article": `Question.overview`) fixes no topic
   and repeats none: what the articles state answers it, from a passage naming each name it writes;
4. the span states the answer: the answer's own names and numbers are in the span (a full name by its last word,
   where the span's article writes it whole: "Bankman-Fried" for "Sam Bankman-Fried"), and its other new words, in any
   form or order, are mostly there (at least half of them; the one, when it has one: "by the end of 2025" is not
   stated by "On October 28, 2025"): the score is the share of all its new words (names and numbers counting
   double), and a sentence is shown at RAG_SUPPORT_THRESHOLD or more (chosen on dev replies).

Lexical, no model weights: every rule reads the evidence's spans and what the question fixes (`rag.asked`)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from rag import articles, asked, both, lexicon, names
from rag import claim as kinds
from rag.evidence import Evidence, Span
from rag.lexicon import Term, akin, share, stated
from rag.question import Question

BARE_TERMS = 2  # a reply of this many content words or fewer, or of names and numbers only, is a bare answer
NEGATION_CAP = 0.3  # most support of a negated sentence by a span that negates nothing
RECENT_DAYS = 365  # a question about the latest news is not answered from an article older than the newest by more
QUIZ_WORDS = 2  # how many of a quiz question's own words the sentence stating its chosen option must state, and how
# many of the question's words a sentence that only wraps a name in them must find in the sentence naming it
_QUOTE = re.compile(r"\"([^\"]*)\"|“([^”]*)”|«([^»]*)»")  # each pair of quote marks, first to second
_SCORE = re.compile(r"(?<![\d.,])(\d{1,3})\s*[-–]\s*(\d{1,3})(?![\d]|[.,]\d)")  # "won 28-21", "a 3–2 vote"
QUOTED = 12  # the characters of a quote that is held to its passage (not a quoted name: "Copilot")
_YEAR = re.compile(r"(?:1[6-9]|20)\d\d")


@dataclass(frozen=True)
class Support:
    """How well the best span supports a sentence (0 when a rule refuses it) and the spans to cite."""

    score: float
    spans: tuple[Span, ...] = ()
    reason: str = ""  # why it is refused, for the record: "restates", "invented", "unstated" or "off-topic: RULE"


def check(sentence: str, evidence: Evidence, question: Question | None = None) -> Support:
    """The best span supporting `sentence` as an answer to `question` (see the module's rules); a sentence joining
    two facts may rest on two spans from different places, together. To a question about what every article says
    ("what do both articles say ...?"), each article must state the answer, and is cited."""
    claim = lexicon.content(sentence, evidence.lowercase)
    if not claim or not evidence.spans:
        return Support(0.0, reason="unstated")
    words = asked.keys(question)
    named = asked.named(question)  # a name is the question's own in another form only by a name ("Intel" is no
    # form of "intelligence")
    # the words of an answer the question offers ("Apple or Google?", "... a one-off payment or a multi-year
    # investment?") are what the sentence answers, never words it repeats: the span must state the one it names
    offered = asked.offered_only(question)
    new = [
        t
        for t in claim
        if t.key in offered or t.key not in words and not (stated(t, named) if t.critical else akin(t, words))
    ]
    if question is not None and question.form == "open" and not (new and kinds.answers(question, sentence, claim)):
        return Support(0.0, reason="restates")
    if asked.quiz_words(question) and not asked.names_an_option(sentence, question):
        return Support(0.0, reason="off-topic: options")  # a quiz is answered by one of its options
    article = articles.named(question, evidence)
    # a verdict's reason may only repeat the question: then the words it has are held to the rules as new ones
    rules = _Rules(sentence, claim, new or claim, question, article, evidence)
    best, tie, reason = Support(0.0), (0.0, False, 0, 0), "invented"
    for sp in evidence.spans:
        value, why = rules.score((sp,), evidence)
        reason = why if why and reason == "invented" else reason
        whole = rules.tie((sp,), evidence)
        if value is not None and (
            (value, whole) > (best.score, tie)
            or ((value, whole) == (best.score, tie) and best.spans and _shorter(sp, best.spans[0]))
        ):
            best, tie = Support(round(value, 3), (sp,)), whole
    if best.score < 1.0:  # two places, each stating part of it: the spans stating most of the sentence
        ranked = sorted(range(len(evidence.spans)), key=lambda k: -share(claim, evidence.spans[k].stated))[:8]
        for i, k in enumerate(ranked):
            for k2 in ranked[i + 1 :]:
                pair = (evidence.spans[k], evidence.spans[k2])
                if _overlap(*pair) or not _complement(claim, *pair):
                    continue
                value, _ = rules.score(pair, evidence)
                if value is not None and value > best.score + 0.15:
                    best = Support(round(value, 3), pair)
    if best.spans and articles.asks_every(question, evidence):
        return _in_every_article(best, new or claim, evidence)
    if best.spans and _one_report(sentence, new, question, evidence):
        return Support(0.0, reason="off-topic: one report")
    if best.spans and (said := both.in_sentence(sentence)) and not both.said_of_each(said, evidence):
        return Support(0.0, reason="off-topic: both")  # said of two names, stated of one
    return best if best.spans else Support(0.0, reason=reason)


def most_stated(terms: list[Term], spans: Sequence[Span]) -> Span:
    """The span stating the largest share of `terms` (`lexicon.share`), the shorter one among equals."""
    return max(spans, key=lambda sp: (share(terms, sp.stated), sp.start - sp.end))


def _one_report(sentence: str, new: list[Term], question: Question | None, evidence: Evidence) -> bool:
    """The question describes its answer by what two or more of the passages' outlets report ("Which company, reported
    by both The Verge and TechCrunch, ..."), and the name the sentence answers with stands in one passage at most:
    a name one report mentions beside what it says ("Matt Huang" for Sam Bankman-Fried), not what the reports share."""
    if question is None or question.form != "open" or articles.outlets_named(question, evidence) < 2:
        return False
    named = _answer_name(sentence, new)
    if named is None:
        return False
    return sum(stated(named, words) for words in evidence.context) < 2


def _answer_name(sentence: str, new: list[Term]) -> Term | None:
    """The name the sentence answers with: its first new name, by the last word of the full name it begins ("Sam
    Bankman-Fried": "Bankman-Fried", as an article's later mentions write him); None when it adds no name."""
    first = next((t for t in new if t.critical and not t.number), None)
    if first is None:
        return None
    for words in names.runs(sentence):
        if first.key in lexicon.keys(" ".join(words)):
            return next(iter(lexicon.terms(words[-1])), first)
    return first


def _in_every_article(found: Support, new: list[Term], evidence: Evidence) -> Support:
    """`found`, citing beside its spans one of each other article that states the answer's new words (its names and
    numbers all, the rest mostly); a refusal when an article states none. The rules of the question's topic were
    kept by `found`: the others need only state the answer ("democratizing" in one, "democratization" in the other)."""
    words = [t for t in new if not t.critical]
    cited = {sp.passage for sp in found.spans}
    more = []
    for i in sorted(set(range(len(evidence.passages))) - cited):
        stating = [
            sp
            for sp in evidence.spans
            if sp.passage == i
            and all(stated(t, sp.stated) for t in new if t.critical)
            and (not words or share(words, sp.stated) >= lexicon.MOSTLY)
        ]
        if not stating:
            return Support(0.0, reason="off-topic: every article")
        more.append(most_stated(new, stating))
    return Support(found.score, found.spans + tuple(more))


class _Rules:
    """The rules of the module for one sentence, applied to one span or two."""

    def __init__(
        self,
        sentence: str,
        claim: list[Term],
        new: list[Term],
        question: Question | None,
        article: int | None,
        evidence: Evidence,
    ) -> None:
        self.sentence, self.claim, self.new = sentence, claim, new
        quoted = ("".join(m.groups(default="")) for m in _QUOTE.finditer(sentence))
        self.quotes = [lexicon.keys(q) for q in quoted if len(q) >= QUOTED]
        self.scores = _SCORE.findall(sentence)
        self.full = names.runs(sentence)  # its names of several words, stated by a span writing their last word
        self.compounds = names.compounds(self.full, new)
        self.qualifiers = asked.qualifiers(question)
        # what the question fixes that must stand in the cited span's passage, anywhere in it: the numbers it states
        # and the qualifiers of a relative clause about another noun ("the screenwriter who wrote a 1991 drama": the
        # bridge's year and category words); a question describing its answer in clauses ("which company, according
        # to TechCrunch, has invested $26.3 billion ..., claims ..."), each perhaps another article's, needs only
        # those that no passage naming the answer states
        self.in_passage = [t for t in self.qualifiers if t.number and not _YEAR.fullmatch(t.key)]
        self.in_passage += asked.bridging(question)
        if question is not None and question.clauses:
            answer = {t.key for t in new if t.critical}
            naming = [words for words in evidence.context if answer and answer <= words]
            self.in_passage = [t for t in self.in_passage if not any(stated(t, words) for words in naming)]
        self.article = article  # the passage the question names by its place ("the second article"), if any
        self.names = asked.names(question)
        self.mentions = asked.mentions(question)
        # to a question about the latest news, the passages a year older than the newest one retrieved
        self.stale = evidence.older(RECENT_DAYS) if asked.recent(question) else frozenset()
        self.topic = asked.topic(question)
        self.asked = list(question.constraints) if question is not None else []
        self.quiz = asked.quiz_words(question)
        self.options = asked.option_words(question)
        fresh = {t.key for t in new}
        # "AGI stands for Artificial General Intelligence." to "What does AGI stand for?" defines the question's
        # acronym: its answer is the name, whatever words of the question it repeats
        defines = question is not None and names.spells_out(sentence, question.asked, new)
        # "This news is about ...", to "What is this news about?": what asks for the big picture repeats no topic
        self.overview = question is not None and question.overview
        self.repeated = [] if defines or self.overview else [t for t in claim if not t.critical and t.key not in fresh]
        # "the two companies" repeated from "Why do the two companies ...?": a count written in words that the
        # question gave is the reader's way of naming what was asked, not a figure the span must state
        self.counted = [t for t in claim if t.key.isdigit() and not t.critical and t.key not in fresh]
        # "Microsoft signed on to the partnership." to "Which French companies signed on to the partnership?": a name
        # wrapped in the question's words is a bare answer dressed as a sentence (a comparison's is not: "Arthur's
        # Magazine was started first in 1844" has no sentence to stand in)
        self.wrapped = bool(new and self.repeated and all(t.critical for t in new))
        self.wrapped &= not (question is not None and question.compares)
        # a sentence, not a bare answer ("Several years", "Walter Darwin Coy": names and numbers alone, of any
        # length), is expected to say something of what was asked
        self.sentence_like = not bare(claim)
        self.said = frozenset(lexicon.keys(sentence))
        self.written = set(re.findall(r"\w+", sentence.lower())) - lexicon.STOPWORDS
        self.negated = lexicon.negated(sentence)

    def score(self, spans: tuple[Span, ...], evidence: Evidence) -> tuple[float | None, str]:
        """The share of the sentence's new words the spans state, or None and the rule that refuses them."""
        context = frozenset().union(*(evidence.context[sp.passage] for sp in spans))
        stated_ = frozenset().union(*(sp.stated | names.completed(self.full, sp, evidence) for sp in spans))
        keys = frozenset().union(*(sp.keys for sp in spans))
        titles = frozenset().union(*(evidence.titles[sp.passage] for sp in spans))
        if any(not stated(t, stated_ | titles) for t in self.claim if t.critical) or any(
            q - context for q in self.quotes
        ):
            return None, ""  # a name or number the span (with its title, outlet and date) does not state, or a quote
            # its passage does not: what the citation shows must state it
        if self.compounds and any(names.apart(words, spans, evidence) for words in self.compounds):
            return None, ""  # a name made of two the span names apart: not a name it states
        if self.scores and not all(_writes_score(a, b, spans, evidence) for a, b in self.scores):
            return None, ""  # a score or range ("28-21") is one fact: not two numbers of the span (two dates' days)
        if names.given_to_another(self.sentence, self.claim, self.new, spans, evidence):
            return None, "off-topic: owner"  # "OpenAI's pioneering research" for "Microsoft brings the pioneering ..."
        if self.article is not None and any(sp.passage != self.article for sp in spans):
            return None, "off-topic: article"  # "according to the second article": the article read second
        if (
            len({sp.passage for sp in spans}) > 1
            and self.mentions
            and not all(any(self._names(t, evidence.context[sp.passage]) for t in self.mentions) for sp in spans)
        ):
            return None, "off-topic: joined"  # two articles joined, one of them about none of what was asked
        if any(sp.passage in self.stale for sp in spans):
            return None, "off-topic: older"  # "recently", answered from a report a year older than the newest
        if self.names and not any(any(self._names(t, context) for t in n) for n in self.names):
            return None, "off-topic: names"  # its passage names nothing the question asks about
        if self.overview and not all(self._names(t, context) for n in self.names for t in n):
            return None, "off-topic: names"  # the big picture of what the question names: of each of them
        if any(t.number and not stated(t, stated_) and t not in self.counted for t in self.claim):
            return None, ""  # a number or year the span does not state (another year, another figure)
        if any(not stated(t, evidence.context[sp.passage]) for t in self.in_passage for sp in spans):
            return None, "off-topic: number"  # a number (or a bridge's qualifier) the question states, which the
            # span's passage never does
        if self.qualifiers and not all(self._beside(sp, evidence) for sp in spans):
            return None, "off-topic: qualifier"  # another year, quarter or category than the one asked
        if self.topic and self.sentence_like:
            answering = self._answering(spans) | self.said
            if not any(stated(t, answering) or akin(t, answering) for t in self.topic):
                return None, "off-topic: topic"  # neither the sentence nor the span's sentence stating its answer
                # says anything of what was asked
        if self.quiz:
            answering = self._answering(spans)
            if sum(words <= answering for words in self.options) > 1:
                return None, "off-topic: options"  # a sentence naming two of the quiz's options chooses neither
                # ("... the leaders of Canada, France, Germany, Italy, Japan and the US" for the G7 summit's host)
            if not self.sentence_like and not _states_enough(self.quiz, answering):
                return None, "off-topic: quiz"  # the option is named, but not where the span says what was asked
        if self.wrapped and self.sentence_like:
            naming = _naming({t.key for t in self.new}, spans)
            if not any(_states_enough(self.repeated, part) for part in naming):
                return None, "off-topic: wrapped"  # the span's sentence naming it says too little of what was asked
        if self.sentence_like and self.repeated and not share(self.repeated, keys):
            return None, "off-topic: repeated"  # the span states none of what the sentence repeats of the question
        if any(not stated(t, stated_) for t in self.new if t.critical):
            return None, "unstated"  # the span names something else: the answer's own name stands elsewhere
        words = [t for t in self.new if not t.critical]
        if self.sentence_like and words and share(words, stated_) < lexicon.MOSTLY:
            return None, "unstated"  # the span states its names but little else of the answer: the subject the
            # model named ("Microsoft needs ...") is there, what it says of it ("... institutional partners") is not
        value = share(self.new, stated_)
        if not self.sentence_like and value < 1.0:
            return None, "unstated"  # a bare answer is the article's words, not a rewording: every one stands there
        if self.negated and not any(sp.negated for sp in spans):
            value = min(value, NEGATION_CAP)  # "X did not happen" is not stated by "X happened"
        return value, ""

    @staticmethod
    def _names(term: Term, words: frozenset[str]) -> bool:
        """A name of the question's stands in `words`, in some form or as the reader misspelt it ('Micorsoft')."""
        return stated(term, words) or lexicon.misspelt(term.key, words)

    def _answering(self, spans: tuple[Span, ...]) -> frozenset[str]:
        """The words of the sentence of each span that states most of the answer's new words."""
        return frozenset().union(*(max(sp.parts, key=lambda part: share(self.new, part)) for sp in spans))

    def _beside(self, sp: Span, evidence: Evidence) -> bool:
        """The sentence of the span that states the answer's names and numbers (any of its sentences when it has
        none), with its passage's title and byline, does not fix another year or category than the question's: it
        states the asked one, or none of its kind ('in 2012' answers nothing about 2013; 'women's' nothing about
        'men's')."""
        answer = {t.key for t in self.new if t.critical}
        around = (sp.stated - sp.keys) | evidence.titles[sp.passage]
        return any(
            not any(_other(q.key, (part | around) - answer) for q in self.qualifiers) for part in _naming(answer, (sp,))
        )

    def tie(self, spans: tuple[Span, ...], evidence: Evidence) -> tuple[float, bool, int, int]:
        """Among equal spans: the one stating most of the whole sentence, then a single sentence over a pair, then
        the one stating most of the question's words (the sentence about what was asked, not another naming the
        same answer: "Azure cloud infrastructures, which already host OpenAI's models" for "Azure" to "Which cloud
        hosts OpenAI's models?", not "from the Office suite to Azure cloud solutions"), then the one with most of
        its content words as written ('computational', not 'computing')."""
        text = " ".join(evidence.text(sp) for sp in spans).lower()
        stated_ = frozenset().union(*(sp.stated for sp in spans))
        single = all(sp.single for sp in spans)
        stating = sum(stated(t, stated_) or akin(t, stated_) for t in self.asked)
        return share(self.claim, stated_), single, stating, len(self.written & set(re.findall(r"\w+", text)))


def bare(claim: list[Term]) -> bool:
    """A claim's terms make a bare answer, not a sentence: BARE_TERMS content words or fewer (a vague quantity,
    "several", is none), or names and numbers alone, of any length ("Walter Darwin Coy", "October 28, 2025")."""
    terms = [t for t in claim if t.key not in lexicon.VAGUE]
    return len(terms) <= BARE_TERMS or all(t.critical for t in terms)


def _naming(answer: set[str], spans: tuple[Span, ...]) -> list[frozenset[str]]:
    """The words of each sentence of the spans that states every word of the answer (of each of their sentences,
    when none does)."""
    parts = [part for sp in spans for part in sp.parts]
    return [part for part in parts if answer <= part] or parts


def _states_enough(terms: list[Term], words: frozenset[str]) -> bool:
    """`words` state, in some form, QUIZ_WORDS of `terms` (all of them, when there are fewer)."""
    return sum(stated(t, words) or akin(t, words) for t in terms) >= min(QUIZ_WORDS, len(terms))


def _other(qualifier: str, keys: frozenset[str]) -> bool:
    """`keys` fix another of the qualifier's kind (another year, the other category) and not the qualifier itself;
    other numbers ("14,000 jobs") are checked against the whole passage, where a question's clauses may stand."""
    if qualifier in keys or qualifier[:1].isdigit() and not _YEAR.fullmatch(qualifier):
        return False
    if _YEAR.fullmatch(qualifier):
        return any(_YEAR.fullmatch(k) for k in keys)
    return any(qualifier in kind and kind & keys for kind in asked.KINDS)


def _writes_score(first: str, second: str, spans: tuple[Span, ...], evidence: Evidence) -> bool:
    """A span writes the two numbers as one score or range: joined by a dash, "to" or "-"."""
    joined = re.compile(rf"(?<![\d.,]){first}\s*(?:[-–—]|to)\s*{second}(?![\d]|[.,]\d)")
    return any(joined.search(evidence.text(sp)) for sp in spans)


def _complement(claim: list[Term], a: Span, b: Span) -> bool:
    """Each span states a name or number of the sentence that the other does not, its outlet and date included
    ("as reported by TechCrunch, and ... by The Verge"): two facts, one in each."""
    critical = {t.key for t in claim if t.critical}
    return bool(critical & a.stated - b.stated and critical & b.stated - a.stated)


def _overlap(a: Span, b: Span) -> bool:
    return a.passage == b.passage and a.start < b.end and b.start < a.end


def _shorter(a: Span, b: Span) -> bool:
    return (a.end - a.start) < (b.end - b.start)
