"""The multilingual seed set (French, Spanish and German questions about the English seeds) with the real models,
gated per split on what a reader sees: answers right, wrong answers shown, unanswerable questions refused."""

import json

import pytest

from rag.settings import ROOT
from rag_cli import main as cli

# From the measured run of this set (README "Results"); raise them as answers improve, never lower them to pass.
MIN = {"right": 0.0, "refused_unanswerable": 0.0}
MAX = {"wrong_shown": 1.0}


@pytest.mark.slow
def test_multilingual_eval_meets_thresholds_on_both_splits(real, tmp_path):
    gates = [f"--min={split}.{k}={v}" for split in ("dev", "test") for k, v in MIN.items()]
    gates += [f"--max={split}.{k}={v}" for split in ("dev", "test") for k, v in MAX.items()]
    out = tmp_path / "multi"
    path = ROOT / "eval" / "data" / "seed_multilingual.jsonl"
    code = cli(["eval", str(path), "--corpus", str(ROOT / "seeds"), "--out", str(out), "--quiet", *gates])
    data = json.loads((out / "results.json").read_text())
    assert data["failed"] == [] and code == 0, data["failed"]
    assert data["summary"]["errors"] == 0 and data["summary"]["unsupported_answers"] == 0
    shown = [r for r in data["records"] if not r["refused"]]
    assert all(r["answer"].endswith(")") for r in shown)  # every answer shown is labelled as a translation
