"""The grounding rules: rewording is shown, invention is refused (each rule with the kind of reply it was made for)."""

from rag import articles, asked, grounding, lexicon, names, verify
from rag import claim as kinds
from rag.answerer import how_to_begin
from rag.evidence import build
from rag.question import parse
from rag.types import Passage

ARTICLE = (
    "Microsoft and OpenAI have formalized a new agreement.\n"
    "On October 28, 2025, Microsoft and OpenAI formalized a new strategic agreement aimed at strengthening their "
    "long-standing partnership. The collaboration is based on joint investments and enhanced sharing of technical "
    "and human resources. For the European market, it raises questions around digital sovereignty and dependence "
    "on American actors. The full article was published on 27 10 2025 23 00 00 here."
)
WIMBLEDON = (
    "Serena Williams won the women's singles title at Wimbledon in 2012. "
    "Andy Murray won the men's singles title at Wimbledon in 2013."
)


def support(sentence: str, question: str, text: str = ARTICLE, title: str = "Microsoft and OpenAI") -> float:
    evidence = build([Passage("a#1", "a.txt", title, text, 0, len(text))])
    return grounding.check(sentence, evidence, parse(question)).score


def test_faithful_rewording_is_shown():
    question = "What questions does the collaboration raise for the European market?"
    assert support("It raises questions about digital sovereignty and reliance on American companies.", question) >= 0.5
    assert support("Joint investments are the basis of the collaboration.", "What is the deal based on?") >= 0.5


def test_a_sentence_repeating_the_question_cites_a_span_stating_some_of_it():
    # "extra backing to build" repeats the question; a span about something else that only names the answer is not
    # support for the relation the sentence asserts
    question = "What will OpenAI get extra backing to build?"
    assert support("OpenAI will get extra backing to build a new agreement.", question) == 0.0
    assert support("Joint investments underpin the tie-up.", "Money-wise, what underpins it?") == 0.0  # the cost


def test_a_name_or_number_no_article_states_is_refused():
    assert support("OpenAI's chief executive is Sam Altman.", "Who is OpenAI's chief executive?") == 0.0
    assert support("Microsoft invested $13 billion.", "How much did Microsoft invest?") == 0.0
    assert support("They formalized it on October 29, 2025.", "When did they formalize the agreement?") == 0.0


def test_an_acronym_is_not_the_word_it_would_stem_to():
    text = "The co-CEO arrangement would free Petersen up to meet customers, two former Flexport employees said."
    question = "Which company let Ryan Petersen meet customers?"
    assert support("UPS", question, text, "Flexport") == 0.0  # "UPS" is not the "up" of "free Petersen up"
    assert support("Flexport", question, text, "Flexport") == 1.0
    assert lexicon.keys("UPS and AWS") == {"ups", "and", "aws"}


def test_a_name_put_together_from_two_the_span_names_apart_is_invented():
    text = (
        "We see this in the Azure OpenAI Service which allows developers to build their own applications, in GitHub "
        "Copilot which is transforming software development, and in the Microsoft 365 suite."
    )
    question = "Name the coding assistant that is transforming how software gets made."
    assert support("GitHub Copilot is transforming how software gets made.", question, text) >= 0.5
    assert support("Microsoft Copilot is transforming how software gets made.", question, text) == 0.0
    # the article's own names, whole, and one name alone stay shown
    assert support("It is in the Microsoft 365 suite.", "Which suite is it in?", text) >= 0.5
    # a made-up name ending the sentence, its full stop beside it
    text = "Rainbow Terrace, now known as Lullwater Estate, is the Atlanta mansion built for Lucy Candler Heinz."
    question = "What is the current name of the mansion built for Lucy Candler Heinz?"
    assert support("The mansion is now known as Lullwater Estate.", question, text) >= 0.5
    assert support("The mansion is now known as Rainbow Estate.", question, text) == 0.0
    assert names.runs("They met in Washington D.C. with Rainbow Estate.") == [
        ["Washington", "D.C."],
        ["Rainbow", "Estate"],
    ]
    # a title stands between two names: "Microsoft CEO Satya Nadella" puts no "Microsoft CEO" together
    text = "Satya Nadella, Microsoft's CEO, said the company will invest $80 billion in AI data centers this year."
    question = "How much will Microsoft invest in AI data centers this year?"
    sentence = "Microsoft CEO Satya Nadella said the company will invest $80 billion in AI data centers."
    assert support(sentence, question, text) >= 0.5
    # a possessive ends a name: "OpenAI's GPT models" puts no "OpenAI GPT" together (blind set 3, dev)
    text = "This alliance has already given rise to the integration of GPT models into the Microsoft ecosystem."
    question = "Which OpenAI models got folded into the Microsoft ecosystem?"
    assert support("OpenAI's GPT models were integrated into the Microsoft ecosystem.", question, text) >= 0.5
    assert support("OpenAI GPT models were integrated into the Microsoft ecosystem.", question, text) == 0.0


def test_a_name_wrapped_in_the_questions_words_stands_in_a_sentence_saying_what_was_asked():
    # the sentence naming Microsoft says "partnership", not that anyone joined it
    assert support("Microsoft joined the partnership.", "Which firm joined the partnership?") == 0.0
    asked = "Which company formalized the strategic agreement with OpenAI?"
    assert support("Microsoft formalized the strategic agreement with OpenAI.", asked) >= 0.5
    # a comparison's answer has no one sentence to stand in
    text = "Arthur's Magazine (1844-1846) was an American literary periodical. First for Women started in 1989."
    asked = "Which magazine was started first, Arthur's Magazine or First for Women?"
    assert support("Arthur's Magazine was started first, in 1844.", asked, text, "Magazines") >= 0.5


