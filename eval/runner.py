"""The runner: ask every sample through `rag.Engine` in the set's own collection, save each `Answer`
(answers.jsonl, re-read by `rag eval sweep` and `report`), score it into a `Record`, and summarize a run."""

import json
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path

from eval.metrics import outcome as outcomes
from eval.metrics.answer import choices_named, matches_any, token_f1
from eval.metrics.retrieval import first_hit, hit_at, reciprocal_rank
from eval.metrics.stats import mean, percentile
from eval.sample import SPLITS, Sample, json_lines
from rag import Answer, BrokenIndex, Citation, Engine, Passage, RagError, Sentence, Settings, Timings

ANSWERS = "answers.jsonl"  # what a run saves in its folder
# the metrics of a run, in report order; thresholds: --min for those where higher is better, --max for the others
_LOWER = "refused_answerable wrong_shown answered_unanswerable dropped_share untranslated_share errors".split()
HIGHER_IS_BETTER = {
    m: m not in _LOWER and not m.endswith("_s")
    for m in "hit_at_k mrr match f1 correct_cited refused_unanswerable refused_answerable right wrong_shown "
    "answered_unanswerable dropped_share untranslated_share latency_mean_s latency_p50_s latency_p95_s "
    "first_token_mean_s errors".split()
}
Asked = tuple[Sample, Answer | None, str | None, float]  # a sample, its answer or error, and the seconds it took


@dataclass
class Record:
    """One question: its sample, what the product answered, and the per-question metric values."""

    sample: Sample
    outcome: str = outcomes.ERROR  # right, wrong, refused, answered, shown (answered, no gold) or error
    reply: str = outcomes.ERROR  # the same for the reply before verification (eval.metrics.outcome.reply)
    answer: str = ""
    refused: bool = True
    untranslated: bool = False  # shown in the articles' language, its translation unchecked
    sentences: list[dict] = field(default_factory=list)  # shown: text, score, supported, keys
    dropped: list[dict] = field(default_factory=list)  # written by the model but not shown: text, score, meta, reason
    citations: list[dict] = field(default_factory=list)  # key, source, quote, start, end
    retrieved: list[str] = field(default_factory=list)  # sources of the passages handed to the LLM, in rank order
    rank: int | None = None  # 1-based rank of the first relevant passage
    match: bool | None = None
    f1: float | None = None
    cited_ok: bool | None = None  # every citation comes from a gold source (None: no gold sources)
    unverified: bool = False  # refused although the model answered, with no sign it made the answer up (rag.refusal)
    nearest_gold: bool = False  # ... and the nearest span it shows the reader states the gold answer
    latency_s: float = 0.0
    first_token_s: float = 0.0
    error: str | None = None

    @property
    def correct(self) -> bool:
        """Answered, matching the gold answer, and citing (only) gold sources when they are known."""
        return bool(not self.refused and self.match and self.cited_ok is not False and self.citations)

    def to_dict(self) -> dict:
        s = self.sample
        gold = {"id": s.id, "question": s.question, "answerable": s.answerable, "gold_answer": s.answer}
        gold |= {"gold_sources": list(s.sources), "gold_evidence": list(s.evidence), "kind": s.kind, "split": s.split}
        gold |= {"gold_alt": list(s.answer_alt), "choices": list(s.choices), "history": list(s.history)}
        return gold | {k: v for k, v in asdict(self).items() if k != "sample"} | {"correct": self.correct}


def eval_settings(base: Settings, name: str, corpus: Path) -> Settings:
    """The product's settings, pointed at the set's corpus and its own collection."""
    collection = "eval-" + re.sub(r"[^A-Za-z0-9_-]+", "-", name).strip("-")[:50]
    return base.model_copy(update={"collection": collection or "eval-set", "corpus_dir": corpus})


