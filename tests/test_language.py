"""The reader's language: a translation shown only when it translates back to what was verified; the form of a
question read from the reader's own words."""

import pytest

from rag.language import detect, dropped_names, foreign_words, localize_dates, restates
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


def test_a_changed_name_number_or_negation_fails_at_the_products_threshold_too():
    verified = "Microsoft invested $10 billion in OpenAI in January."
    assert restates(verified, verified, 0.5)
    for back in (
        "Microsoft invested $13 billion in OpenAI in January.",
        "Google invested $10 billion in OpenAI in January.",
        "Microsoft did not invest $10 billion in OpenAI in January.",
        "Microsoft invested $10 billion in OpenAI in March.",
    ):
        assert not restates(back, verified, 0.5), back  # each caps the score at 0.5, which passed before


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
        ("Perché l'accordo preoccupa l'Europa?", "it", True),
        ("L'accordo riguarda solo i soldi?", "it", False),
        ("Por que o acordo preocupa a Europa?", "pt", True),
        ("O acordo é só uma questão de dinheiro?", "pt", False),
    ],
)
def test_the_readers_question_word_is_found_in_their_language(question, language, asks):
    assert asks_for_a_fact(question, language) is asks


@pytest.mark.parametrize(
    ("question", "language"),
    [
        ("Who is OpenAI's exclusive cloud provider?", "en"),
        ("Is Como in Italy?", "en"),  # a name that is a Portuguese word
        ("Qui est le fournisseur de cloud exclusif d'OpenAI ?", "fr"),
        ("¿Quién es el proveedor de nube exclusivo de OpenAI?", "es"),
        ("Wer ist der exklusive Cloud-Anbieter von OpenAI?", "de"),
        ("Quanti dipendenti ha OpenAI secondo l'articolo?", "it"),  # not Spanish for its "ha"
        ("Chi è il fornitore cloud esclusivo di OpenAI?", "it"),
        ("Qual é o fornecedor de nuvem exclusivo da OpenAI?", "pt"),
        ("O que a Microsoft vai integrar no Office?", "pt"),
        # typed without accents: the same words, and a mark of one language where the words tie
        ("Cuando firmaron el acuerdo Microsoft y OpenAI?", "es"),
        ("Donde esta la sede de OpenAI?", "es"),  # not French for its "la" and "de"
        ("Cuanto invirtio Microsoft?", "es"),
        ("Combien a investi Microsoft ?", "fr"),
        ("Qual e a data do acordo?", "pt"),
        ("¿Que nube de Microsoft aloja los modelos de OpenAI?", "es"),  # "que", "de": French too, but for the "¿"
        ("Is a deal a deal?", "en"),
    ],
)
def test_the_readers_language_is_told_from_the_questions_function_words(question, language):
    assert detect(question) == language


def test_a_date_is_written_the_readers_way_in_each_language():
    assert localize_dates("On October 28, 2025.", "it") == "On 28 ottobre 2025."
    assert localize_dates("On October 28, 2025.", "pt") == "On 28 de outubro de 2025."


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


@pytest.mark.parametrize(
    ("translation", "verified", "dropped"),
    [
        (  # the multilingual set's dev garble: "Azure" and the computing power left out, passed by the way back
            "Les infrastructures de cloud Microsoft fournissent le nécessaire pour les modèles d'OpenAI.",
            "Microsoft's Azure cloud infrastructures provide the necessary computing power for OpenAI's models.",
            ["Azure"],
        ),
        (
            "Die Artikel erwähnt die Office Suite und die Azure Cloud Lösungen.",
            "It names the Office suite and Azure.",
            [],
        ),
        ("La soberanía digital y la dependencia de actores estadounidenses.", "Reliance on American actors.", []),
        (
            "Dépendance aux acteurs européens, depuis le 28 octobre.",
            "Reliance on European actors since October 28.",
            [],
        ),
    ],
)
def test_a_translation_writes_every_name_of_the_verified_answer(translation, verified, dropped):
    assert dropped_names(translation, verified) == dropped
