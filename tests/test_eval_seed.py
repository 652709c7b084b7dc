"""The seed evaluation with the real models, gated by thresholds started from a measured run (see README's eval
section for the measurement). Goals: >= 9/10 answerable correct with correct citations, 5/5 unanswerable refused,
no unsupported sentence shown."""

import json

import pytest

from rag.cli import main as cli

# From the first measured runs (report of issue 4); raise them as the answers improve, never lower them to pass.
MIN = {"correct_cited": 0.5, "faithfulness": 1.0, "citation_recall": 1.0}
MAX = {"unsupported_answers": 0.0, "errors": 0.0}


@pytest.mark.slow
def test_seed_eval_meets_thresholds(real, tmp_path):
    args = ["eval", "--out", str(tmp_path / "seed"), "--quiet"]
    args += [f"--min={k}={v}" for k, v in MIN.items()] + [f"--max={k}={v}" for k, v in MAX.items()]
    code = cli(args)
    data = json.loads((tmp_path / "seed" / "results.json").read_text())
    summary = data["summary"]
    assert data["failed"] == [] and code == 0, data["failed"]
    assert summary["questions"] == 18 and summary["errors"] == 0
    assert (tmp_path / "seed" / "report.html").stat().st_size > 1000
