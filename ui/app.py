"""The chat window: a Gradio page over `rag` (chat with streamed, cited answers; sources; article library).

`build_app(engine)` builds the page around one engine (tests pass one with fake models); `launch()` serves it.
"""

from __future__ import annotations

import os

import gradio as gr
import httpx

from rag import Engine, RagError, Settings, default_engine, get_settings  # first: no analytics, no model hub
from ui import render
from ui.handlers import Chat, Conversation, View
from ui.uploads import ACCEPTED

PROXIES = ("http", "https", "all")  # the proxy variables (either case) that httpx, and so Gradio, reads

TITLE = "News Q&A"
EXAMPLES = [  # the first fits any collection; the others, the two shipped articles
    "What are these articles about?",
    "On what date did Microsoft and OpenAI formalize their new agreement?",
    "Which cloud platform hosts OpenAI's models?",
]

# System fonts only: the page never fetches a font (or anything else) from the internet.
THEME = gr.themes.Default(
    primary_hue="blue",
    neutral_hue="slate",
    font=[gr.themes.Font("system-ui"), "-apple-system", "Segoe UI", "Roboto", "sans-serif"],
    font_mono=[gr.themes.Font("ui-monospace"), "SFMono-Regular", "Menlo", "Consolas", "monospace"],
)

CSS = """
.gradio-container { max-width: 1400px !important; margin: 0 auto; }
#header h1 { margin: 0; font-size: 1.4rem; }
#header p { margin: 0.1rem 0 0; color: var(--body-text-color-subdued); }
#chat { flex-grow: 1; }
#chat a.cite { text-decoration: none; font-weight: 600; font-size: 0.8em; vertical-align: super;
  padding: 0 0.15em; border-radius: 4px; background: var(--color-accent-soft); color: var(--color-accent); }
#sources-panel { max-height: 700px; overflow-y: auto !important; }
.sources details.turn { margin-bottom: 0.6rem; }
.sources details.turn > summary { cursor: pointer; font-weight: 600; color: var(--body-text-color-subdued); }
.turn-question { font-weight: 600; margin: 0.4rem 0; }
.rewritten { font-size: 0.9em; color: var(--body-text-color-subdued); margin-bottom: 0.4rem; }
.source { border: 1px solid var(--border-color-primary); border-radius: 8px; padding: 0.6rem 0.75rem;
  margin: 0.5rem 0; background: var(--background-fill-secondary); transition: box-shadow 0.3s; }
.source.flash { box-shadow: 0 0 0 3px var(--color-accent); }
.source-head .key { font-weight: 700; color: var(--color-accent); }
.source-head .title { font-weight: 600; }
.source-meta { font-size: 0.8em; color: var(--body-text-color-subdued); margin: 0.15rem 0 0.35rem; }
.passage { font-size: 0.9em; line-height: 1.45; margin: 0; white-space: pre-wrap; }
.passage mark { background: #fde68a; color: inherit; padding: 0 1px; border-radius: 2px; }
.whole summary { cursor: pointer; color: var(--body-text-color-subdued); font-size: 0.8em; margin-top: 0.35rem; }
.dropped summary { cursor: pointer; color: #b45309; font-size: 0.9em; }
.dropped li { color: var(--body-text-color-subdued); text-decoration: line-through; font-size: 0.9em; }
.no-sources, .sources-empty { color: var(--body-text-color-subdued); font-size: 0.9em; }
.unverified { color: #b45309; font-size: 0.9em; margin-top: 0.4em; }
.source.nearest { border-style: dashed; }
.empty-index { border: 1px solid #f59e0b; background: #fffbeb; color: #92400e; border-radius: 8px; padding: 0.5rem 0.7rem; }
.library-count { font-weight: 600; }
"""

# A click on a citation [n] opens that answer's sources and scrolls to the cited passage.
HEAD = """
<script>
document.addEventListener("click", (event) => {
  const link = event.target.closest && event.target.closest("a.cite");
  if (!link) return;
  event.preventDefault();
  event.stopPropagation();
  const card = document.getElementById(link.getAttribute("href").slice(1));
  if (!card) return;
  const section = card.closest("details");
  if (section) section.open = true;
  card.scrollIntoView({ behavior: "smooth", block: "center" });
  card.classList.add("flash");
  setTimeout(() => card.classList.remove("flash"), 1500);
}, true);
</script>
"""


