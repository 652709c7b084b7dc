"""Choose what the LLM reads: the sentences of the retrieved passages that bear on the question, within a budget.

On a CPU, prompt processing dominates latency (~60 tokens/s here), so handing the model four whole chunks costs
~15 s. The verifier still checks answers against the whole passages; only the prompt is trimmed.
"""

from __future__ import annotations

import math

from rag import lexicon
from rag.evidence import Evidence
from rag.question import Question

CHARS_PER_TOKEN = 4  # rough, model-independent estimate for English text


def select(question: Question, evidence: Evidence, budget_tokens: int) -> list[str]:
    """Per passage, its most relevant sentences in document order (or '' when none fits); budget 0 keeps all."""
    if budget_tokens <= 0:
        return [p.text.strip() for p in evidence.passages]
    wanted = {t.key for t in lexicon.terms(question.asked)}
    units = [  # (passage, sentence order, text)
        (i, order, p.text[s:e])
        for i, (p, cuts) in enumerate(zip(evidence.passages, evidence.units, strict=True))
        for order, (s, e) in enumerate(cuts)
    ]
    unit_keys = [lexicon.keys(text) for *_, text in units]
    df = {k: sum(k in keys for keys in unit_keys) for k in wanted}
    n = len(units)

    def relevance(j: int) -> float:
        base = sum(math.log(1 + n / (1 + df[k])) for k in wanted if k in unit_keys[j])
        return base / (1 + 0.1 * units[j][0])  # ties go to the better-ranked passage

    ranked = sorted(range(n), key=relevance, reverse=True)
    chosen: set[int] = set()
    seen: set[str] = set()  # overlapping chunks repeat sentences: each is read once
    used = 0
    budget = budget_tokens * CHARS_PER_TOKEN
    for j in ranked:
        if relevance(j) <= 0 and chosen:
            break
        said = " ".join(units[j][2].split())
        if said in seen:
            continue
        seen.add(said)
        cost = len(units[j][2]) + 1
        if used + cost > budget and chosen:
            continue
        chosen.add(j)
        used += cost
    out = ["" for _ in evidence.passages]
    for j in sorted(chosen, key=lambda j: (units[j][0], units[j][1])):
        i = units[j][0]
        out[i] = f"{out[i]} {units[j][2]}".strip()
    return out
