"""`rag eval reading RUN`: does the LLM get to read the sentence that states the answer? Of a finished run's
answerable questions whose gold evidence lies in a retrieved passage, how many have it in the prompt
(`rag.context.select`) at a budget, choosing sentences by shared words alone and by words and meaning. No LLM."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path

from eval import replay
from eval.items import Item
from rag import context
from rag.evidence import build
from rag.models import Embedder, get_embedder
from rag.question import parse
from rag.settings import get_settings
from rag.types import Answer


def _norm(text: str) -> str:
    return " ".join(text.lower().split())


def tally(pairs: Sequence[tuple[Item, Answer]], budget: int, embedder: Embedder | None) -> dict[str, list[int]]:
    """Per split: [gold evidence in the prompt, gold evidence in a retrieved passage]."""
    out: dict[str, list[int]] = {}
    for item, answer in pairs:
        gold = [_norm(e) for e in item.evidence]
        if not item.answerable or not gold or not any(g in _norm(p.text) for g in gold for p in answer.passages):
            continue
        question = parse(answer.question, answer.standalone_question, answer.language)
        evidence = build(answer.passages)
        if embedder is not None:
            evidence = context.near(evidence, embedder, question.asked)
        read = [_norm(t) for t in context.select(question, evidence, budget)]
        row = out.setdefault(item.split, [0, 0])
        row[0] += any(g in t for g in gold for t in read)
        row[1] += 1
    return out


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="rag eval reading",
        description="Of a run's answerable questions whose gold evidence was retrieved, how many had it in the "
        "LLM's prompt, by shared words alone and by words and meaning (RAG_CONTEXT_BY_MEANING), per budget.",
    )
    p.add_argument("run", type=Path, help="the folder `rag eval` wrote (holding answers.jsonl)")
    p.add_argument("--budgets", default="120,200,300,500", help="comma-separated RAG_CONTEXT_TOKENS values")
    return p


def run(args: argparse.Namespace) -> int:
    pairs = replay.load(args.run / "answers.jsonl")
    embedder = get_embedder(get_settings())
    for budget in (int(b) for b in args.budgets.split(",") if b.strip()):
        for label, emb in (("words", None), ("words + meaning", embedder)):
            cells = "  ".join(f"{split} {a}/{b}" for split, (a, b) in sorted(tally(pairs, budget, emb).items()))
            print(f"budget {budget:>4}  {label:<16} gold evidence in the prompt: {cells}")
    return 0
