"""The reader's language: a translation shown only when it translates back to what was verified; the form of a
question read from the reader's own words."""

import pytest

from rag.language import foreign_words, restates
from rag.question import asks_for_a_fact, parse


@pytest.mark.parametrize(
    ("back", "verified", "same"),
    [
        ("Several years.", "Several years", True),
        ("Azure OpenAI Service", "Azure OpenAI Service", True),  # a name kept
        ("Office suite", "The Office suite", True),
        ("Many years", "Several years", False),  # a word changed
        ("Specialized computing systems", "Specialized supercomputing systems", False),  # a word dropped
        ("The Microsoft Office suite", "The Office suite", False),  # a name added
        ("No.", "Yes.", False),
    ],
)
def test_a_translation_restates_the_verified_answer_only_when_nothing_checked_changed(back, verified, same):
    assert restates(back, verified, 0.9) is same


@pytest.mark.parametrize(
    ("question", "language", "asks"),
    [
        ("Contre quel type de biais les deux entreprises se protègent-elles ?", "fr", True),
        ("Que veut Microsoft ?", "fr", True),
        ("Est-ce que Microsoft est le seul fournisseur de cloud d'OpenAI ?", "fr", False),  # "que" of "est-ce que"
        ("que hace falta para que dure", "es", True),
        ("¿El acuerdo es solo cuestión de dinero?", "es", False),
        ("Von Firmen aus welchem Land droht Europa abhängig zu werden?", "de", True),
        ("Wird bei der Kooperation auch an den Datenschutz gedacht?", "de", False),
    ],
)
def test_the_readers_question_word_is_found_in_their_language(question, language, asks):
    assert asks_for_a_fact(question, language) is asks


def test_a_readers_yes_no_question_stays_yes_no():
    assert parse("Wird an den Datenschutz gedacht?", "Is data protection considered?", "de").form == "yes-no"
    assert parse("Was wollen die Firmen?", "Did the firms want it?", "de").form == "open"


@pytest.mark.parametrize(
    ("translation", "verified", "language", "foreign"),
    [
        (  # names kept as written, "cloud" a common French word
            "Les modèles GPT ont déjà été intégrés dans le cloud de Microsoft.",
            "GPT models have already been integrated into the Microsoft cloud.",
            "fr",
            [],
        ),
        ("La souveraineté numérique et la dépendance aux acteurs américains.", "Digital sovereignty.", "fr", []),
        (
            "La sovereignty numérique et la dépendance aux acteurs américains.",
            "Digital sovereignty.",
            "fr",
            ["sovereignty"],
        ),
        ("La soberanía digital y la dependencia de actores estadounidenses.", "Digital sovereignty.", "es", []),
        ("Die digitale Sovereigenswürde Europas.", "The digital sovereignty of Europe.", "de", ["Sovereigenswürde"]),
        ("Die Suchmaschinenwerbung von Microsoft.", "Microsoft search engine advertising.", "de", []),  # a compound
    ],
)
def test_a_translation_may_use_only_words_of_the_readers_language_and_the_answers_names(
    translation, verified, language, foreign
):
    assert foreign_words(translation, verified, language) == foreign
