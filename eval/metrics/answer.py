"""Answer metrics: SQuAD-normalised match of the gold answer (or an alternative, or the gold option of a multiple
choice) and token F1."""

import re
import string
from collections import Counter
from collections.abc import Sequence

_ARTICLES = re.compile(r"\b(a|an|the)\b")
_PUNCT = str.maketrans({c: " " for c in string.punctuation + "“”‘’–—"})


def normalize(text: str) -> str:
    """SQuAD normalisation: lower case, punctuation and articles removed, whitespace collapsed."""
    text = text.lower().replace("'s ", " ").translate(_PUNCT)
    return " ".join(_ARTICLES.sub(" ", text).split())


def matches(prediction: str, gold: str) -> bool:
    """Normalised match: the normalised gold answer occurs as a whole-word run inside the normalised prediction."""
    p, g = normalize(prediction), normalize(gold)
    return bool(g) and f" {g} " in f" {p} "


def matches_any(prediction: str, golds: Sequence[str]) -> bool:
    """`matches` against any acceptable rendering of the gold answer."""
    return any(matches(prediction, g) for g in golds)


def choices_named(prediction: str, choices: Sequence[str]) -> list[str]:
    """The options a prediction names (normalised whole-word runs), in option order. An option found only inside a
    longer option that is named ("Biden" inside "Joe Biden") does not count: longer options are matched first and
    blanked out."""
    text = f" {normalize(prediction)} "
    named = set()
    for choice in sorted(choices, key=lambda c: -len(normalize(c))):
        g = normalize(choice)
        if g and f" {g} " in text:
            named.add(choice)
            text = text.replace(f" {g} ", " | ")
    return [c for c in choices if c in named]


def token_f1(prediction: str, gold: str) -> float:
    """Token F1 = 2PR/(P+R) over normalised tokens (P: share of predicted tokens in gold, R: share of gold found)."""
    p, g = normalize(prediction).split(), normalize(gold).split()
    common = sum((Counter(p) & Counter(g)).values())
    if not p or not g or not common:
        return 0.0
    precision, recall = common / len(p), common / len(g)
    return 2 * precision * recall / (precision + recall)
