"""Run a question set through the product and score every answer: one `Record` per question, `summarize` for
the metrics of a run (`by_split` for each split's). The index lives in its own collection (`eval-<set>`), never the
user's."""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

from eval import metrics, outcomes
from eval.grade import support_in
from eval.items import SPLITS, Item
from rag import prompts
from rag.cite import is_meta, strip_markers
from rag.engine import Engine
from rag.errors import BrokenIndex, RagError
from rag.question import parse
from rag.settings import Settings
from rag.types import Answer

# metric name -> True when higher is better (thresholds: --min for these, --max for the others)
HIGHER_IS_BETTER = {
    "hit_at_k": True,
    "mrr": True,
    "match": True,
    "f1": True,
    "correct_cited": True,
    "faithfulness": True,
    "unsupported_answers": False,
    "citation_precision": True,
    "citation_recall": True,
    "refused_unanswerable": True,
    "refused_answerable": False,
    **outcomes.HIGHER_IS_BETTER,
    "dropped_share": False,
    "untranslated_share": False,
    "latency_mean_s": False,
    "latency_p50_s": False,
    "latency_p95_s": False,
    "first_token_mean_s": False,
    "errors": False,
}


@dataclass
class Record:
    """One question: its gold labels, what the product answered, and the per-question metric values."""

    id: str
    question: str
    answerable: bool
    gold_answer: str | None
    gold_sources: list[str]
    gold_evidence: list[str] = field(default_factory=list)
    kind: str = ""
    split: str = ""
    gold_alt: list[str] = field(default_factory=list)
    choices: list[str] = field(default_factory=list)
    outcome: str = outcomes.ERROR  # right, wrong, refused, answered, shown (answered, no gold) or error
    reply: str = outcomes.ERROR  # the same for the reply before verification (eval.outcomes.reply)
    answer: str = ""
    refused: bool = True
    sentences: list[dict] = field(default_factory=list)  # shown: text, score, supported, keys, faithful
    dropped: list[dict] = field(default_factory=list)  # generated but not shown: text, score
    citations: list[dict] = field(default_factory=list)  # key, source, quote, start, end
    retrieved: list[str] = field(default_factory=list)  # sources of the passages handed to the LLM, in rank order
    rank: int | None = None  # 1-based rank of the first relevant passage
    match: bool | None = None
    f1: float | None = None
    cited_ok: bool | None = None  # every citation comes from a gold source (None: no gold sources)
    citation: metrics.CitationCounts = field(default_factory=metrics.CitationCounts)
    latency_s: float = 0.0
    first_token_s: float = 0.0
    error: str | None = None

    @property
    def correct(self) -> bool:
        """Answered, matching the gold answer, and citing (only) gold sources when they are known."""
        return bool(not self.refused and self.match and self.cited_ok is not False and self.citations)

    @property
    def unsupported(self) -> int:
        return sum(not s["faithful"] for s in self.sentences)

    def to_dict(self) -> dict:
        data = asdict(self)
        data["correct"] = self.correct
        return data


def eval_settings(base: Settings, name: str, corpus: Path) -> Settings:
    """The product's settings, pointed at the set's corpus and its own collection."""
    collection = "eval-" + re.sub(r"[^A-Za-z0-9_-]+", "-", name).strip("-")[:50]
    return base.model_copy(update={"collection": collection or "eval-set", "corpus_dir": corpus})


def run(
    items: Sequence[Item],
    engine: Engine,
    corpus: Path | None = None,
    progress: Callable[[int, Record], None] | None = None,
    answers: list[tuple[Item, Answer]] | None = None,
) -> list[Record]:
    """Index the corpus (incrementally) into the engine's collection, then ask every question once (each answer
    is also appended to `answers`, when given, for `eval.replay`)."""
    folder = corpus or engine.settings.corpus_dir
    try:
        engine.index([folder])
    except BrokenIndex:  # the set's own collection, embedded by another model: made anew from the corpus
        engine.drop()
        engine.index([folder])
    records = []
    for i, item in enumerate(items):
        answer, error, elapsed = _ask(engine, item.question)
        record = score(item, answer, error, elapsed, engine.settings)
        records.append(record)
        if answers is not None and answer is not None:
            answers.append((item, answer))
        if progress:
            progress(i, record)
    return records


def _ask(engine: Engine, question: str) -> tuple[Answer | None, str | None, float]:
    started = time.perf_counter()
    try:
        return engine.ask(question), None, time.perf_counter() - started
    except RagError as exc:
        return None, str(exc), time.perf_counter() - started