def test_a_sentence_spelling_out_the_questions_acronym_defines_it():
    # "stands for" is the question's wording, not the article's: the definition is the name the acronym spells
    text = "Both firms share a long-term goal: Artificial General Intelligence (AGI) aligned with human values."
    asked = "What does AGI stand for in the coverage?"
    assert support("AGI stands for Artificial General Intelligence.", asked, text) >= 0.5
    assert support("AGI stands for Advanced General Intelligence.", asked, text) == 0.0  # not the article's name
    # a name spelt out with "of the" between its words
    text = "The Organization of the Petroleum Exporting Countries (OPEC) agreed on Sunday to cut output."
    sentence = "OPEC stands for the Organization of the Petroleum Exporting Countries."
    assert support(sentence, "What does OPEC stand for?", text) >= 0.5
    # a sentence that says more than the name is no definition: the rules for sentences hold
    nato = "North Atlantic Treaty Organization plans to expand."
    assert not names.spells_out(
        nato, "What does NATO plan?", lexicon.terms("North Atlantic Treaty Organization expand")
    )


def test_a_count_the_question_wrote_in_words_is_not_a_figure_to_state():
    text = (
        "They also plan to strengthen their collaborations with regulatory bodies and public stakeholders to support "
        "the digital transition within a controlled framework."
    )
    asked = "Why do the two companies want to work more closely with regulators and public stakeholders?"
    reply = "The two companies want to work with regulators and public stakeholders to support the digital transition."
    assert support(reply, asked, text) >= 0.5
    # a count the reply adds, or writes in digits, is still a figure the span must state
    assert support(reply.replace("The two", "The three"), asked, text) == 0.0
    assert support(reply.replace("The two", "The 2"), asked.replace("the two", "the 2"), text) == 0.0
    # "first" is no count: a comparison's "born first" stays unstated by a span that never says it
    born = "Pablo Trapero was born in 1971. Aleksander Ford was born in 1908."
    assert (
        support("Pablo Trapero was born first.", "Who was born first, Pablo Trapero or Aleksander Ford?", born) == 0.0
    )


def test_a_vague_quantity_adds_nothing_to_the_question():
    text = "AI applications are spreading from healthcare to education. For several years, the firms have worked on it."
    asked = "Which hospitals or healthcare companies are already using the Microsoft-OpenAI technology?"
    restated = "Microsoft-OpenAI technology is already being used in several hospitals and healthcare companies."
    assert support(restated, asked, text) == 0.0
    # the answer that has more than the vague word is still an answer
    assert support("Several years", "How long have the firms been at it?", text) >= 0.5


def test_what_the_span_gives_to_another_name_is_not_the_answers():
    text = (
        "By combining OpenAI's pioneering safety research with Microsoft's experience in building secure software "
        "ecosystems the partnership aims to set a global standard."
    )
    asked = "Which of the two companies contributes the pioneering safety research?"
    assert support("OpenAI contributes the pioneering safety research.", asked, text) >= 0.5
    assert support("Microsoft contributes the pioneering safety research.", asked, text) == 0.0
    # a sentence naming both is not attributing one's thing to the other
    both = "Microsoft brings experience, while OpenAI contributes the pioneering safety research."
    assert support(both, asked, text) >= 0.5


def test_a_role_held_as_anothers_is_the_holders_and_what_a_name_owns_is_not_what_it_is():
    text = (
        "This agreement extends Microsoft's position as OpenAI's exclusive cloud provider, committing to further joint "
        "development of supercomputing systems on Azure."
    )
    for question in ("Is Microsoft or OpenAI the exclusive cloud provider?", "Who is the exclusive cloud provider?"):
        # "Microsoft's position as OpenAI's exclusive cloud provider": the role after "as" is Microsoft's
        assert support("Microsoft is the exclusive cloud provider.", question, text) >= 0.5, question
        # OpenAI has an exclusive cloud provider; it is not one
        assert support("OpenAI is the exclusive cloud provider.", question, text) == 0.0, question
    assert support("Microsoft is OpenAI's exclusive cloud provider.", "Who is OpenAI's cloud provider?", text) >= 0.5
    # a sentence saying the answer has it, as the span does, is not refused
    assert (
        support("OpenAI has an exclusive cloud provider.", "Which firm has an exclusive cloud provider?", text) >= 0.5
    )


def test_a_sentences_first_word_is_a_name_only_if_the_articles_write_it_so():
    text = "The current context sees an acceleration of AI applications, from healthcare to education and industry."
    asked = "Apart from education and industry, which field is seeing AI uptake take off?"
    # "Healthcare" is capitalised as the sentence's first word, not as a name the span must state as one
    assert support("Healthcare is seeing AI uptake take off.", asked, text) >= 0.5
    assert support("Finance is seeing AI uptake take off.", asked, text) == 0.0


def test_a_quote_must_stand_in_the_article():
    question = "What does the agreement aim at?"
    assert support('It aims at "strengthening their long-standing partnership".', question) >= 0.5
    assert support('It aims at "building the fastest supercomputer on Earth".', question) == 0.0


def test_the_month_of_a_date_written_in_digits_is_not_a_count():
    assert "10" not in lexicon.keys("published on 27 10 2025 23 00 00") and "octob" in lexicon.keys("27 10 2025")
    # an ISO date-time is its date: "the report ... on 2023-10-04T21:11:57+00:00" is one of October 4, 2023
    assert lexicon.keys("on 2023-10-04T21:11:57+00:00.") == lexicon.keys("on October 4, 2023.")
    assert support("10 supercomputers will be built.", "How many supercomputers will be built?") == 0.0


def test_a_time_of_day_asked_in_the_readers_words_is_not_answered_by_a_date():
    # "¿A qué hora ...?" translated as "When ...?": the time asked is read from the reader's own words
    evidence = build([Passage("a#1", "a.txt", "Microsoft and OpenAI", ARTICLE, 0, len(ARTICLE))])
    question = parse(
        "¿A qué hora se firmó el acuerdo el 28 de octubre?", "When was the agreement signed on October 28?", "es"
    )
    assert question.wants == "time"
    assert grounding.check("October 28, 2025", evidence, question).score == 0.0
    asked = parse("¿Cuándo se firmó el acuerdo?", "When was the agreement signed?", "es")
    assert asked.wants == "date" and grounding.check("October 28, 2025", evidence, asked).score == 1.0


