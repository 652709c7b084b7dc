"""`rag eval` end to end with the fake models: a set is run, scored, reported and gated; `grade`, `checker`, `sweep`
and `report`."""

import json
import logging

import pytest
from conftest import SEEDS

from eval import replay, runner
from eval.metrics import outcome as outcomes
from eval.sample import SEED_SET, load_samples
from rag import get_settings, prompts
from rag_cli import main as cli

SET = [
    {
        "question": "When did Microsoft and OpenAI formalize their agreement?",
        "answer": "October 28, 2025",
        "answerable": True,
        "sources": ["004_c32bc8aee1998fbf.txt"],
    },
    {
        "question": "Which cloud hosts OpenAI's models?",
        "answer": "Azure",
        "answerable": True,
        "evidence": ["Microsoft's Azure cloud infrastructures, which already host OpenAI's models"],
    },
    {"question": "Who is the CEO of OpenAI?", "answerable": False},
]
REPLIES = [
    "Microsoft and OpenAI formalized a new strategic agreement on October 28, 2025.",
    "Microsoft holds a 49% stake in OpenAI.",  # invented: dropped, so the answer is refused
    "The CEO of OpenAI is Sam Altman.",  # never used: no article names a CEO, so it is refused without the LLM
]


def write_set(path, rows):
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


def test_run_scores_reports_and_gates(llm, tmp_path, capsys, caplog):
    qs = write_set(tmp_path / "mini.jsonl", SET)
    llm.queue(*REPLIES)
    out = tmp_path / "out"
    caplog.set_level(logging.DEBUG)
    code = cli(
        [
            "eval",
            str(qs),
            "--corpus",
            str(SEEDS),
            "--out",
            str(out),
            "--min",
            "refused_unanswerable=1",
            "--max",
            "wrong_shown=0",
            "--quiet",
        ]
    )
    assert code == 0
    assert not [r for r in caplog.records if r.name.startswith("bm25s")]  # building its index prints no DEBUG lines
    data = json.loads((out / "results.json").read_text())
    s = data["summary"]
    assert (s["questions"], s["answerable"], s["unanswerable"]) == (3, 2, 1)
    assert s["match"] == 0.5 and s["correct_cited"] == 0.5 and s["refused_answerable"] == 0.5
    assert s["refused_unanswerable"] == 1.0 and not {"faithfulness", "citation_recall", "citation_precision"} & set(s)
    dropped = len(llm.prompts) - 1  # the CEO question's invented answer, when it reached the LLM, is dropped too
    assert s["dropped_share"] == pytest.approx(dropped / (dropped + 1)) and s["errors"] == 0
    assert (s["right"], s["wrong_shown"], s["right_n"], s["answered_unanswerable"]) == (0.5, 0.0, 1, 0.0)
    first, second, third = data["records"]
    assert first["correct"] and first["citations"][0]["source"] == "004_c32bc8aee1998fbf.txt"
    assert first["sentences"][0]["score"] >= 0.6 and first["sentences"][0]["supported"] and first["rank"] is not None
    assert second["refused"] and second["dropped"][0]["text"] == REPLIES[1]
    assert second["dropped"][0]["reason"] == "invented" and not second["unverified"]  # the articles lack it
    assert (first["reply"], second["reply"]) == ("right", "wrong")  # the reply before verification, graded as shown
    assert third["refused"] and not third["answerable"]
    page = (out / "report.html").read_text()
    assert "<svg" in page and "49% stake" in page and "October 28, 2025" in page
    assert "dropped: Microsoft holds a 49% stake in OpenAI. <small>(support 0.00; invented)</small>" in page
    assert "replies before verification" in page and page.count("<table class='outcomes'>") == 2
    assert "http://" not in page.replace('xmlns="http://www.w3.org/2000/svg"', "") and "https://" not in page
    printed = capsys.readouterr().out
    assert "match" in printed and "right" in printed and "0.50 (1)" in printed
    assert outcomes.REPLIES in printed


