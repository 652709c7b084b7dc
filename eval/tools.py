"""`rag eval grade FILE` (support scores of any system's answers, by the local checker), `rag eval checker` (the
grounding checker's own accuracy on HaluEval-QA and the hand-labelled claims) and `rag eval sweep DIR` (a finished
run's answers re-verified at other support thresholds, to choose one on the dev split)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from eval import checker, judge, outcomes, replay
from eval.grade import grade
from eval.items import load_claims, load_graded
from rag.errors import RagError
from rag.models import get_llm
from rag.settings import Settings, get_settings


def grade_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="rag eval grade", description="Support scores of answers from any system, by the local checker."
    )
    p.add_argument("file", type=Path, help="JSONL lines of {question, answer, contexts: [text, ...]}")
    p.add_argument("--json", action="store_true", help="one JSON object per input line, in input order")
    p.add_argument("--threshold", type=float, help="support threshold (default RAG_SUPPORT_THRESHOLD)")
    return p


def checker_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="rag eval checker", description="Accuracy of the grounding checker.")
    p.add_argument("--halueval", type=Path, default=checker.HALUEVAL, help="HaluEval-QA JSON lines")
    p.add_argument("--claims", type=Path, default=None, help="labelled claims JSONL (default: eval/data/claims.jsonl)")
    p.add_argument("--out", type=Path, help="write checker.json here (default: RAG_DATA_DIR/eval/checker)")
    p.add_argument(
        "--judge",
        type=int,
        default=0,
        metavar="N",
        help="also measure the local LLM as the checker (Yes/No reply probabilities) on the first N pairs of each "
        "half, beside the lexical checker and the naive floor on the same pairs",
    )
    return p


def sweep_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="rag eval sweep",
        description="Re-verify a run's answers (its answers.jsonl) at other support thresholds, without the LLM: "
        "right / wrong shown / refused per split at each. Choose on dev, report test.",
    )
    replay.run_argument(p)
    p.add_argument("--thresholds", default=",".join(f"{t:g}" for t in replay.SWEEP), help="comma-separated")
    return p


def run_sweep(args: argparse.Namespace) -> int:
    thresholds = replay.numbers(args.thresholds, "--thresholds")
    pairs = replay.load_run(args.run)
    for t, scopes in replay.sweep(pairs, thresholds).items():
        print(f"\nthreshold {t}:\n{outcomes.table(scopes)}")
    replies = outcomes.by_split([(item.split, item.answerable, outcomes.reply(item, a)) for item, a in pairs])
    print(f"\n{outcomes.REPLIES}:\n{outcomes.table(replies)}")
    return 0


def run_grade(args: argparse.Namespace) -> int:
    threshold = get_settings().support_threshold if args.threshold is None else args.threshold
    if not 0 <= threshold <= 1:
        raise RagError(f"--threshold must be between 0 and 1, not {threshold}.")
    lines = load_graded(args.file)
    grades = [grade(line, threshold) for line in lines]
    for n, g in enumerate(grades, start=1):
        if args.json:
            print(
                json.dumps(
                    {
                        "line": n,
                        "question": g.question,
                        "score": g.score,
                        "supported": g.supported,
                        "refused": g.refused,
                        "sentences": [s.__dict__ for s in g.sentences],
                    },
                    ensure_ascii=False,
                )
            )
        else:
            mark = "ok " if g.supported else "NO "
            print(f"{mark} {g.score:.2f}  {g.answer[:90]}")
            for s in g.sentences:
                print(f"       {'meta' if s.meta else f'{s.score:.2f}'}  {s.text[:90]}")
    if not args.json:
        ok = sum(g.supported for g in grades)
        print(f"{ok}/{len(grades)} answers supported at threshold {threshold:g}")
    return 0


def run_checker(args: argparse.Namespace) -> int:
    if args.judge < 0:
        raise RagError(f"--judge takes a number of pairs per half, not {args.judge}.")
    settings = get_settings()
    claims = load_claims(args.claims) if args.claims else load_claims()
    result = checker.measure(claims, settings.support_threshold, args.halueval)
    out = args.out or settings.data_dir / "eval" / "checker"
    out.mkdir(parents=True, exist_ok=True)
    (out / "checker.json").write_text(json.dumps(result, indent=2), encoding="utf-8")
    h, c = result["halueval"], result["claims"]
    print(f"HaluEval-QA: threshold tuned on the first {h['pairs_tune']} pairs = {h['threshold_tuned_on_first_half']}")
    print(
        f"  balanced accuracy on the other {h['pairs_test']} pairs: {h['balanced_accuracy_second_half_at_tuned']:.3f}"
        f" (at the product's {settings.support_threshold:g}: {h['balanced_accuracy_second_half_at_product']:.3f};"
        f" at the claims-tuned {c['threshold_tuned_on_claims']}: {h['balanced_accuracy_second_half_at_claims_tuned']:.3f})"
    )
    print(f"  sweep (second half): {h['sweep_second_half']}")
    print(
        f"  naive content-word floor on the same half: {h['naive_floor_second_half_at_0.8']:.3f} at 0.8,"
        f" {h['naive_floor_second_half_at_its_dev_tuned']:.3f} at its dev-tuned {h['naive_floor_threshold_tuned_on_first_half']}"
    )
    print(
        f"Seed claims ({c['claims']}: {c['supported']} supported, {c['unsupported']} not):"
        f" balanced accuracy {c['balanced_accuracy_at_product']:.3f} at {settings.support_threshold:g},"
        f" {c['balanced_accuracy_at_halueval_tuned']:.3f} at the HaluEval-tuned threshold"
    )
    print(f"  sweep: {c['sweep']}")
    for m in c["mistakes_at_product"]:
        print(
            f"  wrong at {settings.support_threshold:g}: [{m['kind']}] label={m['label']} score={m['score']} {m['claim']}"
        )
    if args.judge:
        result["judge"] = _judged(args, settings)
        (out / "checker.json").write_text(json.dumps(result, indent=2), encoding="utf-8")
    print(f"written: {out / 'checker.json'}")
    return 0


def _judged(args: argparse.Namespace, settings: Settings) -> dict:
    """`--judge N`: the LLM as the checker, beside the lexical one and the floor on the same pairs (eval.judge)."""
    found = judge.measure(get_llm(settings), args.judge, settings.support_threshold, args.halueval)
    print(f"The local LLM as the checker, on the first {found['pairs_per_half']} pairs of each half:")
    for name in judge.CHECKERS:
        r = found[name]
        print(
            f"  {name:<8} AUC dev {r['auc_dev']:.3f}, held out {r['auc_test']:.3f}; balanced accuracy held out "
            f"{r['balanced_accuracy_test_at_tuned']:.3f} at its dev-tuned {r['threshold_tuned_on_dev']:g}"
        )
    print(
        f"  lexical at the product's {settings.support_threshold:g}: {found['lexical']['balanced_accuracy_test_at_product']:.3f}"
    )
    return found
