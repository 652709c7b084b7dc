"""The chat window's handlers with fake models: streaming, citations, sources, history, errors, the line for the
model (queue position, one tab's questions in order), uploads, documents."""

import json
import socket
import threading
import time
from pathlib import Path

import gradio as gr
import httpx
import pytest
from conftest import SEEDS, use_llm
from fakes import QueueLLM

from rag import REFUSAL, UNVERIFIED, UNVERIFIEDS, RagError
from rag.engine import Engine
from rag.prompts import REFUSALS
from rag.settings import get_settings
from ui import render, uploads
from ui.answering import UNCHANGED
from ui.app import THEME, build_app, start
from ui.handlers import Chat, Conversation, Turn

QUESTION = "On what date did Microsoft and OpenAI formalize their new agreement?"
SEED = "004_c32bc8aee1998fbf.txt"


@pytest.fixture
def chat(llm) -> Chat:
    return Chat(Engine(get_settings()))


def respond(chat: Chat, question: str, tab: Conversation | None = None) -> list[tuple[list[dict], str, list[Turn]]]:
    """Send `question` from a tab (a new one unless given) and answer it: every view shown, with the tab's turns."""
    tab = Conversation() if tab is None else tab
    views = [chat.add(question, tab), *chat.answer(tab)]
    return [(messages, panel, list(tab.turns)) for messages, panel in views]


def replies(views) -> list[str]:
    """The last assistant message of each yielded view."""
    return [messages[-1]["content"] for messages, _panel, _turns in views]


def test_answer_streams_growing_text_then_links_citations_to_sources(chat, llm):
    llm.queue(
        "The agreement was formalized on October 28, 2025. On October 28, 2025, Microsoft and OpenAI formalized a new "
        "strategic agreement."
    )
    views = respond(chat, QUESTION)
    shown = replies(views)
    assert shown[0] == "Queued…"  # at once, before its answer starts
    assert shown[1].startswith("Indexing the articles (first use)")  # seeds, on first use
    assert "Searching the articles…" in shown and not any(s.startswith("Queued: ") for s in shown)  # nobody ahead
    streamed = [s for s in shown[:-1] if s.startswith("The agreement")]
    assert len(streamed) >= 2
    assert all(b.startswith(a) and len(b) > len(a) for a, b in zip(streamed, streamed[1:], strict=False))
    final_messages, panel, turns = views[-1]
    assert final_messages[0] == {"role": "user", "content": QUESTION}
    final = final_messages[-1]["content"]
    assert "October 28, 2025" in final and 'href="#src-1-1"' in final and ">[1]</a>" in final
    assert 'id="src-1-1"' in panel and SEED in panel
    assert "<mark>On October 28, 2025, Microsoft and OpenAI formalized a new strategic agreement" in panel
    assert "Microsoft and OpenAI have formalized a new ambitious agreement" in panel  # the article's name
    assert [t.question for t in turns] == [QUESTION] and "[1]" in turns[0].answer


def test_highlight_marks_the_exact_quote_inside_the_passage(chat, llm):
    llm.queue("Microsoft and OpenAI formalized a new strategic agreement on October 28, 2025.")
    *_, (_messages, _panel, turns) = respond(chat, QUESTION)
    text = (SEEDS / SEED).read_text()
    quote = text[text.index("On October 28, 2025") : text.index("partnership.", text.index("On October 28")) + 12]
    assert f"<mark>{quote}</mark>" in turns[0].sources


def test_follow_up_passes_history_and_shows_the_rewritten_question(chat, llm):
    llm.queue("Microsoft and OpenAI formalized a new strategic agreement on October 28, 2025.")
    tab = Conversation()
    *_, (_m, _p, turns) = respond(chat, QUESTION, tab)
    llm.queue("Which cloud hosts OpenAI's models under the Microsoft agreement?", "Azure hosts OpenAI's models.")
    *_, (messages, panel, turns2) = respond(chat, "and which cloud?", tab)
    condense_prompt = llm.prompts[1][0].content
    assert QUESTION in condense_prompt and turns[0].answer in condense_prompt
    assert "Searched as: <q>Which cloud hosts OpenAI&#x27;s models under the Microsoft agreement?</q>" in panel
    assert [m["role"] for m in messages] == ["user", "assistant", "user", "assistant"]
    assert 'href="#src-2-1"' in messages[-1]["content"]
    assert "Sources of answer 2" in panel and "Sources of answer 1" in panel
    assert len(turns) == 1 and len(turns2) == 2 and turns2[0] is turns[0]