def test_a_bare_verdict_is_graded_on_the_premises_it_cites(llm, tmp_path):
    qs = write_set(
        tmp_path / "yn.jsonl",
        [
            {
                "id": "yn",
                "question": "Did Microsoft and OpenAI formalize a new agreement on October 28, 2025?",
                "answerable": True,
                "answer": "Yes",
            }
        ],
    )
    llm.queue("Yes.")
    out = tmp_path / "out"
    assert cli(["eval", str(qs), "--corpus", str(SEEDS), "--out", str(out), "--quiet"]) == 0
    (record,) = json.loads((out / "results.json").read_text())["records"]
    said = record["answer"].removeprefix("Yes [1] — “").removesuffix("”")  # the premise's sentence, after the verdict
    assert record["answer"] == f"Yes [1] — “{said}”" and said and said in record["citations"][0]["quote"]
    assert record["correct"] and record["outcome"] == "right"
    assert record["sentences"][0]["supported"] and record["sentences"][0]["keys"] == [1] and record["citations"]


def test_missed_threshold_exits_one_and_says_which(llm, tmp_path, capsys):
    qs = write_set(tmp_path / "mini.jsonl", SET)
    llm.queue(*REPLIES)
    config = tmp_path / "gate.json"
    config.write_text(json.dumps({"min": {"match": 0.9}, "max": {"refused_answerable": 0.0}}))
    assert cli(["eval", str(qs), "--corpus", str(SEEDS), "--out", str(tmp_path / "o"), "--config", str(config)]) == 1
    err = capsys.readouterr().err
    assert "match = 0.500 is under the minimum 0.9" in err and "refused_answerable = 0.500 is over" in err


def test_eval_uses_its_own_collection(llm, tmp_path):
    from rag import Engine

    qs = write_set(tmp_path / "mini.jsonl", SET[:1])
    llm.queue(REPLIES[0])
    assert cli(["eval", str(qs), "--corpus", str(SEEDS), "--out", str(tmp_path / "o"), "--quiet"]) == 0
    assert Engine().store.count() == 0  # the user's collection was not touched


def test_an_eval_collection_holds_its_corpus_alone_wherever_it_was_indexed_from(llm, tmp_path):
    import shutil

    from rag import Engine

    # the set's corpus, indexed from one path, then copied elsewhere without one of its articles (a moved data
    # folder, or a benchmark pool written anew for another --limit): the indexer keeps the missing article, as its
    # recorded folder is not the one indexed; the evaluation's collection must not
    first, second = tmp_path / "first", tmp_path / "second"
    shutil.copytree(SEEDS, first)
    qs = write_set(tmp_path / "mini.jsonl", SET[:1])
    settings = runner.eval_settings(get_settings(), "mini", first)
    llm.queue(REPLIES[0])
    assert cli(["eval", str(qs), "--corpus", str(first), "--out", str(tmp_path / "o1"), "--quiet"]) == 0
    assert len(Engine(settings).documents()) == 2
    shutil.copytree(first, second)
    (second / "000_4c23560438d8b1e6.txt").unlink()
    llm.queue(REPLIES[0])
    assert cli(["eval", str(qs), "--corpus", str(second), "--out", str(tmp_path / "o2"), "--quiet"]) == 0
    assert list(Engine(settings).documents()) == ["004_c32bc8aee1998fbf.txt"]


def test_an_eval_collection_embedded_by_another_model_is_made_anew(llm, tmp_path):
    from fakes import HashEmbedding

    from rag import models
    from rag.models import Embedder

    qs = write_set(tmp_path / "mini.jsonl", SET[:1])
    args = ["eval", str(qs), "--corpus", str(SEEDS), "--out", str(tmp_path / "o"), "--quiet"]
    llm.queue(REPLIES[0])
    assert cli(args) == 0
    # the embedder changes (as RAG_EMBED_INT8 does): the set's own collection is rebuilt, not an error
    models.register_embedder("hash", lambda _s: Embedder("hash v2", HashEmbedding(model_name="hash"), str.split))
    models.clear_cache()
    llm.queue(REPLIES[0])
    assert cli(args) == 0
    (record,) = json.loads((tmp_path / "o" / "results.json").read_text())["records"]
    assert record["correct"] and record["answer"].startswith("Microsoft and OpenAI formalized")


