"""Every eval metric on hand-made cases with known values (no models)."""

import pytest

from eval.metrics import answer as metrics
from eval.metrics import retrieval, stats
from eval.runner import score, summarize
from eval.sample import Sample
from rag import NOT_FOUND, REFUSAL, Answer, Citation, Passage, strip_markers
from rag.prompts import TRANSLATED, UNCHECKED


def test_normalize_and_match():
    assert metrics.normalize("The Azure  cloud, Inc.!") == "azure cloud inc"
    assert metrics.matches("It was formalized on October 28, 2025 [1].", "October 28, 2025")
    assert metrics.matches("Microsoft's Azure hosts them.", "Azure")
    assert not metrics.matches("October 29, 2025", "October 28, 2025")
    assert not metrics.matches("Azured", "Azure")  # whole words only
    assert not metrics.matches("anything", "")


def test_token_f1_known_values():
    assert metrics.token_f1("the Azure cloud", "Azure") == pytest.approx(2 * 0.5 * 1 / 1.5)  # P=1/2, R=1
    assert metrics.token_f1("GitHub Copilot", "GitHub Copilot") == 1.0
    assert metrics.token_f1("Bing", "GitHub Copilot") == 0.0
    assert metrics.token_f1("", "x") == 0.0


def test_first_hit_by_evidence_then_by_source():
    ranked = [("a.txt", "Nothing here."), ("b.txt", "On October 28,\n2025, they  signed."), ("a.txt", "x")]
    assert retrieval.first_hit(ranked, evidence=["October 28, 2025, they signed"]) == 2
    assert retrieval.first_hit(ranked, sources=["a.txt"]) == 1
    assert retrieval.first_hit(ranked, sources=["c.txt"]) is None
    assert retrieval.first_hit(ranked, sources=["a.txt"], evidence=["not there"]) is None  # evidence wins


def test_hit_at_k_and_reciprocal_rank():
    assert retrieval.hit_at(2, 4) == 1.0 and retrieval.hit_at(5, 4) == 0.0 and retrieval.hit_at(None, 4) == 0.0
    assert retrieval.reciprocal_rank(4) == 0.25 and retrieval.reciprocal_rank(None) == 0.0
    assert stats.mean([retrieval.reciprocal_rank(r) for r in (1, 2, None)]) == pytest.approx(0.5)


def test_percentile_mean_and_balanced_accuracy():
    assert stats.percentile([3.0, 1.0, 2.0, 10.0], 50) == 2.0
    assert stats.percentile([3.0, 1.0, 2.0, 10.0], 95) == 10.0
    assert stats.percentile([], 50) is None
    assert stats.mean([None, 1.0, 0.0]) == 0.5 and stats.mean([None]) is None
    pos, neg = [1.0, 0.9, 0.4], [0.2, 0.7]
    assert stats.balanced_accuracy(pos, neg, 0.8) == pytest.approx((2 / 3 + 1) / 2)
    t = stats.best_threshold(pos, neg)
    assert 0.7 < t <= 0.9 and stats.balanced_accuracy(pos, neg, t) == pytest.approx((2 / 3 + 1) / 2)


def test_alternatives_and_named_choices():
    assert metrics.matches_any("It was signed on Oct. 28, 2025.", ["October 28, 2025", "Oct. 28, 2025"])
    assert not metrics.matches_any("Azure", [])
    options = ["Joe Biden", "Biden", "Tigger", "Roo"]
    assert metrics.choices_named("Joe Biden [1].", options) == ["Joe Biden"]  # not also the shorter "Biden"
    assert metrics.choices_named("Biden and Tigger", options) == ["Biden", "Tigger"]
    assert metrics.choices_named("Rooster", options) == [] and metrics.choices_named("", options) == []


