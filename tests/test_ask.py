"""ask(): verified, cited answers over the seeds with a queued fake LLM; refusals; bad questions; streaming."""

import json

import pytest
from conftest import SEEDS

import rag
from rag import REFUSAL, BadQuestion, prompts, refusal
from rag.language import to_reader
from rag.settings import get_settings
from rag_cli import main as cli


def test_supported_answer_is_cited_with_exact_source_span(llm):
    llm.queue("Microsoft and OpenAI formalized their new agreement on October 28, 2025 [2].")
    answer = rag.ask("On what date did Microsoft and OpenAI formalize their new agreement?")
    assert not answer.refused
    assert answer.text == "Microsoft and OpenAI formalized their new agreement on October 28, 2025 [1]."
    (c,) = answer.citations
    assert c.source == "004_c32bc8aee1998fbf.txt"
    source_text = (SEEDS / c.source).read_text()
    assert source_text[c.start : c.end] == c.quote
    assert "October 28, 2025" in c.quote
    assert c.chunk_id in {p.chunk_id for p in answer.passages}
    assert answer.timings.total_s >= answer.timings.first_token_s > 0


def test_invented_sentence_is_dropped_and_reported(llm):
    llm.queue("The agreement was formalized on October 28, 2025. Microsoft holds a 49% stake in OpenAI.")
    answer = rag.ask("When was the agreement formalized and what stake does Microsoft hold?")
    assert "October 28, 2025" in answer.text and "49%" not in answer.text
    assert [d.text for d in answer.dropped] == ["Microsoft holds a 49% stake in OpenAI."]
    assert not answer.dropped[0].supported


def test_unsupported_answer_becomes_the_fixed_refusal(llm):
    llm.queue("Sam Altman announced the agreement.")
    answer = rag.ask("Who announced the agreement?")
    assert answer.refused and answer.text == REFUSAL and answer.citations == ()
    assert answer.raw == "Sam Altman announced the agreement."
    assert [d.text for d in answer.dropped] == ["Sam Altman announced the agreement."]


def test_refusal_of_an_answer_the_articles_state_in_other_words_is_unverified_with_its_nearest_span(llm):
    # the reply repeats the reader's "tie-up" and "part of", which the sentence it rests on writes otherwise: the
    # verifier cannot tell it from a real fact cited for another question, so it is refused, but not as absent
    llm.queue("The tie-up is part of the broader trend of consolidation among major AI players.")
    answer = rag.ask("What industry-wide shift is this tie-up part of?")
    assert answer.refused and answer.text == REFUSAL and answer.citations == ()
    assert answer.unverified and answer.dropped[0].reason == "off-topic: repeated"
    (near,) = answer.nearest
    assert near.quote.startswith("The strengthening of the Microsoft-OpenAI partnership fits into a broader trend")
    assert (SEEDS / near.source).read_text()[near.start : near.end] == near.quote


@pytest.mark.parametrize(
    ("reply", "question", "reason"),
    [
        ("Sam Altman announced the agreement.", "Who announced the agreement?", "invented"),
        ("The agreement was announced.", "Who announced the agreement?", "restates"),
        ("The articles do not mention who announced it.", "Who announced the agreement?", "meta"),
        ("NOT IN ARTICLES", "Who announced the agreement?", "meta"),
    ],
)
def test_refusal_of_an_invented_or_empty_reply_says_the_articles_lack_the_answer(llm, reply, question, reason):
    llm.queue(reply)
    answer = rag.ask(question)
    assert answer.refused and answer.text == REFUSAL
    assert not answer.unverified and answer.nearest == ()
    assert [d.reason for d in answer.dropped] == [reason]


def test_vetoed_yes_is_an_unverified_refusal(llm):
    llm.queue("Yes, the deal keeps people's data private.")  # the fake cannot score: its verdict is its first word
    answer = rag.ask("Does the deal include steps to keep people's data private?")
    assert answer.refused and answer.unverified  # the verdict was the model's; its premise is only reworded there
    assert answer.dropped[0].text.startswith("Yes") and answer.dropped[0].reason not in refusal.ABSENT


def test_question_in_words_no_article_uses_reaches_the_llm_and_is_answered(llm):
    llm.queue("Microsoft's Azure.")  # "firm" appears in no article: a paraphrase is not a reason to refuse
    answer = rag.ask("Which firm hosts OpenAI's models?")
    assert not answer.refused and answer.text.startswith("Microsoft's Azure [")
    assert len(llm.prompts) == 1