def ask(
    samples: Sequence[Sample], engine: Engine, corpus: Path, progress: Callable[[int, Record], None] | None = None
) -> list[Asked]:
    """Index the corpus (incrementally) into the engine's collection, then ask every question once."""
    try:
        report = engine.index([corpus])
    except BrokenIndex:  # the set's own collection, embedded by another model: made anew from the corpus
        engine.drop()
        report = engine.index([corpus])
    # the set's collection is its corpus alone: articles of an earlier pool of this set (a run with another --limit)
    # or of its corpus at another path (a moved checkout or data folder, whose deletions the indexer cannot see)
    # leave it
    if stale := sorted(set(engine.documents()) - {*report.added, *report.updated, *report.unchanged}):
        engine.remove(*stale)
    out: list[Asked] = []
    for i, sample in enumerate(samples):
        started = time.perf_counter()
        try:
            history = conversation(sample, engine)
            started = time.perf_counter()
            answer, error = engine.ask(sample.question, history), None
        except RagError as exc:
            answer, error = None, str(exc)
        out.append((sample, answer, error, time.perf_counter() - started))
        if progress:
            progress(i, score(*out[-1], engine.settings.articles_language))
    return out


def conversation(sample: Sample, engine: Engine) -> list[tuple[str, str]]:
    """A follow-up's conversation: its earlier questions, each asked with the turns before it, and the product's
    answers (the follow-up is timed on its own)."""
    history: list[tuple[str, str]] = []
    for earlier in sample.history:
        history.append((earlier, engine.ask(earlier, history).text))
    return history


def score(sample: Sample, answer: Answer | None, error: str | None, elapsed: float, articles_language: str) -> Record:
    """Score one answer against its sample."""
    rec = Record(sample, latency_s=round(elapsed, 3))
    if answer is None:
        rec.error = error
        return rec
    rec.answer, rec.refused = answer.text, answer.refused
    rec.first_token_s = round(answer.timings.first_token_s, 3)
    rec.latency_s = round(answer.timings.total_s or elapsed, 3)
    rec.citations = [
        {"key": c.key, "source": c.source, "quote": c.quote, "start": c.start, "end": c.end} for c in answer.citations
    ]
    rec.retrieved = [p.source for p in answer.passages]
    rec.sentences = [
        {"text": s.text, "score": s.score, "supported": s.supported, "keys": list(s.keys)} for s in answer.sentences
    ]
    rec.dropped = [
        {"text": d.text, "score": d.score, "meta": outcomes.declines(d.text), "reason": d.reason}
        for d in answer.dropped
    ]
    # the verified text shown as written, with a label, instead of translated: the translation did not come back (a
    # bare answer's full stop gives way to its article's sentence, which `answered` leaves out: "Yes [1] (...")
    english = re.escape(answer.claim.rstrip(" ."))
    rec.untranslated = bool(
        not answer.refused
        and answer.language != articles_language
        and answer.claim
        and re.match(rf"{english}\.? \(", answer.answered)
    )
    if sample.sources or sample.evidence:
        rec.rank = first_hit([(p.source, p.text) for p in answer.passages], sample.sources, sample.evidence)
    shown = outcomes.answered(answer)
    rec.outcome, rec.reply = outcomes.shown(sample, answer), outcomes.reply(sample, answer)
    if sample.answerable and sample.answer:
        if sample.choices:
            rec.match = choices_named(shown, sample.choices) == [sample.answer]
        else:
            rec.match = matches_any(shown, sample.golds)
        rec.f1 = round(max(token_f1(shown, g) for g in sample.golds), 3)
    if sample.sources and not answer.refused:
        rec.cited_ok = all(c.source in sample.sources for c in answer.citations)
    rec.unverified = answer.unverified
    near = " ".join(c.quote for c in answer.nearest)
    rec.nearest_gold = bool(near and sample.answerable and sample.golds and matches_any(near, sample.golds))
    return rec


