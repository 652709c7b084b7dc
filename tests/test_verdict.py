"""Verdicts by probability (rag.verdict) and report order from publication dates (rag.timeline), through the same
seam the product uses: a fake LLM that scores its replies, registered like the real ones."""

import pytest
from conftest import use_llm
from fakes import ScoringLLM

import rag
from rag import timeline, verdict
from rag.cite import Citer
from rag.engine import Engine
from rag.evidence import build
from rag.question import parse
from rag.settings import Settings, get_settings
from rag.types import Passage
from rag.verdict import decide

FORMALIZED = "Did Microsoft and OpenAI formalize a new agreement in October 2025?"


@pytest.fixture
def scoring(llm, monkeypatch) -> ScoringLLM:
    return use_llm(monkeypatch, "scoring", ScoringLLM())


def test_the_bias_measured_on_dev_data_moves_a_yes_no_verdict_but_not_an_either_or_one(scoring):
    question = parse(FORMALIZED)
    scoring.queue_scores({"Yes": -0.4, "No": -1.5}, {"Yes": -0.4, "No": -1.5})
    assert decide(scoring, [], question, bias=0.0).word == "Yes"
    leaning = decide(scoring, [], question, bias=2.0)  # the model leans to Yes by 2 nats: a 1.1 lead is a No
    assert (leaning.word, leaning.margin, leaning.bias) == ("No", 1.1, 2.0)
    choice = parse("Was the agreement described as a success or failure?")
    scoring.queue_scores({"Success": -3.0, "Failure": -1.0})
    assert decide(scoring, [], choice, bias=5.0).word == "Failure"


def test_the_reply_is_written_after_the_decided_word_and_verified_like_any_other(scoring, monkeypatch):
    monkeypatch.setenv("RAG_VERDICT_BIAS", "2.0")
    get_settings.cache_clear()
    scoring.queue_scores({"Yes": -0.2, "No": -3.0})
    scoring.queue(". Microsoft and OpenAI formalized a new agreement on October 28, 2025.")
    answer = rag.ask(FORMALIZED)
    assert scoring.starts == ["Yes"] and answer.verdict.word == "Yes" and answer.verdict.margin == 2.8
    assert answer.text == "Yes. Microsoft and OpenAI formalized a new agreement on October 28, 2025 [1]."
    scoring.queue_scores({"Yes": -0.5, "No": -1.2})  # ahead by 0.7 nats, under the bias: No
    scoring.queue(", Microsoft bought OpenAI for $90 billion.")
    answer = rag.ask(FORMALIZED)
    assert scoring.starts[-1] == "No" and answer.refused  # and what follows the verdict is still checked


ROAR = "Cole Palmer scored a penalty to secure a draw for Chelsea against Manchester United, the Roar wrote."
GRILL = "Tessa Wullaert missed a decisive penalty in the shootout, Sport Grill reported on the night."


def _evidence():
    return build(
        [
            Passage(
                "r",
                "roar.txt",
                "Palmer rescues Chelsea",
                ROAR,
                0,
                len(ROAR),
                published="2023-11-12T10:00:00+00:00",
                outlet="The Roar",
            ),
            Passage(
                "g",
                "grill.txt",
                "Wullaert misses",
                GRILL,
                0,
                len(GRILL),
                published="2023-10-31T20:00:00+00:00",
                outlet="Sport Grill",
            ),
        ]
    )