def test_answer_naming_what_no_passage_states_is_refused(llm):
    llm.queue("Sam Altman.")
    answer = rag.ask("Who is the CEO of OpenAI?")
    assert answer.refused and answer.text == REFUSAL
    assert [d.text for d in answer.dropped] == ["Sam Altman."]
    assert answer.passages  # what was retrieved is still shown


def test_compound_question_with_one_answerable_part_is_answered(llm):
    llm.queue("The agreement was formalized on October 28, 2025.")
    answer = rag.ask("When was the agreement formalized, and who is the CEO of OpenAI?")
    assert not answer.refused
    assert "October 28, 2025" in answer.text


def test_model_saying_not_found_is_a_refusal(llm):
    llm.queue("NOT IN ARTICLES")
    answer = rag.ask("What is the price of the deal?")
    assert answer.refused and answer.text == REFUSAL


def test_prompt_holds_passages_and_question_but_no_model_citations_are_trusted(llm):
    llm.queue("Azure hosts OpenAI's models [7].")
    answer = rag.ask("Which cloud hosts OpenAI's models?")
    system, user = llm.prompts[0]
    assert "only the numbered passages" in system.content
    assert "Question: Which cloud hosts OpenAI's models?" in user.content
    assert "[7]" not in answer.text and "[1]" in answer.text


def test_streaming_yields_verified_sentences_then_the_answer(llm):
    llm.queue("The agreement was formalized on October 28, 2025. Microsoft owns 100% of OpenAI. It covers Azure.")
    stream = rag.ask_stream("Tell me about the agreement.")
    pieces = list(stream)
    assert pieces[0].startswith("The agreement was formalized on October 28, 2025 [")
    assert "".join(pieces) == stream.answer.text
    assert all("100%" not in p for p in pieces)


def test_worked_examples_come_before_an_open_question_only_when_asked_for(llm, monkeypatch):
    llm.queue("October 28, 2025", "October 28, 2025")
    rag.ask("When did Microsoft and OpenAI formalize their agreement?")
    assert [m.role for m in llm.prompts[0]] == ["system", "user"]  # off by default
    monkeypatch.setenv("RAG_ANSWER_EXAMPLES", "true")
    get_settings.cache_clear()
    rag.ask("When did Microsoft and OpenAI formalize their agreement?")
    system, *examples, user = llm.prompts[1]
    assert [m.role for m in examples] == ["user", "assistant", "user", "assistant"]
    assert "Elm Street bridge" in examples[0].content and examples[3].content == prompts.NOT_FOUND
    assert "Question: When did Microsoft and OpenAI formalize their agreement?" in user.content


def test_follow_up_is_rewritten_before_retrieval(llm):
    llm.queue("When did Microsoft and OpenAI formalize their agreement?", "They formalized it on October 28, 2025.")
    answer = rag.ask(
        "and when was it signed?", history=[("What did Microsoft and OpenAI agree?", "A partnership [1].")]
    )
    assert answer.standalone_question == "When did Microsoft and OpenAI formalize their agreement?"
    assert "What did Microsoft and OpenAI agree?" in llm.prompts[0][0].content
    assert not answer.refused


@pytest.mark.parametrize(
    ("question", "message"),
    [("", "empty"), ("   \n\t ", "empty"), ("\x00\x01", "empty"), ("x" * 100_000, "limit is 2,000")],
)
def test_bad_questions_raise_actionable_errors(llm, question, message):
    with pytest.raises(BadQuestion, match=message):
        rag.ask(question)
    assert llm.prompts == []


def test_a_spanish_question_is_answered_in_spanish_verified_in_english(llm):
    llm.queue(
        "When did Microsoft and OpenAI sign the agreement?",  # the question, in the articles' language
        "Microsoft and OpenAI formalized a new strategic agreement on October 28, 2025.",  # answered and verified
        "Microsoft y OpenAI formalizaron un nuevo acuerdo estratégico el 28 de octubre de 2025.",  # shown
        "Microsoft and OpenAI formalized a new strategic agreement on October 28, 2025.",  # translated back: checked
    )
    answer = rag.ask("¿Cuándo firmaron Microsoft y OpenAI el acuerdo?")
    assert not answer.refused and answer.language == "es"
    assert answer.text.startswith("Microsoft y OpenAI formalizaron un nuevo acuerdo estratégico el 28 de octubre")
    assert "[1]" in answer.text and answer.text.endswith(prompts.TRANSLATED["es"])
    assert answer.claim == "Microsoft and OpenAI formalized a new strategic agreement on October 28, 2025 [1]."
    assert answer.standalone_question == "When did Microsoft and OpenAI sign the agreement?"
    assert answer.citations[0].source == "004_c32bc8aee1998fbf.txt" and "October 28, 2025" in answer.citations[0].quote
    # the question was translated with the rule and worked examples first, the reader's words last
    translation = llm.prompts[0]
    assert "from Spanish into English" in translation[0].content and len(translation) == 8
    assert translation[-1].content == "¿Cuándo firmaron Microsoft y OpenAI el acuerdo?"
    # retrieval and the answer were asked in English; the reader's text only went to the translator
    assert "When did Microsoft and OpenAI sign the agreement?" in llm.prompts[1][-1].content
    assert "28 de octubre de 2025" in llm.prompts[2][-1].content  # the date written by rule before translating


