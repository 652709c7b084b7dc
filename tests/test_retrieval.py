"""Retrieval: weighted fusion, RRF, dedupe, outlet/date boost and filter, per-outlet decomposition, bench metrics."""

import hashlib

import pytest

from eval.bench import main as bench
from eval.bench.multihop import answer_correct
from eval.datasets.multihop import spread
from eval.metrics.retrieval import all_found, average_precision, covered, first_rank, hit_at, reciprocal_rank
from rag.engine import Engine
from rag.indexer import index_articles
from rag.loader import Article
from rag.retriever import Plan, boost, dates, dedupe, interleave, make_plan, rrf, weighted
from rag.settings import get_settings
from rag.types import Passage

OUTLETS = {"TechCrunch", "The Verge", "The Independent - Sports", "The Independent - Travel", "The Age", "Cnbc | World"}


def p(cid: str, score: float = 0.0, text: str = "", outlet: str | None = None, published: str | None = None):
    return Passage(cid, f"{cid}.txt", cid, text or f"text of {cid}", 0, 1, score, published, outlet)


# -- fusion and dedupe ------------------------------------------------------------------------------------------------
def test_weighted_fusion_scales_each_ranking_to_0_1_and_weighs_it():
    dense = [p("a", 0.9), p("b", 0.5), p("d", 0.4)]
    bm25 = [p("b", 20.0), p("c", 10.0), p("e", 5.0)]
    fused = weighted([dense, bm25], [0.3, 0.7])
    assert [x.chunk_id for x in fused] == ["b", "a", "c", "d", "e"]
    assert [round(x.score, 3) for x in fused] == [round(0.3 * 0.2 + 0.7, 3), 0.3, round(0.7 / 3, 3), 0.0, 0.0]


def test_weighted_fusion_with_all_weight_on_one_side_keeps_its_order():
    dense = [p("a", 0.9), p("b", 0.8)]
    bm25 = [p("b", 3.0), p("a", 1.0)]
    assert [x.chunk_id for x in weighted([dense, bm25], [1.0, 0.0])] == ["a", "b"]
    assert [x.chunk_id for x in weighted([dense, bm25], [0.0, 1.0])] == ["b", "a"]


def test_rrf_sums_reciprocal_ranks():
    fused = rrf([[p("a"), p("b")], [p("b"), p("c")]], k=60)
    assert [x.chunk_id for x in fused] == ["b", "a", "c"]
    assert fused[0].score == pytest.approx(1 / 62 + 1 / 61)


def test_dedupe_drops_a_near_copy_but_keeps_distinct_passages():
    text = "Apple unveiled the new iPhone at its September event in Cupertino on Tuesday"
    ranked = [p("a", text=text), p("b", text=text + " today"), p("c", text="A different story about football")]
    assert [x.chunk_id for x in dedupe(ranked, 0.9)] == ["a", "c"]
    assert [x.chunk_id for x in dedupe(ranked, 1.0)] == ["a", "b", "c"]  # 13 of 14 words shared: not a copy at 1.0
    assert len(dedupe([p("a", text=text), p("b", text=text)], 1.0)) == 1


# -- query plan: outlets, dates, sub-queries ------------------------------------------------------------------------
def test_plan_finds_outlets_by_name_and_by_head_of_the_name():
    plan = make_plan("What did The Independent and CNBC report, according to TechCrunch?", OUTLETS)
    assert plan.outlets == {"The Independent - Sports", "The Independent - Travel", "Cnbc | World", "TechCrunch"}


def test_plan_ignores_a_lower_case_phrase_that_equals_an_outlet():
    assert make_plan("Is this the age of AI, as The Verge says?", OUTLETS).outlets == {"The Verge"}
    assert make_plan("What changed in the age of streaming?", OUTLETS).outlets == frozenset()


def test_plan_reads_dates_as_iso_prefixes():
    assert dates("Did TechCrunch on October 7, 2023 and The Verge in November 2023 agree?") == ("2023-10-07", "2023-11")
    assert dates("As of 2023-12-05, what happened?") == ("2023-12-05",)
    assert dates("No date here, only 2023.") == ()


