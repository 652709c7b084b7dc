"""Data-set adapters: each turns a benchmark into a corpus folder of article files (written under the data dir,
never into the repository) and `Sample`s. `jsonl` sets (the seed set, your own) come with their corpus; `halueval`,
`realtimeqa` and `multihop` read ../shared/benchmarks."""

from dataclasses import dataclass
from pathlib import Path

from eval.sample import SEED_SET, Sample, load_samples
from rag import RagError, Settings

CHECKOUT = Path(__file__).resolve().parents[2]  # the source checkout (or the install's site folder)
SEEDS = CHECKOUT / "seeds"
BENCHMARKS = CHECKOUT.parent / "shared" / "benchmarks"
NAMES = ("multihop", "halueval", "realtimeqa")


@dataclass(frozen=True)
class EvalSet:
    name: str
    corpus: Path
    samples: tuple[Sample, ...]


def write_files(folder: Path, files: dict[str, str]) -> None:
    """Make `folder` hold exactly `files` (name -> text), leaving unchanged files alone for the indexer."""
    folder.mkdir(parents=True, exist_ok=True)
    for stale in folder.iterdir():
        if stale.is_file() and stale.name not in files:
            stale.unlink()
    for name, text in files.items():
        path = folder / name
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")


def choose(
    bench: str,
    path: Path | None,
    corpus: Path | None,
    limit: int | None,
    settings: Settings,
    skip: int = 0,
    exclude: frozenset[str] = frozenset(),
) -> EvalSet:
    """The question set and its corpus folder: a benchmark by name, or a JSONL set (default: the seed set). `skip`
    leaves out the first questions of a set read in file order (a JSONL set, MultiHop-RAG, HaluEval-QA) and, for RealTimeQA,
    the seeded sample of that size; `exclude`, the questions of these ids (those of earlier runs): a run then takes
    questions that the rules chosen on the others never saw."""
    from eval.datasets import halueval, multihop, realtimeqa

    if limit is not None and limit < 1:
        raise RagError(f"--limit must be at least 1, not {limit}.")
    if skip < 0:
        raise RagError(f"--skip takes a number of questions (0 or more), not {skip}.")
    if bench and (path or corpus):
        raise RagError(f"--{bench} brings its own questions and articles: leave out the question set and --corpus.")
    folder = settings.data_dir / "eval" / bench / "corpus"
    if bench == "realtimeqa":
        return realtimeqa.load(folder, limit, skip=skip, exclude=exclude)
    if bench:
        found = {"halueval": halueval.load, "multihop": multihop.load}[bench](
            folder, None if limit is None or exclude else skip + limit
        )
        kept = [s for s in found.samples[skip:] if s.id not in exclude]
        return EvalSet(found.name, found.corpus, tuple(kept[:limit] if limit else kept))
    path = path or SEED_SET
    samples = [s for s in load_samples(path)[skip:] if s.id not in exclude]
    name = "seed" if path == SEED_SET else path.stem
    folder = corpus or (SEEDS if path == SEED_SET else settings.corpus_dir)
    return EvalSet(name, folder, tuple(samples[:limit] if limit else samples))
