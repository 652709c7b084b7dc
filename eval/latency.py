"""`rag bench latency`: index build time, ask() time to first verified text and total (p50/p95), the raw LLM call
on the same prompts, and the product's overhead over that raw call. A benchmark: it reports numbers, asserts none."""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from pathlib import Path

from eval.items import load_items
from eval.metrics import percentile
from rag.answerer import messages
from rag.engine import Engine
from rag.evidence import build
from rag.question import parse
from rag.settings import get_settings

SEED = Path(__file__).parent / "data" / "seed.jsonl"


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="rag bench latency", description=__doc__)
    p.add_argument("--questions", type=Path, default=SEED, help="JSONL with a 'question' field per line")
    p.add_argument("--limit", type=int, default=0, help="only the first N questions")
    p.add_argument("--repeat", type=int, default=1, help="ask each question this many times")
    args = p.parse_args(argv)
    questions = [item.question for item in load_items(args.questions)]
    questions = questions[: args.limit] if args.limit else questions

    with tempfile.TemporaryDirectory() as tmp:  # a fresh index, never the user's
        settings = get_settings().model_copy(update={"data_dir": Path(tmp), "collection": "latency"})
        if settings.llm == "local" and settings.llm_model_path is None:  # reuse the assembled GGUF
            from rag.llm import shipped_gguf

            settings = settings.model_copy(update={"llm_model_path": shipped_gguf(get_settings())})
        engine = Engine(settings)
        started = time.perf_counter()
        _ = engine.embedder
        report = engine.index()
        build_s = time.perf_counter() - started
        llm = engine.llm
        engine.ask(questions[0])  # warm-up: model load and the cached system prompt, not counted

        rows = []
        for _ in range(args.repeat):
            for q in questions:
                stream = engine.stream(q)
                t0 = time.perf_counter()
                first = None
                for _piece in stream:
                    first = first if first is not None else time.perf_counter() - t0
                total = time.perf_counter() - t0
                answer = stream.answer
                if not answer.passages:  # nothing retrieved: refused without the LLM, nothing to compare against
                    rows.append(
                        {
                            "question": q,
                            "first_s": first,
                            "total_s": total,
                            "raw_first_s": None,
                            "raw_total_s": None,
                            "refused": True,
                        }
                    )
                    print(f"{total:6.2f}s (refused without the LLM)  {q}", flush=True)
                    continue
                whole = engine.whole() is not None
                budget = 0 if whole else settings.context_tokens
                prompt = messages(parse(q), build(answer.passages), budget, settings.answer_examples)
                if not whole:
                    # leave llama.cpp's prompt cache as ask() found it (system prompt only), or the raw call gets the
                    # passages for free and the comparison is void; in whole-collection mode both start from the
                    # articles' cached prefix
                    llm.chat(prompt[:1], max_tokens=1)
                t0 = time.perf_counter()
                raw_first = None
                for _part in llm.stream_chat(prompt):
                    raw_first = raw_first if raw_first is not None else time.perf_counter() - t0
                raw_total = time.perf_counter() - t0
                rows.append(
                    {
                        "question": q,
                        "first_s": first,
                        "total_s": total,
                        "raw_first_s": raw_first or raw_total,
                        "raw_total_s": raw_total,
                        "refused": answer.refused,
                    }
                )
                print(f"{total:6.2f}s (first {first:5.2f}s, raw LLM {raw_total:5.2f}s)  {q}", flush=True)

    generated = [r for r in rows if r["raw_total_s"] is not None]

    def pct(key: str, q: float, among: list[dict] = generated) -> float | None:
        value = percentile([r[key] for r in among], q)
        return None if value is None else round(value, 3)

    overhead = statistics.median((r["total_s"] - r["raw_total_s"]) / r["raw_total_s"] for r in generated)
    summary = {
        "questions": len(rows),
        "refused_without_llm": len(rows) - len(generated),
        "all_total_p50_s": pct("total_s", 50, rows),
        "chunks": report.chunks,
        "build_s": round(build_s, 2),
        "first_p50_s": pct("first_s", 50),
        "first_p95_s": pct("first_s", 95),
        "total_p50_s": pct("total_s", 50),
        "total_p95_s": pct("total_s", 95),
        "raw_llm_p50_s": pct("raw_total_s", 50),
        "raw_llm_first_p50_s": pct("raw_first_s", 50),
        "overhead_p50": round(overhead, 3),
    }
    print(json.dumps(summary))
    return 0
