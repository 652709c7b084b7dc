"""The reader's language: told from the question's function words, and what the product says in it.

The articles are read, retrieved and verified in their own language (`RAG_ARTICLES_LANGUAGE`, English by default); a
question in another language is rewritten into it by the LLM, answered and verified there, and the verified answer
is shown translated, labelled as a translation, with the cited quotes in the original."""

from __future__ import annotations

import re
import unicodedata

from rag import lexicon, prompts, verify
from rag.chat import ChatLLM, Message
from rag.evidence import split_sentences

# short, frequent words that tell one language from another in a one-line question (accents kept)
_WORDS = {
    "en": "the a an of to in is are was were what which who when where how did does do why and or for with on".split(),
    "fr": "le la les des du un une est sont quel quelle quels quelles qui quand où comment pourquoi et ou pour avec "
    "sur dans ont il ils elles qu que leur leurs ce cette ces au aux se ne pas combien ses sa son à de".split(),
    "es": "el la los las del un una es son qué cuál cuáles quién quiénes cuándo dónde cómo por para con en y o "
    "su sus se lo al ha han cuánto cuántos está están de a".split(),
    "de": "der die das den dem des ein eine ist sind was welche welcher welches wer wann wo wie warum und oder für "
    "mit auf im in hat haben wird werden von zu sich nicht wie viel viele ich mir mich dir uns bei aus nach über auch "
    "noch nur kann kannst können bitte".split(),
    # Italian and Portuguese share many words with Spanish: without their own lists they were taken for it
    "it": "il lo gli le di del della dei degli delle uno una è sono che chi quale quali quando dove come perché "
    "cosa quanto quanta quanti quante per con nel nella nei al alla ai ha hanno non si secondo questo questa a".split(),
    "pt": "o os da dos das um uma é são que qual quais quem quando onde como por porque para com em na nas nos e "
    "ou seu sua seus suas foi tem têm não quanto quantos quantas segundo ao aos pelo pela isso este esta de a do".split(),
}
_MARKS = {"es": "¿¡ñ", "de": "äöß", "fr": "œîûë", "pt": "ãõ", "it": "ìò"}  # letters or marks of one language only
_TOKEN = re.compile(r"[^\W\d_]+", re.UNICODE)
NAMES = {"en": "English", "fr": "French", "es": "Spanish", "de": "German", "it": "Italian", "pt": "Portuguese"}


def detect(text: str, default: str = "en") -> str:
    """The language of a question among those above, by its function words; `default` when none stands out."""
    words = [w.lower() for w in _TOKEN.findall(text)]
    hits = {lang: sum(w in vocab for w in words) for lang, vocab in _VOCAB.items()}
    accents = bool(re.search(r"[àâçéèêëîïôûùœáíóúñ¿¡äöüß]", text.lower()))
    # among languages with as many function words: the one whose own letters or marks the question has, then the
    # one whose words it writes as the language does ("que" is French and Portuguese, and Spanish unaccented)
    marked = {lang for lang, marks in _MARKS.items() if any(c in marks for c in text.lower())}
    exact = {lang: sum(w in _VOCAB_EXACT[lang] for w in words) for lang in hits}
    best = max((lang for lang in hits if lang != default), key=lambda lang: (hits[lang], lang in marked, exact[lang]))
    if hits[best] == 0:
        return default
    # another language wins clearly, or an accented question shares as many function words with it as with English
    if hits[best] > hits.get(default, 0) or accents and hits[best] == hits.get(default, 0):
        return best
    return default


