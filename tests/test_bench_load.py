"""`rag bench load` with fake models: its users go through the real chat window's /ask, answers alone and together
are compared, and the last line is the JSON summary."""

import json
import re
import threading

import pytest
from conftest import use_llm
from fakes import QueueLLM

from eval.bench import load
from eval.bench import main as bench
from rag import Engine, get_settings


class EchoLLM(QueueLLM):
    """Answers with the ten words of the passages that share most words with the question: deterministic whatever
    the order of calls, and whether the passages are retrieved chunks or whole articles."""

    def _next(self, messages):
        self._prompts.append(list(messages))
        prompt = messages[-1].content
        asked = set(re.findall(r"\w+", prompt.rsplit("Question:", 1)[1].lower()))
        words = re.findall(r"\S+", prompt.split("Question:")[0])
        windows = [words[i : i + 10] for i in range(len(words))]
        best = max(windows, key=lambda w: sum(x.lower().strip(".,") in asked for x in w), default=[])
        return " ".join(best).rstrip(".,") + "." if best else "NOT IN ARTICLES"


@pytest.fixture
def echo(llm, monkeypatch) -> EchoLLM:
    return use_llm(monkeypatch, "echo", EchoLLM())


QUESTIONS = [
    "On what date did Microsoft and OpenAI formalize their new agreement?",
    "Which cloud platform hosts OpenAI's models?",
    "Who is the CEO of OpenAI?",
]


def test_three_users_through_the_chat_window_get_the_answers_they_got_alone(echo):
    engine = Engine(get_settings())
    engine.index()
    answers: list[tuple[str, load.Answer]] = []
    lock = threading.Lock()

    with load.serve(engine) as url:

        def connect() -> load.Ask:
            ask = load.client(url)

            def recorded(question: str) -> load.Answer:
                answer = ask(question)
                with lock:
                    answers.append((question, answer))
                return answer

            return recorded

        summary = load.measure(QUESTIONS, connect, out=lambda _line: None)

    assert summary["users"] == 3 and summary["mismatches"] == 0
    assert len(answers) == 1 + 2 * len(QUESTIONS) and len(echo.prompts) >= 2 * len(QUESTIONS)
    assert any(sources for _q, (_text, sources) in answers)  # real cited answers were compared, not only refusals
    assert all(not text.startswith("ERROR") for _q, (text, _s) in answers)
    assert summary["concurrent_max_s"] >= summary["concurrent_p95_s"] >= summary["concurrent_p50_s"] > 0


def test_the_command_prints_the_summary_as_its_last_line(echo, capsys):
    assert bench(["load", "--users", "3"]) == 0
    summary = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert list(summary) == [
        "users",
        "serial_wall_s",
        "serial_p50_s",
        "concurrent_p50_s",
        "concurrent_p95_s",
        "concurrent_max_s",
        "p95_over_serial_wall",
        "mismatches",
        "cpu",
    ]
    assert summary["users"] == 3 and summary["mismatches"] == 0 and summary["p95_over_serial_wall"] > 0
    assert "cores" in summary["cpu"] and re.search(r"avx512f|avx2 only|no avx2", summary["cpu"])


def test_a_lost_or_mixed_answer_is_counted_and_shown_not_raised():
    calls = iter(range(1000))

    def connect() -> load.Ask:
        def ask(question: str) -> load.Answer:
            n = next(calls)
            if question == "b" and n > 3:  # together, b fails
                raise RuntimeError("connection lost")
            return (f"{question} {n}" if question == "c" else question), ("x.txt:0-5",)

        return ask

    lines: list[str] = []
    summary = load.measure(["a", "b", "c"], connect, out=lines.append)
    assert summary["mismatches"] == 2  # b lost, c answered differently
    shown = "\n".join(lines)
    assert "ERROR RuntimeError: connection lost" in shown and "together:" in shown
