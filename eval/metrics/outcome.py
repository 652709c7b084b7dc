"""Outcomes: an answerable question answered **right**, **wrong** but shown, or **refused**; an unanswerable one
**refused** or **answered**. One definition for the product's answers, its model's replies and the peer's."""

from collections.abc import Sequence

from eval.metrics.answer import choices_named, matches_any
from eval.sample import SPLITS, Sample
from rag import NOT_FOUND, Answer, strip_markers

RIGHT, WRONG, REFUSED, ANSWERED, SHOWN, ERROR = "right", "wrong", "refused", "answered", "shown", "error"
# metric -> (outcome it counts, over the answerable questions?); the rows of the outcome table
COUNTED = {"right": (RIGHT, True), "wrong_shown": (WRONG, True), "refused_answerable": (REFUSED, True)}
COUNTED |= {"refused_unanswerable": (REFUSED, False), "answered_unanswerable": (ANSWERED, False)}
HIGHER_IS_BETTER = {"right": True, "wrong_shown": False, "answered_unanswerable": False}
ROWS = (("answerable", "answerable"), ("  right", "right"), ("  wrong, shown", "wrong_shown"))
ROWS += (("  refused", "refused_answerable"), ("unanswerable", "unanswerable"), ("  refused", "refused_unanswerable"))
ROWS += (("  answered", "answered_unanswerable"),)
REPLIES = (
    "the same questions' replies before verification, as if every one were shown (the verifier can only refuse: "
    "their right count bounds what it could show right)"
)
# how an answer says it cannot answer: the product's model (NOT_FOUND) or another system (the llama-index peer)
DECLINES = (NOT_FOUND.lower(), "not contain", "no information", "cannot be determined", "can't be determined")
DECLINES += ("does not mention", "do not mention", "not mentioned", "not provided", "does not provide", "unable to")
DECLINES += ("cannot answer", "empty response")


def declines(text: str) -> bool:
    """The text says it cannot answer (or is empty)."""
    flat = " ".join(text.lower().replace("’", "'").split())
    return not flat or any(phrase in flat for phrase in DECLINES)


def outcome(sample: Sample, refused: bool, shown: str, cited: Sequence[str]) -> str:
    """Right: the shown text names the gold answer or an alternative (multiple choice: the gold option alone) and
    cites a gold source when they are known; `shown`: answered without a gold answer to compare."""
    if refused:
        return REFUSED
    if not sample.answerable:
        return ANSWERED
    if sample.choices and sample.answer:
        named = choices_named(shown, sample.choices) == [sample.answer]
    elif sample.golds:
        named = matches_any(shown, sample.golds)
    else:
        return SHOWN
    sourced = not sample.sources or any(source in sample.sources for source in cited)
    return RIGHT if named and sourced else WRONG


def answered(answer: Answer) -> str:
    """What the product answered, as graded: its text without citation markers, and without the article's sentence
    shown after a bare answer (rag.reading: the article's words, not the answer)."""
    return "" if answer.refused else strip_markers(answer.answered)


def shown(sample: Sample, answer: Answer) -> str:
    """The outcome of what the product showed."""
    return outcome(sample, answer.refused, answered(answer), [c.source for c in answer.citations])


def reply(sample: Sample, answer: Answer) -> str:
    """The outcome of what the product wrote before verification (the model's reply, or the sentence it computed)
    as if shown citing every article the model read; the verifier can only refuse, so this bounds what it shows."""
    text = strip_markers(answer.raw or ("" if answer.refused else answer.text))
    refused = not text or NOT_FOUND in text
    return outcome(sample, refused, "" if refused else text, [p.source for p in answer.passages])


def tally(rows: Sequence[tuple[bool, str]]) -> dict[str, float | None]:
    """(answerable, outcome) pairs -> each metric of COUNTED as a share of its kind of question (None when there is
    none) and as a count (`<name>_n`), with the answerable and unanswerable counts; errors count in neither."""
    ok = [(a, o) for a, o in rows if o != ERROR]
    groups = {True: [o for a, o in ok if a], False: [o for a, o in ok if not a]}
    out: dict[str, float | None] = {"answerable": len(groups[True]), "unanswerable": len(groups[False])}
    for name, (counted, answerable) in COUNTED.items():
        group = groups[answerable]
        n = group.count(counted)
        out[name] = n / len(group) if group else None
        out[f"{name}_n"] = n
    return out


def by_split(rows: Sequence[tuple[str, bool, str]]) -> dict[str, dict[str, float | None]]:
    """(split, answerable, outcome) triples -> {"all": tally, "dev": tally, "test": tally} (splits present only)."""
    scopes = {"all": [(a, o) for _, a, o in rows]}
    for split in SPLITS:
        chosen = [(a, o) for s, a, o in rows if s == split]
        if chosen:
            scopes[split] = chosen
    return {scope: tally(chosen) for scope, chosen in scopes.items()}


def _cell(t: dict, name: str) -> str:
    if name in ("answerable", "unanswerable"):
        return f"{t.get(name, 0):g}"
    share = t.get(name)
    return "-" if share is None else f"{share:.2f} ({t.get(f'{name}_n', 0):g})"


def table(cols: dict[str, dict]) -> str:
    """The outcome rows by column as aligned text: share (count), '-' where no question applies."""
    label = max(len(r) for r, _ in ROWS)
    width = max([12, *(len(h) + 2 for h in cols)])
    lines = [" " * label + "".join(f"{h:>{width}}" for h in cols)]
    for row, name in ROWS:
        lines.append(f"{row:<{label}}" + "".join(f"{_cell(t, name):>{width}}" for t in cols.values()))
    return "\n".join(lines)


def html_table(cols: dict[str, dict]) -> str:
    """The same rows as an HTML table."""
    head = "".join(f"<th>{h}</th>" for h in cols)
    body = "".join(
        f"<tr><td>{row.strip() if row.startswith(' ') else f'<b>{row}</b>'}</td>"
        + "".join(f"<td>{_cell(t, name)}</td>" for t in cols.values())
        + "</tr>"
        for row, name in ROWS
    )
    return f"<table class='outcomes'><tr><th></th>{head}</tr>{body}</table>"