def test_sessions_keep_their_own_history(chat, llm):
    llm.queue("Microsoft and OpenAI formalized a new strategic agreement on October 28, 2025.")
    *_, (_m, _p, alice) = respond(chat, QUESTION)
    llm.queue("Azure hosts OpenAI's models.")
    *_, (messages, _p, bob) = respond(chat, "Which cloud hosts OpenAI's models?")
    assert len(llm.prompts) == 2  # bob's first question was not condensed against alice's history
    assert [t.question for t in bob] == ["Which cloud hosts OpenAI's models?"] and len(messages) == 2
    assert [t.question for t in alice] == [QUESTION]


def test_refusal_reads_as_a_normal_message_and_dropped_sentences_are_marked(chat, llm):
    llm.queue("Sam Altman announced the agreement.")
    *_, (messages, panel, turns) = respond(chat, "Who announced the agreement?")
    assert messages[-1]["content"] == REFUSAL and not messages[-1]["content"].startswith("⚠️")
    assert turns[0].answer == REFUSAL
    assert "No passage of the indexed articles supports an answer." in panel
    assert '<details class="dropped"><summary>Left out: not supported by the articles (1)' in panel
    assert "<li>Sam Altman announced the agreement.</li>" in panel
    assert "nearest" not in panel  # an invented name: the articles lack the answer, nothing to check


def test_unverified_refusal_shows_its_nearest_passage_marked_as_no_citation(chat, llm):
    llm.queue("The tie-up is part of the broader trend of consolidation among major AI players.")
    *_, (messages, panel, turns) = respond(chat, "What industry-wide shift is this tie-up part of?")
    assert turns[0].answer == REFUSAL  # the conversation's history keeps the refusal itself
    assert messages[-1]["content"] == f"{REFUSAL}\n\n*{UNVERIFIED}*"
    assert render.NO_PASSAGE in panel
    assert (
        '<div class="source nearest"><div class="source-head"><span class="key">Nearest passage, not verified:' in panel
    )
    assert "<mark>The strengthening of the Microsoft-OpenAI partnership fits into a broader trend" in panel
    assert 'id="src-' not in panel and 'class="cite"' not in messages[-1]["content"]  # nothing links to it


def test_unverified_refusal_to_a_french_question_says_so_in_french(chat, llm):
    llm.queue(
        "What industry-wide shift is this tie-up part of?",  # the question, translated to the articles' language
        "The tie-up is part of the broader trend of consolidation among major AI players.",
    )
    *_, (messages, panel, _turns) = respond(
        chat, "De quelle évolution de tout le secteur ce rapprochement fait-il partie ?"
    )
    assert messages[-1]["content"] == f"{REFUSALS['fr']}\n\n*{UNVERIFIEDS['fr']}*"
    assert "Nearest passage, not verified:" in panel


def test_partly_supported_answer_keeps_unsupported_sentence_out_of_the_chat(chat, llm):
    llm.queue("The agreement was formalized on October 28, 2025. Microsoft holds a 49% stake in OpenAI.")
    *_, (messages, panel, _turns) = respond(chat, QUESTION)
    assert "49%" not in messages[-1]["content"]
    assert "Left out: not supported by the articles (1)" in panel and "49% stake" in panel


@pytest.mark.parametrize(("question", "message"), [("", "empty"), (" \n\t", "empty"), ("x" * 5000, "limit is 2,000")])
def test_bad_question_is_a_clear_message_not_a_crash(chat, llm, question, message):
    tab = Conversation()
    *_, (messages, panel, turns) = respond(chat, question, tab)
    assert messages[-1]["content"].startswith("⚠️") and message in messages[-1]["content"]
    assert len(messages[-2]["content"]) <= 601  # a huge question is shown cut short
    assert turns[0].answer is None and llm.prompts == []
    llm.queue("Azure hosts OpenAI's models.")
    *_, (messages, _panel, turns) = respond(chat, "Which cloud hosts OpenAI's models?", tab)
    assert len(llm.prompts) == 1  # the failed turn is not history: no condensing step
    assert "Azure" in messages[-1]["content"] and len(turns) == 2


