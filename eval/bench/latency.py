"""`rag bench latency`: the index build time, and per question the time to the first verified text and to the full
answer (p50/p95), the LLM's share of it (`Answer.timings.generate_s`) and the product's overhead over the LLM: the
time an answer takes beyond generating it (retrieval, prompt, verification), relative to the generation."""

import argparse
import json
import statistics
import tempfile
import time
from pathlib import Path

from eval.bench import fresh
from eval.metrics.stats import percentile
from eval.sample import SEED_SET, load_samples
from rag import Engine, get_settings


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="rag bench latency", description=__doc__)
    p.add_argument("--questions", type=Path, default=SEED_SET, help="JSONL with a 'question' field per line")
    p.add_argument("--limit", type=int, default=0, help="only the first N questions")
    p.add_argument("--repeat", type=int, default=1, help="ask each question this many times")
    return p


def run(args: argparse.Namespace) -> int:
    questions = [s.question for s in load_samples(args.questions)][: args.limit or None]
    rows = []
    with tempfile.TemporaryDirectory() as tmp:  # a fresh index, never the user's
        engine = Engine(fresh(get_settings(), Path(tmp), "latency"))
        started = time.perf_counter()
        _ = engine.embedder
        report = engine.index()
        build_s = time.perf_counter() - started
        engine.ask(questions[0])  # warm-up: model load and the cached prompt prefix, not counted
        for _ in range(args.repeat):
            for q in questions:
                stream = engine.stream(q)
                t0, first = time.perf_counter(), None
                for _piece in stream:
                    first = first if first is not None else time.perf_counter() - t0
                total, answer = time.perf_counter() - t0, stream.answer
                llm = answer.timings.generate_s if answer.passages else None  # nothing retrieved: refused without it
                rows.append({"first_s": first, "total_s": total, "llm_s": llm})
                said = "refused without the LLM" if llm is None else f"first {first:5.2f}s, LLM {llm:5.2f}s"
                print(f"{total:6.2f}s ({said})  {q}", flush=True)

    generated = [r for r in rows if r["llm_s"] is not None]

    def pct(key: str, q: float, among: list[dict] = generated) -> float | None:
        value = percentile([r[key] for r in among], q)
        return None if value is None else round(value, 3)

    overhead = statistics.median([(r["total_s"] - r["llm_s"]) / r["llm_s"] for r in generated if r["llm_s"]] or [0.0])
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
        "llm_p50_s": pct("llm_s", 50),
        "overhead_p50": round(overhead, 3),
    }
    print(json.dumps(summary))
    return 0
