"""The chat window's handlers with fake models: streaming, citations, sources, history, errors, uploads, documents."""

import socket
import threading
from pathlib import Path

import gradio as gr
import pytest
from conftest import SEEDS
from fakes import QueueLLM
from llama_index.core.base.llms.types import ChatMessage, ChatResponse
from pydantic import PrivateAttr

from rag import REFUSAL, models
from rag.engine import Engine
from rag.settings import get_settings
from ui import render, uploads
from ui.app import THEME, build_app, start
from ui.handlers import Chat, Turn

QUESTION = "On what date did Microsoft and OpenAI formalize their new agreement?"
SEED = "004_c32bc8aee1998fbf.txt"


@pytest.fixture
def chat(llm) -> Chat:
    return Chat(Engine(get_settings()))


def replies(views) -> list[str]:
    """The last assistant message of each yielded view."""
    return [messages[-1]["content"] for messages, _panel, _turns in views]


def test_answer_streams_growing_text_then_links_citations_to_sources(chat, llm):
    llm.queue("The agreement was formalized on October 28, 2025. Microsoft's Azure cloud already hosts OpenAI's models.")
    views = list(chat.respond(QUESTION, []))
    shown = replies(views)
    assert shown[0] == "Searching the articles…"
    assert any(s.startswith("Indexing the articles (first use)") for s in shown)  # seeds, on first use
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
    *_, (_messages, _panel, turns) = chat.respond(QUESTION, [])
    text = (SEEDS / SEED).read_text()
    quote = text[text.index("On October 28, 2025") : text.index("partnership.", text.index("On October 28")) + 12]
    assert f"<mark>{quote}</mark>" in turns[0].sources


def test_follow_up_passes_history_and_shows_the_rewritten_question(chat, llm):
    llm.queue("Microsoft and OpenAI formalized a new strategic agreement on October 28, 2025.")
    *_, (_m, _p, turns) = chat.respond(QUESTION, [])
    llm.queue("Which cloud hosts OpenAI's models under the Microsoft agreement?", "Azure hosts OpenAI's models.")
    *_, (messages, panel, turns2) = chat.respond("and which cloud?", turns)
    condense_prompt = llm.prompts[1][0].content
    assert QUESTION in condense_prompt and turns[0].answer in condense_prompt
    assert "Searched as: <q>Which cloud hosts OpenAI&#x27;s models under the Microsoft agreement?</q>" in panel
    assert [m["role"] for m in messages] == ["user", "assistant", "user", "assistant"]
    assert 'href="#src-2-1"' in messages[-1]["content"]
    assert "Sources of answer 2" in panel and "Sources of answer 1" in panel
    assert len(turns) == 1 and len(turns2) == 2  # the input state is not changed in place


def test_sessions_keep_their_own_history(chat, llm):
    llm.queue("Microsoft and OpenAI formalized a new strategic agreement on October 28, 2025.")
    *_, (_m, _p, alice) = chat.respond(QUESTION, [])
    llm.queue("Azure hosts OpenAI's models.")
    *_, (messages, _p, bob) = chat.respond("Which cloud hosts OpenAI's models?", [])
    assert len(llm.prompts) == 2  # bob's first question was not condensed against alice's history
    assert [t.question for t in bob] == ["Which cloud hosts OpenAI's models?"] and len(messages) == 2
    assert [t.question for t in alice] == [QUESTION]


def test_refusal_reads_as_a_normal_message_and_dropped_sentences_are_marked(chat, llm):
    llm.queue("Sam Altman announced the agreement.")
    *_, (messages, panel, turns) = chat.respond("Who announced the agreement?", [])
    assert messages[-1]["content"] == REFUSAL and not messages[-1]["content"].startswith("⚠️")
    assert turns[0].answer == REFUSAL
    assert "No passage of the indexed articles supports an answer." in panel
    assert '<details class="dropped"><summary>Left out: not supported by the articles (1)' in panel
    assert "<li>Sam Altman announced the agreement.</li>" in panel


def test_partly_supported_answer_keeps_unsupported_sentence_out_of_the_chat(chat, llm):
    llm.queue("The agreement was formalized on October 28, 2025. Microsoft holds a 49% stake in OpenAI.")
    *_, (messages, panel, _turns) = chat.respond(QUESTION, [])
    assert "49%" not in messages[-1]["content"]
    assert "Left out: not supported by the articles (1)" in panel and "49% stake" in panel