def test_the_kind_asked_is_read_after_the_source_a_question_names_first():
    # "According to X, why ...?" asks for a reason as "Why ...?" does; a "when" inside the question asks no date
    assert parse("According to the analysis, why are AI players consolidating?").wants == "reason"
    assert parse("In the second article, when was the deal signed?").wants == "date"
    assert parse("Who led OpenAI, when the deal was signed?").wants == ""
    assert (
        support("AI players are consolidating in 2025.", "According to the analysis, why are they consolidating?") == 0
    )


def test_a_reply_that_only_restates_the_question_is_no_answer():
    question = "Safety and alignment are two research areas of the partners. What is the third one?"
    assert support("The third one is safety.", question) == 0.0
    assert support("Microsoft ended the partnership in 2025.", "Why did Microsoft end the partnership?") == 0.0


def test_an_article_that_never_names_what_was_asked_answers_nothing():
    assert support("Google became the provider on October 28, 2025.", "When did Google become OpenAI's provider?") == 0
    # a reader's typo of a name the article has is still that name
    assert support("On October 28, 2025.", "When did Micorsoft and OpenAI formalize the agreement?") >= 0.5


def test_the_qualifiers_of_the_question_stand_beside_the_answer():
    question = "Who won the men's singles at Wimbledon in 2013?"
    assert support("Andy Murray won it.", question, WIMBLEDON, "Wimbledon champions") >= 0.5
    assert support("Serena Williams won it.", question, WIMBLEDON, "Wimbledon champions") == 0.0
    # a relative clause about the answer itself still fixes it
    named = "Name the player who won the men's singles at Wimbledon in 2013."
    assert support("Serena Williams", named, WIMBLEDON, "Wimbledon champions") == 0.0


def test_a_relative_clause_about_another_noun_fixes_the_bridge_not_the_answer():
    # HaluEval-QA: the year is the other film's; the answer's sentence states its own year, beside it
    text = (
        "Sooni Taraporevala wrote the 1991 romantic drama Mississippi Masala. She is best known as the screenwriter "
        "of Salaam Bombay (1988), nominated for an Oscar."
    )
    question = "Which Oscar-nominated film was written by the screenwriter who wrote a 1991 romantic drama?"
    assert support("Salaam Bombay", question, text, "Sooni Taraporevala") == 1.0
    assert [t.key for t in asked.bridging(parse(question))] == ["1991"] and not asked.qualifiers(parse(question))
    # the bridge's year must still stand in the cited passage
    other = text.replace("the 1991 romantic drama Mississippi Masala", "Mississippi Masala")
    assert support("Salaam Bombay", question, other, "Sooni Taraporevala") == 0.0
    for own in ("In which year did Murray, who won the men's singles, retire?", "The player who won in 2013 is who?"):
        assert asked.bridging(parse(own)) == []  # the question's wh-word, a clause after a comma, the asked noun's


def test_a_question_word_the_reader_mistyped_is_read_as_the_articles_word():
    # the reply copies the reader's "alligned"; the article writes "aligned"
    text = "Both companies say the AGI they build must be aligned with human values and benefit society."
    question = "wat does the AGI have to be alligned with"
    reply = "AGI has to be alligned with human values and broadly beneficial to society."
    assert support(reply, question, text, "AGI") >= 0.5
    assert support("AGI has to be alligned with market forces.", question, text, "AGI") == 0.0  # still its answer


def test_a_question_about_recent_news_is_not_answered_from_a_year_older_report():
    old = Passage("o#1", "o.txt", "Quakes", "In January 2020, Turkey was struck by a strong earthquake.", 0, 58,
                  published="2020-01-25")  # fmt: skip
    new = Passage("n#1", "n.txt", "Quake", "Taiwan was struck by a strong earthquake on Wednesday.", 0, 54,
                  published="2024-04-03")  # fmt: skip
    evidence = build([old, new])
    recent = parse("Which country was recently struck by a strong earthquake?")
    assert grounding.check("Turkey", evidence, recent).score == 0.0
    assert grounding.check("Taiwan", evidence, recent).score >= 0.5
    # asked without "recently", the older report answers; alone, it is the newest there is
    assert grounding.check("Turkey", evidence, parse("Which country was struck by a strong earthquake?")).score >= 0.5
    assert grounding.check("Turkey", build([old]), recent).score >= 0.5
    assert asked.recent(parse("Which is the new tower in Hockessin?")) and asked.recent(parse("New rules this week?"))
    assert not asked.recent(parse("Which country was struck by an earthquake near New Zealand?"))


def test_a_true_sentence_that_says_nothing_of_what_was_asked_is_no_answer():
    assert support("The agreement was formalized on October 28, 2025.", "What stake does Microsoft own?") == 0.0


def test_a_sentence_joining_two_articles_cites_both():
    a = Passage("a#1", "a.txt", "A", "Azure hosts the models of OpenAI.", 0, 33)
    b = Passage("b#1", "b.txt", "B", "The agreement was formalized on October 28, 2025.", 0, 49)
    found = grounding.check(
        "Azure hosts OpenAI's models, and the agreement was formalized on October 28, 2025.", build([a, b])
    )
    assert found.score >= 0.5 and {sp.passage for sp in found.spans} == {0, 1}


def test_a_sentence_naming_two_outlets_cites_a_passage_of_each():
    # each passage states the company; only their bylines tell them apart
    a = Passage("a#1", "a.txt", "Suit", "A publisher sued Google over its revenues.", 0, 42, outlet="TechCrunch")
    b = Passage("b#1", "b.txt", "Web", "Google simplified how people navigate the web.", 0, 46, outlet="The Verge")
    sentence = "Google was sued over revenues, as TechCrunch reported, and simplified the web, says The Verge."
    found = grounding.check(sentence, build([a, b]), parse("Which company was sued and simplified the web?"))
    assert found.score >= 0.5 and {sp.passage for sp in found.spans} == {0, 1}
    assert grounding.check(sentence, build([a]), parse("Which company was sued?")).score == 0.0  # no Verge passage


