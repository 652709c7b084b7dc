"""`rag` on the command line: index, ask, list, remove, chat (the web UI), eval and bench.

It sits above `rag` (the library), `ui` and `eval`, which never import it."""

from __future__ import annotations

import argparse
import gc
import json
import logging
import sys
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

from rag import offline  # noqa: F401
from rag.errors import RagError, exit_code

if TYPE_CHECKING:
    from rag.engine import History
    from rag.types import Answer


def run() -> NoReturn:
    """The `rag` command: `main`, then the process ends without a last garbage collection (after `rag ask` printed
    its answer, the exit took 0.22-0.42 s with it and 0.17-0.26 s without, 6 runs each, 2 vCPUs, AVX2). Objects are
    still released as their last reference goes, and the finalizers registered for exit (the model's) still run."""
    code = main()
    gc.disable()
    sys.exit(code)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["eval"]:
        from eval.cli import main as eval_main

        return eval_main(argv[1:])
    if argv[:1] == ["bench"]:
        from eval.bench import main as bench_main

        return bench_main(argv[1:])
    args = parser().parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s: %(message)s")
    return exit_code(lambda: args.run(args))


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="rag", description="Grounded question answering over news articles.")
    sub = p.add_subparsers(required=True, metavar="COMMAND")

    s = sub.add_parser("index", help="index articles (default: RAG_CORPUS_DIR); unchanged files are skipped")
    s.add_argument("paths", nargs="*", type=Path, help="files or folders of .txt/.md/.html/.pdf articles")
    s.add_argument("--rebuild", action="store_true", help="re-embed everything into a fresh collection")
    s.set_defaults(run=_index)

    s = sub.add_parser("ask", help="answer a question with citations (no question: interactive)")
    s.add_argument("question", nargs="?", help="the question; omit it to ask several in a row")
    s.add_argument("--json", action="store_true", help="print the whole Answer as JSON")
    s.set_defaults(run=_ask)

    s = sub.add_parser("docs", help="list the indexed articles")
    s.set_defaults(run=_docs)

    s = sub.add_parser("remove", help="remove an article from the index")
    s.add_argument("source", help="its name as `rag docs` lists it")
    s.set_defaults(run=_remove)

    s = sub.add_parser("chat", help="start the chat window in the browser")
    s.add_argument("--host", help="address to bind (default RAG_UI_HOST, 127.0.0.1)")
    s.add_argument("--port", type=int, help="port (default RAG_UI_PORT, 7860)")
    s.set_defaults(run=_chat)

    sub.add_parser("eval", help="run the grounding evaluation (see `rag eval --help`)")
    sub.add_parser("bench", help="run a benchmark (see `rag bench --help`)")
    return p


def _engine():
    from rag.engine import default_engine

    return default_engine()


def _index(args) -> int:
    engine = _engine()
    paths = args.paths or None
    report = engine.rebuild(paths, show_bar=True) if args.rebuild else engine.index(paths, show_bar=True)
    print(report.summary())  # each skipped file was logged as a warning as it was found
    held = engine.prepare(show_bar=True)
    if held is not None:
        size = (
            f", {held.path.stat().st_size / 1e6:.0f} MB state file" if held.path else " (not saved: read-only data dir)"
        )
        how = {"memory": "already held", "file": "loaded", "extended": "extended", "computed": "computed"}[held.how]
        print(f"whole-collection reading: {held.tokens:,} prompt tokens {how} in {held.seconds:.1f} s{size}")
    elif engine.settings.whole_tokens:
        print("the articles exceed RAG_WHOLE_TOKENS: questions are answered from retrieved passages")
    return 0


def _ask(args) -> int:
    from rag.models import load_early
    from rag.question import cleaned
    from rag.settings import get_settings

    settings = get_settings()
    if args.question is not None:
        cleaned(args.question, settings.max_question_chars)  # a bad question's error comes at once
    loading = load_early(settings)  # a new process: the model loads while the engine is imported and the index opens
    try:
        engine = _engine()
    finally:
        loading.join()  # llama.cpp sends the process's output to /dev/null while it loads (llama-cpp-python #1874):
        # nothing is printed, not even an error or a warning, before the load has ended
    if args.question is not None:
        _answer_one(engine, args.question, args.json)
        return 0
    print(
        "Ask about the articles; a follow-up may refer to the answers before it (empty line or Ctrl-D to quit).",
        file=sys.stderr,
    )
    history: list[tuple[str, str]] = []
    while True:
        try:
            question = input("? ")
        except EOFError:
            return 0
        if not question.strip():
            return 0
        try:
            answer = _answer_one(engine, question, args.json, history)
        except RagError as exc:
            print(f"error: {exc}", file=sys.stderr)
        else:
            history.append((question, answer.text))


def _answer_one(engine, question: str, as_json: bool, history: History = ()) -> Answer:
    """Print the answer to `question` (a follow-up of `history`'s turns, as in the chat window) and return it."""
    stream = engine.stream(question, history)  # indexes the corpus folder on first use
    if as_json:
        answer = stream.collect()
        print(json.dumps(answer.to_dict(), indent=2, ensure_ascii=False))
        return answer
    for piece in stream:
        print(piece, end="", flush=True)
    print()
    answer = stream.answer
    for c in answer.citations:
        print(f'  [{c.key}] {c.source} chars {c.start}-{c.end}: "{c.quote}"')
    if answer.unverified:
        from rag.prompts import UNVERIFIED, UNVERIFIEDS

        print(f"  ({UNVERIFIEDS.get(answer.language, UNVERIFIED)})")
    for c in answer.nearest:
        print(f'  nearest passage, not verified: {c.source} chars {c.start}-{c.end}: "{c.quote}"')
    if answer.dropped:
        print(f"  ({len(answer.dropped)} unsupported sentence(s) left out; --json shows them)")
    return answer


def _docs(args) -> int:
    for source, title in sorted(_engine().documents().items()):
        print(f"{source}\t{title}")
    return 0


def _remove(args) -> int:
    engine = _engine()
    if args.source not in engine.documents():
        raise RagError(f"{args.source!r} is not indexed; `rag docs` lists what is.")
    engine.remove(args.source)
    print(f"removed {args.source}")
    return 0


def _chat(args) -> int:
    from ui.app import launch

    launch(host=args.host, port=args.port)
    return 0