def test_a_translation_that_does_not_translate_back_to_the_verified_answer_is_not_shown(llm):
    llm.queue(
        "How long have Microsoft and OpenAI been working together?",
        "Several years",  # verified: "For several years, Microsoft and OpenAI have been forging a close relationship"
        "Viele Jahre",  # the translation changed a word the verifier checked ...
        "Many years",  # ... as translating it back shows
    )
    answer = rag.ask("Wie lange arbeiten Microsoft und OpenAI schon eng zusammen?")
    assert not answer.refused and answer.claim == "Several years [1]"
    # the verified English, labelled so, with the article's sentence that states it (a bare answer)
    said = answer.source_sentence
    assert (
        said.startswith("For several years, Microsoft and OpenAI have been forging")
        and said in answer.citations[0].quote
    )
    assert answer.text == f"Several years [1] — “{said}” {prompts.UNCHECKED['de']}"
    assert "Viele Jahre" in llm.prompts[3][-1].content  # the way back was asked of the shown translation


def test_how_closely_a_translation_must_come_back_is_its_own_setting(llm, monkeypatch):
    from rag import get_settings

    # "hérite" (inherits) for "hosts": translated back, 5 of the answer's 6 weighted words come back (0.83)
    replies = (
        "Which cloud service provider hosts OpenAI's models?",
        "Microsoft hosts OpenAI's models.",
        "Microsoft hérite les modèles d'OpenAI.",
        "Microsoft inherits the models of OpenAI.",
    )
    question = "Quel service cloud héberge les modèles d'OpenAI ?"
    llm.queue(*replies)
    assert rag.ask(question).text.startswith("Microsoft hérite")  # the default bar (0.5), as the verifier's
    monkeypatch.setenv("RAG_TRANSLATION_THRESHOLD", "0.9")
    get_settings.cache_clear()
    llm.queue(*replies)
    answer = rag.ask(question)
    assert answer.text.startswith("Microsoft hosts OpenAI's models [1]") and answer.text.endswith(
        prompts.UNCHECKED["fr"]
    )
    monkeypatch.setenv("RAG_SUPPORT_THRESHOLD", "0.9")  # the verifier's bar does not move the translation's
    monkeypatch.setenv("RAG_TRANSLATION_THRESHOLD", "0.5")
    get_settings.cache_clear()
    llm.queue(*replies)
    assert rag.ask(question).text.startswith("Microsoft hérite")


def test_a_translation_left_half_in_english_is_not_shown(llm):
    llm.queue(
        "What questions does the collaboration raise for the European market?",
        "It raises questions around digital sovereignty and dependence on American actors.",  # verified
        "Elle soulève des questions sur la sovereignty numérique.",  # an English word French lacks, left in
    )
    answer = rag.ask("Quelles questions la collaboration soulève-t-elle pour le marché européen ?")
    assert not answer.refused and answer.claim.startswith("It raises questions around digital sovereignty")
    assert answer.text.endswith(prompts.UNCHECKED["fr"]) and "numérique" not in answer.text
    assert len(llm.prompts) == 3  # no translation back was asked: the words alone showed it


def test_a_wh_question_stays_open_when_its_translation_reads_as_yes_no(llm):
    llm.queue("Did both companies plan to establish themselves worldwide?", "Yes.")
    answer = rag.ask("Was wollen die beiden Firmen weltweit etablieren?")
    assert answer.refused and answer.text == prompts.REFUSALS["de"]  # a bare "Ja" answers no "Was ...?"
    assert "yes/no" not in llm.prompts[1][-1].content


def test_a_bare_verdict_is_translated_by_rule(llm):
    assert to_reader(llm, "No.", "fr") == "Non." and to_reader(llm, "Yes", "de") == "Ja."
    assert llm.prompts == []


