"""Answering MultiHop-RAG queries through the product (`Engine.ask`) and grading the answers.

Each answer is saved with what decided it (the verdict's log-probability margin, the same margin with the passages
masked, for contextual calibration, and how well the passages state each of the question's premises), so a decision
rule can be chosen on the even-numbered dev queries and judged on the odd ones without answering again."""

from __future__ import annotations

import json
import math
import statistics
import time
from pathlib import Path

from llama_index.core.llms import ChatMessage

from eval.metrics import auc, matches, normalize
from rag import answerer, prompts, verdict, verify
from rag.engine import Engine
from rag.evidence import build
from rag.question import parse
from rag.settings import Settings, get_settings
from rag.types import Answer

YES = {"yes", "true"}
NO = {"no", "false"}


def answer_correct(text: str, gold: str) -> bool:
    """Yes/no gold ('yes', 'no', 'true', 'false'): the answer's first yes/no word agrees; else the gold is inside."""
    g = normalize(gold)
    if g in YES | NO:
        words = [w for w in normalize(text).split() if w in YES | NO]
        return bool(words) and (words[0] in YES) == (g in YES)
    return matches(text, gold)


def answer(base: Settings, picked: list[dict], out: Path) -> tuple[float | None, float | None]:
    """Answer the picked queries through the product (`Engine.ask`), save each record to `out` (JSON lines) and
    print accuracy per type, on even- and odd-numbered queries and in all, with a 95% interval; returns the
    accuracy on the answerable queries and the null queries' refusal rate."""
    from rag.llm import shipped_gguf

    if base.llm == "local" and base.llm_model_path is None:  # the model assembled in the user's data dir, read only
        base = base.model_copy(update={"llm_model_path": shipped_gguf(get_settings())})
    engine = Engine(base)
    print(f"answering {len(picked)} queries with the default LLM (verdict bias {base.verdict_bias:g}) ...", flush=True)
    records = []
    with out.open("w", encoding="utf-8") as f:
        for q in picked:
            started = time.perf_counter()
            got = engine.ask(q["query"])
            seconds = time.perf_counter() - started
            null = q["question_type"] == "null_query"
            ok = got.refused if null else (not got.refused and answer_correct(got.text, q["answer"]))
            record = {
                "n": q["n"],
                "type": q["question_type"],
                "gold": q["answer"],
                "ok": ok,
                "refused": got.refused,
                "text": got.text,
                "raw": got.raw,
                "seconds": round(seconds, 2),
                **_decided(engine, got, base.context_tokens),
            }
            records.append(record)
            f.write(json.dumps(record) + "\n")
            f.flush()
            print(
                f"  [{q['question_type']}] #{q['n']} {'OK ' if ok else 'BAD'} {seconds:5.1f}s "
                f"gold={q['answer']!r} got={got.text[:100]!r}"
                + (f" (refused; the LLM wrote {got.raw[:100]!r})" if got.refused else ""),
                flush=True,
            )
    return report(records)


def _decided(engine: Engine, got: Answer, budget: int) -> dict:
    """What decided a verdict: its margin, the margin with the passages masked (the model's bias without evidence),
    and each premise's support in the passages the answer was given."""
    question = parse(got.question)
    if not question.verdict_form or got.verdict is None:
        return {}
    evidence = build(got.passages)
    masked = prompts.QUESTION.format(passages="[1] N/A", question=question.asked, form=answerer.how_to_begin(question))
    chat = answerer.messages(question, evidence, budget)
    blank = [chat[0], ChatMessage(role="user", content=masked)]
    first, second = verdict.options(question)
    scores = engine.llm.option_logprobs(blank, (first, second))
    return {
        "form": question.form,
        "word": got.verdict.word,
        "margin": got.verdict.margin,
        "bias": got.verdict.bias,
        "masked_margin": round(scores[first] - scores[second], 4),
        "premises": [round(verify.premise(p, evidence).score, 3) for p in question.premises],
    }