def score(item: Item, answer: Answer | None, error: str | None, elapsed: float, settings: Settings) -> Record:
    """Score one answer against its item with the product's checker at the product's threshold."""
    rec = Record(
        item.id,
        item.question,
        item.answerable,
        item.answer,
        list(item.sources),
        list(item.evidence),
        item.kind,
        item.split,
        list(item.answer_alt),
        list(item.choices),
    )
    rec.latency_s = round(elapsed, 3)
    if answer is None:
        rec.error = error
        return rec
    t = settings.support_threshold
    rec.answer, rec.refused = answer.text, answer.refused
    rec.first_token_s = round(answer.timings.first_token_s, 3)
    rec.latency_s = round(answer.timings.total_s or elapsed, 3)
    by_key = {c.key: c for c in answer.citations}
    rec.citations = [
        {"key": c.key, "source": c.source, "quote": c.quote, "start": c.start, "end": c.end} for c in answer.citations
    ]
    rec.retrieved = [p.source for p in answer.passages]
    by_chunk = {p.chunk_id: p for p in answer.passages}
    cited_sentences = []
    question = parse(item.question)
    for s in answer.sentences if not answer.refused else []:
        claim = strip_markers(s.text)
        chunks = list(dict.fromkeys(by_key[k].chunk_id for k in s.keys if k in by_key))
        cited = [by_chunk[c] for c in chunks if c in by_chunk]
        # checked again against only the cited passages, as an answer to the question ("Yes [1][2]." on its premises)
        faithful = bool(chunks) and support_in(claim, cited, question) >= t
        rec.sentences.append(
            {"text": s.text, "score": s.score, "supported": s.supported, "keys": list(s.keys), "faithful": faithful}
        )
        # each citation as its quote, with its passage's outlet and date
        quotes = [
            replace(by_chunk[c.chunk_id], text=c.quote)
            for k in s.keys
            if (c := by_key.get(k)) and c.chunk_id in by_chunk
        ]
        cited_sentences.append((claim, quotes))
    rec.dropped = [{"text": d.text, "score": d.score, "meta": is_meta(d.text)} for d in answer.dropped]
    rec.citation = metrics.citation_counts(cited_sentences, lambda c, ps: support_in(c, ps, question), t)
    if item.sources or item.evidence:
        ranked = [(p.source, p.text) for p in answer.passages]
        rec.rank = metrics.first_hit(ranked, item.sources, item.evidence)
    shown = "" if answer.refused else strip_markers(answer.text)
    rec.outcome = outcomes.outcome(item, answer.refused, shown, [c.source for c in answer.citations])
    rec.reply = outcomes.reply(item, answer)
    if item.answerable and item.answer:
        if item.choices:
            rec.match = metrics.choices_named(shown, item.choices) == [item.answer]
        else:
            rec.match = metrics.matches_any(shown, item.golds)
        rec.f1 = round(max(metrics.token_f1(shown, g) for g in item.golds), 3)
    if item.sources and not answer.refused:
        rec.cited_ok = all(c.source in item.sources for c in answer.citations)
    return rec


def summarize(records: Sequence[Record], k: int) -> dict[str, float | None]:
    """The run's metrics (docs/evaluation.md gives each formula); None where no question applies."""
    ok = [r for r in records if r.error is None]
    answerable = [r for r in ok if r.answerable]
    gold = [r for r in answerable if r.gold_answer]
    ranked = [r for r in answerable if r.gold_sources or r.gold_evidence]
    shown = [s for r in ok for s in r.sentences]
    answered = [r for r in ok if not r.refused]
    citations = sum((r.citation for r in ok), metrics.CitationCounts())
    generated = [d for r in ok for d in r.dropped if not d["meta"]]
    latencies = [r.latency_s for r in ok]
    return {
        "questions": len(records),
        **outcomes.tally([(r.answerable, r.outcome) for r in records]),  # answerable, unanswerable, right, ...
        "k": k,
        "hit_at_k": metrics.mean([metrics.hit_at(r.rank, k) for r in ranked]),
        "mrr": metrics.mean([metrics.reciprocal_rank(r.rank) for r in ranked]),
        "match": metrics.mean([float(bool(r.match)) for r in gold]),
        "f1": metrics.mean([r.f1 or 0.0 for r in gold]),
        "correct_cited": metrics.mean([float(r.correct) for r in gold]),
        "faithfulness": metrics.mean([float(s["faithful"]) for s in shown]),
        "unsupported_answers": metrics.mean([float(r.unsupported > 0) for r in answered]),
        "citation_precision": citations.precision,
        "citation_recall": citations.recall,
        "dropped_share": len(generated) / (len(generated) + len(shown)) if generated or shown else None,
        # answers to a question in another language shown in the articles' own: the translation did not come back
        "untranslated_share": metrics.mean([float(_untranslated(r.answer)) for r in answered]),
        "latency_mean_s": metrics.mean(latencies),
        "latency_p50_s": metrics.percentile(latencies, 50),
        "latency_p95_s": metrics.percentile(latencies, 95),
        "first_token_mean_s": metrics.mean([r.first_token_s for r in ok]),
        "errors": float(len(records) - len(ok)),
    }


def replies(records: Sequence[Record]) -> dict[str, dict[str, float | None]]:
    """The outcomes of the replies before verification (eval.outcomes.reply), for the whole set and per split."""
    return outcomes.by_split([(r.split, r.answerable, r.reply) for r in records])


def _untranslated(text: str) -> bool:
    return any(text.endswith(label) for label in prompts.UNCHECKED.values())


def by_split(records: Sequence[Record], k: int) -> dict[str, dict[str, float | None]]:
    """`summarize` of each split that has questions: {"dev": {...}, "test": {...}}."""
    chosen = {split: [r for r in records if r.split == split] for split in SPLITS}
    return {split: summarize(rs, k) for split, rs in chosen.items() if rs}


def failures(
    summary: dict[str, float | None],
    mins: dict[str, float],
    maxes: dict[str, float],
    splits: dict[str, dict[str, float | None]] | None = None,
) -> list[str]:
    """Each threshold the run misses, as a readable line (a metric with no value fails its threshold). A name
    `SPLIT.METRIC` (e.g. `test.right`) is checked on that split's metrics, a bare `METRIC` on the whole set's."""
    out = []
    for bounds, below in ((mins, True), (maxes, False)):
        for name, bound in bounds.items():
            scope, _, metric = name.rpartition(".")
            value = ((splits or {}).get(scope, {}) if scope else summary).get(metric)
            if value is None or (value < bound if below else value > bound):
                out.append(
                    f"{name} = {_fmt(value)} is {'under the minimum' if below else 'over the maximum'} {bound:g}"
                )
    return out


def _fmt(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.3f}"