def test_outcomes_of_each_kind_of_question():
    from eval.metrics.outcome import outcome

    plain = Sample("1", "q", True, "Azure", sources=("a.txt",), answer_alt=("Microsoft Azure",))
    assert outcome(plain, False, "Microsoft Azure hosts them.", ["b.txt", "a.txt"]) == "right"
    assert outcome(plain, False, "Azure hosts them.", ["b.txt"]) == "wrong"  # a gold source must be cited
    assert outcome(plain, False, "AWS hosts them.", ["a.txt"]) == "wrong"
    assert outcome(plain, True, "", []) == "refused"
    no_sources = Sample("2", "q", True, "Azure")
    assert outcome(no_sources, False, "Azure.", []) == "right"
    quiz = Sample("3", "q", True, "Tigger", choices=("Owl", "Eeyore", "Roo", "Tigger"))
    assert outcome(quiz, False, "Tigger.", []) == "right"
    assert outcome(quiz, False, "Tigger or Roo.", []) == "wrong" and outcome(quiz, False, "Owl.", []) == "wrong"
    assert outcome(quiz, False, "A bear.", []) == "wrong"  # shown, and not the gold option
    unanswerable = Sample("4", "q", False, "Tigger", choices=quiz.choices)
    assert (
        outcome(unanswerable, False, "Tigger.", []) == "answered" and outcome(unanswerable, True, "", []) == "refused"
    )
    assert outcome(Sample("5", "q", True), False, "Something.", []) == "shown"  # no gold: neither right nor wrong


def test_tally_by_split_and_table():
    from eval.metrics.outcome import by_split, table, tally
    from eval.peer import PeerRecord
    from eval.report import Run

    t = tally([(True, "right"), (True, "wrong"), (True, "refused"), (True, "error"), (False, "refused")])
    assert (t["answerable"], t["unanswerable"], t["right_n"], t["right"]) == (3, 1, 1, pytest.approx(1 / 3))
    assert t["wrong_shown"] == pytest.approx(1 / 3) and t["refused_answerable"] == pytest.approx(1 / 3)
    assert t["refused_unanswerable"] == 1.0 and t["answered_unanswerable"] == 0.0
    assert tally([(True, "right")])["refused_unanswerable"] is None
    scopes = by_split([("dev", True, "right"), ("test", False, "answered"), ("", True, "wrong")])
    assert list(scopes) == ["all", "dev", "test"] and scopes["all"]["right"] == 0.5
    assert scopes["test"]["answered_unanswerable"] == 1.0 and scopes["dev"]["answerable"] == 1
    peer = [PeerRecord("p", "", True, "", True, (), "refused", 0.0)]
    text = table(Run([], scopes["all"], {k: v for k, v in scopes.items() if k != "all"}, {}, [], peer).columns())
    header, *rows = text.splitlines()
    assert header.split() == ["all", "all", "peer", "dev", "dev", "peer", "test", "test", "peer"]
    assert rows[1].split() == ["right", "0.50", "(1)", "0.00", "(0)", "1.00", "(1)", "-", "-", "-"]  # peer: no dev


def test_answers_shown_untranslated_are_counted():
    sample = Sample("q", "Wie lange?", True, "several years")

    def shown(text: str, language: str = "de") -> Answer:
        return Answer(sample.question, text, False, claim="Several years [1].", language=language)

    labelled = shown(f"Several years [1]. {UNCHECKED['de']}")
    translated = shown(f"Mehrere Jahre [1]. {TRANSLATED['de']}")
    same = shown("Several years [1].", "en")  # asked in the articles' own language: nothing to translate
    records = [score(sample, a, None, 1.0, "en") for a in (labelled, translated, same)]
    assert [r.untranslated for r in records] == [True, False, False]
    assert summarize(records, 4)["untranslated_share"] == pytest.approx(1 / 3)
    # a bare answer shown with its article's sentence loses its full stop before the sentence ("Yes [1]." is shown
    # "Yes [1] — “...”"): still the verified English, labelled so
    said = "For several years, Microsoft and OpenAI have been forging a close relationship."
    bare = Answer(
        sample.question,
        f"Several years [1] — “{said}” {UNCHECKED['de']}",
        False,
        claim="Several years [1].",
        source_sentence=said,
        language="de",
    )
    assert score(sample, bare, None, 1.0, "en").untranslated