def test_plan_splits_a_comparison_into_one_sub_query_per_outlet_mention():
    q = "Did the TechCrunch article on Apple report a rise, while The Verge article on Google reported a fall?"
    plan = make_plan(q, OUTLETS)
    assert [outlets for _, outlets in plan.parts] == [{"TechCrunch"}, {"The Verge"}]
    assert plan.parts[0][0] == "Did the TechCrunch article on Apple report a rise, while"
    assert plan.parts[1][0] == "The Verge article on Google reported a fall?"
    assert make_plan("What did TechCrunch say about Apple?", OUTLETS).parts == ()


def test_boost_raises_named_outlet_and_date_and_resorts():
    plan = Plan("q", frozenset({"TechCrunch"}), ("2023-10",))
    ranked = [p("a", 1.0, outlet="The Verge"), p("b", 0.8, outlet="TechCrunch"), p("c", 0.7, published="2023-10-03")]
    out = boost(ranked, plan, outlet_boost=0.5, date_boost=0.2)
    assert [x.chunk_id for x in out] == ["b", "a", "c"]
    assert out[0].score == pytest.approx(1.2) and out[2].score == pytest.approx(0.84)
    assert boost(ranked, plan, 0.0, 0.0) == ranked


def test_interleave_gives_every_sub_query_a_place_near_the_top():
    whole = [p("a"), p("b"), p("c")]
    first, second = [p("x"), p("a")], [p("y")]
    assert [x.chunk_id for x in interleave([whole, first, second])] == ["a", "x", "y", "b", "c"]


# -- end to end over an indexed store (hash embedder, no real model) -------------------------------------------------
def article(n: int, title: str, text: str, outlet: str, published: str) -> Article:
    return Article(f"{n}.txt", "/mem", title, text, hashlib.sha256(text.encode()).hexdigest(), published, outlet)


CORPUS = [
    article(1, "Apple results", "Apple reported record iPhone revenue in the quarter, the company said.", "TechCrunch", "2023-10-05T10:00:00Z"),
    article(2, "Apple results again", "Apple iPhone revenue grew as the company reported its quarter.", "The Verge", "2023-11-02T10:00:00Z"),
    article(3, "Google search case", "Google paid billions to be the default search engine, the trial heard.", "The Verge", "2023-10-20T10:00:00Z"),
    article(4, "Football", "The striker scored twice as the club won the derby on Sunday.", "The Age", "2023-10-07T10:00:00Z"),
]  # fmt: skip


@pytest.fixture
def engine(llm):
    engine = Engine(get_settings())
    report = index_articles(CORPUS, engine.store, engine.embedder, engine.settings)
    assert sorted(report.added) == ["1.txt", "2.txt", "3.txt", "4.txt"]
    return engine


def test_outlet_and_date_are_stored_and_come_back_on_passages(engine):
    got = {x.source: (x.outlet, x.published) for x in engine.retriever.retrieve("Apple iPhone revenue", 4)}
    assert got["1.txt"] == ("TechCrunch", "2023-10-05T10:00:00Z")
    assert engine.keywords().outlets() == {"TechCrunch", "The Verge", "The Age"}


def test_reindexing_the_same_articles_embeds_nothing(engine):
    report = index_articles(CORPUS, engine.store, engine.embedder, engine.settings)
    assert report.chunks == 0 and len(report.unchanged) == 4


def test_filters_keep_only_the_named_outlets(engine):
    vector = engine.embedder.embed_query("Apple iPhone revenue")
    assert {x.outlet for x in engine.store.search(vector, 4, outlets=("The Verge",))} == {"The Verge"}
    assert {x.outlet for x in engine.keywords().search("Apple iPhone revenue", 4, outlets={"TechCrunch"})} == {
        "TechCrunch"
    }
    assert engine.keywords().search("Apple", 4, outlets={"Nobody"}) == []


