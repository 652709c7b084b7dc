"""The local LLM as a grounding checker, measured beside the lexical one (`rag eval checker --judge N`): for each
HaluEval-QA pair, log P(Yes) - log P(No) of the model's reply to "does the text state this answer to the question?",
its threshold tuned on the first half and reported on the held-out one, with the lexical checker and the naive
content-word floor scored on the same rows. No NLI or cross-encoder weights ship on PyPI: the LLM is the only model
here that could read a paraphrase, so this is what it would give."""

from __future__ import annotations

from pathlib import Path

from llama_index.core.base.llms.types import ChatMessage

from eval import metrics
from eval.checker import HALUEVAL, MISSING, PairScores, knowledge, naive
from eval.grade import support
from eval.items import json_lines
from rag.errors import ModelError
from rag.verdict import NO, YES, Scorer

SYSTEM = (
    "You check an answer against a quoted text. Reply Yes if the text states the answer to the question, in its own "
    "words or in other words. Reply No if it does not state it, or states something else, or answers a different "
    "question."
)
ASK = "Text:\n{text}\n\nQuestion: {question}\nAnswer: {answer}\nDoes the text state this answer to the question? Reply Yes or No."


def margin(scorer: Scorer, text: str, question: str, answer: str) -> float:
    """How much more the model would begin its reply with Yes than with No."""
    chat = [
        ChatMessage(role="system", content=SYSTEM),
        ChatMessage(role="user", content=ASK.format(text=text, question=question, answer=answer)),
    ]
    scores = scorer.option_logprobs(chat, (YES, NO))
    return scores[YES] - scores[NO]


def measure(llm: object, n: int, threshold: float, halueval: Path = HALUEVAL) -> dict:
    """The judge, the lexical checker (tuned, and at the product's `threshold`) and the naive floor on the first `n`
    pairs of each half of HaluEval-QA: AUC and balanced accuracy, thresholds tuned on the first half."""
    if not isinstance(llm, Scorer):
        raise ModelError(
            "`rag eval checker --judge` needs the local LLM (RAG_LLM=local): it reads reply probabilities."
        )
    rows = [row for _, row in json_lines(halueval, MISSING, "expected HaluEval-QA's JSON lines")]
    half = len(rows) // 2
    halves = {"dev": rows[:half][:n], "test": rows[half:][:n]}
    scores: dict[str, dict[str, PairScores]] = {h: {k: PairScores() for k in CHECKERS} for h in halves}
    for name, part in halves.items():
        for r in part:
            text = knowledge(r["knowledge"])
            for answer, side in ((r["right_answer"], "pos"), (r["hallucinated_answer"], "neg")):
                values = {
                    "judge": margin(llm, text, r["question"], answer),
                    "lexical": support(answer, [text], r["question"]),
                    "naive": naive(answer, text),
                }
                for key, value in values.items():
                    getattr(scores[name][key], side).append(value)
    out: dict = {"pairs_per_half": len(halves["test"])}
    for key in CHECKERS:
        dev, test = scores["dev"][key], scores["test"][key]
        tuned = metrics.best_threshold(dev.pos, dev.neg)
        out[key] = {
            "auc_dev": metrics.auc(dev.pos, dev.neg),
            "auc_test": metrics.auc(test.pos, test.neg),
            "threshold_tuned_on_dev": round(tuned, 4),
            "balanced_accuracy_test_at_tuned": test.balanced(tuned),
        }
    out["lexical"]["balanced_accuracy_test_at_product"] = scores["test"]["lexical"].balanced(threshold)
    return out


CHECKERS = ("judge", "lexical", "naive")
