"""The seed evaluation with the real models, gated per split (dev and test) on the three numbers a reader sees: of
the answerable questions how many are answered right and how many wrong answers are shown; of the unanswerable ones
how many are refused. The whole set is also gated on what must hold for every answer: no error, and every sentence
shown is one the verifier supported, citing a span of the articles."""

import json

import pytest

from rag_cli import main as cli

# From the measured run of this set (docs/results.md, Xeon, 2026-12-03: dev 9/23 right, no wrong answer shown; test
# 12/23 right, none wrong; every unanswerable question refused), less one question of slack for a machine with other
# CPU kernels (an AVX2-only build showed one more wrong answer than the AVX-512 one), and one more for wrong answers.
# Raise them as answers improve; never lower them to pass.
DEV_MIN = {"right": 0.34, "refused_unanswerable": 0.9}
DEV_MAX = {"wrong_shown": 0.09}
TEST_MIN = {"right": 0.47, "refused_unanswerable": 0.9}
TEST_MAX = {"wrong_shown": 0.09}
ALL_MIN = {"refused_unanswerable": 0.9}
ALL_MAX = {"errors": 0.0}


def gates() -> list[str]:
    bounds = [("min", "dev.", DEV_MIN), ("max", "dev.", DEV_MAX), ("min", "test.", TEST_MIN)]
    bounds += [("max", "test.", TEST_MAX), ("min", "", ALL_MIN), ("max", "", ALL_MAX)]
    return [f"--{kind}={scope}{k}={v}" for kind, scope, values in bounds for k, v in values.items()]


@pytest.mark.slow
def test_seed_eval_meets_thresholds_on_both_splits(real, tmp_path):
    code = cli(["eval", "--out", str(tmp_path / "seed"), "--quiet", *gates()])
    data = json.loads((tmp_path / "seed" / "results.json").read_text())
    assert data["failed"] == [] and code == 0, data["failed"]
    assert set(data["splits"]) == {"dev", "test"} and data["summary"]["errors"] == 0
    for split in data["splits"].values():
        assert split["answerable"] >= 10 and split["unanswerable"] >= 5
    shown = [s for r in data["records"] for s in r["sentences"]]
    assert shown and all(s["supported"] and s["keys"] for s in shown)
    assert (tmp_path / "seed" / "report.html").stat().st_size > 1000
