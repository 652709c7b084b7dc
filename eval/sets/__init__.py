"""Question sets from public benchmarks, turned into a corpus folder of article files (written under the data dir,
never into the repository) and `Item`s: `halueval` (HaluEval-QA over pooled passages) and `realtimeqa` (RealTimeQA
2024 news quizzes over pooled articles)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from eval.items import Item
from rag.settings import ROOT

BENCHMARKS = ROOT.parent / "shared" / "benchmarks"


@dataclass(frozen=True)
class EvalSet:
    name: str
    corpus: Path
    items: tuple[Item, ...]


def write_files(folder: Path, files: dict[str, str]) -> None:
    """Make `folder` hold exactly `files` (name -> text): changed files rewritten, unchanged ones left alone (so the
    incremental index skips them), files from an earlier, different pool removed (so they leave the index)."""
    folder.mkdir(parents=True, exist_ok=True)
    for stale in folder.iterdir():
        if stale.is_file() and stale.name not in files:
            stale.unlink()
    for name, text in files.items():
        path = folder / name
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