def test_unexpected_failure_mid_answer_is_reported_in_the_chat(chat, llm):
    # no reply queued: the fake LLM raises while the answer is being generated
    *_, (messages, _panel, turns) = respond(chat, QUESTION)
    assert messages[-1]["content"].startswith("⚠️ Something went wrong while answering")
    assert turns[0].answer is None


def test_clear_chat_empties_messages_sources_and_history(chat, llm):
    llm.queue("Microsoft and OpenAI formalized a new strategic agreement on October 28, 2025.")
    tab = Conversation()
    respond(chat, QUESTION, tab)
    messages, panel = chat.clear(tab)
    assert messages == [] and tab.turns == [] and "appear here" in panel
    llm.queue("Azure hosts OpenAI's models.")
    respond(chat, "Which cloud hosts OpenAI's models?", tab)
    assert len(llm.prompts) == 2  # no history left: the new question was not condensed


def test_start_indexes_seeds_with_progress_then_lists_them(chat):
    views = list(chat.start())
    assert views[0][0].startswith("Indexing the sample articles")
    status, dropdown, note = views[-1]
    assert status == "" and "2 articles indexed" in note
    assert {source for _label, source in dropdown["choices"]} == {SEED, "000_4c23560438d8b1e6.txt"}
    assert list(chat.start())[0][0] == ""  # second load: nothing to index


def test_empty_index_shows_a_note(llm, tmp_path, monkeypatch):
    monkeypatch.setenv("RAG_CORPUS_DIR", str(tmp_path / "no-articles"))
    get_settings.cache_clear()
    chat = Chat(Engine(get_settings()))
    (_status, dropdown, note), *_ = list(chat.start())
    assert "The index is empty." in note and dropdown["choices"] == []
    *_, (messages, _p, _t) = respond(chat, QUESTION)
    assert messages[-1]["content"].startswith("⚠️") and "RAG_CORPUS_DIR" in messages[-1]["content"]


def write(path: Path, text: str | bytes) -> str:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text if isinstance(text, bytes) else text.encode())
    return str(path)


ARTICLE = (
    "# Lunar greenhouse opens\n\n"
    "The Aurora lunar greenhouse grew its first tomatoes on March 3, 2031, according to the station crew.\n"
    "The greenhouse is run by the Lisbon Space Agency and uses water mined from the crater floor.\n"
)


def test_upload_indexes_the_file_and_answers_draw_on_it(chat, llm, tmp_path):
    list(chat.start())
    views = list(chat.upload([write(tmp_path / "in" / "Lunar Greenhouse.md", ARTICLE)]))
    status, dropdown, note = views[-1]
    assert any(v[0].startswith("Indexing uploads") for v in views[:-1])
    assert "✓ Lunar Greenhouse.md indexed." in status and "3 articles indexed" in note
    assert (chat.engine.settings.uploads_dir / "Lunar Greenhouse.md").read_text() == ARTICLE
    assert ("Lunar greenhouse opens · Lunar Greenhouse.md", "Lunar Greenhouse.md") in dropdown["choices"]
    llm.queue("The Aurora lunar greenhouse grew its first tomatoes on March 3, 2031.")
    *_, (_m, panel, turns) = respond(chat, "When did the lunar greenhouse grow its first tomatoes?")
    assert "Lunar Greenhouse.md" in panel and "<mark>" in panel and "[1]" in turns[0].answer


