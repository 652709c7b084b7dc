"""A bare answer read in its article's words: "October 28, 2025 [1]" alone tells a reader nothing of what happened
then, so it is shown with the sentence of its cited span that states it ("October 28, 2025 [1] — “On October 28,
2025, Microsoft and OpenAI formalized a new strategic agreement …”"). The sentence is the article's own text, copied,
never written by the model: it adds no claim to verify."""

from __future__ import annotations

from collections.abc import Sequence

from rag import lexicon
from rag.evidence import split_sentences
from rag.grounding import bare
from rag.types import Citation, Sentence, quoted

MOST_WORDS = 40  # a longer sentence (an article whose punctuation was stripped) is cut around the answer


def line(shown: Sequence[Sentence], claims: Sequence[str], citations: Sequence[Citation], asked: str) -> str:
    """The sentence to show after an answer whose every shown sentence is bare (`claims`: their text without
    verdict words and markers): of the first one's first citation, the sentence that states most of its words, then
    most of the question's (`asked`: all a bare "Yes" has), cut to MOST_WORDS around them; '' for an answer in sentences
    (and for a bare verdict citing several premises)."""
    if not shown or not all(bare(lexicon.terms(c)) for c in claims) or not shown[0].keys:
        return ""
    if not claims[0].strip() and len(shown[0].keys) > 1:
        return ""  # a bare "Yes [1][2]" rests on a premise in each: one sentence would show half of it
    quote = next((c.quote for c in citations if c.key == shown[0].keys[0]), "")
    wanted, topic = lexicon.keys(claims[0]), lexicon.keys(asked) - lexicon.STOPWORDS
    parts = [quote[a:b] for a, b in split_sentences(quote)] or [quote]
    best = max(parts, key=lambda part: (len(wanted & (k := lexicon.keys(part))), len(topic & k), -len(part)))
    return _around(best, wanted).strip()


def shown_with(text: str, sentence: str) -> str:
    """The answer's text followed by its sentence, quoted."""
    return f"{text.rstrip(' .')}{quoted(sentence)}" if sentence else text


def _around(sentence: str, wanted: set[str]) -> str:
    """At most MOST_WORDS words of `sentence`, from a few before the first word of the answer it states."""
    words = sentence.split()
    if len(words) <= MOST_WORDS:
        return sentence
    at = next((i for i, w in enumerate(words) if lexicon.keys(w) & wanted), 0)
    start = max(0, min(at - MOST_WORDS // 4, len(words) - MOST_WORDS))
    cut = " ".join(words[start : start + MOST_WORDS])
    return f"{'… ' if start else ''}{cut}{' …' if start + MOST_WORDS < len(words) else ''}"
