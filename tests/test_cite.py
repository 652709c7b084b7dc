"""The citer: supported sentences get exact citations through the same evidence and question the product builds,
invented facts are dropped."""

from rag.answerer import SentenceBuffer
from rag.cite import Citer, is_meta, split_verdict, strip_markers, with_markers
from rag.evidence import build, split_sentences, units
from rag.question import choices, is_yes_no, parse, premises
from rag.types import Passage
from rag.verify import score


def citer_for(passages: list[Passage], threshold: float, question: str = "Tell me about it.") -> Citer:
    return Citer(build(passages), parse(question), threshold)


SOURCE = (
    "Background\nMicrosoft and OpenAI have worked together for years.\n"
    "On October 28, 2025, Microsoft and OpenAI formalized a new strategic agreement. "
    "The deal increases computing power through Microsoft's Azure cloud, which hosts OpenAI's models. "
    "Dr. Smith of the U.S. office said it was not a merger."
)


def passage(text: str = SOURCE, offset: int = 100) -> Passage:
    return Passage("doc.txt#abc:0", "doc.txt", "A title", text, offset, offset + len(text))


def test_split_sentences_respects_abbreviations_and_newlines():
    spans = [SOURCE[s:e] for s, e in split_sentences(SOURCE)]
    assert spans == [
        "Background",
        "Microsoft and OpenAI have worked together for years.",
        "On October 28, 2025, Microsoft and OpenAI formalized a new strategic agreement.",
        "The deal increases computing power through Microsoft's Azure cloud, which hosts OpenAI's models.",
        "Dr. Smith of the U.S. office said it was not a merger.",
    ]


RUN_ON = (  # an article whose punctuation was stripped: one "sentence" of 60 words
    "Microsoft and OpenAI have announced a new agreement that reshapes the technological landscape While the "
    "headlines focus on a multi year investment the true story lies in the fusion of infrastructure with research "
    "The agreement extends Microsoft s position as OpenAI s exclusive cloud provider on Azure This ensures that "
    "researchers have the power they need Artificial General Intelligence remains the goal of the research lab"
)


def test_a_run_on_article_is_cut_where_its_sentences_begin():
    pieces = [RUN_ON[s:e] for s, e in units(RUN_ON)]
    assert [p.split()[0] for p in pieces] == ["Microsoft", "While", "The", "This"]
    assert pieces[2] == "The agreement extends Microsoft s position as OpenAI s exclusive cloud provider on Azure"
    # a name in capitals ("Artificial General Intelligence") does not begin one; text without capitals is windowed
    assert pieces[3].endswith("need Artificial General Intelligence remains the goal of the research lab")
    flat = RUN_ON.lower()
    assert [len(flat[s:e].split()) for s, e in units(flat)] == [50, 41]  # windows of 50 words, every 25
    citer = citer_for([passage(RUN_ON)], 0.7, "Who is OpenAI's exclusive cloud provider?")
    sentence = citer.check("Microsoft is OpenAI's exclusive cloud provider.")
    assert sentence.supported and citer.citations[0].quote == pieces[2]


def test_score_separates_supported_from_invented_numbers_names_and_negation():
    evidence = SOURCE
    assert score("Microsoft and OpenAI formalized the agreement on October 28, 2025.", evidence) == 1.0
    assert score("They formalized the agreement on October 29, 2025.", evidence) <= 0.5
    assert score("Microsoft holds a 100% stake in OpenAI.", evidence) <= 0.5
    assert score("The CEO of OpenAI is Sam Altman.", evidence) < 0.5
    assert score("Smith said it was a merger.", evidence) > score(
        "Smith said it was not a merger.", "Smith said it was a merger."
    )


def test_citer_cites_exact_span_with_source_offsets():
    p = passage()
    citer = citer_for([p], 0.6)
    s = citer.check("Microsoft and OpenAI formalized their agreement on October 28, 2025 [3].")
    assert s.supported and s.keys == (1,)
    assert s.text == "Microsoft and OpenAI formalized their agreement on October 28, 2025 [1]."
    (c,) = citer.citations
    assert c.quote == "On October 28, 2025, Microsoft and OpenAI formalized a new strategic agreement."
    assert SOURCE[c.start - 100 : c.end - 100] == c.quote
    assert (c.source, c.chunk_id) == ("doc.txt", "doc.txt#abc:0")


def test_citer_drops_unsupported_and_meta_sentences():
    citer = citer_for([passage()], 0.6)
    assert not citer.check("The CEO of OpenAI is Sam Altman.").supported
    assert not citer.check("The passages do not mention the CEO.").supported
    assert not citer.check("NOT IN ARTICLES").supported
    assert citer.citations == []


def test_claim_joining_two_passages_cites_both():
    a = passage("Azure hosts the models of OpenAI.", 0)
    b = Passage("other.txt#d:0", "other.txt", "B", "The agreement was formalized on October 28, 2025.", 0, 49)
    citer = citer_for([a, b], 0.6)
    s = citer.check("Azure hosts OpenAI's models, and the agreement was formalized on October 28, 2025.")
    assert s.supported and len(s.keys) == 2
    assert {c.source for c in citer.citations} == {"doc.txt", "other.txt"}


def test_same_span_keeps_its_key():
    citer = citer_for([passage()], 0.6)
    first = citer.check("Microsoft and OpenAI formalized a new strategic agreement on October 28, 2025.")
    second = citer.check("The new strategic agreement was formalized on October 28, 2025.")
    assert first.keys == second.keys == (1,)
    assert len(citer.citations) == 1


