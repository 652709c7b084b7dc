"""The llama-index peer with the fake embedder and LLM, offline: built over the same corpus in its own folder,
asked the same questions, its refusals recognised, its [n] citations mapped to files, scored like the product."""

import json

import pytest
from conftest import SEEDS

from eval import peer
from eval.metrics.outcome import declines
from eval.sample import Sample
from rag import Engine, RagError, get_settings
from rag_cli import main as cli

DATE = Sample(
    "d",
    "When did Microsoft and OpenAI formalize their agreement?",
    True,
    "October 28, 2025",
    split="dev",
    sources=("004_c32bc8aee1998fbf.txt",),
)
CEO = Sample("c", "Who is the CEO of OpenAI?", False, split="test")


def test_refusal_phrases():
    assert declines("The context does not mention who the CEO is.")
    assert declines("I'm unable to answer from the sources.") and declines("Empty Response")
    assert declines("  ") and declines("The answer cannot be determined from the sources.")
    assert not declines("They formalized it on October 28, 2025 [1].")


def test_peer_answers_cites_and_is_scored(llm, tmp_path):
    llm.queue("They formalized it on October 28, 2025 [1].", "The sources do not mention the CEO.")
    folder = tmp_path / "peer"
    records = peer.run([DATE, CEO], get_settings(), SEEDS, folder)
    date, ceo = records
    assert date.outcome == "right" and not date.refused and date.cited and date.error is None
    assert ceo.outcome == "refused" and ceo.refused
    assert "Source 1:" in llm.prompts[0][-1].content and DATE.question in llm.prompts[0][-1].content
    assert (folder / "corpus.sha256").is_file() and (folder / "docstore.json").is_file()
    summary = peer.summarize(records)
    assert summary["all"]["right"] == 1.0 and summary["all"]["refused_unanswerable"] == 1.0
    assert summary["dev"]["answerable"] == 1 and summary["test"]["unanswerable"] == 1
    assert Engine().store.count() == 0  # the product's collection is never touched


def test_peer_reuses_its_index_while_the_corpus_is_unchanged(llm, tmp_path):
    corpus, folder = tmp_path / "corpus", tmp_path / "peer"
    corpus.mkdir()
    (corpus / "a.txt").write_text((SEEDS / "004_c32bc8aee1998fbf.txt").read_text())
    llm.queue("October 28, 2025 [1].", "October 28, 2025 [2].", "October 28, 2025 [1].")
    first = peer.run([DATE], get_settings(), corpus, folder)[0]
    stamp = (folder / "corpus.sha256").read_text()
    assert peer.run([DATE], get_settings(), corpus, folder)[0].cited == first.cited == ("a.txt",)
    assert (folder / "corpus.sha256").read_text() == stamp
    (corpus / "b.txt").write_text("An unrelated article about the weather in Lisbon.")
    peer.run([DATE], get_settings(), corpus, folder)
    assert (folder / "corpus.sha256").read_text() != stamp  # rebuilt over the changed corpus


def test_a_wrong_source_or_a_wrong_answer_is_wrong_shown(llm, tmp_path):
    llm.queue("They formalized it on October 28, 2025.", "Sam Altman [1].")  # no citation; a made-up answer
    date, ceo = peer.run([DATE, CEO], get_settings(), SEEDS, tmp_path / "peer")
    assert date.outcome == "wrong" and date.cited == ()
    assert ceo.outcome == "answered"


def test_eval_peer_side_by_side(llm, tmp_path, capsys):
    years = "How many years have Microsoft and OpenAI been forging their relationship?"  # "several": unanswerable
    rows = [
        {"question": DATE.question, "answer": DATE.answer, "sources": list(DATE.sources), "split": "dev"},
        {"question": years, "answerable": False, "split": "test"},
    ]
    qs = tmp_path / "set.jsonl"
    qs.write_text("".join(json.dumps(r) + "\n" for r in rows))
    product = [
        "Microsoft and OpenAI formalized a new strategic agreement on October 28, 2025.",
        "Microsoft and OpenAI have been forging a close relationship for 12 years.",  # made up: dropped, refused
    ]
    llm.queue(*product, "October 28, 2025 [1].", "They have been forging it for 12 years [2].")
    out = tmp_path / "out"
    assert cli(["eval", str(qs), "--corpus", str(SEEDS), "--out", str(out), "--peer", "--quiet"]) == 0
    data = json.loads((out / "results.json").read_text())
    assert data["summary"]["right"] == 1.0 and data["summary"]["refused_unanswerable"] == 1.0
    assert data["peer"]["summary"]["all"]["right"] == 1.0
    assert data["peer"]["summary"]["test"]["answered_unanswerable"] == 1.0
    assert [r["outcome"] for r in data["peer"]["records"]] == ["right", "answered"]
    printed = capsys.readouterr().out
    assert "all peer" in printed and "dev peer" in printed and "test peer" in printed
    assert "llama-index peer (<span" in (out / "report.html").read_text()


def test_echoed_source_labels_count_as_citations(llm, tmp_path):
    llm.queue("Source 1: On October 28, 2025, Microsoft and OpenAI formalized a new strategic agreement.")
    (date,) = peer.run([DATE], get_settings(), SEEDS, tmp_path / "peer")
    assert date.cited and date.outcome in ("right", "wrong")  # right when source 1 is the gold article


def test_the_peer_reads_a_corpus_kept_under_a_hidden_folder(llm, tmp_path):
    corpus = tmp_path / ".rag-data" / "eval" / "set" / "corpus"  # where `rag eval --halueval` writes its articles
    corpus.mkdir(parents=True)
    for seed in SEEDS.glob("*.txt"):
        (corpus / seed.name).write_text(seed.read_text(encoding="utf-8"), encoding="utf-8")
    (corpus / ".hidden.txt").write_text("Ignore me.", encoding="utf-8")
    llm.queue("October 28, 2025 [1].")
    (date,) = peer.run([DATE], get_settings(), corpus, tmp_path / "peer")
    assert date.error is None and date.answer == "October 28, 2025 [1]."
    empty = tmp_path / ".empty"
    empty.mkdir()
    with pytest.raises(RagError, match="no text articles"):
        peer.run([DATE], get_settings(), empty, tmp_path / "peer2")