def test_upload_rejects_wrong_type_too_big_empty_and_shadowing_names(chat, llm, tmp_path, monkeypatch):
    list(chat.start())
    *_, (status, _d, _n) = chat.upload(
        [
            write(tmp_path / "in" / "tool.exe", b"MZ\x90\x00"),
            write(tmp_path / "in" / "empty.txt", b""),
            write(tmp_path / "in" / SEED, "A different article that happens to share a name with a seed.\n"),
        ]
    )
    assert "✗ 'tool.exe': type .exe is not accepted" in status
    assert "✗ 'empty.txt' is empty" in status
    assert "already indexed from another folder: rename the file" in status
    assert not chat.engine.settings.uploads_dir.exists() or not any(chat.engine.settings.uploads_dir.iterdir())

    monkeypatch.setenv("RAG_UPLOAD_MAX_MB", "0.001")
    get_settings.cache_clear()
    small = Chat(Engine(get_settings()))
    *_, (status, _d, _n) = small.upload([write(tmp_path / "in" / "big.txt", "word " * 1000)])
    assert "✗ 'big.txt' is 0.01 MB; the limit is 0.001 MB (RAG_UPLOAD_MAX_MB)" in status
    assert not (small.engine.settings.uploads_dir / "big.txt").exists()


def test_unreadable_upload_is_reported_and_not_kept(chat, llm, tmp_path):
    list(chat.start())
    broken = b"%PDF-1.4 not really a pdf"
    *_, (status, dropdown, _n) = chat.upload([write(tmp_path / "in" / "broken.pdf", broken)])
    assert "✗ None of the files could be indexed: broken.pdf: unreadable PDF" in status
    assert not (chat.engine.settings.uploads_dir / "broken.pdf").exists()
    # beside a good upload, the broken one is reported on its own and the good one is kept
    *_, (status, dropdown, _n) = chat.upload(
        [write(tmp_path / "in" / "broken.pdf", broken), write(tmp_path / "in" / "good.md", ARTICLE)]
    )
    assert "✗ broken.pdf was not indexed: unreadable PDF" in status and "✓ good.md indexed." in status
    assert not (chat.engine.settings.uploads_dir / "broken.pdf").exists()
    sources = {source for _label, source in dropdown["choices"]}
    assert "good.md" in sources and "broken.pdf" not in sources


def test_a_broken_reupload_keeps_the_earlier_upload_on_disk_and_in_the_index(chat, llm, tmp_path):
    list(chat.start())
    stored = chat.engine.settings.uploads_dir / "notes.md"
    *_, (status, _d, _n) = chat.upload([write(tmp_path / "in" / "notes.md", ARTICLE)])
    assert "✓ notes.md indexed." in status
    binary = b"\x00\x01 not text"
    for also in ([], [write(tmp_path / "in" / "other.md", ARTICLE.replace("Zephyr", "Quill"))]):
        *_, (status, dropdown, _n) = chat.upload([write(tmp_path / "in" / "notes.md", binary), *also])
        assert "notes.md" in status and "the earlier upload" in status and "is kept" in status
        assert stored.read_text() == ARTICLE  # the good file is back, not the broken one
        assert "notes.md" in {source for _label, source in dropdown["choices"]}
    assert not list(chat.engine.settings.uploads_dir.glob(".*earlier"))


@pytest.mark.parametrize(
    ("name", "stored"),
    [
        ("../../x.txt", "x.txt"),
        ("..\\..\\windows\\evil.md", "evil.md"),
        ("/etc/passwd.txt", "passwd.txt"),
        ("a..md", "a.md"),
        ("résumé <script>.HTML", "resume _script_.html"),
    ],
)
def test_upload_names_cannot_leave_the_uploads_folder(llm, tmp_path, name, stored):
    settings = get_settings()
    path = uploads.save(Path(write(tmp_path / "src.bin", "Some article text.\n")), name, settings)
    assert path == settings.uploads_dir / stored
    assert path.resolve().parent == settings.uploads_dir.resolve()
    assert path.read_text() == "Some article text.\n"


def test_upload_name_without_a_stem_or_type_is_refused(llm, tmp_path):
    src = Path(write(tmp_path / "src.bin", "Some article text.\n"))
    for name in ["..txt", "...", "", "../../"]:
        with pytest.raises(uploads.BadUpload, match="is not accepted"):
            uploads.save(src, name, get_settings())
    assert not get_settings().uploads_dir.exists()


