"""Every eval metric on hand-made cases with known values (no models)."""

import pytest

from eval import metrics
from eval.metrics import CitationCounts, citation_counts
from eval.runner import Record, summarize
from rag import prompts


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
    assert metrics.first_hit(ranked, evidence=["October 28, 2025, they signed"]) == 2
    assert metrics.first_hit(ranked, sources=["a.txt"]) == 1
    assert metrics.first_hit(ranked, sources=["c.txt"]) is None
    assert metrics.first_hit(ranked, sources=["a.txt"], evidence=["not there"]) is None  # evidence wins


def test_hit_at_k_and_reciprocal_rank():
    assert metrics.hit_at(2, 4) == 1.0 and metrics.hit_at(5, 4) == 0.0 and metrics.hit_at(None, 4) == 0.0
    assert metrics.reciprocal_rank(4) == 0.25 and metrics.reciprocal_rank(None) == 0.0
    assert metrics.mean([metrics.reciprocal_rank(r) for r in (1, 2, None)]) == pytest.approx(0.5)


def _support(claim, texts):
    """Toy judge: the share of the claim's words found in the cited texts."""
    words = set(" ".join(texts).lower().split())
    claim_words = claim.lower().split()
    return sum(w in words for w in claim_words) / len(claim_words)


def test_citation_precision_and_recall_alce():
    sentences = [
        ("a b", ["a b", "z"]),  # supported; "a b" alone suffices, "z" is irrelevant
        ("a b", ["a", "b"]),  # supported only jointly: both needed, both precise
        ("c d", ["c"]),  # not supported: counts against recall, its citation is not precise
        ("e", []),  # cites nothing: unsupported
    ]
    counts = citation_counts(sentences, _support, threshold=1.0)
    assert counts == CitationCounts(sentences=4, supported=2, citations=5, precise=3)
    assert counts.recall == 0.5 and counts.precision == pytest.approx(0.6)
    assert CitationCounts().recall is None and CitationCounts().precision is None


def test_percentile_mean_and_balanced_accuracy():
    assert metrics.percentile([3.0, 1.0, 2.0, 10.0], 50) == 2.0
    assert metrics.percentile([3.0, 1.0, 2.0, 10.0], 95) == 10.0
    assert metrics.percentile([], 50) is None
    assert metrics.mean([None, 1.0, 0.0]) == 0.5 and metrics.mean([None]) is None
    pos, neg = [1.0, 0.9, 0.4], [0.2, 0.7]
    assert metrics.balanced_accuracy(pos, neg, 0.8) == pytest.approx((2 / 3 + 1) / 2)
    t = metrics.best_threshold(pos, neg)
    assert 0.7 < t <= 0.9 and metrics.balanced_accuracy(pos, neg, t) == pytest.approx((2 / 3 + 1) / 2)


def test_alternatives_and_named_choices():
    assert metrics.matches_any("It was signed on Oct. 28, 2025.", ["October 28, 2025", "Oct. 28, 2025"])
    assert not metrics.matches_any("Azure", [])
    options = ["Joe Biden", "Biden", "Tigger", "Roo"]
    assert metrics.choices_named("Joe Biden [1].", options) == ["Joe Biden"]  # not also the shorter "Biden"
    assert metrics.choices_named("Biden and Tigger", options) == ["Biden", "Tigger"]
    assert metrics.choices_named("Rooster", options) == [] and metrics.choices_named("", options) == []


def test_outcomes_of_each_kind_of_question():
    from eval.items import Item
    from eval.outcomes import outcome

    plain = Item("1", "q", True, "Azure", sources=("a.txt",), answer_alt=("Microsoft Azure",))
    assert outcome(plain, False, "Microsoft Azure hosts them.", ["b.txt", "a.txt"]) == "right"
    assert outcome(plain, False, "Azure hosts them.", ["b.txt"]) == "wrong"  # a gold source must be cited
    assert outcome(plain, False, "AWS hosts them.", ["a.txt"]) == "wrong"
    assert outcome(plain, True, "", []) == "refused"
    no_sources = Item("2", "q", True, "Azure")
    assert outcome(no_sources, False, "Azure.", []) == "right"
    quiz = Item("3", "q", True, "Tigger", choices=("Owl", "Eeyore", "Roo", "Tigger"))
    assert outcome(quiz, False, "Tigger.", []) == "right"
    assert outcome(quiz, False, "Tigger or Roo.", []) == "wrong" and outcome(quiz, False, "Owl.", []) == "wrong"
    assert outcome(quiz, False, "A bear.", []) == "wrong"  # shown, and not the gold option
    unanswerable = Item("4", "q", False, "Tigger", choices=quiz.choices)
    assert (
        outcome(unanswerable, False, "Tigger.", []) == "answered" and outcome(unanswerable, True, "", []) == "refused"
    )
    assert outcome(Item("5", "q", True), False, "Something.", []) == "shown"  # no gold: neither right nor wrong


