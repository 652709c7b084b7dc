"""Plain questions, as people type them: in lower case, asking how someone reacts or how much, and the answers the
model writes to them: a date copied in digits, a "No" whose reason says the opposite."""

from rag import grounding
from rag.engine import Engine
from rag.evidence import build
from rag.question import parse
from rag.settings import get_settings
from rag.types import Passage

ACME = "Acme Corp opened a new plant in Ohio in 2019. The plant employs 300 people."
GLOBEX = "Globex said it would open a plant in Texas.\nReactions\nAmong suppliers, French firms are closely monitoring Globex."
LINKED = "For a deeper dive into the partnership you can read the full article published on 27 10 2025 23 00 00 here"
CLOUD = "The agreement extends Microsoft's position as OpenAI's exclusive cloud provider."


def passages(*texts: str) -> list[Passage]:
    return [Passage(f"{i}.txt#whole", f"{i}.txt", "", t, 0, len(t)) for i, t in enumerate(texts)]


def answered(question: str, reply: str, *texts: str):
    return Engine(get_settings()).answer(question, passages=passages(*texts), reply=reply).collect()


def test_a_question_typed_in_lower_case_names_what_the_articles_name(llm):
    evidence = build(passages(ACME, GLOBEX))
    # the names the passages write inside a sentence and never in lower case; not a heading's words
    assert evidence.truecased("when did globex open its plant in ohio") == "when did Globex open its plant in Ohio"
    assert "reactions" not in evidence.cased and "french" in evidence.cased
    # Acme's plant is not the answer about Globex's, however the reader types the name
    for question in ("When did Globex open its plant?", "when did globex open its plant"):
        assert answered(question, "The plant opened in 2019.", ACME, GLOBEX).refused, question
    assert not answered("when did acme open its plant", "The plant opened in 2019.", ACME, GLOBEX).refused
    # only the case changed: the question is not reported as rewritten
    assert answered("when did acme open its plant", "The plant opened in 2019.", ACME).standalone_question is None


def test_asking_how_someone_reacts_or_what_they_think_is_no_topic_a_span_must_repeat(llm):
    reply = "French firms are closely monitoring Globex."
    for question in ("how are french firms reacting to globex", "What do French firms think of Globex?"):
        assert not answered(question, reply, ACME, GLOBEX).refused, question
    # what it asks about still binds: a company the passages never name
    assert answered("How are suppliers reacting to Initech?", reply, ACME, GLOBEX).refused


def test_an_amount_the_article_gives_as_a_magnitude_answers_how_much():
    evidence = build(
        passages("Microsoft and OpenAI: the headlines focus on a multi year multi billion dollar investment.")
    )
    question = parse("How much is Microsoft investing?")
    assert grounding.check("It is a multi-year, multi-billion dollar investment.", evidence, question).score >= 0.5
    # a figure the article does not give is invented all the same
    assert grounding.check("Microsoft is investing $10 billion.", evidence, question).score == 0.0


def test_a_date_a_reply_writes_in_digits_is_the_date_the_article_writes():
    evidence = build(passages(LINKED))
    question = parse("When was the full article published?")
    for reply in ("The full article was published on 27/10/2025.", "The full article published on 27 10 2025 here"):
        assert grounding.check(reply, evidence, question).score >= 0.5, reply
    assert grounding.check("The full article was published on October 27, 2025.", evidence, question).score >= 0.5
    assert grounding.check("The full article was published on 28/10/2025.", evidence, question).score == 0.0


def test_a_no_whose_reason_says_what_was_asked_is_not_shown(llm):
    question = "is microsoft the only cloud provider for openai?"
    said_yes = "No. The passages state that Microsoft is the exclusive cloud provider for OpenAI."
    assert answered(question, said_yes, CLOUD).refused
    # a reason that gives the contrast, or denies, still backs its "No"
    google = "Google Cloud also serves OpenAI as a cloud provider."
    assert not answered(question, "No. Google Cloud also serves OpenAI.", CLOUD, google).refused
    assert not answered(
        "Is Amazon OpenAI's cloud provider?", "No. Microsoft is OpenAI's exclusive cloud provider.", CLOUD
    ).refused
    assert answered("Is Microsoft OpenAI's cloud provider?", "Yes. Microsoft is OpenAI's cloud provider.", CLOUD).text
