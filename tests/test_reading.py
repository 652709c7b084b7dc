"""A bare answer is shown with the sentence of its article that states it; an answer in sentences is shown as is;
evaluation grades the answer, not the article's sentence."""

from eval.metrics import outcome
from eval.runner import score
from eval.sample import Sample
from rag import Engine, Passage, get_settings, strip_markers
from rag.reading import MOST_WORDS, line
from rag.types import Citation, Sentence

TEXT = "The companies met in Paris. On October 28, 2025, Microsoft and OpenAI signed a deal. Google was not part of it."
GIVEN = [Passage("d#1", "d.txt", "Deal signed", TEXT, 0, len(TEXT))]


def answer(question: str, reply: str):
    stream = Engine(get_settings()).answer(question, passages=GIVEN, reply=reply)
    pieces = "".join(stream)
    assert pieces == stream.answer.text  # what streams is what the answer says
    return stream.answer


def test_a_bare_answer_is_shown_with_the_sentence_that_states_it(llm):
    a = answer("When was the deal signed?", "October 28, 2025")
    said = "On October 28, 2025, Microsoft and OpenAI signed a deal."
    assert a.text == f"October 28, 2025 [1] — “{said}”"
    assert a.source_sentence == said and a.claim == a.answered == "October 28, 2025 [1]"
    assert said in a.citations[0].quote and llm.prompts == []
    # the reply's full stop is held back while it streams, so that no "[1]." stays before the sentence
    assert answer("When was the deal signed?", "October 28, 2025.").text == a.text
    assert answer("When was the deal signed?", "October 28, 2025...").text == a.text
    # and shown where a sentence follows it
    b = answer(
        "When was the deal signed?", "October 28, 2025. Microsoft and OpenAI signed the deal on October 28, 2025."
    )
    assert b.text.startswith("October 28, 2025 [1]. Microsoft and OpenAI signed the deal")


def test_an_answer_in_sentences_is_shown_as_written(llm):
    a = answer("When was the deal signed?", "Microsoft and OpenAI signed the deal on October 28, 2025.")
    assert a.text == "Microsoft and OpenAI signed the deal on October 28, 2025 [1]." and a.source_sentence == ""


def test_a_refusal_has_no_sentence(llm):
    a = answer("Who designed the bridge?", "Steve Jobs")
    assert a.refused and a.source_sentence == "" and "—" not in a.text


def test_the_sentence_is_the_one_stating_the_answer_cut_around_it():
    long = " ".join(f"w{i}" for i in range(60)) + " Redmond " + " ".join(f"x{i}" for i in range(30)) + "."
    quote = f"Nothing here. The {long}"
    cited = [Citation(1, "d.txt", "d#1", quote, 0, len(quote))]
    shown = [Sentence("Redmond [1]", 1.0, True, (1,))]
    found = line(shown, ["Redmond"], cited, "Where is it based?")
    words = found.split()
    assert "Redmond" in words and words[0] == "…" and words[-1] == "…"
    assert len([w for w in words if w != "…"]) == MOST_WORDS
    claim = "It is based in Redmond and runs Azure."
    assert line([Sentence(f"{claim[:-1]} [1].", 1.0, True, (1,))], [claim], cited, "") == ""  # a sentence


def test_evaluation_grades_the_answer_not_the_articles_sentence(llm):
    a = answer("When was the deal signed?", "October 28, 2025")
    assert strip_markers(a.text) != outcome.answered(a) == "October 28, 2025"
    # the sentence names Microsoft, but the answer does not: a bare date is no answer to "who"
    who = Sample("q1", "Who signed the deal?", True, "Microsoft")
    assert outcome.shown(who, a) == outcome.WRONG
    rec = score(who, a, None, 1.0, "en")
    assert rec.match is False and rec.outcome == outcome.WRONG