def test_naming_an_outlet_puts_its_article_first(engine, monkeypatch):
    question = "What did The Verge report about Apple iPhone revenue in the quarter?"
    assert engine.retriever.retrieve(question, 1)[0].outlet == "The Verge"
    question = "What did TechCrunch report about Apple iPhone revenue in the quarter?"
    assert engine.retriever.retrieve(question, 1)[0].outlet == "TechCrunch"


def test_comparison_question_covers_each_outlet_it_names(engine, monkeypatch):
    q = "Did the TechCrunch article on Apple revenue agree with The Age report on the derby?"
    top = engine.retriever.retrieve(q, 2)
    assert {x.source for x in top} == {"1.txt", "4.txt"}


def test_each_stage_can_be_switched_off(engine, monkeypatch):
    q = "What did The Verge report about Apple iPhone revenue in the quarter?"
    boosted = {x.chunk_id: x.score for x in engine.retriever.retrieve(q, 4)}
    monkeypatch.setenv("RAG_OUTLET_BOOST", "0")
    get_settings.cache_clear()
    plain = {x.chunk_id: x.score for x in Engine(get_settings()).retriever.retrieve(q, 4)}
    verge = next(x.chunk_id for x in engine.retriever.retrieve(q, 4) if x.source == "2.txt")
    assert boosted[verge] == pytest.approx(plain[verge] * 1.5)
    other = next(c for c in plain if c.startswith("1.txt"))
    assert boosted[other] == pytest.approx(plain[other])
    monkeypatch.setenv("RAG_RETRIEVAL", "bm25")
    monkeypatch.setenv("RAG_DENSE_FILL", "false")
    get_settings.cache_clear()
    bm25 = Engine(get_settings()).retriever.retrieve(q, 4)
    cleaned = "What did about Apple iPhone revenue in the quarter?"
    phrased = engine.keywords().search(cleaned, 4, phrase_boost=get_settings().phrase_boost)
    assert [x.score for x in bm25] == [x.score for x in phrased]
    monkeypatch.setenv("RAG_PHRASE_BOOST", "0")
    get_settings.cache_clear()
    unphrased = Engine(get_settings()).retriever.retrieve(q, 4)
    assert [x.score for x in unphrased] == [x.score for x in engine.keywords().search(cleaned, 4)]
    monkeypatch.setenv("RAG_CLEAN_QUERY", "false")
    get_settings.cache_clear()
    raw = Engine(get_settings()).retriever.retrieve(q, 4)
    assert [x.score for x in raw] == [x.score for x in engine.keywords().search(q, 4)]


def test_phrase_boost_ranks_words_kept_together_first():
    from rag.keywords import KeywordIndex
    from rag.types import Passage

    def passage(n: int, text: str) -> Passage:
        return Passage(f"{n}.txt:0", f"{n}.txt", "", text, 0, len(text))

    scattered = passage(1, "Rates of interest in the fund rose; central banks cut other rates.")
    together = passage(2, "Central banks cut interest rates; the fund rose and the fund fell.")
    index = KeywordIndex([scattered, together], "g")
    plain = index.search("interest rates", 2)
    boosted = index.search("interest rates", 2, phrase_boost=0.5)
    assert plain[0].source == "1.txt"  # BM25 alone prefers the shorter, repetitive text
    assert [x.source for x in boosted] == ["2.txt", "1.txt"]
    assert boosted[0].score == pytest.approx(plain[1].score + 0.5 * plain[0].score)


# -- benchmark metrics on hand-made rankings --------------------------------------------------------------------------
def test_metrics_on_hand_made_rankings():
    facts = ["alpha beta", "gamma delta"]
    texts = ["nothing", "x alpha  beta y", "nothing", "gamma delta and alpha beta"]
    cov = covered(texts, facts)
    assert cov == [set(), {0}, set(), {0, 1}]
    assert first_rank(cov) == 2 and first_rank(cov[:1]) is None
    assert hit_at(first_rank(cov), 1) == 0 and hit_at(first_rank(cov), 2) == 1
    assert reciprocal_rank(first_rank(cov)) == 0.5 and reciprocal_rank(first_rank(cov[:1])) == 0
    # new facts at ranks 2 and 4: (1/2 + 2/4) / 2
    assert average_precision(cov, 2, 10) == pytest.approx(0.5)
    assert all_found(cov, 2, 3) == 0 and all_found(cov, 2, 4) == 1


