"""`rag eval reading RUN`: does the LLM get to read the sentence that states the answer? Of a finished run's
answerable questions whose gold evidence lies in a retrieved passage, how many have it in the prompt
(`rag.context.select`) at a budget, choosing sentences by shared words alone and by words and meaning. No LLM."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from dataclasses import replace

from eval import replay
from eval.items import Item
from eval.metrics import first_hit
from rag import context
from rag.evidence import Evidence, build
from rag.models import Embedder, get_embedder
from rag.question import Question, parse
from rag.settings import get_settings
from rag.types import Answer

Case = tuple[Item, Question, Evidence]  # the evidence with each sentence's closeness to the question


def cases(pairs: Sequence[tuple[Item, Answer]], embedder: Embedder) -> list[Case]:
    """The answerable questions whose gold evidence was retrieved, each embedded once (whatever the budgets)."""
    out = []
    for item, answer in pairs:
        retrieved = [(p.source, p.text) for p in answer.passages]
        if not item.answerable or not item.evidence or first_hit(retrieved, (), item.evidence) is None:
            continue
        question = parse(answer.question, answer.standalone_question, answer.language)
        out.append((item, question, context.near(build(answer.passages), embedder, question.asked)))
    return out


def tally(found: Sequence[Case], budget: int, by_meaning: bool) -> dict[str, list[int]]:
    """Per split: [gold evidence in the prompt, gold evidence in a retrieved passage]."""
    out: dict[str, list[int]] = {}
    for item, question, evidence in found:
        read = context.select(question, evidence if by_meaning else replace(evidence, closeness=()), budget)
        row = out.setdefault(item.split, [0, 0])
        row[0] += first_hit([("", text) for text in read], (), item.evidence) is not None
        row[1] += 1
    return out


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="rag eval reading",
        description="Of a run's answerable questions whose gold evidence was retrieved, how many had it in the "
        "LLM's prompt, by shared words alone and by words and meaning (RAG_CONTEXT_BY_MEANING), per budget.",
    )
    replay.run_argument(p)
    p.add_argument("--budgets", default="120,200,300,500", help="comma-separated RAG_CONTEXT_TOKENS values")
    return p


def run(args: argparse.Namespace) -> int:
    budgets = replay.numbers(args.budgets, "--budgets", int)
    found = cases(replay.load_run(args.run), get_embedder(get_settings()))
    for budget in budgets:
        for label, by_meaning in (("words", False), ("words + meaning", True)):
            cells = "  ".join(f"{split} {a}/{b}" for split, (a, b) in sorted(tally(found, budget, by_meaning).items()))
            print(f"budget {budget:>4}  {label:<16} gold evidence in the prompt: {cells}")
    return 0