def test_a_reply_is_graded_as_if_shown_before_verification():
    from eval.metrics.outcome import reply

    read = (
        Passage("c1", "a.txt", "A", "Azure hosts OpenAI's models.", 0, 28),
        Passage("c2", "b.txt", "B", "AWS.", 0, 4),
    )
    item = Sample("1", "Which cloud hosts OpenAI's models?", True, "Azure", sources=("a.txt",))
    refused = Answer(item.question, REFUSAL, True, passages=read, raw="Azure [1], as the cloud.")
    assert reply(item, refused) == "right"  # the verifier refused a right reply: what the count of these bounds
    assert reply(item, Answer(item.question, REFUSAL, True, passages=read, raw="AWS [2]")) == "wrong"
    said_so = Answer(item.question, REFUSAL, True, passages=read, raw=NOT_FOUND)
    assert reply(item, said_so) == "refused" and reply(Sample("2", "q", False), said_so) == "refused"
    elsewhere = Sample("3", item.question, True, "Azure", sources=("c.txt",))
    assert reply(elsewhere, refused) == "wrong"  # the gold article was not among those the model read
    # no reply (the product computed the sentence itself, as for report order): the shown text is what it wrote
    computed = Answer(item.question, "Azure [1].", False, passages=read, raw="")
    assert reply(item, computed) == "right" and reply(item, Answer(item.question, "x", True, raw="")) == "refused"


def test_what_declines_to_answer():
    from eval.metrics.outcome import declines

    assert declines("The context does not mention who the CEO is.") and declines(NOT_FOUND) and declines("  ")
    assert declines("I'm unable to answer from the sources.") and declines("Empty Response")
    assert not declines("They formalized it on October 28, 2025 [1].")
    assert strip_markers("Azure [1][2], then AWS [3, 4].") == "Azure, then AWS."


def test_wrong_answers_naming_the_gold_answer_from_an_unlisted_article_are_counted_apart():
    from eval.report import _unlisted

    read = (Passage("c1", "a.txt", "A", "Azure hosts OpenAI's models.", 0, 28),)
    item = Sample("1", "Which cloud hosts OpenAI's models?", True, "Azure", sources=("b.txt",))
    cited = Answer(
        item.question, "Azure [1].", False, passages=read, citations=(Citation(1, "a.txt", "c1", "Azure", 0, 5),)
    )
    other = Answer(
        item.question, "AWS [1].", False, passages=read, citations=(Citation(1, "b.txt", "c2", "AWS", 0, 3),)
    )
    records = [score(item, a, None, 1.0, "en") for a in (cited, other)]
    assert [r.outcome for r in records] == ["wrong", "wrong"]  # the grading stays strict
    summary = summarize(records, 4)
    assert summary["wrong_unlisted_n"] == 1
    assert _unlisted(summary).startswith("(1 of the 2 wrong shown give the gold answer")
    assert _unlisted(summarize(records[1:], 4)) == ""


def test_unverified_refusals_and_their_nearest_spans_are_counted_by_kind_of_question():
    read = (Passage("c1", "a.txt", "A", "Azure hosts OpenAI's models.", 0, 28),)
    near = (Citation(1, "a.txt", "c1", "Azure hosts OpenAI's models.", 0, 28),)
    asked = Sample("1", "Which cloud hosts OpenAI's models?", True, "Azure")
    lacking = Sample("2", "Who is OpenAI's CEO?", False)
    answers = [
        (asked, Answer(asked.question, REFUSAL, True, passages=read, unverified=True, nearest=near)),
        (asked, Answer(asked.question, REFUSAL, True, passages=read, unverified=True)),
        (asked, Answer(asked.question, REFUSAL, True, passages=read)),
        (lacking, Answer(lacking.question, REFUSAL, True, passages=read, unverified=True, nearest=near)),
        (lacking, Answer(lacking.question, REFUSAL, True, passages=read)),
    ]
    records = [score(s, a, None, 1.0, "en") for s, a in answers]
    assert [r.outcome for r in records] == ["refused"] * 5  # an unverified refusal is graded as any refusal
    summary = summarize(records, 4)
    assert summary["unverified_answerable_n"] == 2 and summary["nearest_gold_n"] == 1
    assert summary["unverified_unanswerable_n"] == 1