def test_each_of_two_joined_articles_names_something_the_question_names():
    # HaluEval-QA's pooled paragraphs: the cafe from one, a director from another about something else (shown as
    # "Nicholas Ray is the director of the 2003 film ... filmed at the Quality Cafe [1][2]")
    cafe = "The Quality Cafe is a Los Angeles diner that closed in 2006."
    question = parse("Who filmed at the Quality Cafe, the Los Angeles diner that closed in 2006?")
    sentence = (
        "Todd Phillips filmed his comedy Old School at the Quality Cafe, a Los Angeles diner that closed in 2006."
    )
    for film, shown in (
        ("Todd Phillips filmed his comedy Old School at the Quality Cafe.", True),
        (
            "Todd Phillips filmed his comedy Old School in Burbank.",
            False,
        ),  # an article naming nothing the question names
    ):
        evidence = build(
            [Passage("c#1", "c.txt", "", cafe, 0, len(cafe)), Passage("f#1", "f.txt", "", film, 0, len(film))]
        )
        found = grounding.check(sentence, evidence, question)
        assert (found.score >= 0.5 and {sp.passage for sp in found.spans} == {0, 1}) == shown, (film, found)
    # a reader's typo of the name ("Qualty") still names it, as the names rule reads it
    typed = parse("Who filmed at the Qualty Cafe, the diner that closed in 2006?")
    film = "Todd Phillips filmed his comedy Old School at the Quality diner."  # names the cafe by "Quality" alone
    evidence = build([Passage("c#1", "c.txt", "", cafe, 0, len(cafe)), Passage("f#1", "f.txt", "", film, 0, len(film))])
    assert grounding.check(sentence, evidence, typed).score >= 0.5
    assert [t.key for t in asked.mentions(parse("Were Pavel Urysohn and Leonid Levin known for the same work?"))][
        :2
    ] == [
        "pavel",
        "urysohn",
    ]
    assert asked.mentions(parse("Which cafe? Options: Quality; Ray")) == []


def test_the_answer_of_several_outlets_reports_is_named_by_more_than_one_passage():
    # MultiHop-RAG: "Who is the individual ..., reported by TechCrunch, ... by The Verge?" answered with a witness one
    # report names beside what it says ("Matt Huang [1]"), not the one the reports share
    trial = "Prosecutors said FTX founder Sam Bankman-Fried took funds. The third witness was Matt Huang of Paradigm."
    verge = "Bankman-Fried told a trader at FTX he could withdraw funds, The Verge reported."
    passages = [
        Passage("t#1", "t.txt", "SBF trial", trial, 0, len(trial), outlet="TechCrunch"),
        Passage("v#1", "v.txt", "Trial notes", verge, 0, len(verge), outlet="The Verge - Tech"),
    ]
    evidence = build(passages)
    question = parse(
        "Who is the FTX founder on trial, as TechCrunch reports, whom The Verge says told a trader to withdraw?"
    )
    assert articles.outlets_named(question, evidence) == 2  # "The Verge - Tech" named by its name before the section
    assert grounding.check("Matt Huang", evidence, question).score == 0.0
    # the full name by its last word, as the other report writes him
    assert grounding.check("Sam Bankman-Fried", evidence, question).score >= 0.5
    # a question naming one outlet asks nothing of the others
    one = parse("Who was the third witness, according to TechCrunch?")
    assert grounding.check("Matt Huang", evidence, one).score >= 0.5


def test_a_full_name_is_stated_by_its_last_word_where_the_article_writes_it_whole():
    # news names a person in full once (here in the title), then by surname: the span naming "Bankman-Fried" states
    # the full name
    text, title = "Prosecutors said Bankman-Fried stole customer funds.", "Is Sam Bankman-Fried a bad man?"
    asked = "Who allegedly stole customer funds?"
    assert support("Sam Bankman-Fried", asked, text, title) == 1.0
    assert support("Sam Bankman-Fried", asked, text, "Is Bankman-Fried a bad man?") == 0.0
    # a common noun is no last name ("university" does not name "Stanford University"), nor is a name the
    # article writes only in part
    college, title = "Boston College is a private research university in Chestnut Hill.", "Stanford University vs BC"
    assert support("Stanford University is in Chestnut Hill.", "Which school is in Chestnut Hill?", college, title) == 0
    assert support("Natalie Bankman-Fried", asked, text, title) == 0.0


def test_a_number_of_a_question_in_clauses_stands_in_a_passage_naming_the_answer():
    # each clause may be another article's: the cited one about Gemini need not state the $26.3 billion
    deal = Passage("a#1", "a.txt", "Trial", "Google spent $26.3 billion to be the default search engine.", 0, 58)
    gemini = Passage(
        "b#1", "b.txt", "AI", "Google claimed that its Gemini model surpasses GPT-4 in performance.", 0, 67
    )
    other = Passage("c#1", "c.txt", "Rival", "Microsoft spent $26.3 billion on its data centers.", 0, 50)
    asked = (
        "Which company, according to TechCrunch, has invested $26.3 billion, and claims its Gemini model beats GPT-4?"
    )
    assert grounding.check("Google", build([gemini, deal]), parse(asked)).score == 1.0
    # the number must stand in a passage naming the answer, not in any passage
    assert grounding.check("Google", build([gemini, other]), parse(asked)).score == 0.0
    # a question of one clause still finds its number in the cited span's own passage
    single = "Which company claims that Gemini beats GPT-4 and spent $26.3 billion?"
    assert grounding.check("Google", build([gemini, deal]), parse(single)).score == 0.0


def test_the_answer_cites_an_article_that_names_what_the_question_names():
    question = "Who won the men's singles title at Queen's Club?"
    assert support("Andy Murray won the men's singles title.", question, WIMBLEDON) == 0.0  # the passage is Wimbledon's
    assert support("Andy Murray", "Who won the men's singles title at Wimbledon in 2013?", WIMBLEDON) >= 0.5