def test_remove_upload_deletes_its_file_but_a_seed_stays_on_disk(chat, llm, tmp_path):
    list(chat.start())
    list(chat.upload([write(tmp_path / "in" / "greenhouse.md", ARTICLE)]))
    uploaded = chat.engine.settings.uploads_dir / "greenhouse.md"
    status, dropdown, note = chat.remove("greenhouse.md")
    assert status == "Removed greenhouse.md and deleted the uploaded file." and not uploaded.exists()
    assert "greenhouse.md" not in chat.engine.documents() and "2 articles indexed" in note
    status, dropdown, _note = chat.remove(SEED)
    assert status == f"Removed {SEED}." and (SEEDS / SEED).exists()
    assert {source for _label, source in dropdown["choices"]} == {"000_4c23560438d8b1e6.txt"}
    assert "is not indexed" in chat.remove(SEED)[0]
    assert chat.remove(None)[0] == "Pick an article to remove first."
    assert "is not indexed" in chat.remove("../../etc/passwd")[0]


def test_render_escapes_article_text():
    from rag.types import Citation, Passage

    passage = Passage("c1", "a.txt", "<b>T</b>", "x <script>alert(1)</script> quoted words y", 10, 60)
    citation = Citation(1, "a.txt", "c1", "quoted words", 38, 50, "<b>T</b>")
    html = render.card(3, citation, {"c1": passage})
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "<mark>quoted words</mark>" in html and 'id="src-3-1"' in html and "&lt;b&gt;T&lt;/b&gt;" in html


def test_a_long_passage_shows_the_cited_words_in_their_paragraph_and_the_whole_folded():
    from rag.types import Citation, Passage

    paragraphs = [
        "An opening paragraph about something else. " * 12,
        "Words before. " * 40 + "THE QUOTE." + " After." * 60,
    ]
    text = "\n".join(paragraphs)
    at = text.index("THE QUOTE.")
    passage = Passage("c1", "a.txt", "T", text, 100, 100 + len(text))
    html = render.card(1, Citation(1, "a.txt", "c1", "THE QUOTE.", 100 + at, 110 + at, "T"), {"c1": passage})
    shown, folded = html.split('<details class="whole">')
    assert "<mark>THE QUOTE.</mark>" in shown and "opening paragraph" not in shown
    assert shown.count("Words before.") < 40 and '<p class="passage">…' in shown
    assert shown.count("After.") < 60 and shown.split("</mark>")[1].split("</p>")[0].endswith("…")
    assert "opening paragraph" in folded and "<mark>THE QUOTE.</mark>" in folded
    whole_paragraph = Passage("c3", "c.txt", "T", "First paragraph.\nSecond, with THE QUOTE. in it.\nThird.", 0, 50)
    html = render.card(1, Citation(1, "c.txt", "c3", "THE QUOTE.", 30, 40, "T"), {"c3": whole_paragraph})
    assert '<p class="passage">Second, with <mark>THE QUOTE.</mark> in it.</p>' in html  # a whole paragraph: no "…"
    short = Passage("c2", "b.txt", "T", "Short text with THE QUOTE. in it.", 0, 33)
    html = render.card(1, Citation(1, "b.txt", "c2", "THE QUOTE.", 16, 26, "T"), {"c2": short})
    assert "<details" not in html and "Short text with <mark>THE QUOTE.</mark> in it." in html


def test_theme_uses_system_fonts_only():
    css = " ".join(str(f) for f in [*THEME._font, *THEME._font_mono])
    assert "system-ui" in css and "Google" not in css and "Local" not in css
    assert all(isinstance(f, str) or type(f) is gr.themes.Font for f in [*THEME._font, *THEME._font_mono])


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


DATE = "Microsoft and OpenAI formalized a new strategic agreement on October 28, 2025."
CLOUD = "Which cloud hosts OpenAI's models?"
AZURE = "Azure hosts OpenAI's models."