def test_which_report_came_first_is_computed_from_the_passages_dates():
    evidence = _evidence()
    asked = "Did Sport Grill report on Tessa Wullaert missing a decisive penalty before The Roar reported on Cole Palmer scoring a penalty for Chelsea?"
    assert timeline.answer(timeline.asks_order(parse(asked)), evidence, 0.9)[0] == "Yes"
    after = asked.replace(" before ", " after ")
    assert timeline.answer(timeline.asks_order(parse(after)), evidence, 0.9)[0] == "No"
    failed = asked.replace("report on", "fail to report on", 1)
    assert timeline.answer(timeline.asks_order(parse(failed)), evidence, 0.9)[0] == "No"
    either = "Was Tessa Wullaert's missed penalty reported by Sport Grill before or after The Roar reported on Cole Palmer's penalty for Chelsea?"
    assert timeline.answer(timeline.asks_order(parse(either)), evidence, 0.9)[0] == "Before"
    # a side no passage states has no date to order by
    unstated = asked.replace("Tessa Wullaert missing a decisive penalty", "Sam Kerr scoring a hat-trick")
    assert timeline.answer(timeline.asks_order(parse(unstated)), evidence, 0.9) is None
    # "before the final" is an event, not a second report; a date is a time bound; "consistent" asks for a judgement
    assert timeline.asks_order(parse("Did Tessa Wullaert miss a penalty before the final?")) is None
    bound = "Did Sport Grill report on Tessa Wullaert before October 22, 2023, as The Roar reported?"
    assert timeline.asks_order(parse(bound)) is None
    judged = "Has Sport Grill's coverage remained consistent before The Roar reported on Cole Palmer?"
    assert timeline.asks_order(parse(judged)) is None


def test_an_order_question_is_answered_with_both_dated_citations_without_the_llm(tmp_path, scoring):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "roar.txt").write_text(
        f"---\ntitle: Palmer rescues Chelsea\nsource: The Roar\npublished: 2023-11-12\n---\n{ROAR}\n"
    )
    (corpus / "grill.txt").write_text(
        f"---\ntitle: Wullaert misses\nsource: Sport Grill\npublished: 2023-10-31\n---\n{GRILL}\n"
    )
    engine = Engine(Settings(data_dir=tmp_path / "data", corpus_dir=corpus, embed_model="hash", llm="scoring"))
    engine.index()
    answer = engine.ask(
        "Did The Roar report on Cole Palmer's penalty for Chelsea after Sport Grill reported that Tessa Wullaert missed a decisive penalty?"
    )
    assert answer.text == (
        "Yes: [1] (The Roar, November 12, 2023) was published after [2] (Sport Grill, October 31, 2023)."
    )
    assert {c.source for c in answer.citations} == {"roar.txt", "grill.txt"} and scoring.prompts == []
    answer = engine.ask(
        "Did The Roar report on Cole Palmer's penalty after Sport Grill reported on Sam Kerr's hat-trick?"
    )
    assert answer.refused and scoring.prompts == []  # one side unstated: no order, and no guess


def test_a_premise_no_passage_states_cannot_turn_into_yes(scoring):
    question = (
        "Did Microsoft and OpenAI formalize a new agreement on October 28, 2025, while Nvidia bought the Azure cloud "
        "from Oracle in 1999?"
    )
    scoring.queue_scores({"Yes": -0.1, "No": -3.0})  # the model is sure of Yes
    answer = rag.ask(question)
    assert answer.refused and answer.verdict.word == "Yes" and scoring.starts == []  # refused without writing on
    scoring.queue_scores({"Yes": -3.0, "No": -0.1})
    scoring.queue(".")
    answer = rag.ask(question)  # No: shown on the premise the passages do state, cited
    said = answer.source_sentence
    assert answer.text == f"No [1] — “{said}”" and "October 28, 2025" in said in answer.citations[0].quote