def test_the_first_or_second_article_is_the_one_the_model_read_first_or_second():
    first = "Microsoft and OpenAI formalized a new agreement. The deal deepens a symbiotic relationship."
    second = "Microsoft will integrate OpenAI's advances into its flagship products."
    evidence = build([Passage(f"{i}#whole", f"{i}.txt", "", t, 0, len(t)) for i, t in enumerate((first, second))])
    question = "Who will integrate OpenAI's progress into its main products, according to the second article?"
    assert grounding.check("Microsoft will integrate OpenAI's advances.", evidence, parse(question)).score >= 0.5
    # "second" picks an article: it is no qualifier a span must state, and the first article is not the second
    swapped = build(list(reversed(evidence.passages)))
    assert grounding.check("Microsoft will integrate OpenAI's advances.", swapped, parse(question)).score == 0.0
    last = parse(question.replace("the second article", "the last article"))
    assert grounding.check("Microsoft will integrate OpenAI's advances.", evidence, last).score >= 0.5
    # retrieved chunks are not the articles in reading order: the place names none of them
    chunks = build([Passage(f"{i}.txt#0", f"{i}.txt", "", t, 0, len(t)) for i, t in enumerate((second, first))])
    assert grounding.check("Microsoft will integrate OpenAI's advances.", chunks, parse(question)).score >= 0.5


def test_what_both_articles_say_is_stated_by_each_and_cites_each():
    first = "Microsoft will run OpenAI's models on Azure, committed to responsible development of AI."
    second = "The companies are committed to building AI: Artificial General Intelligence aligned with human values."
    second += " It runs on Azure."
    evidence = build([Passage(f"{i}#whole", f"{i}.txt", "", t, 0, len(t)) for i, t in enumerate((first, second))])
    asked = parse("Which cloud do both articles say the models run on?")
    found = grounding.check("Azure", evidence, asked)
    assert found.score >= 0.5 and {sp.passage for sp in found.spans} == {0, 1}
    # what one article says is not what both say
    agi = "The companies are committed to building Artificial General Intelligence aligned with human values."
    both = parse("What kind of AI development do both articles say the companies are committed to?")
    assert grounding.check(agi, evidence, both).score == 0.0
    assert grounding.check(agi, evidence, parse("What kind of AI are the companies committed to?")).score >= 0.5
    # the other article need only state the answer, in any form: the question's topic was checked on the first
    texts = ("The deal promises the democratization of AI, its use by all.", "It is democratizing access to AI tools.")
    word = build([Passage(f"{i}#whole", f"{i}.txt", "", t, 0, len(t)) for i, t in enumerate(texts)])
    asked = parse("Both stories claim the deal will put AI in more hands. What word do they use for that?")
    found = grounding.check('Both stories use the word "democratization."', word, asked)
    assert found.score >= 0.5 and {sp.passage for sp in found.spans} == {0, 1}
    # retrieved chunks are not the articles: each chunk need not state it
    chunks = build([Passage(f"{i}.txt#0", f"{i}.txt", "", t, 0, len(t)) for i, t in enumerate((first, second))])
    assert grounding.check(agi, chunks, both).score >= 0.5


def test_a_sentence_answers_from_the_sentence_of_its_span_that_says_something_of_the_question():
    question = "What does the first article describe about the relationship between the two companies?"
    text = (
        "Microsoft and OpenAI have announced a new agreement poised to define the next era of AI. "
        "This is the next chapter in a symbiotic relationship designed to accelerate innovation."
    )
    assert support("It describes their relationship as symbiotic.", question, text) >= 0.5
    # the span joining both sentences names the relationship, but not in the sentence the answer comes from
    assert (
        support("Microsoft and OpenAI have announced a new agreement to define the next era of AI.", question, text)
        == 0.0
    )


def test_a_question_listing_options_still_names_what_it_asks_about():
    question = (
        "A new bill under consideration by the UK Parliament opens the door to legalising what? "
        "Options: Recreational cannabis; Carrying pepper spray; Assisted dying."
    )
    connecticut = (
        "Residents over age 21 can legally possess marijuana in Connecticut; recreational cannabis shops open later."
    )
    assert support("Recreational cannabis", question, connecticut, title="Connecticut cannabis") == 0.0
    uk = "The UK Parliament is debating a bill that would make assisted dying legal for terminally ill adults."
    assert support("Assisted dying", question, uk, title="Assisted dying bill") >= 0.5


def test_a_comparison_between_offered_names_fixes_no_category():
    # "first" compares the two names offered; it is not a round, quarter or edition a span must state
    text = "Sir Francis Nethersole (1587-1659) was an English diplomat. Elizabeth Stuart was born in 1596."
    question = "Who was born first, Francis Nethersole or Elizabeth Stuart?"
    assert parse(question).compares
    assert support("Francis Nethersole", question, text, title="Diplomats") >= 0.5
    # "between A and B, who ...?" offers the two names as well; "a deal signed between A and B" offers nothing
    assert parse("Between Kim Clijsters and Mary Pierce, who is older?").candidates == ("Kim Clijsters", "Mary Pierce")
    assert parse("Which deal was signed between Microsoft and OpenAI?").candidates == ()
    assert parse("What is the difference between AI and AGI?").candidates == ()
    # "Is A or B ...?" asks which of the two, not yes or no (HaluEval-QA: "Yes. Children's National ..." was shown)
    either = parse("Is Children's National Medical Center or MedStar Washington Hospital Center the largest?")
    assert either.form == "open" and either.candidates == (
        "Children's National Medical Center",
        "MedStar Washington Hospital Center",
    )
    assert parse("Did Microsoft and OpenAI sign a deal?").form == "yes-no"
    text = "MedStar Washington Hospital Center is the largest private hospital in Washington, D.C."
    assert support("MedStar Washington Hospital Center", either.asked, text, title="Hospitals") >= 0.5
    assert support("Yes", either.asked, text, title="Hospitals") == 0.0


