"""The benchmark sets on tiny stand-ins of their files: HaluEval-QA pooled into one corpus, RealTimeQA's answerable
rule, seeded half-answerable sample, front matter, gold sources and splits; corpora written under the data dir."""

import json

import pytest
from conftest import BENCHMARKS

from eval.datasets import halueval, realtimeqa, write_files
from rag import RagError
from rag_cli import main as cli


def halu_rows(n):
    return [
        {
            "knowledge": f"Station {i} opened in {1900 + i}.It serves line {i}.",
            "question": f"When did station {i} open?",
            "right_answer": str(1900 + i),
            "hallucinated_answer": "1850",
        }
        for i in range(n)
    ]


def write_lines(path, rows):
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


def test_halueval_pools_4n_rows_and_alternates_splits(tmp_path):
    path = write_lines(tmp_path / "halu.json", halu_rows(12))
    corpus = tmp_path / "corpus"
    s = halueval.load(corpus, 2, path)
    assert [i.id for i in s.samples] == ["halu0", "halu1"] and [i.split for i in s.samples] == ["dev", "test"]
    assert s.samples[1].answer == "1901" and s.samples[1].sources == ("halueval-001.txt",) and s.samples[1].answerable
    assert len(list(corpus.iterdir())) == 8  # 4 x 2 rows pooled
    assert (corpus / "halueval-003.txt").read_text() == "Station 3 opened in 1903.\nIt serves line 3.\n"  # unglued
    assert (
        halueval.knowledge('ranked by "U.S. News."MedStar is the largest.')
        == 'ranked by "U.S. News."\nMedStar is the largest.'
    )
    halueval.load(corpus, 1, path)
    assert sorted(p.name for p in corpus.iterdir()) == [f"halueval-00{i}.txt" for i in range(4)]  # stale files go
    assert len(halueval.load(corpus, None, path).samples) == 12 and len(list(corpus.iterdir())) == 12


def test_halueval_errors_name_the_file(tmp_path):
    with pytest.raises(RagError, match="is missing"):
        halueval.load(tmp_path / "c", 1, tmp_path / "none.json")
    bad = tmp_path / "bad.json"
    bad.write_text('{"knowledge": "k"}\n')
    with pytest.raises(RagError, match="bad.json:1: expected text fields"):
        halueval.load(tmp_path / "c", 1, bad)


def test_write_files_leaves_unchanged_files_alone(tmp_path):
    write_files(tmp_path, {"a.txt": "A", "b.txt": "B"})
    before = (tmp_path / "a.txt").stat().st_mtime_ns
    write_files(tmp_path, {"a.txt": "A", "c.txt": "C"})
    assert (tmp_path / "a.txt").stat().st_mtime_ns == before and sorted(p.name for p in tmp_path.iterdir()) == [
        "a.txt",
        "c.txt",
    ]


def rtqa_bench(folder, n=8):
    """n questions: even ones answered by their own article, odd ones not (their gold is in no article of theirs)."""
    folder.mkdir()
    questions, articles = [], []
    for i in range(n):
        url = f"https://www.news{i % 2}.com/story/{i}"
        body = f"Mayor number {i} was elected in the town of Gold{i} this spring." if i % 2 == 0 else f"Story {i}."
        articles.append({"url": url, "title": f"Story\n{i}", "published": "2024/01/0" + str(i % 9 + 1), "text": body})
        choices = [f"Gold{i}", f"Other{i}", f"Third{i}", f"Fourth{i}"]
        q = {"id": f"q{i}", "question": f"Where was mayor {i} elected?", "choices": choices, "answer": [f"Gold{i}"]}
        questions.append({**q, "source": "CNN", "articles": [url, "https://missing.example/x"]})
    write_lines(folder / "questions.jsonl", questions)
    write_lines(folder / "articles.jsonl", articles)
    return folder


