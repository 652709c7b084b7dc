"""`rag bench`: `latency` (time to the first verified text and to the full answer), `load` (concurrent chat-window
users) and `multihop` (MultiHop-RAG retrieval, build time, answers, scale). Benchmarks: they report numbers and
assert none. Each builds its own index in its own data dir, never the user's."""

from pathlib import Path

from eval.cli import bench as main
from rag import Settings

__all__ = ["fresh", "main"]


def fresh(base: Settings, data_dir: Path, collection: str) -> Settings:
    """The settings with their own data dir and collection, reusing (linking) the user's model folder."""
    data_dir.mkdir(parents=True, exist_ok=True)
    models = data_dir / "models"
    if base.models_dir.resolve() != models.resolve() and not models.exists():
        base.models_dir.mkdir(parents=True, exist_ok=True)
        models.symlink_to(base.models_dir.resolve(), target_is_directory=True)
    return base.model_copy(update={"data_dir": data_dir, "collection": collection})
