"""Choose what the LLM reads: the sentences of the retrieved passages that bear on the question, within a budget.

On a CPU, prompt processing dominates latency (~60 tokens/s here), so handing the model four whole chunks costs
~15 s. The verifier still checks answers against the whole passages; only the prompt is trimmed.

A sentence bears on the question by the rare words it shares with it and, when the evidence carries `closeness`
(`near`: the embedder's cosine between the question and each sentence), by meaning too: the two rankings are fused
(reciprocal rank), so the sentence that answers a question asked in other words still reaches the model; a sentence
sharing no word with the question is read only when it is among the closest few by meaning.
"""

from __future__ import annotations

import math
from dataclasses import replace
from typing import TYPE_CHECKING

import numpy as np

from rag import lexicon
from rag.evidence import Evidence
from rag.question import Question
from rag.types import Passage

if TYPE_CHECKING:
    from rag.models import Embedder

CHARS_PER_TOKEN = 4  # rough, model-independent estimate for English text
FUSION_K = 10  # reciprocal-rank constant (chosen on the seed set's dev half, budgets 200 and 300)
MEANING_ONLY = 5  # a sentence sharing no word with the question is read when among this many closest by meaning


def near(evidence: Evidence, embedder: Embedder, question: str) -> Evidence:
    """The evidence with each sentence unit's cosine similarity to the question (in `Evidence.units` order)."""
    texts = [p.text[s:e] for p, cuts in zip(evidence.passages, evidence.units, strict=True) for s, e in cuts]
    if not texts:
        return evidence
    units = np.asarray(embedder.embed(texts), dtype=np.float32)
    asked = np.asarray(embedder.embed_query(question), dtype=np.float32)
    norms = np.linalg.norm(units, axis=1) * (np.linalg.norm(asked) or 1.0)
    cosine = units @ asked / np.where(norms > 0, norms, 1.0)
    return replace(evidence, closeness=tuple(round(float(c), 4) for c in cosine))


def in_article_order(passages: list[Passage]) -> list[Passage]:
    """The passages grouped by article, articles in the order of their best-ranked passage, and each article's
    passages in the order they stand in it: the model reads text as it was written."""
    first: dict[str, int] = {}
    for rank, p in enumerate(passages):
        first.setdefault(p.source, rank)
    return sorted(passages, key=lambda p: (first[p.source], p.start))


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

    def shared(j: int) -> float:
        base = sum(math.log(1 + n / (1 + df[k])) for k in wanted if k in unit_keys[j])
        return base / (1 + 0.1 * units[j][0])  # ties go to the better-ranked passage

    lexical = [shared(j) for j in range(n)]
    relevance = _fused(lexical, evidence.closeness) if len(evidence.closeness) == n else lexical
    ranked = sorted(range(n), key=lambda j: relevance[j], reverse=True)
    chosen: set[int] = set()
    seen: set[str] = set()  # overlapping chunks repeat sentences: each is read once
    used = 0
    budget = budget_tokens * CHARS_PER_TOKEN
    for j in ranked:
        if relevance[j] <= 0 and chosen:
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


def _ranks(scores: list[float]) -> list[int]:
    """Each item's 0-based rank, highest score first."""
    out = [0] * len(scores)
    for rank, j in enumerate(sorted(range(len(scores)), key=lambda j: -scores[j])):
        out[j] = rank
    return out


def _fused(lexical: list[float], closeness: tuple[float, ...]) -> list[float]:
    """Reciprocal-rank fusion of the word and meaning rankings. A sentence sharing no word with the question gets
    only its meaning rank, and only when among the MEANING_ONLY closest; else 0 (not read)."""
    by_words, by_meaning = _ranks(lexical), _ranks(list(closeness))
    out = []
    for words, rank, meaning in zip(lexical, by_words, by_meaning, strict=True):
        if words <= 0 and meaning >= MEANING_ONLY:
            out.append(0.0)
            continue
        out.append((1 / (FUSION_K + rank) if words > 0 else 0.0) + 1 / (FUSION_K + meaning))
    return out