class TurnstileLLM(QueueLLM):
    """QueueLLM whose streamed answers wait at a turnstile in the model: each `admit()` lets one through."""

    def __init__(self) -> None:
        super().__init__()
        self._gate = threading.Semaphore(0)
        self._arrivals = threading.Semaphore(0)

    def admit(self) -> None:
        self._gate.release()

    def arrived(self, timeout_s: float = 10.0) -> bool:
        """Whether one more answer reached the model (where it waits to be admitted) within `timeout_s`."""
        return self._arrivals.acquire(timeout=timeout_s)

    def stream_chat(self, messages, **kwargs):
        pieces = super().stream_chat(messages, **kwargs)

        def gen():
            self._arrivals.release()
            if not self._gate.acquire(timeout=10):
                raise AssertionError("the test never admitted this answer")
            yield from pieces

        return gen()


@pytest.fixture
def turnstile(llm, monkeypatch) -> TurnstileLLM:
    return use_llm(monkeypatch, "turnstile", TurnstileLLM())


@pytest.fixture
def indexed(turnstile) -> Chat:
    chat = Chat(Engine(get_settings()))
    chat.engine.ensure_indexed()
    return chat


def until(condition, timeout_s: float = 10.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < deadline, "timed out waiting"
        time.sleep(0.01)


class Tab:
    """One browser tab: what `send` adds at once, then its answer event in a thread, as the page runs them."""

    def __init__(self, chat: Chat) -> None:
        self.chat = chat
        self.conversation = Conversation()
        self.events: list[threading.Thread] = []
        self.views: list = []  # every view the tab was sent, in order

    def send(self, question: str) -> list:
        """Send `question`; returns the views its answer event yields (filled as they come)."""
        box, *view = self.chat.send(question, self.conversation)
        assert box == ""
        self.views.append(tuple(view))
        yielded: list = []

        def event() -> None:
            for view in self.chat.answer(self.conversation):
                yielded.append(view)
                self.views.append(view)

        self.events.append(threading.Thread(target=event, daemon=True))
        self.events[-1].start()
        return yielded

    def reply(self, turn: int = -1) -> str:
        return self.conversation.turns[turn].reply

    def shown(self, turn: int) -> list[str]:
        """What the chat showed as the reply to question `turn`, in order, without repeats."""
        shown: list[str] = []
        for view in self.views:
            if view != UNCHANGED and len(view[0]) > 2 * turn + 1 and view[0][2 * turn + 1]["content"] not in shown[-1:]:
                shown.append(view[0][2 * turn + 1]["content"])
        return shown

    def join(self) -> None:
        for event in self.events:
            event.join(10)
            assert not event.is_alive()


def test_a_waiting_question_shows_its_place_in_line_until_its_answer_streams(indexed, turnstile):
    turnstile.queue(DATE, AZURE, DATE)
    alice, bob, carol = Tab(indexed), Tab(indexed), Tab(indexed)
    alice.send(QUESTION)
    assert turnstile.arrived()  # alice's answer has the model
    bob.send(CLOUD)
    until(lambda: bob.reply() == "Queued: 1 question ahead of yours…")
    carol.send(QUESTION)
    until(lambda: carol.reply() == "Queued: 2 questions ahead of yours…")
    turnstile.admit()  # alice's answer is written: everyone moves up
    until(lambda: carol.reply() == "Queued: 1 question ahead of yours…")
    assert turnstile.arrived()  # bob's
    turnstile.admit()
    assert turnstile.arrived()  # carol's
    turnstile.admit()
    for tab in (alice, bob, carol):
        tab.join()

    assert carol.shown(0)[:4] == [
        "Queued…",
        "Queued: 2 questions ahead of yours…",
        "Queued: 1 question ahead of yours…",
        "Searching the articles…",
    ]
    assert "October 28, 2025" in carol.shown(0)[-1] and 'href="#src-1-1"' in carol.shown(0)[-1]
    assert bob.shown(0)[:3] == ["Queued…", "Queued: 1 question ahead of yours…", "Searching the articles…"]
    assert alice.shown(0)[:2] == ["Queued…", "Searching the articles…"]  # nobody ahead of her
    # first come, first served, each with its own answer
    assert [next(q for q in (QUESTION, CLOUD) if q in p[-1].content) for p in turnstile.prompts] == [
        QUESTION,
        CLOUD,
        QUESTION,
    ]
    assert "October 28, 2025" in alice.conversation.turns[0].answer and "[1]" in carol.conversation.turns[0].answer
    assert "Azure" in bob.conversation.turns[0].answer


def test_two_questions_from_one_tab_are_answered_in_order_neither_lost_nor_mixed(indexed, turnstile):
    # the first answer; the follow-up rewritten with the first answer as history; the follow-up's answer
    turnstile.queue(DATE, CLOUD, AZURE)
    tab = Tab(indexed)
    first = tab.send(QUESTION)
    assert turnstile.arrived()  # the first answer is being written
    second = tab.send("and which cloud hosts their models?")  # sent before it is done: a second answer event
    tab.events[1].join(10)
    assert second == [UNCHANGED]  # that event found the first at work and left the chat to it
    assert tab.reply() == "Queued: after your previous question…"
    turnstile.admit()
    assert turnstile.arrived()
    turnstile.admit()
    tab.join()

    messages, panel = first[-1]
    assert [m["role"] for m in messages] == ["user", "assistant", "user", "assistant"]
    assert messages[0]["content"] == QUESTION and messages[2]["content"] == "and which cloud hosts their models?"
    assert "October 28, 2025" in messages[1]["content"] and "Azure" not in messages[1]["content"]
    assert "Azure" in messages[3]["content"] and "October" not in messages[3]["content"]
    assert (
        'href="#src-2-1"' in messages[3]["content"]
        and "Sources of answer 2" in panel
        and "Sources of answer 1" in panel
    )
    condense = turnstile.prompts[1][0].content  # the follow-up waited for the first answer and used it as history
    assert QUESTION in condense and DATE.rstrip(".") in condense
    assert len(turnstile.prompts) == 3  # each question answered once
    assert tab.shown(1) == ["Queued: after your previous question…", "Searching the articles…", *tab.shown(1)[2:]]
    # the re-run the page makes after the first event (a question came in meanwhile) finds nothing left to do
    assert list(indexed.answer(tab.conversation)) == [UNCHANGED]


def test_clear_chat_drops_waiting_questions_and_stops_the_answer_being_written(indexed, turnstile):
    turnstile.queue(DATE, AZURE)
    tab = Tab(indexed)
    tab.send(QUESTION)
    assert turnstile.arrived()
    tab.send(CLOUD)
    assert indexed.clear(tab.conversation)[0] == []
    turnstile.admit()
    tab.join()
    assert tab.conversation.turns == [] and len(turnstile.prompts) == 1  # the waiting question was not asked
    assert [v for v in tab.views if v != UNCHANGED][-1][0] == []  # the chat stays cleared


class Page:
    """One browser tab talking to the running app over HTTP, as the page does: direct calls and the queue."""

    def __init__(self, app: gr.Blocks, url: str) -> None:
        self.http = httpx.Client(base_url=url + "gradio_api/", timeout=10)
        self.session = "tab-1"
        self.fns = {fn.name: index for index, fn in reversed(app.fns.items())}  # the first of each name
        self.done: dict[str, list] = {}  # event id -> final outputs
        self.listening: threading.Thread | None = None

    def send(self, question: str) -> list[dict]:
        body = {"data": [question, None], "fn_index": self.fns["send"], "session_hash": self.session}
        return self.http.post("run/predict", json=body).json()["data"][1]

    def answer(self) -> str:
        body = {"data": [None], "fn_index": self.fns["answer"], "session_hash": self.session}
        event = self.http.post("queue/join", json=body).json()["event_id"]
        if not (self.listening and self.listening.is_alive()):
            self.listening = threading.Thread(target=self._listen, daemon=True)
            self.listening.start()
        return event

    def _listen(self) -> None:
        with self.http.stream("GET", f"queue/data?session_hash={self.session}") as stream:
            for line in stream.iter_lines():
                message = json.loads(line[5:]) if line.startswith("data:") else {}
                if message.get("msg") == "process_completed":
                    self.done[message["event_id"]] = message["output"]["data"]
                if message.get("msg") == "close_stream":
                    return


def text(message: dict) -> str:
    return "".join(part["text"] for part in message["content"])


def test_one_tab_sending_twice_over_http_gets_both_answers_in_order(turnstile):
    engine = Engine(get_settings())
    engine.ensure_indexed()
    turnstile.queue(DATE, CLOUD, AZURE)
    app, url = start("127.0.0.1", free_port(), engine)
    try:
        page = Page(app, url)
        assert text(page.send(QUESTION)[-1]) == "Queued…"
        first = page.answer()
        assert turnstile.arrived()
        assert text(page.send("and which cloud hosts their models?")[-1]) == "Queued: after your previous question…"
        second = page.answer()  # e.g. an example clicked meanwhile: its own answer event, at the same time
        until(lambda: second in page.done)
        assert [out["__type__"] for out in page.done[second]] == ["update"] * 2  # the chat left as it was
        assert "value" not in json.dumps(page.done[second])
        turnstile.admit()
        assert turnstile.arrived()
        turnstile.admit()
        until(lambda: first in page.done)
        chat, panel = page.done[first]
        assert [m["role"] for m in chat] == ["user", "assistant", "user", "assistant"]
        assert "October 28, 2025" in text(chat[1]) and "Azure" in text(chat[3]) and "October" not in text(chat[3])
        assert "Sources of answer 1" in panel and "Sources of answer 2" in panel
        assert len(turnstile.prompts) == 3
    finally:
        app.close()


def test_api_questions_wait_in_the_same_line_first_come_first_served(turnstile):
    from gradio_client import Client

    engine = Engine(get_settings())
    engine.ensure_indexed()
    turnstile.queue(AZURE, DATE)
    assert isinstance(build_app(engine), gr.Blocks)
    app, url = start("127.0.0.1", free_port(), engine)
    try:
        client = Client(url, verbose=False)
        first = client.submit(CLOUD, None, api_name="/ask")
        assert turnstile.arrived()
        second = client.submit(QUESTION, None, api_name="/ask")
        assert not turnstile.arrived(0.5)  # it waits for the first answer, not beside it
        turnstile.admit()
        assert turnstile.arrived()  # the first is done: the second has the model
        first_text, first_citations = first.result(timeout=10)
        assert "Azure" in first_text and first_citations and not second.done()
        turnstile.admit()
        text, citations = second.result(timeout=10)
        assert "October 28, 2025 [1]" in text and citations[0]["source"] == SEED
        with pytest.raises(Exception, match="empty"):
            client.predict("  ", None, api_name="/ask")  # refused at once, without waiting in line
    finally:
        app.close()


def test_turn_state_is_plain_data():
    turn = Turn("q", "reply")
    assert turn.answer is None and turn.sources == "" and not turn.waiting


def test_busy_port_is_a_clear_error(llm):
    from rag.errors import RagError

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(RagError, match=f"127.0.0.1:{port}.*pass another --port or set RAG_UI_PORT"):
            start("127.0.0.1", port, Engine(get_settings()))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_the_chat_window_starts_behind_a_proxy_and_says_when_this_machine_cannot_reach_it(llm, monkeypatch, tmp_path):
    # a proxy for every request and none excepted: Gradio's own request to its page went to the (dead) proxy
    for name in ("no_proxy", "NO_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HTTP_PROXY", "http://127.0.0.1:9")
    monkeypatch.setenv("RAG_DATA_DIR", str(tmp_path))
    get_settings.cache_clear()
    app, url = start("127.0.0.1", _free_port(), Engine(get_settings()))
    try:
        assert httpx.get(url, trust_env=False).status_code == 200
    finally:
        app.close()
    # the loopback interface down (a sandbox without `lo`): a message, not Gradio's traceback
    monkeypatch.setattr("gradio.networking.url_ok", lambda _url: False)
    port = _free_port()
    with pytest.raises(RagError, match="the loopback interface is down"):
        start("127.0.0.1", port, Engine(get_settings()))
    with socket.socket() as s:
        s.bind(("127.0.0.1", port))  # and the port is free again

    def unreachable(*_args, **_kwargs):
        raise httpx.ConnectError("[Errno 101] Network is unreachable")

    monkeypatch.setattr("httpx.get", unreachable)  # where Gradio asks its page for its startup events
    with pytest.raises(RagError, match="the loopback interface is down"):
        start("127.0.0.1", _free_port(), Engine(get_settings()))