@pytest.mark.parametrize(
    ("lines", "message"),
    [
        ("not json\n", ":1: not JSON"),
        ('{"question": ""}\n', "'question' must be non-empty"),
        ('{"question": "q", "answerable": "yes"}\n', "'answerable' must be true or false"),
        ('{"question": "q", "sources": "a.txt"}\n', "'sources' must be a list"),
        ("\n", "has no questions"),
    ],
)
def test_bad_sets_are_refused_with_the_line(llm, tmp_path, capsys, lines, message):
    qs = tmp_path / "bad.jsonl"
    qs.write_text(lines)
    assert cli(["eval", str(qs), "--corpus", str(SEEDS)]) == 2
    assert message in capsys.readouterr().err


def test_bad_thresholds_and_paths(llm, tmp_path, capsys):
    assert cli(["eval", "--min", "nonsense=1"]) == 2
    assert "Unknown metric(s) nonsense" in capsys.readouterr().err
    assert cli(["eval", "--min", "match=high"]) == 2
    assert "METRIC=VALUE" in capsys.readouterr().err
    assert cli(["eval", str(tmp_path / "missing.jsonl")]) == 2
    assert "is not a file" in capsys.readouterr().err


def test_grade_json_one_object_per_line_in_order(tmp_path, capsys):
    ctx = "On October 28, 2025, Microsoft and OpenAI formalized a new strategic agreement."
    rows = [
        {"question": "When?", "answer": "They formalized the agreement on October 28, 2025 [1].", "contexts": [ctx]},
        {
            "question": "Stake?",
            "answer": "The agreement was formalized in 2025. Microsoft owns 49% of OpenAI.",
            "contexts": [ctx],
        },
        {"question": "CEO?", "answer": "The articles do not mention the CEO.", "contexts": [ctx]},
        {"question": "No context", "answer": "Azure hosts the models.", "contexts": []},
        {
            "question": "When was the agreement formalized, and what stake does Microsoft own?",
            "answer": "The agreement was formalized in 2025. Microsoft owns 49% of OpenAI.",
            "contexts": [ctx],
        },
    ]
    path = write_set(tmp_path / "answers.jsonl", rows)
    assert cli(["eval", "grade", str(path), "--json"]) == 0
    out = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [o["question"] for o in out][:4] == ["When?", "Stake?", "CEO?", "No context"] and len(out) == 5
    assert out[0]["supported"] and out[0]["score"] == 1.0
    assert not out[1]["supported"] and out[1]["score"] <= 0.5
    # a true sentence that does not answer the question ("Stake?") is no support for it; the invented stake neither
    assert [s["supported"] for s in out[1]["sentences"]] == [False, False]
    assert [s["supported"] for s in out[4]["sentences"]] == [True, False]
    assert out[2]["refused"] and out[2]["supported"] and out[2]["sentences"][0]["meta"]
    assert not out[3]["supported"] and out[3]["score"] == 0.0


def test_grade_rejects_bad_lines(tmp_path, capsys):
    path = write_set(tmp_path / "a.jsonl", [{"question": "q", "answer": "a", "contexts": "text"}])
    assert cli(["eval", "grade", str(path)]) == 2
    assert "'contexts' must be a list of strings" in capsys.readouterr().err
    assert cli(["eval", "grade", str(path), "--threshold", "2"]) == 2


def write_halueval(path):
    """Four copies of one HaluEval-QA row (two per half): a right answer the knowledge states, a hallucinated one."""
    row = {
        "knowledge": "Arthur's Magazine was an American literary periodical published in Philadelphia.",
        "question": "Where was Arthur's Magazine published?",
        "right_answer": "Philadelphia",
        "hallucinated_answer": "It was published in Boston.",
    }
    path.write_text((json.dumps(row) + "\n") * 4)
    return path


