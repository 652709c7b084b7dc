"""Choose what the LLM reads: the sentences of the retrieved passages that bear on the question, within a budget.

On a CPU, prompt processing dominates latency (~60 tokens/s here), so handing the model four whole chunks costs
~15 s. The verifier still checks answers against the whole passages; only the prompt is trimmed.
"""

from __future__ import annotations

import math

from rag import verify
from rag.grounding import split_sentences, windows
from rag.types import Passage

CHARS_PER_TOKEN = 4  # rough, model-independent estimate for English text


def select(question: str, passages: list[Passage], budget_tokens: int) -> list[str]:
    """Per passage, its most relevant sentences in document order (or '' when none fits); budget 0 keeps all."""
    if budget_tokens <= 0:
        return [p.text.strip() for p in passages]
    wanted = {t.key for t in verify.terms(question)}
    units: list[tuple[int, int, int, str]] = []  # (passage, sentence order, start, text)
    for i, p in enumerate(passages):
        for order, (s, e) in enumerate(w for s0, e0 in split_sentences(p.text) for w in windows(p.text, s0, e0)):
            units.append((i, order, s, p.text[s:e]))
    unit_keys = [verify.keys(text) for *_, text in units]
    df = {k: sum(k in keys for keys in unit_keys) for k in wanted}
    n = len(units)

    def relevance(j: int) -> float:
        base = sum(math.log(1 + n / (1 + df[k])) for k in wanted if k in unit_keys[j])
        return base / (1 + 0.1 * units[j][0])  # ties go to the better-ranked passage

    ranked = sorted(range(n), key=relevance, reverse=True)
    chosen: set[int] = set()
    used = 0
    budget = budget_tokens * CHARS_PER_TOKEN
    for j in ranked:
        if relevance(j) <= 0 and chosen:
            break
        cost = len(units[j][3]) + 1
        if used + cost > budget and chosen:
            continue
        chosen.add(j)
        used += cost
    out = ["" for _ in passages]
    for j in sorted(chosen, key=lambda j: (units[j][0], units[j][1])):
        i = units[j][0]
        out[i] = f"{out[i]} {units[j][3]}".strip()
    return out