def test_realtimeqa_answerable_rule_front_matter_and_question(tmp_path):
    s = realtimeqa.load(tmp_path / "corpus", None, rtqa_bench(tmp_path / "bench"))
    assert [i.answerable for i in s.samples] == [True, False] * 4
    first = s.samples[0]
    assert first.question == "Where was mayor 0 elected? Options: Gold0; Other0; Third0; Fourth0."
    assert first.answer == "Gold0" and first.choices[0] == "Gold0" and first.kind == "CNN"
    (source,) = first.sources
    text = (s.corpus / source).read_text()
    assert source.startswith("news0.com-") and text.startswith(
        "---\ntitle: Story 0\nsource: news0.com\npublished: 2024-01-01\n---\nMayor number 0"
    )
    assert s.samples[1].sources == () and len(list(s.corpus.iterdir())) == 8
    assert [i.split for i in s.samples if i.answerable] == ["dev", "test", "dev", "test"]
    assert [i.split for i in s.samples if not i.answerable] == ["dev", "test", "dev", "test"]


def test_realtimeqa_sample_is_seeded_half_answerable_and_pools_its_articles_only(tmp_path):
    bench = rtqa_bench(tmp_path / "bench", n=20)
    s = realtimeqa.load(tmp_path / "corpus", 6, bench)
    assert sum(i.answerable for i in s.samples) == 3 and len(s.samples) == 6
    assert len(list(s.corpus.iterdir())) == 6  # one article per sampled question
    again = realtimeqa.load(tmp_path / "corpus", 6, bench)
    assert [i.id for i in again.samples] == [i.id for i in s.samples]
    other = realtimeqa.load(tmp_path / "corpus", 6, bench, seed=7)
    assert [i.id for i in other.samples] != [i.id for i in s.samples]
    assert len(realtimeqa.load(tmp_path / "corpus", 15, bench).samples) == 15  # 10 answerable run out: 5 + 10


def test_realtimeqa_through_the_cli(llm, tmp_path, monkeypatch):
    monkeypatch.setattr(realtimeqa, "BENCH", rtqa_bench(tmp_path / "bench", n=4))
    llm.queue("Mayor number 0 was elected in the town of Gold0.", "Story 1 says Other1.", "Third2 [1].", "")
    out = tmp_path / "out"
    assert cli(["eval", "--realtimeqa", "--limit", "4", "--out", str(out), "--quiet"]) == 0
    data = json.loads((out / "results.json").read_text())
    assert data["summary"]["answerable"] == 2 and data["summary"]["unanswerable"] == 2
    assert data["records"][0]["outcome"] == "right" and data["summary"]["wrong_shown"] == 0.0
    assert set(data["splits"]) == {"dev", "test"}


@pytest.mark.skipif(not (BENCHMARKS / "realtimeqa" / "questions.jsonl").is_file(), reason="no shared benchmarks")
def test_the_real_realtimeqa_sample(tmp_path):
    s = realtimeqa.load(tmp_path / "corpus", 10)
    assert len(s.samples) == 10 and sum(i.answerable for i in s.samples) == 5
    assert all(i.sources for i in s.samples if i.answerable) and all(len(i.choices) >= 3 for i in s.samples)
    assert all(src in {p.name for p in s.corpus.iterdir()} for i in s.samples for src in i.sources)


def test_realtimeqa_skip_samples_other_questions_than_the_first_sample(tmp_path):
    bench = rtqa_bench(tmp_path / "bench", n=20)
    first = {i.id for i in realtimeqa.load(tmp_path / "corpus", 6, bench).samples}
    later = realtimeqa.load(tmp_path / "corpus", 6, bench, skip=6).samples
    assert len(later) == 6 and sum(i.answerable for i in later) == 3 and not first & {i.id for i in later}
    assert len(list((tmp_path / "corpus").iterdir())) == 6  # only the later sample's articles


def test_realtimeqa_exclude_never_asks_the_questions_of_earlier_runs(tmp_path):
    bench = rtqa_bench(tmp_path / "bench", n=20)
    first = realtimeqa.load(tmp_path / "corpus", 6, bench).samples
    later = realtimeqa.load(tmp_path / "corpus", 6, bench, skip=6).samples
    asked = frozenset(i.id for i in first + later)
    third = realtimeqa.load(tmp_path / "corpus", 6, bench, exclude=asked).samples
    assert len(third) == 6 and sum(i.answerable for i in third) == 3 and not asked & {i.id for i in third}
