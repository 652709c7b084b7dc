"""Run `Engine.index` in a child process with the fake embedder, slowed down so a test can kill it mid-run.

Usage: python tests/crash_runner.py CORPUS. Settings come from RAG_* variables; CRASH_DELAY_S (this runner's own
knob, not the product's) sleeps before each embedding batch. Prints "indexing" once the engine is ready, then
"embedded N/TOTAL" as chunks are embedded, so the test can time its kill into the writing phase.
"""

import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from fakes import hash_embedder  # noqa: E402

from rag import Engine, models  # noqa: E402
from rag.models import Embedder  # noqa: E402


@dataclass(frozen=True)
class SlowEmbedder(Embedder):
    delay: float = 0.0

    def embed(self, texts: list[str]) -> list[list[float]]:
        time.sleep(self.delay)
        return super().embed(texts)


def main() -> None:
    delay = float(os.environ.get("CRASH_DELAY_S", "0"))
    fake = hash_embedder()
    models.register_embedder("hash", lambda _settings: SlowEmbedder(fake.id, fake.model, fake.tokenize, delay))
    engine = Engine()
    engine.store  # noqa: B018  (open the store before saying we are ready)
    print("indexing", flush=True)
    report = engine.index([Path(sys.argv[1])], progress=lambda n, total: print(f"embedded {n}/{total}", flush=True))
    print(report.summary(), flush=True)


if __name__ == "__main__":
    main()