def test_two_phrases_offered_after_an_auxiliary_ask_which_not_yes_or_no():
    # "Yes" was the product's reply to each of these (the reader sets' either-or questions)
    for question, offered in (
        (
            "Is the agreement described as a routine renewal or a landmark move?",
            ("a routine renewal", "a landmark move"),
        ),
        (
            "Is Microsoft's money described as a one-off payment or as a multi-year investment?",
            ("as a one-off payment", "as a multi-year investment"),
        ),
        (
            "Is the tie-up built on joint investments, or is it more of a licensing-fee arrangement?",
            ("joint investments", "more of a licensing-fee arrangement"),
        ),
    ):
        parsed = parse(question)
        assert (parsed.form, parsed.candidates) == ("open", offered)
    # still yes or no: "or not", a list's last item, a long clause, no question with an auxiliary
    for question in (
        "Is the deal exclusive or not?",
        "Does the deal mention any other partners or investors?",
        "Do both articles indicate a connection to sports teams or leagues?",
        "Did the article from TechCrunch report on the merger or in the December 15, 2023, article about a news "
        "publisher's antitrust lawsuit against Google and its parent company?",
    ):
        assert parse(question).form == "yes-no", question
    # the answer names one of them, and the span must state it with the question's other words
    text = "In a landmark move, Microsoft and OpenAI have announced a new agreement."
    question = "Is the agreement described as a routine renewal or a landmark move?"
    assert support("The agreement is described as a landmark move.", question, text, title="Deal") >= 0.5
    assert support("The agreement is described as a routine renewal.", question, text, title="Deal") == 0.0
    # a phrase the question offers is the sentence's answer, not words it repeats: the span must state it
    text = "Microsoft is putting its money into OpenAI as a multi year multi billion dollar investment."
    question = "Is Microsoft's money described as a one-off payment or as a multi-year investment?"
    assert support("It is a multi-year multi-billion dollar investment.", question, text, title="Deal") >= 0.5
    assert support("The multi-year investment is a one-off payment.", question, text, title="Deal") == 0.0
    # and the prompt asks for the one the passages state
    assert 'which of two: "as a one-off payment" or "as a multi-year investment"' in how_to_begin(parse(question))


def test_a_wh_question_is_open_whatever_else_it_says():
    # two words joined by "or" in a wh-question are no either-or judgement (MultiHop-RAG: the model, told to begin
    # with "trend" or "halt", replied "Trend: The Federal Reserve ...")
    fact = parse("What institution do investors expect to decide whether to continue this trend or halt?")
    assert fact.form == "open" and fact.options == ()
    assert parse("Did the coverage stay consistent or change?").options == ("consistent", "change")
    # nor are two kinds of things in a yes/no question (MultiHop-RAG: "Teams: The 'Sporting News' article ...")
    assert parse("Do both articles indicate a connection to sports teams or leagues?").form == "yes-no"
    assert parse("Was the analysis consistent or inconsistent?").options == ("consistent", "inconsistent")
    # a statement ending by asking "in which country?" is not yes/no for a clause opening with "is" (HaluEval-QA:
    # the model replied "Yes")
    where = parse("Everton, their Goodison Park home, is a stadium located in Walton, Liverpool, in which country?")
    assert where.form == "open"
    assert parse("Is Goodison Park, the stadium, in Liverpool?").form == "yes-no"


def test_a_question_may_begin_with_the_name_it_asks_about():
    # "Chang Ucchin" is a name even as the question's first words; "Name" alone is a capitalised first word
    text = "Chang was born when Korea was still under Japanese colonial rule, which ended with World War II."
    question = "Chang Ucchin was born during a time that ended with the conclusion of what?"
    assert support("World War II", question, text, title="Korean painters") >= 0.5
    assert support("World War II", question.replace("Chang Ucchin", "Park Seo-bo"), text, title="Painters") == 0.0


def test_a_span_stating_the_subject_but_not_what_the_sentence_says_of_it_is_no_support():
    # the model named the subject itself ("they" -> Microsoft); the span about Microsoft states none of the answer,
    # the span that states it never names Microsoft: neither supports the sentence
    text = (
        "The agreement extends Microsoft's position as OpenAI's exclusive cloud provider. This ensures that OpenAI's "
        "researchers have the power they need.\n"
        "The trust of users, regulators, and institutional partners is a key success factor."
    )
    question = "whose trust do they need apart from users and regulators"
    assert support("Microsoft needs to ensure the trust of institutional partners.", question, text, "AI deal") == 0.0
    assert support("They need the trust of institutional partners.", question, text, "AI deal") >= 0.5

    # one word said of the answer is held to it as well: the year stands in another sentence, "the end" nowhere
    # (a wrong-premise question answered from two spans: GitHub Copilot is not said to stop using OpenAI's models)
    copilot = "GitHub Copilot is built on OpenAI's models.\nOn October 28, 2025, the two firms signed a new deal."
    asked = "When will GitHub Copilot stop using OpenAI models?"
    assert support("GitHub Copilot will stop using OpenAI models by the end of 2025.", asked, copilot) == 0.0
    assert support("The two firms signed a new deal on October 28, 2025.", "When did the firms sign?", copilot) >= 0.5


def test_a_reply_of_names_alone_is_a_bare_answer_however_many_words_it_has():
    # a name of three words is no sentence: it is not asked to say something of the question's other words, as a
    # one-word name is not (HaluEval-QA: "Walter Darwin Coy" to a question about the narrator of "Frontier")
    text = "Walter Darwin Coy was an American actor. He starred in Gunmen from Laredo in 1959."
    question = "Gunmen from Laredo starred which narrator of the radio series Frontier?"
    assert support("Walter Darwin Coy", question, text, title="Walter Coy") >= 0.5
    assert support("Walter Coy", question, text, title="Walter Coy") >= 0.5
    # a sentence still is: its span's sentence must say something of what was asked
    assert support("Walter Darwin Coy was an American actor.", question, text, title="Walter Coy") == 0.0


