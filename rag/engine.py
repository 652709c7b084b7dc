"""The engine ties settings, models, store and retriever together; `rag.ask()` uses one shared engine."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Generator, Sequence
from functools import partial
from pathlib import Path
from typing import Protocol, runtime_checkable

from rag import collection, context, kvstate, language, prompts
from rag.answerer import AnswerStream, generate, prefix_messages
from rag.chat import Message
from rag.consistency import Consistency
from rag.errors import BrokenIndex, CorpusError
from rag.evidence import Evidence, build
from rag.indexer import IndexReport, Progress, index_articles, index_paths
from rag.keywords import KeywordIndex, discard_keywords, store_keywords
from rag.loader import Article
from rag.models import get_embedder, get_embedder_id, get_llm, get_rewriter, load_early
from rag.question import cleaned, parse, refers_back
from rag.retriever import Retriever
from rag.safety import screen
from rag.settings import Settings, get_settings
from rag.store import Store, recorded_generation, set_aside
from rag.types import Answer, Passage

log = logging.getLogger(__name__)

History = Sequence[tuple[str, str]]  # (user question, assistant answer) pairs, oldest first


@runtime_checkable
class PrefixHolder(Protocol):
    """An LLM that keeps a fixed prompt prefix in its KV cache and in a state file (the local llama.cpp one)."""

    def hold(
        self, messages: Sequence[Message], cut: str, folder: Path, progress: kvstate.Progress | None = None
    ) -> kvstate.Held: ...


@runtime_checkable
class TokenCounter(Protocol):
    def count_tokens(self, text: str) -> int: ...


class Engine:
    def __init__(self, settings: Settings | None = None) -> None:
        self.settings = settings or get_settings()
        self._store: Store | None = None
        self._keywords: KeywordIndex | None = None
        self._whole: tuple[str, Evidence | None] | None = None  # (store generation, the articles whole or None)
        self._lock = threading.Lock()

    # -- parts, built on first use ---------------------------------------------------------------------------
    @property
    def embedder(self):
        return get_embedder(self.settings)

    @property
    def llm(self):
        return get_llm(self.settings)

    def load_llm_early(self) -> threading.Thread:
        """Start loading the LLM in a background thread (rag.models.load_early)."""
        return load_early(self.settings)

    @property
    def rewriter(self):
        return get_rewriter(self.settings)

    @property
    def store(self) -> Store:
        with self._lock:
            if self._store is None:
                self._store = Store(self.settings, get_embedder_id(self.settings))
            return self._store

    def keywords(self) -> KeywordIndex:
        """The BM25 index in memory, reloaded only when the store's contents changed. The store's generation comes
        from its stamp file when it can be trusted: a new process then answers without starting Chroma."""
        return self._keywords_at(recorded_generation(self.settings) or self.store.generation())

    def _keywords_at(self, generation: str) -> KeywordIndex:
        index = self._keywords
        if index is None or index.generation != generation:
            index = self._keywords = store_keywords(self.settings, lambda: self.store.passages(), generation)
        return index

    @property
    def retriever(self) -> Retriever:
        s = self.settings
        lexical = s.retrieval != "dense" or s.outlet_boost or s.decompose or s.clean_query
        return Retriever(s, self._nearest, self.keywords() if lexical else None)

    def _nearest(self, text: str, k: int, outlets: tuple[str, ...]) -> list[Passage]:
        """The store's `k` chunks nearest to `text` in meaning: the embedder and Chroma load only when one is asked."""
        return self.store.search(self.embedder.embed_query(text), k, outlets=outlets)

    # -- indexing --------------------------------------------------------------------------------------------
    def index(
        self, paths: Sequence[Path] | None = None, progress: Progress | None = None, show_bar: bool = False
    ) -> IndexReport:
        """Index `paths` (default: the corpus folder). Unchanged files cost nothing; deleted ones leave the index."""
        paths = [Path(p) for p in (paths or [self.settings.corpus_dir])]
        return index_paths(paths, self.store, self.embedder, self.settings, progress=progress, show_bar=show_bar)

    def prepare(self, show_bar: bool = False) -> kvstate.Held | None:
        """In whole-collection mode, compute the prompt prefix of every article and save its KV state (what `rag
        index` does after indexing), so that answering processes load it instead; None in the other mode or with a
        backend that keeps no state (an OpenAI-compatible server caches the same byte-stable prefix itself)."""
        evidence = self.whole()
        if evidence is None:
            return None
        return self._hold(evidence, show_bar)

    def whole(self) -> Evidence | None:
        """The evidence of whole-collection reading, every article whole, when it is on (RAG_WHOLE_TOKENS) and the
        indexed articles fit it; None otherwise (retrieval chooses what the model reads). Rebuilt when the index
        changes."""
        s = self.settings
        if s.whole_tokens <= 0:
            return None
        index = self.keywords()
        cached = self._whole
        if cached is None or cached[0] != index.generation:
            articles = collection.articles(self._screened(list(index.passages)))
            llm = self.llm
            count = llm.count_tokens if isinstance(llm, TokenCounter) else None
            fits = (
                0 < collection.tokens(articles, count) <= collection.budget(s.whole_tokens, s.llm_context, s.max_tokens)
            )
            cached = self._whole = (index.generation, build(articles) if fits else None)
        return cached[1]

    def _hold(self, evidence: Evidence, show_bar: bool = False) -> kvstate.Held | None:
        llm = self.llm
        if not isinstance(llm, PrefixHolder):
            return None
        bar = None
        if show_bar:
            from tqdm import tqdm

            bar = tqdm(desc="Reading the articles whole", unit="tok", leave=False)

        def progress(done: int, total: int) -> None:
            if bar is not None:
                bar.total = total
                bar.update(done - bar.n)

        try:
            return llm.hold(prefix_messages(evidence), prompts.QUESTION_LEAD, self.settings.kv_dir, progress)
        finally:
            if bar is not None:
                bar.close()

    def index_articles(self, articles: Sequence[Article], show_bar: bool = False) -> IndexReport:
        """Index articles already in memory (a news feed with outlet and date); unchanged ones cost nothing."""
        return index_articles(list(articles), self.store, self.embedder, self.settings, show_bar=show_bar)

    def rebuild(
        self, paths: Sequence[Path] | None = None, progress: Progress | None = None, show_bar: bool = False
    ) -> IndexReport:
        """Re-embed everything into a new collection and swap it in once complete; the old one serves until then.
        An embedded store that cannot be opened at all is set aside first (renamed, not deleted) and built anew."""
        embedder_id = get_embedder_id(self.settings)
        try:
            fresh = Store.staging(self.settings, embedder_id, live=self._store)
        except BrokenIndex as exc:
            if self.settings.chroma_host or self._store is not None or not self.settings.chroma_path.is_dir():
                raise
            try:
                moved = set_aside(self.settings)
            except OSError:
                raise exc from None
            log.warning(
                "The index at %s could not be opened; moved it to %s and indexing again.",
                self.settings.chroma_path,
                moved,
            )
            fresh = Store.staging(self.settings, embedder_id)
        given = paths is not None
        paths = [Path(p) for p in (paths or [self.settings.corpus_dir])]
        outside = self._outside(paths)
        if outside and not given:
            raise CorpusError(
                f"`rag index --rebuild` reads RAG_CORPUS_DIR={self.settings.corpus_dir} again, and {len(outside)} "
                f"indexed article(s) are not there ({', '.join(outside[:5])}{', ...' if len(outside) > 5 else ''}): "
                "a rebuild would drop them. Name every folder to read, e.g. `rag index --rebuild "
                f"{self.settings.corpus_dir} {self.settings.data_dir / 'uploads'}`."
            )
        report = index_paths(paths, fresh, self.embedder, fresh.settings, progress=progress, show_bar=show_bar)
        report.removed.extend(outside)  # named folders rebuilt: what lay elsewhere is gone, and said so
        with self._lock:
            staging = fresh.settings
            fresh.swap_in(self.settings.collection)
            discard_keywords(staging)
            self._store, self._keywords = None, None
        return report

    def _outside(self, paths: Sequence[Path]) -> list[str]:
        """The indexed articles whose files lie under none of `paths` (uploads, other folders, articles indexed from
        memory), whatever model embedded them; none when the index cannot be read."""
        try:
            built = Store.as_built(self.settings)
            known = built.documents() if built is not None else {}
        except BrokenIndex:
            return []
        under = [p.resolve() for p in paths]
        files = {source: (Path(root) / source).resolve() if root else None for source, (_, root) in known.items()}
        return sorted(
            source for source, file in files.items() if file is None or not any(file.is_relative_to(p) for p in under)
        )

    def ensure_indexed(self, progress: Progress | None = None) -> None:
        """Index the corpus folder on first use, when the store is empty."""
        if self.count() == 0:
            if not self.settings.corpus_dir.is_dir():
                raise CorpusError(
                    f"The index is empty and RAG_CORPUS_DIR={self.settings.corpus_dir} is not a folder: "
                    "point RAG_CORPUS_DIR at your articles or run `rag index PATH`."
                )
            self.index(progress=progress)

    def documents(self) -> dict[str, str]:
        """Indexed articles: source -> title."""
        return {p.source: p.title for p in self.keywords().passages}

    def origin(self, source: str) -> str | None:
        """The folder `source` was indexed from, or None when it is not indexed."""
        return self.store.documents().get(source, ("", None))[1]

    def count(self) -> int:
        """How many chunks are indexed (the keyword index's count when the stamp says it is current: the chat window
        opens without starting Chroma)."""
        recorded = recorded_generation(self.settings)
        return len(self._keywords_at(recorded).passages) if recorded is not None else self.store.count()

    def remove(self, *sources: str) -> None:
        """Delete these articles from the index; its generation changes once."""
        for source in sources:
            self.store.remove(source)
        self.store.touch()

    def drop(self) -> None:
        """Delete the collection, whatever model embedded it; it is made anew, empty, on next use."""
        with self._lock:
            Store.delete(self.settings, live=self._store)
            self._store, self._keywords = None, None

    # -- answering -------------------------------------------------------------------------------------------
    def ask(self, question: str, history: History = ()) -> Answer:
        return self.stream(question, history).collect()

    def stream(self, question: str, history: History = ()) -> AnswerStream:
        """Validate first (errors raise here, not mid-iteration), then stream the verified answer."""
        return self.answer(question, history=history)

    def answer(
        self,
        question: str,
        passages: Sequence[Passage] | None = None,
        reply: str | None = None,
        history: History = (),
        samples: Sequence[str] = (),
    ) -> AnswerStream:
        """Answer `question` from the index or, given `passages`, from those alone (read whole, as given); given
        `reply`, verify and cite that text as the model's reply instead of asking the model (evaluation replays a
        recorded reply through exactly the code that answers), with `samples`, the replies sampled to check its
        consistency (`Answer.samples`; none: that check is skipped). Errors in the question raise here."""
        text = self.check(question)
        return AnswerStream(self._answer(text, history, passages, reply, samples))

    def _answer(
        self,
        text: str,
        history: History,
        given: Sequence[Passage] | None = None,
        reply: str | None = None,
        samples: Sequence[str] = (),
    ) -> Generator[str, None, Answer]:
        """files -> chunks -> store -> retrieve -> (question, evidence) -> generate -> verify -> cite -> Answer."""
        started = time.perf_counter()
        s = self.settings
        reader = language.detect(text, s.articles_language)
        asked = self.condense(text, history) if history and (reader != "en" or refers_back(text)) else text
        if reader != s.articles_language:
            asked = language.to_articles(self.rewriter, asked, reader, s.articles_language)
        translate = (
            partial(
                language.to_reader,
                self.rewriter,
                target=reader,
                source=s.articles_language,
                threshold=s.translation_threshold,
            )
            if reader != s.articles_language
            else None
        )
        budget = 0
        if given is not None:  # the caller's passages, read whole
            evidence = build(self._screened(list(given)))
        elif (whole := self._whole_after_indexing()) is not None:
            evidence = whole
            self._hold(evidence)  # the articles' KV state: in memory, or loaded from its file on the first question
        else:
            evidence = build(context.in_article_order(self._screened(self.retriever.retrieve(asked))))
            budget = s.context_tokens
            if s.context_by_meaning and budget:
                evidence = context.near(evidence, self.embedder, asked)
        question = parse(text, evidence.truecased(asked), reader)
        retrieve_s = time.perf_counter() - started
        return (
            yield from generate(
                self.llm if reply is None else None,
                question,
                evidence,
                s.support_threshold,
                budget,
                started,
                retrieve_s,
                translate,
                verdict_bias=s.verdict_bias,
                examples=s.answer_examples,
                reply=reply,
                consistency=Consistency(s.consistency_samples, s.consistency_tokens, s.consistency_floor)
                if s.consistency_samples
                else None,
                samples=samples,
            )
        )

    def _whole_after_indexing(self) -> Evidence | None:
        self.ensure_indexed()
        return self.whole()

    @staticmethod
    def _screened(passages: list[Passage]) -> list[Passage]:
        """The passages less those that address the model (prompt injection), each set aside with a warning."""
        kept, quarantined = screen(passages)
        for p in quarantined:
            log.warning("set aside %s: it addresses the model (prompt injection)", p.chunk_id)
        return kept

    def condense(self, question: str, history: History) -> str:
        """Rewrite a follow-up into a standalone question using the last turns of the conversation."""
        turns = "\n".join(f"User: {q}\nAssistant: {a}" for q, a in list(history)[-3:])
        prompt = prompts.CONDENSE.format(history=turns, question=question)
        reply = self.rewriter.chat([Message("user", prompt)], max_tokens=64).message.content or ""
        rewritten = reply.strip().splitlines()[0].strip().strip('"') if reply.strip() else ""
        return rewritten if 3 <= len(rewritten) <= self.settings.max_question_chars else question

    def check(self, question: str) -> str:
        """The question cleaned of control characters and terminal escapes; a BadQuestion when it is empty or longer
        than RAG_MAX_QUESTION_CHARS."""
        return cleaned(question, self.settings.max_question_chars)


_default: Engine | None = None
_default_lock = threading.Lock()


def default_engine() -> Engine:
    """The shared engine for the current settings (rebuilt when `get_settings()` changes)."""
    global _default
    with _default_lock:
        settings = get_settings()
        if _default is None or _default.settings is not settings:
            _default = Engine(settings)
        return _default
