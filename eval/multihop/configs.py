"""The retrieval configurations `rag bench multihop` compares, each a set of overrides of the settings."""

from __future__ import annotations

from eval.ranking import Scores, score
from rag.engine import Engine
from rag.settings import Settings

OFF = {"outlet_boost": 0.0, "date_boost": 0.0, "decompose": False, "clean_query": False, "phrase_boost": 0.0}
CONFIGS: dict[str, dict] = {  # the last is the default configuration
    "dense only": {**OFF, "retrieval": "dense"},
    "bm25 only (k1 1.5, b 0.75)": {**OFF, "retrieval": "bm25", "bm25_k1": 1.5, "bm25_b": 0.75},
    "bm25 only": {**OFF, "retrieval": "bm25"},
    "hybrid rrf (naive)": {**OFF, "retrieval": "hybrid", "fusion": "rrf"},
    "hybrid weighted": {**OFF, "retrieval": "hybrid", "fusion": "weighted"},
    "hybrid weighted, all stages": {"retrieval": "hybrid", "fusion": "weighted"},
    "bm25 + outlet/date boost": {"retrieval": "bm25", "decompose": False, "clean_query": False, "phrase_boost": 0.0},
    "bm25 + boost + query cleanup": {"retrieval": "bm25", "decompose": False, "phrase_boost": 0.0},
    "bm25 + boost + cleanup + sub-queries": {"retrieval": "bm25", "phrase_boost": 0.0},
    "bm25 + all stages (default)": {},
}
DEFAULT = "bm25 + all stages (default)"


def run_config(base: Settings, overrides: dict, answerable: list[dict]) -> Scores:
    """The ranking metrics of the retrieval configured by `overrides`, on the answerable queries."""
    engine = Engine(base.model_copy(update=overrides))
    retriever = engine.retriever
    retriever.retrieve("warm up", 10)
    return score(lambda q: [p.text for p in retriever.retrieve(q, 10)], answerable)