def test_a_quiz_option_is_an_answer_only_where_the_span_says_what_was_asked():
    text = (
        "Tesla said it will cut around 14,000 jobs, about 10% of its workforce. "
        "Ford recalled 200,000 pickup trucks over a faulty brake line."
    )
    quiz = "Which automaker announced it will cut around 14,000 jobs? Options: Tesla; Ford; Honda; BMW."
    assert support("Tesla", quiz, text, "Automakers") == 1.0
    # the span names Ford, but in a sentence about something else: the option is mentioned, not stated as the answer
    assert support("Ford", quiz, text, "Automakers") == 0.0


def test_a_sentence_naming_two_of_a_quizs_options_chooses_neither():
    quiz = "World leaders gathered in which country for the annual G7 summit? Options: Canada; Italy; Japan; Germany."
    listed = "World leaders of the G7 summit, Canada, Germany, Italy and Japan, gathered this year."
    assert support("Japan", quiz, listed, "G7") == 0.0
    hosted = listed + " Italy hosted the leaders of the G7 summit at a resort in Puglia."
    assert support("Italy", quiz, hosted, "G7") == 1.0
    # "Not required" is not named by "will be required": its "not" counts
    dates = "When will the Real ID be required for flights? Options: Not required; May 7, 2025; January 1, 2025."
    said = "Real ID will be required to fly on domestic flights starting May 7, 2025."
    assert support("May 7, 2025", dates, said, "Real ID") == 1.0


def test_a_quiz_is_answered_by_one_of_its_options():
    text = "The US seized a Dassault Falcon 900EX aircraft that belonged to Venezuelan President Nicolas Maduro."
    quiz = "The US seized which of the following that belonged to Nicolas Maduro? Options: Boat; Airplane; Car; House."
    # a true sentence of the article, but it names none of the options: the quiz is not answered
    assert support("The US seized the Dassault Falcon 900EX aircraft.", quiz, text, "Seizure") == 0.0
    text += " The US seized the airplane because it belonged to Nicolas Maduro."
    assert support("Airplane", quiz, text, "Seizure") == 1.0


def test_a_bare_answer_cites_the_sentence_about_what_was_asked():
    text = (
        "Microsoft will bring these advances to products ranging from the Office suite to Azure. "
        "The partnership adds computing power through Azure, which already hosts OpenAI's models."
    )
    evidence = build([Passage("a#1", "a.txt", "Microsoft and OpenAI", text, 0, len(text))])
    found = grounding.check("Azure", evidence, parse("Which cloud hosts OpenAI's models?"))
    assert found.score == 1.0 and [evidence.text(sp) for sp in found.spans] == [text.split(". ")[1]]


def test_words_read_as_what_they_are():
    # "won" is a verb and "Don" a name, not the "won't" and "don't" a negation reads
    text = "Argentina won the 2022 World Cup after beating France on penalties."
    assert not lexicon.negated("Argentina won the World Cup.") and lexicon.negated("Argentina won't play.")
    assert support("Argentina won the 2022 World Cup.", "Which country won the 2022 World Cup?", text) >= 0.5
    assert support("Argentina did not win the 2022 World Cup.", "Did Argentina win?", text) < 0.5
    assert [t.key for t in lexicon.terms("Don Lemon was fired.")] == ["don", "lemon", "fire"]
    # a contraction is its pronoun, or a negation: no name, no extra word
    text = "Microsoft and OpenAI are also planning a joint data center in Texas, the companies said."
    assert support("They're also planning a joint data center in Texas.", "What are they planning?", text) >= 0.5
    assert [t.key for t in lexicon.terms("Microsoft didn't invest.")] == ["microsoft", "invest"]
    # an acronym's plural or possessive is the acronym
    assert lexicon.norm("GPUs") == lexicon.norm("GPU") == "gpu" and lexicon.norm("AWS's") == "aws"
    # a name opening the sentence is a name whatever its ending; an adverb set off by a comma is not
    text = "Airbus said it will cut 10% of its workforce, about 15,000 jobs, over the next year."
    question = "Which company said it will cut 10% of its workforce?"
    assert support("Boeing will cut 10% of its workforce over the next year.", question, text) == 0.0
    assert [t.critical for t in lexicon.terms("Finally, Airbus will cut jobs.")] == [False, True, False, False]
    # a name repeats the question only as a name: "Intel" is no form of "intelligence"
    text = "Intel said it will build new artificial intelligence chips at its Ohio plant."
    assert support("Intel.", "Which company will build new artificial intelligence chips in Ohio?", text) == 1.0
    # the letter ending a name is the name's: "Series D" is not "Series C"
    text = "Anthropic raised $450 million in a Series C round led by Spark Capital."
    question = "How much did Anthropic raise in its latest round?"
    assert support("Anthropic raised $450 million in a Series C round.", question, text) >= 0.5
    assert support("Anthropic raised $450 million in a Series D round.", question, text) == 0.0
    assert [t.key for t in lexicon.terms("George W. Bush")] == ["georg", "bush"]
    # "United States" is the "U.S." of the span ("States" is a word articles frame facts with)
    text = "The new Real ID rules will apply across the U.S. starting in May."
    sentence = "The new Real ID rules will apply across the United States starting in May."
    assert support(sentence, "Where will the new Real ID rules apply?", text) >= 0.5
    # "one of the reasons" counts nothing
    text = "Among the reasons Microsoft renegotiated its deal was the rising cost of computing."
    question = "Why did Microsoft renegotiate its deal?"
    assert support("One of the reasons was the rising cost of computing.", question, text) >= 0.5


def test_quotes_are_read_in_pairs_and_a_contraction_owns_nothing():
    text = "Microsoft called its new assistant Copilot and described it as an everyday AI companion."
    question = "How did Microsoft describe its new assistant?"
    assert support('Microsoft named it "Copilot" and pitched it as "an everyday AI companion".', question, text) >= 0.5
    assert support('Microsoft called it "Copilot" and described it as "an everyday AI buddy".', question, text) == 0.0
    # "There's" is "there is", not a possessive of "There"
    question = "Which company faces growing demand for AI chips from cloud providers?"
    sentence = "Nvidia faces growing demand for AI chips from cloud providers."
    text = "There's growing demand for AI chips from cloud providers, Nvidia said."
    assert support(sentence, question, text) >= 0.5
    # a name ending the sentence loses the full stop whatever its last letter ("Meta AI.")
    assert names.runs("The assistant is Meta AI.") == [["Meta", "AI"]]


