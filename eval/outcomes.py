"""The numbers a reader of the answers cares about. Answerable questions: answered **right**, **wrong** but shown
anyway, or **refused**. Unanswerable questions: **refused** (right) or **answered** (something made up was shown).
One definition for the product's answers and the llama-index peer's, for the whole set and per split."""

from __future__ import annotations

from collections.abc import Sequence

from eval import metrics
from eval.items import SPLITS, Item
from rag.cite import strip_markers
from rag.prompts import NOT_FOUND
from rag.types import Answer

RIGHT, WRONG, REFUSED, ANSWERED, SHOWN, ERROR = "right", "wrong", "refused", "answered", "shown", "error"
# metric -> (outcome it counts, over the answerable questions?)
COUNTED = {
    "right": (RIGHT, True),
    "wrong_shown": (WRONG, True),
    "refused_answerable": (REFUSED, True),
    "refused_unanswerable": (REFUSED, False),
    "answered_unanswerable": (ANSWERED, False),
}
HIGHER_IS_BETTER = {"right": True, "wrong_shown": False, "answered_unanswerable": False}
ROWS = (
    ("answerable", "answerable"),
    ("  right", "right"),
    ("  wrong, shown", "wrong_shown"),
    ("  refused", "refused_answerable"),
    ("unanswerable", "unanswerable"),
    ("  refused", "refused_unanswerable"),
    ("  answered", "answered_unanswerable"),
)


def outcome(item: Item, refused: bool, shown: str, cited: Sequence[str]) -> str:
    """One question's outcome. Unanswerable: refused or answered (anything shown). Answerable: refused; right when
    the shown text names the gold answer or one of its alternatives (multiple choice: the gold option and no other)
    and, when the gold sources are known, cites at least one of them; wrong otherwise. An answerable question with
    no gold answer that was answered is `shown`: neither right nor wrong."""
    if refused:
        return REFUSED
    if not item.answerable:
        return ANSWERED
    if item.choices and item.answer:
        named = metrics.choices_named(shown, item.choices) == [item.answer]
    elif item.golds:
        named = metrics.matches_any(shown, item.golds)
    else:
        return SHOWN
    sourced = not item.sources or any(source in item.sources for source in cited)
    return RIGHT if named and sourced else WRONG


REPLIES = (
    "the same questions' replies before verification, as if every one were shown (the verifier can only refuse: "
    "their right count bounds what it could show right)"
)


def reply(item: Item, answer: Answer) -> str:
    """The outcome of what the product wrote before verification (the model's reply, or the sentence it computed,
    as for report order), as if it were shown citing every article the model read: refused when the model said it
    cannot answer. It is what verification starts from: the verifier can refuse a reply, right or wrong, but never
    makes a wrong one right, so the replies' right count bounds what any checker could show."""
    text = strip_markers(answer.raw or ("" if answer.refused else answer.text))
    refused = not text or NOT_FOUND in text
    return outcome(item, refused, "" if refused else text, [p.source for p in answer.passages])


def tally(rows: Sequence[tuple[bool, str]]) -> dict[str, float | None]:
    """(answerable, outcome) pairs -> each metric of COUNTED as a share (None when no question applies) and as a
    count (`<name>_n`), with the answerable and unanswerable counts. Answerable shares are over all answerable
    questions, unanswerable ones over all unanswerable questions; errors count in neither."""
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


def columns(product: dict[str, dict], peer: dict[str, dict] | None = None) -> dict[str, dict]:
    """Header -> tally, scope by scope: "all", "all peer", "dev", "dev peer", ... (peer columns when it ran)."""
    out = {}
    for scope, t in product.items():
        out[scope] = t
        if peer is not None:
            out[f"{scope} peer"] = peer.get(scope, {})
    return out


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
