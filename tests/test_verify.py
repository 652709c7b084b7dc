"""The checker: names, numbers, negation, acronyms and hyphenated words; and the claim-level check, an answer as an
answer to the question, through the same seam the product uses (parse -> build -> grounding.check)."""

import pytest

from rag import grounding
from rag.evidence import build
from rag.lexicon import keys, negated, terms
from rag.question import parse
from rag.settings import Settings
from rag.types import Passage
from rag.verify import score

EVIDENCE = (
    "The agreement extends Microsoft s position as OpenAI s exclusive cloud provider. While the headlines focus on "
    "a multi year multi billion dollar investment, this isnt just a financial transaction. "
    "For the European market, it raises questions around digital sovereignty. The U.S. firm sells R&B records."
)


def test_a_name_the_evidence_does_not_state_caps_support():
    assert score("Microsoft is OpenAI's exclusive cloud provider.", EVIDENCE) == 1.0
    assert score("Google is OpenAI's exclusive cloud provider.", EVIDENCE) <= 0.5
    assert score("The agreement was formalized on November 28, 2025.", "It was formalized on October 28, 2025.") <= 0.5


def test_another_form_of_a_name_counts_as_stated():
    assert score("It raises questions about digital sovereignty in Europe.", EVIDENCE) >= 0.6
    assert score("It raises questions about digital sovereignty in Eurasia.", EVIDENCE) <= 0.5


def test_hyphens_separate_words_and_acronyms_stay_whole():
    assert score("It is a multi-year, multi-billion dollar investment.", EVIDENCE) == 1.0
    assert [t.key for t in terms("The U.S. firm")] == ["us", "firm"]
    assert "r&b" in keys(EVIDENCE) and score("The firm sells R&B records.", EVIDENCE) == 1.0


def test_negation_without_apostrophe_is_negation():
    assert negated("this isnt just a deal") and negated("it doesn't") and not negated("it is a deal")
    assert score("It is not just a financial transaction.", EVIDENCE) == 1.0
    assert score("It is not a cloud provider.", "It is a cloud provider.") <= 0.5


def test_wrong_numbers_and_empty_claims():
    assert score("The investment was 13 billion dollars.", EVIDENCE) <= 0.5
    assert score("", EVIDENCE) == 0.0 and score("the of and", EVIDENCE) == 0.0


THRESHOLD = Settings.model_fields["support_threshold"].default  # what the product ships
WIMBLEDON = (
    "The tournament is sponsored by Rolex. "
    "Simona Halep won the women's singles title at Wimbledon in 2019, beating Serena Williams in the final. "
    "A year earlier, in 2018, Angelique Kerber won the women's singles title. "
    "Its partner bank is Barclays."
)


def check(answer: str, question: str, *texts: str) -> float:
    passages = [Passage(f"p{i}#0", f"p{i}.txt", "", t, 0, len(t)) for i, t in enumerate(texts)]
    return grounding.check(answer, build(passages), parse(question)).score


def test_the_constraint_year_must_be_the_one_the_span_states():
    q = "Who took the women's singles crown at Wimbledon in 2019?"
    assert check("Simona Halep", q, WIMBLEDON) >= THRESHOLD
    # another year's winner: the passage names her, but for 2018
    assert check("Angelique Kerber", q, WIMBLEDON) <= 0.5
    # and with only the other year's passage retrieved, still not support
    assert check("Angelique Kerber", q, "In 2018, Angelique Kerber won the women's singles title at Wimbledon.") <= 0.5


@pytest.mark.xfail(
    strict=True,
    reason="a known limit: the verifier reads no relation, so a name its span states in another relation is shown "
    "(the share of the question's words a cited span states separated right from wrong replies with AUC 0.53)",
)
def test_a_name_present_but_for_another_relation_is_not_support():
    q = "Which bank is the tournament's partner at Wimbledon?"
    assert check("Barclays", q, WIMBLEDON) >= THRESHOLD
    assert check("Rolex", q, WIMBLEDON) < check("Barclays", q, WIMBLEDON)  # named, but not as the partner bank


def test_a_paraphrased_question_still_finds_its_support():
    text = "The agreement extends Microsoft's position as OpenAI's exclusive cloud provider on Azure."
    assert check("Microsoft", "Which firm is the sole company hosting OpenAI in the cloud?", text) >= THRESHOLD
    assert check("Google", "Which firm is the sole company hosting OpenAI in the cloud?", text) <= 0.5


def test_negation_in_the_answer_needs_negation_in_the_span():
    q = "Did Microsoft buy OpenAI?"
    assert check("Microsoft did not buy OpenAI.", q, "Microsoft bought OpenAI last year.") <= 0.5
    assert check("Microsoft did not buy OpenAI.", q, "Microsoft did not buy OpenAI; it invested in it.") >= THRESHOLD


def test_letter_digit_names_are_one_term_not_stray_numbers():
    assert [t.key for t in terms("H5N1 reached the G7 and 3M")] == ["h5n1", "reach", "g7", "3m"]
    q = "Which type of animal recently tested positive for H5N1 bird flu for the first time? Options: Dog; Alpaca."
    text = "A group of alpacas tested positive for H5N1 bird flu on May 16, the first known infection in alpacas."
    assert check("Alpaca", q, text) >= THRESHOLD  # "5" and "1" were once numbers the span had to state