@pytest.mark.parametrize(("question", "message"), [("", "empty"), (" \n\t", "empty"), ("x" * 5000, "limit is 2,000")])
def test_bad_question_is_a_clear_message_not_a_crash(chat, llm, question, message):
    *_, (messages, panel, turns) = chat.respond(question, [])
    assert messages[-1]["content"].startswith("⚠️") and message in messages[-1]["content"]
    assert len(messages[-2]["content"]) <= 601  # a huge question is shown cut short
    assert turns[0].answer is None and llm.prompts == []
    llm.queue("Azure hosts OpenAI's models.")
    *_, (messages, _panel, turns) = chat.respond("Which cloud hosts OpenAI's models?", turns)
    assert len(llm.prompts) == 1  # the failed turn is not history: no condensing step
    assert "Azure" in messages[-1]["content"] and len(turns) == 2


def test_unexpected_failure_mid_answer_is_reported_in_the_chat(chat, llm):
    # no reply queued: the fake LLM raises while the answer is being generated
    *_, (messages, _panel, turns) = chat.respond(QUESTION, [])
    assert messages[-1]["content"].startswith("⚠️ Something went wrong while answering")
    assert turns[0].answer is None


def test_clear_chat_empties_messages_sources_and_history(chat):
    messages, panel, turns = chat.clear()
    assert messages == [] and turns == [] and "appear here" in panel


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
    *_, (messages, _p, _t) = chat.respond(QUESTION, [])
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
    *_, (_m, panel, turns) = chat.respond("When did the lunar greenhouse grow its first tomatoes?", [])
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
    assert "✗ 'big.txt' is 0.0 MB; the limit is 0.001 MB (RAG_UPLOAD_MAX_MB)" in status
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


def test_theme_uses_system_fonts_only():
    css = " ".join(str(f) for f in [*THEME._font, *THEME._font_mono])
    assert "system-ui" in css and "Google" not in css and "Local" not in css
    assert all(isinstance(f, str) or type(f) is gr.themes.Font for f in [*THEME._font, *THEME._font_mono])


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class GatedLLM(QueueLLM):
    """Answers by question: a question mentioning "slowly" is held back until `release()`."""

    _gate: threading.Event = PrivateAttr(default_factory=threading.Event)

    def release(self) -> None:
        self._gate.set()

    def stream_chat(self, messages, **kwargs):
        slow = "slowly" in messages[-1].content
        reply = (
            "Azure hosts OpenAI's models."
            if slow
            else "Microsoft and OpenAI formalized a new agreement on October 28, 2025."
        )

        def gen():
            if slow:
                self._gate.wait(60)
            yield ChatResponse(message=ChatMessage(role="assistant", content=reply), delta=reply)

        return gen()


def test_api_endpoint_answers_and_a_long_answer_blocks_no_one_else(llm, monkeypatch):
    from gradio_client import Client

    gated = GatedLLM()
    models.register_llm("gated", lambda _settings: gated)
    monkeypatch.setenv("RAG_LLM", "gated")
    get_settings.cache_clear()
    engine = Engine(get_settings())
    engine.ensure_indexed()
    assert isinstance(build_app(engine), gr.Blocks)
    app, url = start("127.0.0.1", free_port(), engine)
    try:
        client = Client(url, verbose=False)
        slow = client.submit("Which cloud hosts OpenAI's models, slowly?", None, api_name="/ask")
        text, citations = client.predict(QUESTION, None, api_name="/ask")  # answered while the other one waits
        assert "October 28, 2025 [1]" in text and citations[0]["source"] == SEED
        assert not slow.done()
        gated.release()
        slow_text, slow_citations = slow.result(timeout=30)
        assert "Azure" in slow_text and slow_citations
        with pytest.raises(Exception, match="empty"):
            client.predict("  ", None, api_name="/ask")
    finally:
        gated.release()
        app.close()


def test_turn_state_is_plain_data():
    turn = Turn("q", "reply")
    assert turn.answer is None and turn.sources == ""


def test_busy_port_is_a_clear_error(llm):
    from rag.errors import RagError

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(RagError, match=f"127.0.0.1:{port}.*pass another --port or set RAG_UI_PORT"):
            start("127.0.0.1", port, Engine(get_settings()))
