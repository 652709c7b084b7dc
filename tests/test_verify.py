"""The lexical checker: names, numbers, negation, acronyms and hyphenated words."""

from rag.verify import keys, negated, score, terms

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