def _unaccented(word: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFD", word) if not unicodedata.combining(c))


# each word also as a reader types it without its accents ("cuando", "donde", "esta"), "ß" apart
_VOCAB_EXACT = {lang: frozenset(words) for lang, words in _WORDS.items()}
_VOCAB = {lang: words | {_unaccented(w) for w in words} for lang, words in _VOCAB_EXACT.items()}


_MONTHS = {
    "en": lexicon.MONTHS,
    "fr": "janvier février mars avril mai juin juillet août septembre octobre novembre décembre".split(),
    "es": "enero febrero marzo abril mayo junio julio agosto septiembre octubre noviembre diciembre".split(),
    "de": "Januar Februar März April Mai Juni Juli August September Oktober November Dezember".split(),
    "it": "gennaio febbraio marzo aprile maggio giugno luglio agosto settembre ottobre novembre dicembre".split(),
    "pt": "janeiro fevereiro março abril maio junho julho agosto setembro outubro novembro dezembro".split(),
}
_DAY_FORMS = {
    "fr": "{d} {m} {y}",
    "es": "{d} de {m} de {y}",
    "de": "{d}. {m} {y}",
    "it": "{d} {m} {y}",
    "pt": "{d} de {m} de {y}",
}
_MONTH = "|".join(_MONTHS["en"])
_ENGLISH_DATE = re.compile(rf"\b(?:({_MONTH}) (\d{{1,2}}), (\d{{4}})|(\d{{1,2}}) ({_MONTH}) (\d{{4}}))\b")


_VERDICTS = {
    "fr": {"yes": "Oui", "no": "Non"},
    "es": {"yes": "Sí", "no": "No"},
    "de": {"yes": "Ja", "no": "Nein"},
    "it": {"yes": "Sì", "no": "No"},
    "pt": {"yes": "Sim", "no": "Não"},
}


def localize_dates(text: str, target: str) -> str:
    """English dates ('October 28, 2025', '28 October 2025') written the reader's way ('28 octobre 2025'), by rule:
    a date is a fact the verifier checked, not something to leave to the model's translation."""
    form = _DAY_FORMS.get(target)
    if form is None:
        return text

    def local(m: re.Match) -> str:
        month, day, year = (m.group(1), m.group(2), m.group(3)) if m.group(1) else (m.group(5), m.group(4), m.group(6))
        return form.format(d=int(day), m=_MONTHS[target][_MONTHS["en"].index(month)], y=year)

    return _ENGLISH_DATE.sub(local, text)


def to_reader(llm: ChatLLM, text: str, target: str, source: str = "en", threshold: float = 0.9) -> str | None:
    """A verified answer in the reader's language `target`: its dates written by rule, the rest by the LLM, and
    checked by translating it back into the articles' language `source`: None when the way back does not restate
    the verified answer (`restates` at `threshold`), so a translation that dropped, changed or added a word the
    verifier checked is never shown. A bare verdict ("Yes.") or an answer that is only a date needs no LLM call."""
    if verdict := _VERDICTS.get(target, {}).get(text.strip(" .,;:!").lower()):
        return f"{verdict}."  # a bare "Yes." or "No.", by rule
    only_dates = target in _DAY_FORMS and not _ENGLISH_DATE.sub("", text).strip(" .,;:")
    local = localize_dates(text, target)
    if only_dates:
        return local
    shown = translate(llm, local, target)
    if foreign_words(shown, text, target) or dropped_names(shown, text):
        return None  # a word the reader's language does not have, or a name left out: a garbled translation
    return shown if restates(translate(llm, shown, source), text, threshold) else None


COMMON = 3.0  # a word used once per million words or more (wordfreq's Zipf scale) is common in its language


def foreign_words(translation: str, verified: str, target: str) -> list[str]:
    """The words of a translation into `target` that are not words of that language: unknown to it (a garbled
    word, "Sovereigenswürde"; a German compound counts when both its parts are common words), or left as the
    verified answer writes it, in the articles' language, though rare in `target` ("la sovereignty numérique";
    "cloud" is common French). The names the verified answer writes capitalised stand as they are ("Microsoft",
    "Azure OpenAI Service"). The 1.5B model's translation back undoes such garbles, so that check cannot see them."""
    written = _TOKEN.findall(verified)
    names = {w.lower() for w in written if w[:1].isupper()}
    verbatim = {w.lower() for w in written}
    out = []
    for word in _TOKEN.findall(translation):
        low = word.lower()
        if len(low) < 3 or low in names:
            continue
        known = _zipf(low, target)
        if (low in verbatim and known < COMMON) or (not known and not _compound(low, target)):
            out.append(word)
    return out


_WEEKDAYS = frozenset("Monday Tuesday Wednesday Thursday Friday Saturday Sunday".split())
# a people's adjective, which translations write in their own words ("American": "estadounidenses", "French")
_PEOPLE = re.compile(r"(?:an|ese|ish|ch)$")
NAME_STEM = 5  # the letters of a name its translation keeps ("American" / "américains", "European" / "européens")


def dropped_names(translation: str, verified: str) -> list[str]:
    """The names of the verified answer (its capitalised words inside a sentence; months and weekdays, which dates
    write in the reader's language, and a people's adjectives aside) that the translation does not write in any
    form: "Azure" of "Microsoft's Azure cloud infrastructures provide the necessary computing power", translated
    "Les infrastructures de cloud Microsoft fournissent le nécessaire ...". The 1.5B model's translation back puts
    such names back, so `restates` cannot see them."""
    written = [_unaccented(w.lower()) for w in _TOKEN.findall(translation)]
    out = []
    for start, end in split_sentences(verified):
        for word in _TOKEN.findall(verified[start:end])[1:]:
            if (
                len(word) < 3
                or not word[:1].isupper()
                or word in lexicon.MONTHS
                or word in _WEEKDAYS
                or _PEOPLE.search(word)
            ):
                continue
            stem = _unaccented(word.lower())[:NAME_STEM]
            if not any(w.startswith(stem) for w in written):
                out.append(word)
    return out


def _compound(word: str, target: str) -> bool:
    """A German compound of two common words, with or without a linking "s" ("Suchmaschinenwerbung")."""
    if target != "de":
        return False
    for cut in range(3, len(word) - 2):
        head, tail = word[:cut], word[cut:]
        heads = (head, head[:-1]) if head.endswith("s") else (head,)
        if _zipf(tail, target) >= COMMON and any(_zipf(h, target) >= COMMON for h in heads):
            return True
    return False


def _zipf(word: str, language: str) -> float:
    """How common a word is in a language, wordfreq's Zipf scale (0: unknown); imported on the first translation."""
    from wordfreq import zipf_frequency

    return zipf_frequency(word, language)


def restates(back: str, verified: str, threshold: float) -> bool:
    """Does a translation, translated back, say what was verified: each one's terms stated by the other (names and
    numbers weigh double), at `threshold` or more, and no name, number or negation changed (each caps the score at
    rag.verify.NAME_CAP: a capped score never passes, whatever the threshold)?"""
    agreed = min(verify.score(verified, back), verify.score(back, verified))
    return agreed >= threshold and agreed > verify.NAME_CAP


_PREAMBLE = re.compile(r"^(?:(?:the|here is the) )?translation(?: is)?\s*:\s*", re.I)  # "The translation is: ..."


def to_articles(llm: ChatLLM, question: str, source: str, target: str) -> str:
    """The reader's question (in `source`) in the articles' language `target`, by the LLM: a system prompt and, into
    English, three worked examples before it (on the multilingual set's dev half they kept "Welche Suchmaschine" a
    search engine and "Cloud-Partnerschaft" a cloud partnership, which the bare instruction lost)."""
    rule = prompts.TO_ARTICLES.format(source=NAMES.get(source, source), language=NAMES.get(target, target))
    chat = [Message("system", rule)]
    for asked, translated in prompts.TO_ENGLISH_EXAMPLES if target == "en" else ():
        chat += [Message("user", asked), Message("assistant", translated)]
    chat.append(Message("user", question))
    return _first_line(llm.chat(chat, max_tokens=96).message.content or "") or question


def translate(llm: ChatLLM, text: str, target: str) -> str:
    """An answer `text` in the language `target` (a key of NAMES), by the LLM; `text` itself when the model gives
    nothing."""
    prompt = prompts.TO_READER.format(language=NAMES.get(target, target), text=text)
    return _first_line(llm.chat([Message("user", prompt)], max_tokens=96).message.content or "") or text


def _first_line(reply: str) -> str:
    """The first line of a reply, without a "Translation:" preamble or quotes."""
    lines = [_PREAMBLE.sub("", line.strip()).strip('"«» ') for line in reply.strip().splitlines() if line.strip()]
    return lines[0] if lines else ""