def report(records: list[dict]) -> tuple[float | None, float | None]:
    """Accuracy per type (even / odd / all), a 95% Wilson interval on the answerable accuracy, wrong "Yes" to gold
    "no" among the wrong answers shown, null refusal, and time per answer."""
    answerable = [r for r in records if r["type"] != "null_query"]
    nulls = [r for r in records if r["type"] == "null_query"]
    for kind in sorted({r["type"] for r in records}):
        rows = [r for r in records if r["type"] == kind]
        print(f"  {kind:<18} " + "  ".join(f"{half} {_share(rows, half)}" for half in ("even", "odd", "all")))
    print("  answerable         " + "  ".join(f"{half} {_share(answerable, half)}" for half in ("even", "odd", "all")))
    shown_wrong = [r for r in answerable if not r["ok"] and not r["refused"]]
    yes_to_no = [r for r in shown_wrong if normalize(r["gold"]) in NO and _first_yes_no(r["text"]) == "yes"]
    print(
        f"  answerable: {sum(r['ok'] for r in answerable)} right, {len(shown_wrong)} wrong shown "
        f"({len(yes_to_no)} of them 'Yes' to a gold 'no'), {sum(r['refused'] for r in answerable)} refused"
    )
    accuracy = round(sum(r["ok"] for r in answerable) / len(answerable), 3) if answerable else None
    if answerable:
        low, high = wilson(sum(r["ok"] for r in answerable), len(answerable))
        print(f"  accuracy {accuracy} on {len(answerable)} answerable (95% interval {low:.3f}-{high:.3f})")
    refused = round(sum(r["ok"] for r in nulls) / len(nulls), 3) if nulls else None
    print(f"  null refused {refused} on {len(nulls)}")
    if records:
        print(f"  seconds per answer: p50 {statistics.median(r['seconds'] for r in records):.1f}")
    before_verification(answerable)
    return accuracy, refused


def before_verification(answerable: list[dict]) -> None:
    """The model's replies graded before verification (as if every one were shown), and how well what decides
    whether a verdict is shown tells a right verdict from a wrong one: the weakest premise's support (the premise
    check) and the margin's distance from the bias on the verdict's side (AUC; 0.5 is chance)."""
    if not answerable:
        return
    replied = [r for r in answerable if r.get("raw") and prompts.NOT_FOUND not in r["raw"]]
    right = sum(answer_correct(r["raw"], r["gold"]) for r in replied)
    print(
        f"  replies before verification: {right} right, {len(replied) - right} wrong, "
        f"{len(answerable) - len(replied)} 'not in the articles' (of {len(answerable)})"
    )
    verdicts = [r for r in answerable if r.get("word")]
    if not verdicts:
        return
    good = [r for r in verdicts if answer_correct(r["word"], r["gold"])]
    bad = [r for r in verdicts if not answer_correct(r["word"], r["gold"])]
    shown = [r for r in verdicts if not r["refused"]]
    print(
        f"  verdicts: {len(good)} of {len(verdicts)} right as decided; shown {len(shown)}, "
        f"{sum(r['ok'] for r in shown)} of them right"
    )
    for name, signal in (("weakest premise", _weakest), ("margin past the bias", _confidence)):
        value = auc([signal(r) for r in good], [signal(r) for r in bad])
        print(f"  AUC of {name} (right vs wrong verdicts): " + ("-" if value is None else f"{value:.3f}"))


def _weakest(record: dict) -> float:
    return min(record.get("premises") or [0.0])


def _confidence(record: dict) -> float:
    """How far the margin is past the bias, on the decided word's side (the first option wins above the bias).
    Answers saved before the bias was saved with them were decided at the default bias (yes/no questions only)."""
    default = Settings.model_fields["verdict_bias"].default if record.get("form") == "yes-no" else 0.0
    return abs(record["margin"] - record.get("bias", default))


def report_saved(path: Path) -> tuple[float | None, float | None]:
    """`report` of the answers an earlier `--answers` run saved (JSON lines), without answering again."""
    return report([json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()])


def _share(rows: list[dict], half: str) -> str:
    picked = [r for r in rows if half == "all" or (r["n"] % 2 == 0) == (half == "even")]
    return f"{sum(r['ok'] for r in picked)}/{len(picked)}" if picked else "-"


def _first_yes_no(text: str) -> str:
    words = [w for w in normalize(text).split() if w in YES | NO]
    return "yes" if words and words[0] in YES else "no" if words else ""


def wilson(k: int, n: int, z: float = 1.96) -> tuple[float, float]:
    """The 95% Wilson score interval of k successes in n."""
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return centre - half, centre + half