def test_average_precision_does_not_count_a_fact_twice():
    cov = [{0}, {0}, {1}]
    assert average_precision(cov, 2, 10) == pytest.approx((1 / 1 + 2 / 3) / 2)


def test_answer_matching_for_yes_no_and_names():
    assert answer_correct("Yes, both reported it [1].", "yes")
    assert answer_correct("No. The Verge said otherwise.", "False")
    assert not answer_correct("No, it did not.", "True")
    assert answer_correct("It was Sam Bankman-Fried [2].", "Sam Bankman-Fried")
    assert not answer_correct("It was Caroline Ellison.", "Sam Bankman-Fried")


def test_sample_spreads_over_question_types():
    rows = [{"question_type": t, "n": i} for i, t in enumerate("aaaabbc")]
    assert [r["question_type"] for r in spread(rows, 5)] == ["a", "b", "c", "a", "b"]


def test_bench_dispatch_rejects_an_unknown_benchmark(capsys):
    assert bench(["nope"]) == 2
    assert "multihop" in capsys.readouterr().err
    assert bench([]) == 2


def test_bench_never_deletes_a_folder_it_did_not_make(tmp_path, capsys):
    multihop = lambda args: bench(["multihop", *args])  # noqa: E731

    corpus, queries = tmp_path / "corpus.json", tmp_path / "queries.json"
    corpus.write_text("[]")
    queries.write_text("[]")
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "notes.txt").write_text("keep me")
    args = ["--corpus", str(corpus), "--queries", str(queries), "--data-dir", str(mine)]
    assert multihop(args) == 2
    assert (mine / "notes.txt").read_text() == "keep me"
    assert "not a benchmark folder" in capsys.readouterr().err
    assert multihop(["--corpus", str(tmp_path / "missing.json")]) == 2


def test_bench_reports_saved_answers(tmp_path, capsys):
    import json

    def verdict(n: int, gold: str, word: str, ok: bool, refused: bool) -> dict:
        raw = f"{word}." if word else "NOT IN ARTICLES"
        text = "The articles do not contain the answer to that question." if refused else f"{word} [1]."
        return {"n": n, "type": "comparison_query", "gold": gold, "ok": ok, "refused": refused, "text": text,
                "raw": raw, "seconds": 1.0}  # fmt: skip

    records = [
        verdict(0, "Yes", "Yes", True, False),  # right, shown
        verdict(1, "Yes", "Yes", False, True),  # right reply, refused
        verdict(2, "no", "Yes", False, False),  # wrong, shown
        {"n": 3, "type": "inference_query", "gold": "Sam Altman", "ok": False, "refused": True,
         "text": "The articles do not contain the answer to that question.", "raw": "NOT IN ARTICLES", "seconds": 1.0},
        {"n": 4, "type": "null_query", "gold": "Insufficient information.", "ok": True, "refused": True,
         "text": "The articles do not contain the answer to that question.", "raw": "NOT IN ARTICLES", "seconds": 1.0},
    ]  # fmt: skip
    saved = tmp_path / "answers.jsonl"
    saved.write_text("".join(json.dumps(r) + "\n" for r in records))
    assert bench(["multihop", "--report", str(saved)]) == 0  # no corpus, no index, no LLM
    out = capsys.readouterr().out
    assert "comparison_query   even 1/2  odd 0/1  all 1/3" in out
    assert "answerable: 1 right, 1 wrong shown (1 of them 'Yes' to a gold 'no'), 2 refused" in out
    assert "accuracy 0.25 on 4 answerable" in out and "null refused 1.0 on 1" in out
    assert "replies before verification: 2 right, 1 wrong, 1 'not in the articles' (of 4)" in out
    assert bench(["multihop", "--report", str(tmp_path / "none.jsonl")]) == 2
    assert "does not exist" in capsys.readouterr().err


