"""`rag eval grade FILE`: any system's answers verified as the product verifies its model's reply
(`Engine.answer(question, passages=contexts, reply=answer)`, no LLM): per sentence its support and whether it would
be shown; per answer the weakest sentence's. A sentence saying it cannot answer is left out of the score."""

import argparse
import json
from collections.abc import Sequence
from pathlib import Path

from eval.metrics.outcome import declines
from eval.sample import rows
from rag import Answer, Engine, Passage, RagError, get_settings, strip_markers


def verify(engine: Engine, question: str, contexts: Sequence[str], reply: str) -> Answer:
    """What the product would show of `reply` to `question` from `contexts`; no model is asked."""
    passages = [Passage(f"context-{i}#0", f"context-{i}", "", t, 0, len(t)) for i, t in enumerate(contexts or [""], 1)]
    return engine.answer(question, passages=passages, reply=reply).collect()


def grade(engine: Engine, question: str, answer: str, contexts: Sequence[str]) -> dict:
    """{question, score, supported, refused, sentences: [{text, score, supported, meta}]}, sentences in order."""
    verified, written = verify(engine, question, contexts, answer), strip_markers(answer)
    found = [(s, True) for s in verified.sentences] + [(s, False) for s in verified.dropped]
    found.sort(key=lambda pair: written.find(strip_markers(pair[0].text)) % (len(written) + 1))
    sentences = [
        {
            "text": strip_markers(s.text),
            "score": 0.0 if declines(s.text) else s.score,
            "supported": shown and s.supported,
        }
        | {"meta": declines(s.text)}
        for s, shown in found
    ]
    claims = [s for s in sentences if not s["meta"]]
    score = min((s["score"] for s in claims), default=1.0)
    supported = all(s["supported"] for s in claims)
    return {"question": question, "score": score, "supported": supported, "refused": not claims, "sentences": sentences}


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="rag eval grade", description=__doc__.split("\n\n")[0])
    p.add_argument("file", type=Path, help="JSONL lines of {question, answer, contexts: [text, ...]}")
    p.add_argument("--json", action="store_true", help="one JSON object per input line, in input order")
    p.add_argument("--threshold", type=float, help="support threshold (default RAG_SUPPORT_THRESHOLD)")
    return p


def run(args: argparse.Namespace) -> int:
    settings = get_settings()
    threshold = settings.support_threshold if args.threshold is None else args.threshold
    if not 0 <= threshold <= 1:
        raise RagError(f"--threshold must be between 0 and 1, not {threshold}.")
    lines = []
    for n, row in rows(args.file):
        answer, contexts = row.get("answer"), row.get("contexts")
        if not isinstance(answer, str):
            raise RagError(f"{args.file}:{n}: 'answer' must be text.")
        if not isinstance(contexts, list) or not all(isinstance(c, str) for c in contexts):
            raise RagError(f"{args.file}:{n}: 'contexts' must be a list of strings (the passages the answer may use).")
        lines.append((str(row.get("question", "")), answer, contexts))
    engine = Engine(settings.model_copy(update={"support_threshold": threshold}))
    grades = [grade(engine, *line) for line in lines]
    for n, ((_, answer, _), g) in enumerate(zip(lines, grades, strict=True), start=1):
        if args.json:
            print(json.dumps({"line": n, **g}, ensure_ascii=False))
            continue
        print(f"{'ok ' if g['supported'] else 'NO '} {g['score']:.2f}  {answer[:90]}")
        for s in g["sentences"]:
            print(f"       {'meta' if s['meta'] else format(s['score'], '.2f')}  {s['text'][:90]}")
    if not args.json:
        print(f"{sum(g['supported'] for g in grades)}/{len(grades)} answers supported at threshold {threshold:g}")
    return 0
