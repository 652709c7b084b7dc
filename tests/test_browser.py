"""The chat window in headless Chromium with the real models: ask, see the streamed cited answer and its source.

Also the `/ask` API through gradio_client against the same server. Saves a screenshot to artifacts/ui.png.
"""

import socket
from pathlib import Path
from urllib.parse import urlparse

import pytest
from conftest import ROOT

from rag.engine import Engine
from rag.settings import Settings
from ui.app import start

pytestmark = [pytest.mark.slow, pytest.mark.browser]

CHROMIUM = Path("/usr/bin/chromium")
QUESTION = "On what date did Microsoft and OpenAI formalize their new agreement?"
SEED = "004_c32bc8aee1998fbf.txt"
ANSWER_TIMEOUT_MS = 150_000  # first load indexes the seeds and loads both models; the LLM is slow on this CPU


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def external(url: str) -> bool:
    return not url.startswith(("data:", "blob:")) and urlparse(url).hostname not in {"127.0.0.1", "localhost"}


@pytest.fixture(scope="module")
def server(tmp_path_factory, gguf):
    """The app on a free loopback port, with the real embedder and LLM and its own (empty) data dir."""
    settings = Settings(data_dir=tmp_path_factory.mktemp("ui-data"), llm_model_path=gguf)
    app, url = start("127.0.0.1", free_port(), Engine(settings))
    yield url
    app.close()


def test_chat_window_answers_with_a_linked_citation(server):
    if not CHROMIUM.exists():
        pytest.skip("Debian's chromium is not installed: apt-get install -y chromium chromium-driver")
    from playwright.sync_api import expect, sync_playwright

    outside: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=str(CHROMIUM),
            args=[
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
            ],
        )
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 900})
            page.on("request", lambda request: outside.append(request.url) if external(request.url) else None)
            page.goto(server)
            expect(page.locator("#library-note")).to_contain_text("2 articles indexed", timeout=ANSWER_TIMEOUT_MS)
            expect(page.get_by_text("Which cloud platform hosts OpenAI's models?")).to_be_visible()  # examples

            box = page.locator("#question textarea")
            box.fill(QUESTION)
            box.press("Enter")
            chat = page.locator("#chat")
            expect(chat).to_contain_text("October 28, 2025", timeout=ANSWER_TIMEOUT_MS)
            # a bare date reads as a sentence: the article's own, quoted after it
            expect(chat).to_contain_text("— “On October 28, 2025, Microsoft and OpenAI formalized", timeout=30_000)
            sources = page.locator("#sources-panel")
            expect(sources).to_contain_text(SEED, timeout=ANSWER_TIMEOUT_MS)  # filled once the answer is complete
            cite = chat.locator("a.cite").first
            expect(cite).to_have_text("[1]")
            expect(sources.locator("mark").first).to_be_visible()
            cite.click()
            expect(page.locator("#src-1-1")).to_be_in_viewport()
            (ROOT / "artifacts").mkdir(exist_ok=True)
            page.screenshot(path=str(ROOT / "artifacts" / "ui.png"), full_page=True)
        finally:
            browser.close()
    assert outside == [], f"the page fetched from outside this machine: {outside}"


def test_api_answers_through_gradio_client(server):
    from gradio_client import Client

    client = Client(server, verbose=False)
    text, citations = client.predict(QUESTION, None, api_name="/ask")
    assert "October 28, 2025" in text and "[1]" in text
    assert any(c["source"] == SEED and "October 28, 2025" in c["quote"] for c in citations)