def test_a_score_is_one_fact_not_two_numbers_from_anywhere():
    # RealTimeQA: "Delaware won 28-21" was supported by "Sept. 21 -- Pennsylvania / Sept. 28 - at Pittsburgh"
    text = "Delaware has won all eight previous games against Delaware State. Sept. 21: Penn. Sept. 28: at Pittsburgh."
    question = "What was the outcome of the game between Delaware and Penn?"
    assert support("Delaware won 28-21.", question, text) == 0.0
    text = "Delaware won the game against Penn 28-21 on Saturday."
    assert support("Delaware won 28-21.", question, text) >= 0.5


def test_a_premise_states_a_day_as_the_span_writes_it():
    assert verify.score("The deal was signed on the 28th.", "The deal was signed on October 28.") == 1.0


def test_the_article_a_question_names_by_place_is_no_figure_to_state():
    # blind set 3, dev: "first" of "the first article" was a number the span had to state, so "Yes" was refused
    question = parse("Does the first article claim the partnership wants to set a global standard for responsible AI?")
    assert "1st" not in {t.key for p in question.premises for t in lexicon.terms(p)}
    assert "2nd" not in {t.key for t in parse("What does the second article say about safety?").constraints}
    assert articles.places("What does the second article say about safety?") == ["second"]
    assert articles.places("Who posted the first report of the outage?") == []  # a report of it, no article's place


def test_a_question_ending_in_which_city_asks_for_a_name():
    assert parse("Is OpenAI headquartered in which city?").form == "open"
    assert parse("Is OpenAI headquartered in San Francisco?").form == "yes-no"


def test_a_quiz_option_and_a_time_are_read_as_written():
    q = parse("When will the festival be held? Options: During the summer; During the winter; In spring")
    assert asked.names_an_option("The festival will be held in the summer.", q)
    tq = parse("What time did the launch happen?")
    said = "The launch involved 7 American satellites."
    assert not kinds.answers(tq, said, lexicon.terms(said)) and kinds.answers(tq, "At 7 am.", lexicon.terms("At 7 am."))


def test_sentences_and_verdicts_are_cut_where_they_end():
    from rag.cite import split_verdict
    from rag.evidence import split_sentences

    def cut(text: str) -> list[str]:
        return [text[a:b] for a, b in split_sentences(text)]

    # "No." before its reason is a verdict, as "Yes." is (MultiHop-RAG: eleven right "No" had been refused with
    # the reason they were fused to); "No. 1" is a number's
    assert cut("No. The articles do not say.") == ["No.", "The articles do not say."]
    assert cut("It ranked No. 1 in the chart.") == ["It ranked No. 1 in the chart."]
    assert cut("Gov. Gavin Newsom signed it. The law starts in May.") == [
        "Gov. Gavin Newsom signed it.",
        "The law starts in May.",
    ]
    # "No workers were hurt" says no workers; it is no verdict whose rest the span may state
    assert split_verdict("No workers suffered injuries.") == ("", "No workers suffered injuries.")
    assert split_verdict("No, the deal is new.") == ("No, ", "the deal is new.")
    assert split_verdict("Yes") == ("Yes", "")


def test_a_fact_about_what_is_missing_is_no_sentence_about_the_passages():
    from rag.cite import is_meta

    assert is_meta("The passages do not provide the price.") and is_meta("The articles do not mention Google.")
    assert is_meta("No information is given about the price.")
    assert not is_meta("Apple Intelligence is not available in the EU because of the Digital Markets Act.")
    assert not is_meta("The deal does not include Activision's cloud gaming rights outside Europe.")


def test_an_either_or_judgement_may_end_by_naming_its_source():
    q = parse("Did Apple revenue increase or decrease, according to TechCrunch?")
    assert q.form == "choice" and q.options == ("increase", "decrease")
    assert parse("Did Nvidia shares go up or down after the earnings report?").options == ("up", "down")


def test_an_outlet_is_named_by_its_name_as_written():
    def passage(outlet: str) -> Passage:
        return Passage(f"{outlet}#1", f"{outlet}.txt", "Chips", "Nvidia sold chips.", 0, 18, outlet=outlet)

    ev = build([passage("Fortune"), passage("The Verge")])
    assert articles.outlets_named(parse("Which company, reported by Fortune and the Verge, sold chips?"), ev) == 2
    assert articles.outlets_named(parse("Which company made a fortune selling chips, per The Verge?"), ev) == 1


def test_a_wh_question_asked_politely_is_open():
    when = parse("Can you tell me when the deal was signed?")
    assert when.form == "open" and when.wants == "date"
    assert parse("Do you know who hosts OpenAI's models?").form == "open"
    assert parse("Can you confirm the deal was signed?").form == "yes-no"


def test_what_both_are_said_to_be_each_one_is_stated_to_be():
    bands = (
        "The New Pornographers is a Canadian indie rock band formed in 1997 in Vancouver.\n"
        "Kings of Leon is an American rock band that formed in Nashville in 1999.\n"
        "The Killers are an American rock band formed in Las Vegas in 2001."
    )
    question = "Are both The New Pornographers and Kings of Leon American rock bands?"
    # a pair of sentences states "American" and both names, but says it of one band only
    assert support("Both The New Pornographers and Kings of Leon are American rock bands.", question, bands) == 0.0
    assert support("The New Pornographers and Kings of Leon are both American rock bands.", question, bands) == 0.0
    other = "Are both Kings of Leon and The Killers American rock bands?"
    assert support("Both Kings of Leon and The Killers are American rock bands.", other, bands) >= 0.5
