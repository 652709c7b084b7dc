"""Answering MultiHop-RAG queries through the product (`Engine.ask`) and grading the answers."""

from __future__ import annotations

import time

from eval.metrics import matches, normalize
from rag.engine import Engine
from rag.settings import Settings, get_settings

YES = {"yes", "true"}
NO = {"no", "false"}


def answer_correct(text: str, gold: str) -> bool:
    """Yes/no gold ('yes', 'no', 'true', 'false'): the answer's first yes/no word agrees; else the gold is inside."""
    g = normalize(gold)
    if g in YES | NO:
        words = [w for w in normalize(text).split() if w in YES | NO]
        return bool(words) and (words[0] in YES) == (g in YES)
    return matches(text, gold)


def answer(base: Settings, picked: list[dict]) -> tuple[float | None, float | None]:
    """Answer the picked queries through the product (`Engine.ask`); accuracy per type and null refusal rate."""
    from rag.llm import shipped_gguf

    if base.llm == "local" and base.llm_model_path is None:  # the model assembled in the user's data dir, read only
        base = base.model_copy(update={"llm_model_path": shipped_gguf(get_settings())})
    engine = Engine(base)
    by_type: dict[str, list[bool]] = {}
    print(f"answering {len(picked)} queries with the default LLM ...", flush=True)
    for q in picked:
        started = time.perf_counter()
        got = engine.ask(q["query"])
        null = q["question_type"] == "null_query"
        ok = got.refused if null else (not got.refused and answer_correct(got.text, q["answer"]))
        by_type.setdefault(q["question_type"], []).append(ok)
        print(
            f"  [{q['question_type']}] {'OK ' if ok else 'BAD'} {time.perf_counter() - started:5.1f}s "
            f"gold={q['answer']!r} got={got.text[:100]!r}"
            + (f" (refused; the LLM wrote {got.raw[:100]!r})" if got.refused else ""),
            flush=True,
        )
    for kind, oks in sorted(by_type.items()):
        print(f"  {kind:<18} {sum(oks)}/{len(oks)} = {sum(oks) / len(oks):.2f}")
    answered = [ok for kind, oks in by_type.items() if kind != "null_query" for ok in oks]
    nulls = by_type.get("null_query", [])
    accuracy = round(sum(answered) / len(answered), 3) if answered else None
    refused = round(sum(nulls) / len(nulls), 3) if nulls else None
    print(f"  accuracy {accuracy} on {len(answered)} answerable; null refused {refused} on {len(nulls)}")
    return accuracy, refused