def test_markers_and_meta():
    assert strip_markers("It rained [1][2].") == "It rained."
    assert strip_markers("It rained [1, 2].") == "It rained."
    assert with_markers("It rained.", (1, 2)) == "It rained [1][2]."
    assert with_markers('It calls this "democratization."', (1,)) == 'It calls this "democratization." [1]'
    assert with_markers("It rained (in Paris.)", (3,)) == "It rained (in Paris.) [3]"
    assert with_markers("It rained", (1,)) == "It rained [1]"
    assert is_meta("The articles do not mention who the CEO is.")
    assert not is_meta("Microsoft did not buy OpenAI.")


def test_sentence_buffer_releases_sentences_as_they_complete():
    buf = SentenceBuffer()
    out = []
    for piece in ["The deal ", "was signed. ", "It ", "covers Azure", ". More", " later"]:
        out.append(buf.feed(piece))
    assert out[:3] == [[], [], [("The deal was signed.", 20)]]
    assert sum(out, []) == [("The deal was signed.", 20), ("It covers Azure.", 37)]
    assert buf.flush() == [("More later", 48)]
    assert buf.text[:20] == "The deal was signed." and buf.text[21:37] == "It covers Azure."


def test_outlet_and_date_of_a_passage_count_as_evidence():
    text = "Apple sued Google over the search deal."
    p = Passage("n.txt:0", "n.txt", "T", text, 0, len(text), published="2023-10-05T08:00:00Z", outlet="TechCrunch")
    citer = citer_for([p], 0.7)
    assert citer.check("TechCrunch reported on October 5, 2023 that Apple sued Google.").supported
    assert not citer.check("The Verge reported on October 5, 2023 that Apple sued Google.").supported
    assert not citer.check("TechCrunch reported on October 9, 2023 that Apple sued Google.").supported
    assert citer.citations[0].quote == text


def test_verdict_is_split_off_before_verifying():
    assert split_verdict("Yes, Apple sued Google.") == ("Yes, ", "Apple sued Google.")
    assert split_verdict("No.") == ("No.", "")
    assert split_verdict("Nobody sued.") == ("", "Nobody sued.")
    citer = citer_for([passage()], 0.6)
    assert citer.check("Yes, Azure hosts OpenAI's models.").text == "Yes, Azure hosts OpenAI's models [1]."


def test_a_trailing_wh_clause_makes_an_open_question():
    assert not is_yes_no("750 7th Avenue and 101 Park Avenue, are located in which city?")
    assert is_yes_no("Between the two reports, was the coverage consistent?")


def test_yes_no_questions_are_told_from_open_ones():
    assert is_yes_no("Did Apple sue Google in 2023?")
    assert is_yes_no("Between the TechCrunch report of May 3 and The Verge report, was there a change?")
    assert not is_yes_no("Which company sued Google, and did it win?")
    assert not is_yes_no("Who is the CEO?")


def test_either_or_questions_take_their_options_as_the_verdict():
    question = "Between the two TechCrunch reports, was the portrayal of Google consistent or inconsistent?"
    assert choices(question) == ("consistent", "inconsistent")
    assert choices("Did Apple or Google win the case?") == ()  # names are facts to verify, not options
    assert choices("Who won?") == ()
    # "which X or Y" asks for names of either kind: its answer's first word is no verdict to split off
    assert choices("Which hospitals or healthcare companies are already using the technology?") == ()
    assert choices("Does the blog call the relationship symbiotic or competitive?") == ("symbiotic", "competitive")
    # two topics a question asks about are no judgement: "Privacy: ..." was the product's reply to this one
    assert choices("Does the deal say anything about privacy or security?") == ()
    assert choices("Does the agreement mention privacy or security?") == ()
    # two words the question goes on after are options only when they are opposites (MultiHop-RAG dev: "Quarter:
    # ..." and a verdict word "Service" had been the replies)
    assert (
        choices("Do the articles suggest bets like a team leading at the end of a quarter or total points scored?")
        == ()
    )
    assert choices("Has it focused on Meta's subscription service or probing X over illegal content risks?") == ()
    kick = "Did the report describe a successful or unsuccessful field goal attempt by the kicker?"
    assert choices(kick) == ("successful", "unsuccessful")
    assert choices("Did the two outlets show agreement or disagreement in terms of growth?") == (
        "agreement",
        "disagreement",
    )
    assert split_verdict("Inconsistent. Google paid $26 billion.", choices(question)) == (
        "Inconsistent. ",
        "Google paid $26 billion.",
    )
    assert split_verdict("Yes.", choices(question)) == ("", "Yes.")  # not an answer to this question


def test_premises_leave_out_how_the_question_frames_them():
    assert premises(
        "Does the TechCrunch article suggest that Apple sued Google, while The Verge reports that Google paid "
        "$26 billion in 2021?"
    ) == ["the TechCrunch that Apple sued Google", "The Verge that Google paid $26 billion in 2021"]
    # a clause too short to state anything joins the one before it
    assert premises("Is Australia's Davis Cup team aiming higher compared to the previous year?") == [
        "Australia's Davis Cup team aiming higher the previous year"
    ]


def test_a_case_name_is_one_sentence():
    text = "The Epic v. Google case went to trial. It ended in December."
    assert [text[s:e] for s, e in split_sentences(text)] == [
        "The Epic v. Google case went to trial.",
        "It ended in December.",
    ]
