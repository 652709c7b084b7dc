"""`rag bench SUBCOMMAND`: `multihop` (retrieval, build time and answers on MultiHop-RAG), `latency` and `load`
(concurrent chat-window users)."""

from __future__ import annotations

import sys

USAGE = "usage: rag bench {multihop,latency,load} [options]  (rag bench SUBCOMMAND --help for its options)"


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    command, rest = (argv[0], argv[1:]) if argv else ("", [])
    if command == "multihop":
        from eval.multihop import main as run
    elif command == "latency":
        from eval.latency import main as run
    elif command == "load":
        from eval.load import main as run
    elif command in ("-h", "--help"):
        print(USAGE)
        return 0
    else:
        print(f"{USAGE}\nerror: unknown benchmark {command!r}" if command else USAGE, file=sys.stderr)
        return 2
    return run(rest)
