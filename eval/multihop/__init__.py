"""`rag bench multihop` (see `eval.multihop.cli`): data, build (ours and llama-index's starter), retrieval
configurations, answers and the scale test, one module each; the ranking metrics are in `eval.ranking`."""

from eval.multihop.cli import main

__all__ = ["main"]