def test_checker_command_tunes_on_one_half_and_reports_the_other(tmp_path, capsys):
    halu = write_halueval(tmp_path / "halu.json")
    assert cli(["eval", "checker", "--halueval", str(halu), "--out", str(tmp_path)]) == 0
    result = json.loads((tmp_path / "checker.json").read_text())
    assert result["pairs_dev"] == result["pairs_test"] == 2
    assert result["balanced_accuracy_test_at_tuned"] == 1.0 and result["balanced_accuracy_test_at_product"] == 1.0
    assert result["naive_floor_test_at_tuned"] == 1.0  # "Boston" is not in the text: the floor tells them apart too
    assert "balanced accuracy" in capsys.readouterr().out
    assert cli(["eval", "checker", "--halueval", str(tmp_path / "none.json")]) == 2
    assert "is missing" in capsys.readouterr().err


def test_checker_scores_an_answer_as_the_product_verifies_it():
    from eval.checker import support
    from rag import Engine

    engine, text = (
        Engine(get_settings()),
        "Arthur's Magazine was an American literary periodical published in Philadelphia.",
    )
    assert support(engine, "Where was Arthur's Magazine published?", text, "Philadelphia") >= 0.9
    assert support(engine, "Where was Arthur's Magazine published?", text, "It was published in Boston.") < 0.5
    assert support(engine, "Where was Arthur's Magazine published?", "", "Philadelphia") == 0.0


def test_shipped_data_is_well_formed():
    items = load_samples(SEED_SET)
    for split in ("dev", "test"):  # CI gates each split: both need both kinds of question
        answerable = [i for i in items if i.split == split and i.answerable]
        assert len(answerable) >= 10 and len([i for i in items if i.split == split]) - len(answerable) >= 5, split
    assert all(i.split in ("dev", "test") for i in items)
    for i in (i for i in items if i.answerable):
        texts = {s: (SEEDS / s).read_text() for s in i.sources}
        assert i.answer and texts, i.id
        verdict = i.answer in ("Yes", "No")  # a yes/no answer is the reader's verdict, stated by no article
        assert verdict or any(g.lower() in t.lower() for g in i.golds for t in texts.values()), i.id
        assert all(any(e in t for t in texts.values()) for e in i.evidence), i.id


DATE_Q = "When did Microsoft and OpenAI formalize their agreement?"
DATE_REPLY = "Microsoft and OpenAI formalized a new strategic agreement on October 28, 2025."
YEARS_Q = "How many years have Microsoft and OpenAI been forging their relationship?"  # "several": unanswerable
YEARS_REPLY = "Microsoft and OpenAI have been forging a close relationship for 12 years."  # made up: dropped


def test_splits_get_their_own_numbers_and_thresholds(llm, tmp_path, capsys):
    rows = [
        {"question": DATE_Q, "answer": "Oct. 28, 2025", "answer_alt": ["October 28, 2025"], "split": "dev"},
        {"question": YEARS_Q, "answerable": False, "split": "dev"},
        {"question": DATE_Q, "answer": "October 28, 2025", "sources": ["000_4c23560438d8b1e6.txt"], "split": "test"},
        {"question": YEARS_Q, "answerable": False},  # no split: counted in the whole set only
    ]
    qs = write_set(tmp_path / "splits.jsonl", rows)
    llm.queue(DATE_REPLY, YEARS_REPLY, DATE_REPLY, YEARS_REPLY)
    out = tmp_path / "out"
    gates = ["--min", "dev.right=1", "--max", "dev.answered_unanswerable=0", "--min", "test.right=1"]
    assert cli(["eval", str(qs), "--corpus", str(SEEDS), "--out", str(out), "--quiet", *gates]) == 1
    assert "test.right = 0.000 is under the minimum 1" in capsys.readouterr().err  # the only miss
    data = json.loads((out / "results.json").read_text())
    dev, test = data["splits"]["dev"], data["splits"]["test"]
    assert (dev["right"], dev["refused_unanswerable"], dev["questions"]) == (1.0, 1.0, 2)  # answer_alt matched
    assert (test["right"], test["wrong_shown"], test["wrong_shown_n"]) == (0.0, 1.0, 1)  # cites no gold source
    assert test["refused_unanswerable"] is None and data["summary"]["refused_unanswerable_n"] == 2
    assert [r["outcome"] for r in data["records"]] == ["right", "refused", "wrong", "refused"]
    assert [r["split"] for r in data["records"]] == ["dev", "dev", "test", ""]
    page = (out / "report.html").read_text()
    assert "Right, wrong, refused" in page and "class='outcomes'" in page and "Oct. 28, 2025 / October" in page


