"""The seed evaluation with the real models, gated by thresholds started from a measured run (see README's eval
section for the measurement). Goals: >= 9/10 answerable correct with correct citations, 5/5 unanswerable refused,
no unsupported sentence shown."""

import json

import pytest

from rag.cli import main as cli

# Measured with the real models on 2026-11-23: correct_cited 10/12 = 0.833, all 6 unanswerable refused, hit@4 1.0,
# no unsupported sentence shown. Raise these as the answers improve; never lower them to pass.
MIN = {"correct_cited": 0.75, "refused_unanswerable": 1.0, "hit_at_k": 1.0, "faithfulness": 1.0, "citation_recall": 1.0}
MAX = {"unsupported_answers": 0.0, "refused_answerable": 0.17, "errors": 0.0}


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