def summarize(records: Sequence[Record], k: int) -> dict[str, float | None]:
    """The run's metrics (docs/evaluation.md gives each formula); None where no question applies."""
    ok = [r for r in records if r.error is None]
    answerable = [r for r in ok if r.sample.answerable]
    gold = [r for r in answerable if r.sample.answer]
    ranked = [r for r in answerable if r.sample.sources or r.sample.evidence]
    shown = [s for r in ok for s in r.sentences]
    generated = [d for r in ok for d in r.dropped if not d["meta"]]
    latencies = [r.latency_s for r in ok]
    return {
        "questions": len(records),
        **outcomes.tally([(r.sample.answerable, r.outcome) for r in records]),  # answerable, unanswerable, right, ...
        # of the wrong shown: the gold answer, cited only from articles the benchmark does not list for the question
        "wrong_unlisted_n": float(
            sum(r.outcome == outcomes.WRONG and bool(r.match) and r.cited_ok is False for r in ok)
        ),
        # refusals although the model answered, its answer unverified, not made up (rag.refusal): of answerable
        # questions, those whose nearest span shown states the gold answer, and of unanswerable ones
        "unverified_answerable_n": float(sum(r.unverified for r in answerable)),
        "nearest_gold_n": float(sum(r.nearest_gold for r in answerable)),
        "unverified_unanswerable_n": float(sum(r.unverified for r in ok if not r.sample.answerable)),
        "k": k,
        "hit_at_k": mean([hit_at(r.rank, k) for r in ranked]),
        "mrr": mean([reciprocal_rank(r.rank) for r in ranked]),
        "match": mean([float(bool(r.match)) for r in gold]),
        "f1": mean([r.f1 or 0.0 for r in gold]),
        "correct_cited": mean([float(r.correct) for r in gold]),
        "dropped_share": len(generated) / (len(generated) + len(shown)) if generated or shown else None,
        "untranslated_share": mean([float(r.untranslated) for r in ok if not r.refused]),
        "latency_mean_s": mean(latencies),
        "latency_p50_s": percentile(latencies, 50),
        "latency_p95_s": percentile(latencies, 95),
        "first_token_mean_s": mean([r.first_token_s for r in ok]),
        "errors": float(len(records) - len(ok)),
    }


def by_split(records: Sequence[Record], k: int) -> dict[str, dict[str, float | None]]:
    """`summarize` of each split that has questions: {"dev": {...}, "test": {...}}."""
    chosen = {split: [r for r in records if r.sample.split == split] for split in SPLITS}
    return {split: summarize(rs, k) for split, rs in chosen.items() if rs}


def replies(records: Sequence[Record]) -> dict[str, dict[str, float | None]]:
    """The outcomes of the replies before verification, for the whole set and per split."""
    return outcomes.by_split([(r.sample.split, r.sample.answerable, r.reply) for r in records])


def failures(
    summary: dict[str, float | None], mins: dict[str, float], maxes: dict[str, float], splits: dict | None = None
) -> list[str]:
    """Each threshold missed (no value misses it), as a line; `SPLIT.METRIC` is checked on that split's metrics."""
    out = []
    for bounds, below in ((mins, True), (maxes, False)):
        for name, bound in bounds.items():
            scope, _, metric = name.rpartition(".")
            value = ((splits or {}).get(scope, {}) if scope else summary).get(metric)
            if value is None or (value < bound if below else value > bound):
                shown = "n/a" if value is None else f"{value:.3f}"
                out.append(f"{name} = {shown} is {'under the minimum' if below else 'over the maximum'} {bound:g}")
    return out


def save(path: Path, asked: Sequence[Asked]) -> None:
    """One JSON line per answer: its sample and the whole `Answer` (passages and raw generation included)."""
    with path.open("w", encoding="utf-8") as f:
        for sample, answer, _, _ in asked:
            if answer is not None:
                f.write(json.dumps({"item": asdict(sample), "answer": answer.to_dict()}, ensure_ascii=False) + "\n")


def load(folder: Path) -> list[tuple[Sample, Answer]]:
    """The samples and answers a run saved in `folder`."""
    out = []
    for _, row in json_lines(
        folder / ANSWERS, "is missing: pass the folder a `rag eval` run wrote.", "expected `rag eval` answers"
    ):
        a = row["answer"]
        answer = Answer(
            **{f.name: a[f.name] for f in fields(Answer) if f.name in a and f.name not in _NESTED},
            citations=tuple(Citation(**c) for c in a["citations"]),
            sentences=tuple(Sentence(**{**x, "keys": tuple(x["keys"])}) for x in a["sentences"]),
            dropped=tuple(Sentence(**{**x, "keys": tuple(x["keys"])}) for x in a["dropped"]),
            passages=tuple(Passage(**p) for p in a["passages"]),
            timings=Timings(**a["timings"]),
            samples=tuple(a.get("samples", ())),
            nearest=tuple(Citation(**c) for c in a.get("nearest", ())),
        )
        sample = Sample(**{k: tuple(v) if isinstance(v, list) else v for k, v in row["item"].items()})
        out.append((sample, answer))
    return out


_NESTED = {"citations", "sentences", "dropped", "passages", "timings", "samples", "nearest"}