def test_bench_runs_end_to_end_on_a_tiny_corpus(llm, tmp_path, capsys):
    import json

    multihop = lambda args: bench(["multihop", *args])  # noqa: E731

    corpus = [
        {"title": a.title, "body": a.text, "source": a.outlet, "published_at": a.published} for a in CORPUS
    ]  # fmt: skip
    evidence = lambda n, fact: {"fact": fact, "title": CORPUS[n].title}  # noqa: E731
    queries = [
        {"query": "Did TechCrunch report record iPhone revenue?", "answer": "Yes", "question_type": "comparison_query",
         "evidence_list": [evidence(0, "Apple reported record iPhone revenue")]},
        {"query": "Who won the derby, according to The Age?", "answer": "the club", "question_type": "inference_query",
         "evidence_list": [evidence(3, "the club won the derby")]},
        {"query": "What did Reuters say about Bahrain?", "answer": "Insufficient information.",
         "question_type": "null_query", "evidence_list": []},
    ]  # fmt: skip
    (tmp_path / "c.json").write_text(json.dumps(corpus))
    (tmp_path / "q.json").write_text(json.dumps(queries))
    out = tmp_path / "bench"
    args = ["--corpus", str(tmp_path / "c.json"), "--queries", str(tmp_path / "q.json"), "--data-dir", str(out)]
    assert multihop([*args, "--no-starter"]) == 0
    result = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert set(result) == {"hits@4", "hits@10", "mrr@10", "map@10", "all@10", "accuracy", "null_refused", "build_s",
                           "p50_ms"}  # fmt: skip
    assert result["hits@10"] == 1.0 and result["all@10"] == 1.0 and result["accuracy"] is None
    assert (out / ".rag-bench").exists()
    assert multihop([*args, "--no-starter", "--reuse", "--configs", "bm25 only"]) == 0  # reuses, rebuilds nothing
    assert "built in" in capsys.readouterr().out


def test_latency_bench_runs_end_to_end_on_fakes(llm, capsys):
    import json

    llm.queue(*["Microsoft and OpenAI formalized a new agreement on October 28, 2025."] * 10)
    assert bench(["latency", "--limit", "2"]) == 0
    result = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert result["questions"] == 2 and result["chunks"] > 0
    assert result["total_p50_s"] is not None and 0 <= result["llm_p50_s"] <= result["total_p50_s"]


def test_keyword_query_drops_outlet_names_and_news_words():
    from rag.retriever import keyword_query

    q = "Did the TechCrunch article report that Apple, according to The Verge, raised prices?"
    assert keyword_query(q, OUTLETS) == "Did the that Apple, to , raised prices?"
    assert keyword_query("TechCrunch article", OUTLETS) == "TechCrunch article"  # nothing left: keep the question


def test_bm25_is_topped_up_by_vectors_when_few_passages_share_a_word(engine, monkeypatch):
    monkeypatch.setenv("RAG_RETRIEVAL", "bm25")
    get_settings.cache_clear()
    words_only = "Apple iPhone revenue"
    lexical = engine.keywords().search(words_only, 4, phrase_boost=get_settings().phrase_boost)
    filled = Engine(get_settings()).retriever.retrieve(words_only, 4)
    assert 0 < len(lexical) < 4 and len(filled) == 4
    assert [x.chunk_id for x in filled[: len(lexical)]] == [x.chunk_id for x in lexical]  # BM25's own order first
    # a question none of whose words is indexed still reaches passages
    assert len(Engine(get_settings()).retriever.retrieve("Quelle entreprise fabrique ces téléphones ?", 3)) == 3
    monkeypatch.setenv("RAG_DENSE_FILL", "false")
    get_settings.cache_clear()
    assert Engine(get_settings()).retriever.retrieve("Quelle entreprise fabrique ces téléphones ?", 3) == []