def test_multiple_choice_right_only_with_the_gold_option_alone(llm, tmp_path):
    choices = ["October 28, 2025", "November 3, 2025", "Azure", "Bing"]
    rows = [{"question": DATE_Q, "answer": gold, "choices": choices} for gold in choices[:2]]
    qs = write_set(tmp_path / "mc.jsonl", rows)
    llm.queue(DATE_REPLY, DATE_REPLY)  # names the first option: right for the first row, wrong for the second
    out = tmp_path / "out"
    assert cli(["eval", str(qs), "--corpus", str(SEEDS), "--out", str(out), "--quiet"]) == 0
    records = json.loads((out / "results.json").read_text())["records"]
    assert [r["outcome"] for r in records] == ["right", "wrong"], [r["answer"] for r in records]


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ({"question": "q", "split": "train"}, "'split' must be one of 'dev', 'test'"),
        ({"question": "q", "answer": "x", "choices": ["a", "b"]}, "'answer' must be one of the 'choices'"),
        ({"question": "q", "answer": "x", "answer_alt": "y"}, "'answer_alt' must be a list"),
    ],
)
def test_bad_split_choice_and_alternatives(llm, tmp_path, capsys, row, message):
    assert cli(["eval", str(write_set(tmp_path / "bad.jsonl", [row])), "--corpus", str(SEEDS)]) == 2
    assert message in capsys.readouterr().err


def test_threshold_names_and_benchmark_arguments(llm, tmp_path, capsys):
    assert cli(["eval", "--min", "train.right=1"]) == 2
    assert "SPLIT.METRIC with SPLIT one of dev, test" in capsys.readouterr().err
    assert cli(["eval", str(tmp_path / "x.jsonl"), "--halueval"]) == 2
    assert "--halueval brings its own questions" in capsys.readouterr().err
    assert cli(["eval", "--realtimeqa", "--limit", "0"]) == 2
    assert "--limit must be at least 1" in capsys.readouterr().err
    assert cli(["eval", "--halueval", "--exclude", str(tmp_path)]) == 2
    assert "--exclude does not go with --halueval" in " ".join(capsys.readouterr().err.split())
    assert cli(["eval", "--skip", "-1"]) == 2
    assert "--skip takes a number of questions (0 or more), not -1" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        cli(["eval", "--halueval", "--realtimeqa"])
    with pytest.raises(SystemExit):
        cli(["eval", "--help"])
    assert "SPLIT.METRIC (dev.right," in " ".join(capsys.readouterr().out.split())


def test_skip_takes_the_next_questions_of_a_set(llm, tmp_path):
    rows = [{"id": f"q{n}", "question": f"Question {n}?", "answerable": False} for n in range(5)]
    out = tmp_path / "run"
    args = ["eval", str(write_set(tmp_path / "five.jsonl", rows)), "--corpus", str(SEEDS), "--skip", "2"]
    llm.queue(prompts.NOT_FOUND, prompts.NOT_FOUND)
    assert cli([*args, "--limit", "2", "--out", str(out), "--quiet"]) == 0
    records = json.loads((out / "results.json").read_text())["records"]
    assert [r["id"] for r in records] == ["q2", "q3"]
    llm.queue(prompts.NOT_FOUND, prompts.NOT_FOUND)  # --exclude: never the questions that run asked
    args = ["eval", str(tmp_path / "five.jsonl"), "--corpus", str(SEEDS), "--exclude", str(out), "--limit", "2"]
    assert cli([*args, "--out", str(tmp_path / "next"), "--quiet"]) == 0
    records = json.loads((tmp_path / "next" / "results.json").read_text())["records"]
    assert [r["id"] for r in records] == ["q0", "q1"]
    assert cli(["eval", "--multihop", "--exclude", str(tmp_path / "nowhere")]) == 2  # not a run's folder