def test_yes_needs_every_premise_stated_and_nothing_after_a_refused_verdict_is_shown():
    text = "Microsoft and OpenAI formalized a new agreement on October 28, 2025. Azure hosts OpenAI's models."
    evidence = build([Passage("a#whole", "a.txt", "Microsoft and OpenAI", text, 0, len(text))])
    engine = Engine(get_settings())
    both = "Did Microsoft and OpenAI formalize a new agreement, and did Azure host OpenAI's models?"

    def allowed(word: str, question: str) -> bool:
        parsed = parse(question)
        return verdict.allowed(word, parsed, evidence, Citer(evidence, parsed, 0.5).premises())

    assert allowed("Yes", both)
    # the second premise is no sentence of the passage: the small model's "Yes" to it is refused
    half = "Did Microsoft and OpenAI formalize a new agreement, and did they merge their research teams into one lab?"
    assert not allowed("Yes", half) and allowed("No", half)
    reply = "Yes. The deal was formalized. Azure hosts OpenAI's models."
    answer = engine.answer(half, passages=evidence.passages, reply=reply).collect()
    assert answer.refused and [s.text for s in answer.dropped][:1] == ["Yes."]  # and the supported facts after it


def test_yes_to_what_two_names_both_are_needs_it_stated_of_each():
    bands = (
        "The New Pornographers is a Canadian indie rock band formed in 1997 in Vancouver.\n"
        "Kings of Leon is an American rock band that formed in Nashville in 1999.\n"
        "The Killers are an American rock band formed in Las Vegas in 2001."
    )
    evidence = build([Passage("k#1", "k.txt", "Bands", bands, 0, len(bands))])

    def allowed(question: str) -> bool:
        parsed = parse(question)
        return verdict.allowed("Yes", parsed, evidence, Citer(evidence, parsed, 0.5).premises())

    # the passage writes "American rock band", and both names: of one of them
    assert not allowed("Are both The New Pornographers and Kings of Leon American rock bands?")
    assert not allowed("Are The New Pornographers and Kings of Leon both American rock bands?")
    assert allowed("Are both Kings of Leon and The Killers American rock bands?")


def test_yes_to_a_judgement_of_how_reports_compare_is_not_shown():
    # each report is stated; whether they are "inconsistent" is the model's reading, and it says "Yes" to most
    a = "Microsoft and OpenAI formalized a new agreement on October 28, 2025, the report said."
    b = "The agreement between Microsoft and OpenAI was formalized in late October, the later report said."
    evidence = build([Passage("a#1", "a.txt", "Deal", a, 0, len(a)), Passage("b#1", "b.txt", "Deal", b, 0, len(b))])

    def allowed(word: str, question: str) -> bool:
        parsed = parse(question)
        return verdict.allowed(word, parsed, evidence, Citer(evidence, parsed, 0.5).premises())

    judged = "Was there inconsistency between the first report and the later report on the Microsoft-OpenAI agreement?"
    assert parse(judged).judges and not allowed("Yes", judged) and allowed("No", judged)
    changed = "Did the portrayal of the agreement between Microsoft and OpenAI change between the two reports?"
    assert parse(changed).judges and not allowed("Yes", changed)
    # a fact about the agreement, not a judgement of reports: held to its premises as any "Yes" is
    fact = "Did Microsoft and OpenAI formalize a new agreement?"
    assert not parse(fact).judges and allowed("Yes", fact)
    assert not parse("Did Microsoft agree to invest more in OpenAI?").judges


def test_publication_dates_are_compared_as_moments():
    from rag.timeline import moments

    a, b = moments("2023-10-10T20:00:00-04:00", "2023-10-10T22:00:00+00:00")
    assert a > b  # midnight UTC on the 11th comes after 22:00 UTC on the 10th, whatever the strings say
    a, b = moments("2023-10-05", "2023-10-05T00:00:00Z")
    assert a == b
    assert moments("Oct 5", "2023-10-05") == ("Oct 5", "2023-10-05")


def test_a_negation_inside_what_is_reported_does_not_turn_the_order_round():
    from rag.timeline import asks_order

    reported = "Did TechCrunch report that Apple did not confirm the layoffs before The Verge reported the cuts?"
    assert not asks_order(parse(reported)).negated
    failed = "Did TechCrunch fail to report the layoffs before The Verge reported the cuts?"
    assert asks_order(parse(failed)).negated