def test_a_date_answer_is_written_the_readers_way_without_a_translation_call(llm):
    llm.queue("When did Microsoft and OpenAI conclude their new agreement?", "October 28, 2025")
    answer = rag.ask("Quand Microsoft et OpenAI ont-ils conclu leur nouvel accord ?")
    said = answer.source_sentence  # a bare answer is followed by its article's sentence, untranslated like a quote
    assert (
        said.startswith("On October 28, 2025, Microsoft and OpenAI formalized")
        and answer.claim == "October 28, 2025 [1]"
    )
    assert answer.text == f"28 octobre 2025 [1] — “{said}” {prompts.TRANSLATED['fr']}"
    assert len(llm.prompts) == 2  # the question's translation and the answer: a date needs no translator


def test_a_french_question_the_articles_do_not_answer_is_refused_in_french(llm):
    llm.queue("Who runs OpenAI?", "NOT IN ARTICLES")
    answer = rag.ask("Qui dirige OpenAI ?")
    assert answer.refused and answer.text == prompts.REFUSALS["fr"] and answer.claim == ""
    assert len(llm.prompts) == 2  # nothing to translate back


def test_an_italian_question_is_refused_in_italian_not_in_spanish(llm):
    # "ha", "secondo": Italian shares words with Spanish; it was once taken for it
    llm.queue("How many employees does OpenAI have according to the article?", "NOT IN ARTICLES")
    answer = rag.ask("Quanti dipendenti ha OpenAI secondo l'articolo?")
    assert answer.refused and answer.language == "it" and answer.text == prompts.REFUSALS["it"]
    assert "Italian" in llm.prompts[0][0].content  # the question was rewritten from Italian


def test_an_english_follow_up_that_stands_alone_is_not_rewritten(llm):
    llm.queue("Microsoft and OpenAI formalized a new strategic agreement on October 28, 2025.")
    history = [("Which cloud hosts OpenAI's models?", "Azure [1].")]
    answer = rag.ask("On what date did Microsoft and OpenAI formalize a new agreement?", history=history)
    assert not answer.refused and len(llm.prompts) == 1 and answer.standalone_question is None