def test_halueval_runs_over_pooled_passages(llm, tmp_path, monkeypatch):
    from eval.datasets import halueval

    rows = [
        {
            "knowledge": f"Station {n} opened in {1900 + n}.It serves line {n}.",
            "question": f"When did station {n} open?",
            "right_answer": str(1900 + n),
        }
        for n in range(3)
    ]
    path = tmp_path / "halu.json"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    monkeypatch.setattr(halueval, "HALUEVAL", path)
    llm.queue("Station 0 opened in 1900.", "Station 1 opened in 1999.")
    out = tmp_path / "out"
    assert cli(["eval", "--halueval", "--limit", "2", "--out", str(out), "--quiet"]) == 0
    data = json.loads((out / "results.json").read_text())
    assert [r["outcome"] for r in data["records"]] == ["right", "refused"]  # 1999 is not in the passages
    assert data["splits"]["dev"]["right"] == 1.0 and data["splits"]["test"]["refused_answerable"] == 1.0
    corpus = tmp_path / "data" / "eval" / "halueval" / "corpus"
    assert sorted(p.name for p in corpus.iterdir()) == [f"halueval-00{n}.txt" for n in range(3)]  # min(3, 4 x 2)
    llm.queue("Station 2 opened in 1902.")  # --skip: the questions after the first ones, over the same pool
    assert cli(["eval", "--halueval", "--skip", "2", "--limit", "5", "--out", str(out), "--quiet"]) == 0
    data = json.loads((out / "results.json").read_text())
    assert [(r["id"], r["outcome"]) for r in data["records"]] == [("halu2", "right")]
    assert sorted(p.name for p in corpus.iterdir()) == [f"halueval-00{n}.txt" for n in range(3)]


def test_sweep_re_verifies_a_runs_saved_answers_without_the_llm(llm, tmp_path, capsys):
    rows = [
        {"question": DATE_Q, "answer": "October 28, 2025", "split": "dev"},
        {"question": YEARS_Q, "answerable": False, "split": "test"},
    ]
    qs = write_set(tmp_path / "sweep.jsonl", rows)
    llm.queue(DATE_REPLY, YEARS_REPLY)
    out = tmp_path / "out"
    cli(["eval", str(qs), "--corpus", str(SEEDS), "--out", str(out), "--quiet"])
    saved = runner.load(out)
    assert [item.question for item, _ in saved] == [DATE_Q, YEARS_Q] and saved[0][1].raw == DATE_REPLY
    assert replay.replay(saved[0][1], get_settings().support_threshold).text == saved[0][1].text  # same verdict
    capsys.readouterr()
    calls = len(llm.prompts)
    assert cli(["eval", "sweep", str(out), "--thresholds", "0.5,1.01"]) == 0
    printed = capsys.readouterr().out
    assert len(llm.prompts) == calls  # nothing asked again
    at_half, above_one = printed.split("threshold 1.01:")
    assert "right" in at_half and "1.00 (1)" in at_half  # the date answered right at 0.5 ...
    above_one, replies = above_one.split(outcomes.REPLIES)
    assert "0.00 (0)" in above_one.split("refused")[0]  # ... and nothing can be right above a score of 1
    # whatever the threshold, the model's reply itself named the date: the most any threshold could show right
    assert [line.split()[1:3] for line in replies.splitlines() if line.strip().startswith("right")] == [["1.00", "(1)"]]
    assert cli(["eval", "sweep", str(tmp_path / "nowhere")]) == 2