def test_tally_by_split_and_table():
    from eval.outcomes import by_split, columns, table, tally

    t = tally([(True, "right"), (True, "wrong"), (True, "refused"), (True, "error"), (False, "refused")])
    assert (t["answerable"], t["unanswerable"], t["right_n"], t["right"]) == (3, 1, 1, pytest.approx(1 / 3))
    assert t["wrong_shown"] == pytest.approx(1 / 3) and t["refused_answerable"] == pytest.approx(1 / 3)
    assert t["refused_unanswerable"] == 1.0 and t["answered_unanswerable"] == 0.0
    assert tally([(True, "right")])["refused_unanswerable"] is None
    scopes = by_split([("dev", True, "right"), ("test", False, "answered"), ("", True, "wrong")])
    assert list(scopes) == ["all", "dev", "test"] and scopes["all"]["right"] == 0.5
    assert scopes["test"]["answered_unanswerable"] == 1.0 and scopes["dev"]["answerable"] == 1
    text = table(columns(scopes, {"all": tally([(True, "refused")])}))
    header, *rows = text.splitlines()
    assert header.split() == ["all", "all", "peer", "dev", "dev", "peer", "test", "test", "peer"]
    assert rows[1].split() == ["right", "0.50", "(1)", "0.00", "(0)", "1.00", "(1)", "-", "-", "-"]  # peer: no dev


def test_answers_shown_untranslated_are_counted():
    def shown(text: str) -> Record:
        return Record("q", "Wie lange?", True, "several years", [], outcome="right", answer=text, refused=False)

    labelled = f"Several years [1] {prompts.UNCHECKED['de']}"
    translated = f"Mehrere Jahre [1] {prompts.TRANSLATED['de']}"
    assert summarize([shown(labelled), shown(translated)], 4)["untranslated_share"] == 0.5


def test_a_reply_is_graded_as_if_shown_before_verification():
    from eval.items import Item
    from eval.outcomes import reply
    from rag.types import Answer, Passage

    read = (
        Passage("c1", "a.txt", "A", "Azure hosts OpenAI's models.", 0, 28),
        Passage("c2", "b.txt", "B", "AWS.", 0, 4),
    )
    item = Item("1", "Which cloud hosts OpenAI's models?", True, "Azure", sources=("a.txt",))
    refused = Answer(item.question, prompts.REFUSAL, True, passages=read, raw="Azure [1], as the cloud.")
    assert reply(item, refused) == "right"  # the verifier refused a right reply: what the count of these bounds
    assert reply(item, Answer(item.question, prompts.REFUSAL, True, passages=read, raw="AWS [2]")) == "wrong"
    said_so = Answer(item.question, prompts.REFUSAL, True, passages=read, raw=prompts.NOT_FOUND)
    assert reply(item, said_so) == "refused" and reply(Item("2", "q", False), said_so) == "refused"
    elsewhere = Item("3", item.question, True, "Azure", sources=("c.txt",))
    assert reply(elsewhere, refused) == "wrong"  # the gold article was not among those the model read
    # no reply (the product computed the sentence itself, as for report order): the shown text is what it wrote
    computed = Answer(item.question, "Azure [1].", False, passages=read, raw="")
    assert reply(item, computed) == "right" and reply(item, Answer(item.question, "x", True, raw="")) == "refused"


def test_auc_is_the_chance_a_positive_outscores_a_negative():
    assert metrics.auc([0.9, 0.8], [0.1, 0.2]) == 1.0 and metrics.auc([0.1], [0.9]) == 0.0
    assert metrics.auc([0.5, 0.7], [0.5, 0.6]) == pytest.approx(0.625)  # 1 tie (0.5) + 2 wins of 4 pairs
    assert metrics.auc([], [0.1]) is None
