"""Requests and big-picture questions: what a new user asks first ("what is this news about?", "Can you give me a
quick summary of the second one?") is answered by what the articles state, not refused for lack of a topic."""

import rag
from rag import grounding, prompts
from rag.answerer import how_to_begin
from rag.evidence import build
from rag.question import parse
from rag.types import Passage

FIRST = (
    "In a landmark move, Microsoft and OpenAI have announced a new agreement fortifying their partnership. "
    "At its heart is the colossal demand for computational power."
)
SECOND = (
    "Microsoft and OpenAI have formalized a new ambitious agreement aimed at deepening their historic partnership. "
    "For the European market, it raises questions around digital sovereignty."
)


def whole(*texts: str):
    return build([Passage(f"{i}.txt#whole", f"{i}.txt", "", t, 0, len(t)) for i, t in enumerate(texts)])


def test_a_request_asks_for_what_follows_its_verb_not_yes_or_no():
    # "Can you ...?" opening a request is no yes/no question, and "two or three" in it no choice between options
    summed = parse("Could you sum up both articles for me in two or three sentences?")
    assert summed.form == "open" and summed.options == ()
    assert parse("Can you give me a quick summary of the second one?").form == "open"
    assert parse("Can you list the Microsoft products that use OpenAI models?").form == "open"
    assert parse("Please summarize the first article").form == "open"
    assert parse("my boss wants to know, can u give me the gist in a couple sentences").form == "open"
    # a request to say whether something holds asks yes or no; so does a question about what someone can do
    assert parse("Could you please tell me if the deal is exclusive?").form == "yes-no"
    assert parse("Can Microsoft use OpenAI models?").form == "yes-no"
    assert parse("Could the deal be blocked by regulators?").form == "yes-no"


def test_a_question_asking_for_the_big_picture_fixes_no_topic():
    for question in (
        "what is this news about?",
        "whats the main story here",
        "tl;dr pls",
        "give me the main points",
        "Could you sum up both articles for me in two or three sentences?",
        "Can you briefly summarize what Microsoft and OpenAI are about?",
        "who are the companies involved",
    ):
        assert parse(question).overview, question
    for question in (
        "Who is the CEO of OpenAI?",  # a name alone is no big picture: it asks a fact
        "summarize the article about Amazon's deal with OpenAI",  # a topic: the deal
        "What happened to Microsoft's stock?",  # a topic: the stock
        "Is this news about Microsoft?",
    ):
        assert not parse(question).overview, question


def test_what_the_articles_state_answers_a_big_picture_question():
    evidence = whole(FIRST, SECOND)
    about = "This news is about Microsoft and OpenAI's new agreement aimed at deepening their historic partnership."
    assert grounding.check(about, evidence, parse("what is this news about?")).score >= 0.5
    story = "Microsoft and OpenAI announce a new agreement aimed at deepening their historic partnership."
    assert grounding.check(story, evidence, parse("whats the main story here")).score >= 0.5
    # asked as a topic question, the same sentence still says nothing of the topic
    assert grounding.check(story, evidence, parse("What is the main story about chips?")).score == 0.0
    # what is invented is refused all the same: a name, a figure, a claim no article states
    assert grounding.check(about.replace("OpenAI", "Anthropic"), evidence, parse("tl;dr pls")).score == 0.0
    assert grounding.check("Microsoft invests $10 billion in OpenAI.", evidence, parse("tl;dr pls")).score == 0.0
    blocked = "European regulators blocked the agreement."
    assert grounding.check(blocked, evidence, parse("give me the main points")).score == 0.0
    # names the question is about must still be the articles'
    amazon = parse("Can you briefly summarize what Amazon and OpenAI are about?")
    assert amazon.overview and grounding.check(story, evidence, amazon).score == 0.0


def test_a_summary_of_both_articles_is_said_a_sentence_at_a_time_each_from_its_article():
    evidence = whole(FIRST, SECOND)
    both = parse("Could you sum up both articles for me in two or three sentences?")
    sovereignty = "The deal raises questions about digital sovereignty for the European market."
    found = grounding.check(sovereignty, evidence, both)
    assert found.score >= 0.5 and {sp.passage for sp in found.spans} == {1}
    # one article, named by its place: its summary comes from it
    first = parse("summarize the first article")
    assert (
        grounding.check(
            "The agreement is driven by the colossal demand for computational power.", evidence, first
        ).score
        >= 0.5
    )
    assert grounding.check(sovereignty, evidence, first).score == 0.0


def test_the_prompt_asks_for_the_main_facts_not_a_name_or_date():
    assert how_to_begin(parse("tl;dr pls")) == prompts.OVERVIEW_FORM
    assert how_to_begin(parse("Who is the CEO of OpenAI?")) == prompts.OPEN_FORM


def test_a_reply_written_as_a_list_is_read_item_by_item(llm):
    # "1." is a list item's number, not a sentence (nor a bare answer "1" that "one of the pioneers" states), and
    # the line opening the list is not one of the two sentences a reply may have
    llm.queue(
        "The key takeaways are:\n"
        "1. Microsoft and OpenAI have formalized a new ambitious agreement aimed at deepening their historic "
        "partnership.\n"
        "2. The collaboration is based on joint investments and enhanced sharing of technical and human resources."
    )
    answer = rag.ask("Can you give me the key takeaways?")
    assert [s.text.split(" [")[0] for s in answer.sentences] == [
        "Microsoft and OpenAI have formalized a new ambitious agreement aimed at deepening their historic partnership",
        "The collaboration is based on joint investments and enhanced sharing of technical and human resources",
    ]
    assert [d.text for d in answer.dropped] == ["The key takeaways are:"]


def test_a_noun_spelt_like_a_preposition_is_a_word_of_the_question():
    # "concerning" frames a question ("news concerning X"); "concerns" asks about concerns: not the same word here
    asked = parse("What concerns or risks do the articles bring up?")
    assert "concern" in {t.key for t in asked.constraints}
    assert "promot" in {t.key for t in parse("What do they promote regarding users' rights?").constraints}
    assert "regard" not in {t.key for t in parse("What do they promote regarding users' rights?").constraints}
    text = "For the European market, the deal raises concerns around digital sovereignty."
    sentence = "The articles raise concerns about digital sovereignty."
    assert grounding.check(sentence, whole(text), asked).score >= 0.5