def test_report_scores_a_runs_saved_answers_again_without_the_llm(llm, tmp_path, capsys):
    rows = [
        {"question": DATE_Q, "answer": "October 28, 2025", "split": "dev"},
        {"question": YEARS_Q, "answerable": False, "split": "test"},
    ]
    llm.queue(DATE_REPLY, YEARS_REPLY)
    out = tmp_path / "out"
    cli(["eval", str(write_set(tmp_path / "r.jsonl", rows)), "--corpus", str(SEEDS), "--out", str(out), "--quiet"])
    ran = json.loads((out / "results.json").read_text())
    capsys.readouterr()
    calls = len(llm.prompts)
    again = tmp_path / "again"
    assert cli(["eval", "report", str(out), "--out", str(again), "--min", "right=1"]) == 0
    assert len(llm.prompts) == calls  # nothing asked again
    redone = json.loads((again / "results.json").read_text())
    assert redone["summary"] == ran["summary"] and redone["splits"] == ran["splits"]
    assert [r["outcome"] for r in redone["records"]] == [r["outcome"] for r in ran["records"]] == ["right", "refused"]
    assert outcomes.REPLIES in capsys.readouterr().out
    assert cli(["eval", "report", str(out), "--max", "right=0.5"]) == 1  # gated like a run
    assert cli(["eval", "report", str(tmp_path / "nowhere")]) == 2
    assert cli(["eval", "sweep", str(out), "--thresholds", "0.9,high"]) == 2
    assert "--thresholds takes numbers separated by commas" in capsys.readouterr().err


def test_a_follow_up_is_asked_after_its_earlier_questions_with_their_answers(llm, tmp_path):
    row = {
        "id": "f1",
        "history": ["Which cloud hosts OpenAI's models?"],
        "question": "and when did they formalize their agreement?",
        "answer": "October 28, 2025",
        "answerable": True,
    }
    qs = write_set(tmp_path / "followup.jsonl", [row])
    llm.queue(
        "Azure hosts OpenAI's models.",  # the earlier question's reply
        "When did Microsoft and OpenAI formalize their agreement?",  # the follow-up, rewritten
        "Microsoft and OpenAI formalized a new strategic agreement on October 28, 2025.",
    )
    out = tmp_path / "run"
    assert cli(["eval", str(qs), "--corpus", str(SEEDS), "--out", str(out), "--quiet"]) == 0
    ((sample, answer),) = runner.load(out)
    assert sample.history == ("Which cloud hosts OpenAI's models?",)
    # the rewrite read the earlier question and the product's answer to it
    assert (
        "User: Which cloud hosts OpenAI's models?\nAssistant: Azure hosts OpenAI's models [1]."
        in llm.prompts[1][0].content
    )
    assert answer.standalone_question == "When did Microsoft and OpenAI formalize their agreement?"
    assert outcomes.shown(sample, answer) == outcomes.RIGHT
    assert "after: Which cloud hosts OpenAI" in (out / "report.html").read_text()
    bad = write_set(tmp_path / "bad.jsonl", [{**row, "history": "Which cloud hosts OpenAI's models?"}])
    assert cli(["eval", str(bad), "--corpus", str(SEEDS), "--quiet"]) == 2


@pytest.mark.parametrize("name", ["overview.jsonl", "overview2.jsonl", "plain.jsonl", "followup.jsonl"])
def test_the_sets_written_by_reading_the_articles_are_valid_halves(name):
    seeds = {p.name for p in SEEDS.glob("*.txt")}
    samples = load_samples(SEED_SET.parent / name)
    assert len({s.id for s in samples}) == len(samples) == 40
    for split in ("dev", "test"):
        half = [s for s in samples if s.split == split]
        assert sum(s.answerable for s in half) == 15 and len(half) == 20
    assert all(s.answer and set(s.sources) <= seeds for s in samples if s.answerable)
    # a yes/no question is graded on its verdict alone: a "No" naming a word of the premise is not right
    verdicts = {"Yes", "No", "Oui", "Non", "Sí", "Si", "Ja", "Nein"}
    assert all(set(s.answer_alt) <= verdicts for s in samples if s.answer in ("Yes", "No"))


def test_each_follow_up_comes_after_one_or_two_earlier_questions():
    assert all(1 <= len(s.history) <= 2 for s in load_samples(SEED_SET.parent / "followup.jsonl"))