def test_an_option_the_question_lists_is_an_answer_even_with_digits():
    q = "What is the starting price of the Cyberbeast? Options: $49,890; $96,390; $79,990."
    text = "The Cyberbeast version starts at $96,390, the company said."
    assert check("$96,390", q, text) >= THRESHOLD
    assert check("$49,890", q, text) <= 0.5  # an option the span does not state


def test_a_multi_hop_question_is_answered_by_a_span_stating_one_of_its_clauses():
    q = (
        "Which company, expected to focus on Macs and new chipsets at the Scary Fast event according to Engadget, "
        "is also known for protecting user privacy while partnering with Google, as reported by The Verge, and is "
        "recognized by TechCrunch for introducing products that refine and polish the lessons learned from competitors' "
        "failures and for enforcing uniform terms through its store and payment system?"
    )
    engadget = "Apple's focus during the Scary Fast event will be on Macs and a fresh batch of chipsets to power them."
    techcrunch = (
        "TechCrunch says Apple's products refine and polish the lessons learned from the failures of competitors, "
        "and it enforces uniform terms through its store and payment system."
    )
    assert len(parse(q).clauses) >= 3  # each clause describes the answer as one article does
    # as in MultiHop-RAG, each article comes with its outlet ("according to Engadget" names the outlet)
    articles = [("Engadget", engadget), ("TechCrunch", techcrunch), ("Reuters", "Rolex sponsors the tournament.")]
    passages = [Passage(f"p{i}#0", f"p{i}.txt", "", t, 0, len(t), outlet=o) for i, (o, t) in enumerate(articles)]
    evidence = build(passages)
    # no one sentence states every clause; the span that names Apple, in Engadget's article, states the Engadget one
    # (the question names several outlets: another report names Apple too, or it is refused, test_grounding)
    assert grounding.check("Apple", evidence, parse(q)).score >= THRESHOLD
    # a name the span states, in an article that names none of the clauses' names, is still no answer
    assert grounding.check("Rolex", evidence, parse(q)).score <= 0.5
    assert not parse("Who won the women's singles title at Wimbledon in 2019?").clauses


def _passages(*texts: str) -> list[Passage]:
    return [Passage(f"p{i}#0", f"p{i}.txt", "", t, 0, len(t)) for i, t in enumerate(texts)]


def test_a_date_written_in_digits_states_its_month_alone():
    """'27 October 2025' is stated by '27 10 2025' itself, not by joining it to another passage's 'October'."""
    passage = (
        "For a deeper dive into the specifics of this groundbreaking partnership you can read the full article "
        "published on 27 10 2025 23 00 00 here."
    )
    other = "On October 28, 2025, Microsoft and OpenAI formalized a new strategic agreement."
    evidence = build(_passages(passage, other))
    got = grounding.check(
        "27 October 2025", evidence, parse("When was the full-length piece about this partnership put online?")
    )
    assert got.score >= 0.9 and [sp.passage for sp in got.spans] == [0]
    assert {"27", "octob", "2025"} <= keys("published on 2025-10-27") and "octob" in keys("on 10/27/2025")
    assert "june" not in keys("filed on 05 06 2025") and "may" not in keys("filed on 05 06 2025")  # order unknown


def test_an_ordinal_or_a_measure_is_one_number_however_written():
    """'7th' and 'Seventh' are one number (HaluEval-QA dev: the right answer was refused, the question's '7th' read
    as 7 and a word 'th' that the passage never states), as '80m' and '80 m' are; a day written '28th' is still the
    28 of '28 October'."""
    text = "750 Seventh Avenue is a tall office skyscraper in New York City."
    question = "750 7th Avenue is located in which city?"
    assert check("New York City", question, text) >= 0.9
    assert check("New York City", "750 8th Avenue is located in which city?", text) == 0.0  # another avenue
    assert [t.key for t in terms("the second season, the 2nd season")] == ["2nd", "season", "2nd", "season"]
    assert terms("the 80m hurdles")[0].key == terms("the 80 m hurdles")[0].key == "80"  # a measure is its number
    assert terms("3M and G7")[0].key == "3m"  # a name, not a measure
    assert (
        "28" in keys("on October 28th")
        and check("October 28, 2025", "When was it signed?", "It was signed on 28th October 2025.") >= 0.9
    )


def test_a_year_that_is_the_answer_is_not_another_year_than_the_one_asked():
    text = (
        "The 2016 Marrakesh ePrix was won by Sébastien Buemi, who started from the seventh position. "
        "Sébastien Buemi (born 31 October 1988) is a Swiss racing driver."
    )
    question = "What year was the winner of the 2016 Marrakesh ePrix born?"
    assert check("1988", question, text) > 0.5  # was capped at 0.5: 1988 read as a year other than 2016
    assert check("1987", question, text) == 0.0
    # the rule still holds for a year beside the answer: another year's winner
    wimbledon = "In 2018, Angelique Kerber won the women's singles title at Wimbledon. Simona Halep won in 2019."
    assert check("Angelique Kerber", "Who won the women's singles title at Wimbledon in 2019?", wimbledon) <= 0.5