def test_cli_ask_json_and_errors(llm, capsys):
    llm.queue("Microsoft and OpenAI formalized a new strategic agreement on October 28, 2025.")
    assert cli(["ask", "When was the agreement formalized?", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["refused"] is False and data["citations"][0]["source"] == "004_c32bc8aee1998fbf.txt"
    assert cli(["ask", " "]) == 2
    assert "empty" in capsys.readouterr().err


def test_cli_shows_an_unverified_refusals_nearest_passage_as_no_citation(llm, capsys):
    llm.queue("The tie-up is part of the broader trend of consolidation among major AI players.")
    assert cli(["ask", "What industry-wide shift is this tie-up part of?"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == REFUSAL and "[1]" not in "\n".join(out)
    assert out[1] == f"  ({prompts.UNVERIFIED})"
    assert out[2].startswith("  nearest passage, not verified: 004_c32bc8aee1998fbf.txt chars ")
    assert "fits into a broader trend of consolidation" in out[2]


def test_cli_asking_in_a_row_keeps_the_conversation_as_the_chat_window_does(llm, capsys, monkeypatch):
    typed = iter(["Which cloud hosts OpenAI's models?", "and when was its deal signed?", ""])
    monkeypatch.setattr("builtins.input", lambda _prompt: next(typed))
    llm.queue(
        "Azure hosts OpenAI's models.",
        "When did Microsoft and OpenAI formalize their agreement?",  # the follow-up, rewritten to stand alone
        "They formalized it on October 28, 2025.",
    )
    assert cli(["ask"]) == 0
    out = capsys.readouterr().out
    assert "Azure hosts OpenAI's models [1]." in out and "October 28, 2025 [1]" in out
    rewrite = llm.prompts[1][0].content
    assert (
        "User: Which cloud hosts OpenAI's models?" in rewrite
        and "Assistant: Azure hosts OpenAI's models [1]." in rewrite
    )


def test_cli_index_and_docs(llm, capsys):
    assert cli(["index"]) == 0
    assert "2 added" in capsys.readouterr().out
    assert cli(["index"]) == 0
    assert "2 unchanged" in capsys.readouterr().out
    assert cli(["docs"]) == 0
    assert "004_c32bc8aee1998fbf.txt" in capsys.readouterr().out
    assert cli(["remove", "nope.txt"]) == 2


def test_yes_no_verdict_is_shown_only_in_front_of_a_supported_fact(llm):
    llm.queue("Yes. Microsoft and OpenAI formalized a new agreement on October 28, 2025.")
    answer = rag.ask("Did Microsoft and OpenAI formalize a new agreement in October 2025?")
    assert answer.text == "Yes. Microsoft and OpenAI formalized a new agreement on October 28, 2025 [1]."
    llm.queue("No. Microsoft bought OpenAI for $90 billion.")
    answer = rag.ask("Did Microsoft and OpenAI formalize a new agreement in October 2025?")
    assert answer.refused and answer.text == REFUSAL
    # "No." is a sentence of its own, as "Yes." is: dropped with the reason nothing supports, and not shown bare,
    # as the passages state the question's premise
    assert [d.text for d in answer.dropped] == ["Microsoft bought OpenAI for $90 billion.", "No."]
    llm.queue("Yes, Microsoft holds a 49% stake in OpenAI.")  # the verdict does not excuse the invented number
    assert rag.ask("Does Microsoft hold a stake in OpenAI?").refused


def test_bare_yes_to_an_open_question_is_no_answer_and_the_prompt_says_how_to_begin(llm):
    llm.queue("Yes. Azure hosts OpenAI's models.")
    answer = rag.ask("Which cloud hosts OpenAI's models?")
    assert answer.text == "Azure hosts OpenAI's models [1]." and [d.text for d in answer.dropped] == ["Yes."]
    assert prompts.OPEN_FORM in llm.prompts[-1][-1].content and "the answer itself" in prompts.OPEN_FORM
    llm.queue("Yes. Azure hosts OpenAI's models.")
    rag.ask("Does Azure host OpenAI's models?")
    assert 'begin your answer with "Yes." or "No."' in llm.prompts[-1][-1].content


def test_either_or_question_is_answered_with_one_of_its_options(llm):
    question = "Was the Microsoft and OpenAI agreement of October 28, 2025 described as a success or failure?"
    llm.queue("Success.")
    answer = rag.ask(question)
    said = answer.source_sentence  # the sentence of the article stating the premise, after the bare verdict
    assert answer.text == f"Success [1] — “{said}”" and "October 28, 2025" in said in answer.citations[0].quote
    assert "begin your answer with one of those two words" in llm.prompts[-1][-1].content
    llm.queue("Yes.")  # no answer to an either-or question
    assert rag.ask(question).refused
    # the options are the verdict, not facts the articles must use: no article says "triumphant" or "disastrous"
    llm.queue("Triumphant.")
    answer = rag.ask("Was the OpenAI agreement described as triumphant or disastrous?")
    assert answer.text == f"Triumphant [1] — “{answer.source_sentence}”" and answer.source_sentence


def test_bare_verdict_stands_only_on_passages_stating_the_questions_premises(llm):
    llm.queue("Yes.")
    answer = rag.ask("Did Microsoft and OpenAI formalize a new agreement on October 28, 2025?")
    assert answer.text == f"Yes [1] — “{answer.source_sentence}”" and not answer.refused
    assert answer.source_sentence and answer.source_sentence in answer.citations[0].quote
    assert "October 28, 2025" in answer.citations[0].quote
    llm.queue("Yes.")
    answer = rag.ask("Did Microsoft and OpenAI sign a merger with Nvidia in 1999?")
    assert answer.refused and [d.text for d in answer.dropped] == ["Yes."]
    # the model's own reason says it cannot tell ("not in articles", in lower case): no verdict on the premises
    llm.queue("Yes. The passages state that the agreement of October 28, 2025 is not in articles.")
    answer = rag.ask("Did Microsoft and OpenAI formalize a new agreement on October 28, 2025?")
    assert answer.refused and [d.text for d in answer.dropped][-1] == "Yes."


def test_any_other_llm_rewrites_with_itself(llm):
    from rag.engine import default_engine

    assert default_engine().rewriter is default_engine().llm


def test_a_reply_ends_after_two_sentences_and_the_model_stops_writing(llm):
    # prompts.SYSTEM asks for one or two: a reply running on is the model copying the articles
    llm.queue(
        "Microsoft and OpenAI formalized a new strategic agreement on October 28, 2025. "
        "The collaboration is based on joint investments. "
        "It raises questions around digital sovereignty. "
        "It strengthens their long-standing partnership."
    )
    stream = rag.ask_stream("When was the new agreement formalized?")
    assert "October 28, 2025" in "".join(stream)
    answer = stream.answer
    assert answer.raw.endswith("joint investments.")  # the third sentence was never taken from the model
    assert len(answer.sentences) + len(answer.dropped) == 2
    assert "sovereignty" not in answer.text
