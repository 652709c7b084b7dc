"""`rag bench load`: N gradio_client users asking the chat window's `/ask`, one after another, then all at once:
latency under load against the serial wall time, and whether any concurrent answer (text and cited spans) differs
from the one its question got alone."""

import argparse
import json
import os
import socket
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

from eval.bench import fresh
from eval.metrics.stats import percentile
from eval.sample import SEED_SET, load_samples
from rag import Engine, get_settings

Answer = tuple[str, tuple[str, ...]]  # the answer text and its cited spans ("source:start-end")
Ask = Callable[[str], Answer]
WARM_UP = "What do the articles say about Microsoft and OpenAI?"  # loads the model first; not counted


def pick(questions: list[str], n: int) -> list[str]:
    """n questions spread over the set (the seed set's answerable and unanswerable ones), cycling if n exceeds it."""
    return [questions[i * len(questions) // n if n <= len(questions) else i % len(questions)] for i in range(n)]


def cpu() -> str:
    """The CPU model, its cores, and whether it has AVX-512 or only AVX2 (from /proc/cpuinfo)."""
    info = Path("/proc/cpuinfo")
    lines = info.read_text().splitlines() if info.is_file() else []
    fields = {k.strip(): v.strip() for k, v in (ln.split(":", 1) for ln in lines if ":" in ln)}
    flags = fields.get("flags", "").split()
    simd = "avx512f" if "avx512f" in flags else "avx2 only" if "avx2" in flags else "no avx2"
    return f"{fields.get('model name', 'unknown CPU')}, {os.cpu_count()} cores, {simd}"


def timed(ask: Ask, question: str) -> tuple[float, Answer]:
    started = time.perf_counter()
    try:
        answer = ask(question)
    except Exception as exc:  # a lost answer: counted as a mismatch, never a crash
        answer = (f"ERROR {type(exc).__name__}: {exc}", ())
    return time.perf_counter() - started, answer


def measure(questions: list[str], connect: Callable[[], Ask], out: Callable[[str], None] = print) -> dict:
    """Ask `questions` one after another, then all at once (one user each, from its own `connect()`); the summary."""
    alone = connect()  # one user asking them in a row
    timed(alone, WARM_UP)
    serial, started = [], time.perf_counter()
    for q in questions:
        serial.append(timed(alone, q))
        out(f"serial {len(serial):3d}/{len(questions)} {serial[-1][0]:7.2f}s  {q[:70]}")
    serial_wall = time.perf_counter() - started
    users = [connect() for _ in questions]  # connected before the clock starts, as users already on the page
    gate = threading.Barrier(len(questions) + 1)

    def user(i: int) -> tuple[float, Answer]:
        gate.wait()
        return timed(users[i], questions[i])

    with ThreadPoolExecutor(max_workers=len(questions)) as pool:
        futures = [pool.submit(user, i) for i in range(len(questions))]
        gate.wait()
        started = time.perf_counter()
        concurrent = [f.result() for f in futures]
    concurrent_wall = time.perf_counter() - started
    out(f"\n{'#':>3} {'serial s':>9} {'concurrent s':>13}  same  question")
    for i, (q, (s_time, s_answer), (c_time, c_answer)) in enumerate(zip(questions, serial, concurrent, strict=True)):
        out(f"{i + 1:3d} {s_time:9.2f} {c_time:13.2f}  {'yes' if s_answer == c_answer else 'NO':4}  {q[:70]}")
        if s_answer != c_answer:
            out(f"      alone:    {s_answer}\n      together: {c_answer}")
    times = [t for t, _ in concurrent]
    p95 = percentile(times, 95) or 0.0
    out(f"\none after another: wall {serial_wall:.1f}s | all at once: wall {concurrent_wall:.1f}s")
    summary = {
        "users": len(questions),
        "serial_wall_s": serial_wall,
        "serial_p50_s": percentile([t for t, _ in serial], 50),
    }
    summary |= {"concurrent_p50_s": percentile(times, 50), "concurrent_p95_s": p95, "concurrent_max_s": max(times)}
    summary = {k: round(v or 0.0, 2) if k != "users" else v for k, v in summary.items()}
    mismatches = sum(s != c for (_, s), (_, c) in zip(serial, concurrent, strict=True))
    return summary | {"p95_over_serial_wall": round(p95 / serial_wall, 3), "mismatches": mismatches, "cpu": cpu()}


def client(url: str) -> Ask:
    """One gradio_client user of the chat window at `url`."""
    from gradio_client import Client

    c = Client(url, verbose=False)

    def ask(question: str) -> Answer:
        text, citations = c.predict(question, None, api_name="/ask")
        return text, tuple(f"{x['source']}:{x['start']}-{x['end']}" for x in citations)

    return ask


@contextmanager
def serve(engine: Engine) -> Iterator[str]:
    """The chat window over `engine`, in-process on a free local port: its URL."""
    from ui.app import start

    with socket.socket() as free:
        free.bind(("127.0.0.1", 0))
        port = free.getsockname()[1]
    app, url = start("127.0.0.1", port, engine)
    try:
        yield url
    finally:
        app.close()


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="rag bench load", description=__doc__)
    p.add_argument("--users", type=int, default=20, help="concurrent users, one question each (default 20)")
    p.add_argument("--questions", type=Path, default=SEED_SET, help="JSONL with a 'question' field per line")
    return p


def run(args: argparse.Namespace) -> int:
    if args.users < 1:
        parser().error("--users must be at least 1")
    questions = pick([s.question for s in load_samples(args.questions)], args.users)
    with tempfile.TemporaryDirectory() as tmp:  # a fresh index, never the user's
        engine = Engine(fresh(get_settings(), Path(tmp), "load"))
        _ = engine.llm  # load the model first: a missing or broken one is said before anything else runs
        engine.index()
        with serve(engine) as url:
            threads = engine.settings.llm_threads or os.cpu_count()
            print(f"{len(questions)} users, chat window at {url}, {cpu()}, LLM threads {threads}", flush=True)
            summary = measure(questions, lambda: client(url), lambda line: print(line, flush=True))
    print(json.dumps(summary))
    return 0