def build_app(engine: Engine | None = None) -> gr.Blocks:
    """The chat page around `engine` (default: the shared engine for the current settings)."""
    engine = engine or default_engine()
    settings = engine.settings
    chat = Chat(engine)
    # RAG_UI_CONCURRENCY answers run at once, chat and /ask together; they take their turns at the model in chat.line
    answering = {"concurrency_limit": settings.ui_concurrency, "concurrency_id": "answer"}
    # a question sent while this tab's answer runs: one more run follows (the running one answers it, none is dropped)
    answer = {"api_visibility": "private", "show_progress": "minimal", "trigger_mode": "always_last", **answering}

    def pick(selected: gr.SelectData, conversation: Conversation) -> View:
        return chat.add(_example(selected), conversation)

    with gr.Blocks(title=TITLE, fill_height=True) as app:
        conversation = gr.State(Conversation())  # each tab gets its own

        gr.HTML(
            f"<h1>{TITLE}</h1><p>Answers come only from the indexed news articles; every sentence cites its passage.</p>",
            elem_id="header",
        )
        with gr.Row(equal_height=False):
            with gr.Column(scale=1, min_width=250, elem_id="library"):
                gr.Markdown("### Articles")
                note = gr.HTML("<div>Checking the index…</div>", elem_id="library-note")
                files = gr.File(
                    label=f"Upload ({', '.join(ACCEPTED)}; ≤ {settings.upload_max_mb:g} MB each)",
                    file_count="multiple",
                    file_types=ACCEPTED,
                    elem_id="upload",
                )
                status = gr.Markdown(elem_id="library-status")
                docs = gr.Dropdown(label="Indexed articles", choices=[], value=None, interactive=True, elem_id="docs")
                remove = gr.Button("Remove from index", variant="stop", size="sm", elem_id="remove")
            with gr.Column(scale=3, min_width=420):
                chatbot = gr.Chatbot(
                    elem_id="chat",
                    show_label=False,
                    height=620,
                    placeholder="**Ask a question about the news articles.** Try one of these:",
                    examples=[{"text": q} for q in EXAMPLES],
                    feedback_options=None,
                    buttons=["copy"],
                )
                box = gr.Textbox(
                    placeholder="Ask about the articles…",
                    show_label=False,
                    lines=1,
                    max_lines=6,
                    autofocus=True,
                    elem_id="question",
                    submit_btn="Send",
                )
                clear = gr.Button("Clear chat", size="sm", variant="secondary", elem_id="clear")
            with gr.Column(scale=2, min_width=320):
                gr.Markdown("### Sources")
                sources = gr.HTML(render.panel([]), elem_id="sources-panel")

        view = [chatbot, sources]
        library = [status, docs, note]
        box.submit(chat.send, [box, conversation], [box, *view], queue=False, api_visibility="private").then(
            chat.answer, [conversation], view, **answer
        )
        chatbot.example_select(pick, [conversation], view, queue=False, api_visibility="private").then(
            chat.answer, [conversation], view, **answer
        )
        clear.click(chat.clear, [conversation], view, queue=False, api_visibility="private")
        chatbot.clear(chat.clear, [conversation], view, queue=False, api_visibility="private")  # its bin icon
        files.upload(chat.upload, [files], library, api_visibility="private", concurrency_limit=None).then(
            lambda: None, None, [files], queue=False, api_visibility="private"
        )
        remove.click(chat.remove, [docs], library, api_visibility="private", concurrency_limit=None)
        app.load(chat.start, None, library, api_visibility="private", concurrency_limit=None)
        gr.api(chat.api_ask, api_name="ask", **answering)
    return app


def _example(selected: gr.SelectData) -> str:
    value = selected.value
    return value.get("text", "") if isinstance(value, dict) else str(value)


def start(host: str | None = None, port: int | None = None, engine: Engine | None = None) -> tuple[gr.Blocks, str]:
    """Serve the chat window without blocking; returns the app and its local URL."""
    settings: Settings = engine.settings if engine else get_settings()
    host = host or settings.ui_host
    port = port or settings.ui_port
    app = build_app(engine)
    app.queue(default_concurrency_limit=settings.ui_concurrency)
    _bypass_proxy(host)
    try:
        _, url, _ = app.launch(
            server_name=host,
            server_port=port,
            prevent_thread_lock=True,
            quiet=True,
            share=False,
            ssr_mode=False,
            max_file_size=int(settings.upload_max_mb * 1024 * 1024),
            footer_links=["api"],
            theme=THEME,
            css=CSS,
            head=HEAD,
        )
    except OSError as exc:
        raise RagError(
            f"Cannot serve the chat window on {host}:{port} ({exc}): pass another --port or set RAG_UI_PORT."
        ) from exc
    except Exception as exc:
        if not _unreachable(exc):
            raise
        app.close()
        raise RagError(
            f"The chat window started on {host}:{port}, but a request to it from this machine failed: the loopback "
            "interface is down (a container or sandbox without `lo`), or a firewall blocks it."
        ) from exc
    return app, url


def _unreachable(exc: Exception) -> bool:
    """Gradio's own request to the page it serves failed: httpx's error, "When localhost is not accessible, ..."
    (a ValueError) or "Couldn't start the app because ... failed" (a bare Exception)."""
    said = str(exc)
    return (
        isinstance(exc, httpx.HTTPError)
        or (isinstance(exc, ValueError) and "localhost" in said)
        or ("Couldn't start the app" in said)
    )


def _bypass_proxy(host: str) -> None:
    """Requests to this machine go direct: with HTTP(S)_PROXY or ALL_PROXY set and no NO_PROXY for localhost,
    Gradio's check that its page answers goes to the proxy, fails, and it refuses to serve (a common report)."""
    if not any(os.environ.get(f"{name}_proxy") or os.environ.get(f"{name.upper()}_PROXY") for name in PROXIES):
        return
    local = ["localhost", "127.0.0.1", "::1", host]
    for name in ("no_proxy", "NO_PROXY"):
        have = [x.strip() for x in os.environ.get(name, "").split(",") if x.strip()]
        os.environ[name] = ",".join(have + [x for x in local if x not in have])


def launch(host: str | None = None, port: int | None = None) -> None:
    """`rag chat`: serve the chat window and say where; blocks until Ctrl-C."""
    settings = get_settings()
    print(f"Starting the chat window on http://{host or settings.ui_host}:{port or settings.ui_port} …", flush=True)
    engine = default_engine()
    loading = engine.load_llm_early()  # the model loads while the page is built: the first question does not wait
    try:
        app, url = start(host, port, engine)
    finally:
        loading.join()  # llama.cpp sends the process's output to /dev/null while it loads (llama-cpp-python #1874)
    print(f"Chat window running at {url} (Ctrl-C to stop)", flush=True)
    try:
        app.block_thread()
    finally:
        app.close()
