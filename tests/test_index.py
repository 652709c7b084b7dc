"""Indexer: loading, chunk spans, incremental re-indexing, model mismatch, bad files."""

import pytest
from fakes import hash_embedder

from rag import BrokenIndex, CorpusError, Engine, Settings
from rag.chunker import chunk
from rag.loader import find_files, load
from rag.store import connect

ARTICLE = "Title line\n\n" + " ".join(f"Sentence number {i} tells about topic {i % 7}." for i in range(200))


def engine(tmp_path, corpus, **kw) -> Engine:
    return Engine(Settings(data_dir=tmp_path / "data", corpus_dir=corpus, embed_model="hash", llm="queue", **kw))


@pytest.fixture
def corpus(tmp_path, llm):
    folder = tmp_path / "corpus"
    folder.mkdir()
    (folder / "a.txt").write_text(ARTICLE)
    (folder / "b.md").write_text("# Budget news\n\nThe city approved a budget of 12 million dollars on Monday.\n")
    (folder / "c.html").write_text(
        "<html><head><title>Rail strike</title><script>var x=1;</script></head>"
        "<body><p>Train drivers went on strike on Tuesday.</p></body></html>"
    )
    return folder


def folder_with(tmp_path, name: str, file: str, text: str):
    """Another folder of articles beside the corpus, holding one file."""
    folder = tmp_path / name
    folder.mkdir()
    (folder / file).write_text(text)
    return folder


def test_chunks_are_exact_spans_within_the_token_limit():
    tokenize = hash_embedder().tokenize
    pieces = chunk(ARTICLE, 50, 10, tokenize)
    assert len(pieces) > 5
    for c in pieces:
        assert ARTICLE[c.start : c.end] == c.text
        assert len(tokenize(c.text)) <= 50
    assert pieces[0].start == 0 and pieces[-1].end == len(ARTICLE.rstrip())


def test_loader_reads_titles_and_strips_html(corpus):
    files, skipped = find_files([corpus])
    articles = {a.source: a for a in (load(root, path, 20) for root, path in files)}
    assert skipped == []
    assert articles["b.md"].title == "Budget news"
    assert articles["c.html"].title == "Rail strike"
    assert "var x" not in articles["c.html"].text and "Train drivers went on strike" in articles["c.html"].text
    assert articles["a.txt"].title == "Title line"


def test_outlet_and_date_come_from_front_matter_and_html_meta_and_steer_retrieval(tmp_path, llm):
    folder = tmp_path / "news"
    folder.mkdir()
    body = "The city council approved a budget of 12 million dollars for new bus lanes."
    (folder / "verge.md").write_text(
        f"---\ntitle: Budget passes\nsource: The Verge\npublished: 2023-10-05T08:00:00Z\ntags:\n  - city\n---\n{body}\n"
    )
    (folder / "wired.txt").write_text(f"---\nsource: Wired\ndate: Thu, 05 Oct 2023 09:30:00 +0000\n---\n{body}\n")
    (folder / "ft.html").write_text(
        '<html><head><title>Budget</title><meta property="og:site_name" content="Financial Times">'
        f'<meta property="article:published_time" content="2023-10-06"></head><body><p>{body}</p></body></html>'
    )
    (folder / "rule.md").write_text("---\nNot front matter, a rule.\n---\nText.\n")
    files, _ = find_files([folder])
    got = {a.source: a for a in (load(root, path, 20) for root, path in files)}
    assert (got["verge.md"].outlet, got["verge.md"].published, got["verge.md"].title) == (
        "The Verge",
        "2023-10-05T08:00:00Z",
        "Budget passes",
    )
    assert got["verge.md"].text == body + "\n"  # the front matter is not article text
    assert (got["wired.txt"].outlet, got["wired.txt"].published) == ("Wired", "2023-10-05T09:30:00+00:00")
    assert (got["ft.html"].outlet, got["ft.html"].published) == ("Financial Times", "2023-10-06")
    assert got["rule.md"].outlet is None and got["rule.md"].text.startswith("---")
    e = engine(tmp_path, folder)
    e.index([folder])
    for outlet, source in [("Wired", "wired.txt"), ("The Verge", "verge.md"), ("Financial Times", "ft.html")]:
        top = e.retriever.retrieve(f"What budget did the council approve, according to {outlet}?", 1)
        assert top[0].source == source and top[0].outlet == outlet


def test_bad_files_are_skipped_with_reasons(tmp_path, corpus, caplog):
    (corpus / "empty.txt").write_text("")
    (corpus / "binary.txt").write_bytes(b"\x00\x01\x02binary")
    (corpus / "latin.txt").write_bytes("Caf\xe9 prices rose in M\xfcnchen.".encode("cp1252"))
    (corpus / "broken.pdf").write_bytes(b"%PDF-1.4 not really")
    outside = tmp_path / "secret.txt"
    outside.write_text("secret")
    (corpus / "link.txt").symlink_to(outside)
    report = engine(tmp_path, corpus, chunk_size=64).index()
    reasons = {s.path.rsplit("/", 1)[-1]: s.reason for s in report.skipped}
    assert reasons["empty.txt"] == "empty file"
    assert "binary" in reasons["binary.txt"]
    assert "PDF" in reasons["broken.pdf"]
    assert not [r for r in caplog.records if r.name.startswith("pypdf")]  # the skipped file's reason says it once
    assert "outside" in reasons["link.txt"]
    assert "latin.txt" in report.added  # read as Windows-1252, not dropped
    assert "secret" not in {p.text for p in engine(tmp_path, corpus).keywords().passages}


def test_reindex_is_a_noop_then_tracks_changes_and_deletions(tmp_path, corpus):
    e = engine(tmp_path, corpus, chunk_size=64)
    first = e.index()
    assert sorted(first.added) == ["a.txt", "b.md", "c.html"] and first.chunks > 3
    ids = {p.chunk_id for p in e.keywords().passages}
    again = e.index()
    assert not again.changed and again.chunks == 0 and {p.chunk_id for p in e.keywords().passages} == ids

    (corpus / "b.md").write_text("# Budget news\n\nThe council cut the budget to 9 million dollars.\n")
    (corpus / "c.html").unlink()
    third = e.index()
    assert third.updated == ["b.md"] and third.removed == ["c.html"] and third.chunks == 1
    texts = " ".join(p.text for p in e.keywords().passages)
    assert "9 million" in texts and "12 million" not in texts and "Train drivers" not in texts
    assert e.store.documents().keys() == {"a.txt", "b.md"}


def test_indexing_a_file_elsewhere_does_not_prune_the_corpus(tmp_path, corpus):
    e = engine(tmp_path, corpus, chunk_size=64)
    e.index()
    extra = folder_with(tmp_path, "uploads", "new.txt", "A new bridge opened in the harbour district.")
    report = e.index([extra])
    assert report.added == ["new.txt"] and report.removed == []
    assert set(e.documents()) == {"a.txt", "b.md", "c.html", "new.txt"}


def test_embedding_model_mismatch_is_a_clear_error(tmp_path, corpus):
    engine(tmp_path, corpus).index()
    from rag import models

    models.register_embedder("other", lambda _settings: _renamed())
    with pytest.raises(BrokenIndex, match="rebuild"):
        Engine(Settings(data_dir=tmp_path / "data", corpus_dir=corpus, embed_model="other")).store  # noqa: B018


def _renamed():
    from rag.models import Embedder

    e = hash_embedder()
    return Embedder("another-model", e.model, e.tokenize)


def test_rebuild_swaps_in_a_fresh_collection(tmp_path, corpus):
    e = engine(tmp_path, corpus, chunk_size=64)
    e.index()
    before = e.store.count()
    report = e.rebuild()
    assert sorted(report.added) == ["a.txt", "b.md", "c.html"]
    assert e.store.count() == before
    assert [c.name for c in e.store.client.list_collections()] == ["articles"]
    stamps = sorted(f.name for f in e.settings.chroma_path.glob("*.generation"))
    assert stamps == ["articles.generation"]  # the rebuilt collection's, under its own name; none for the staging one
    assert (e.settings.chroma_path / "articles.generation").read_text() == e.store.generation()
    e.keywords()
    saved = sorted(f.name for f in (e.settings.data_dir / "keywords").iterdir())
    assert saved == ["articles"]  # the staging collection's keyword index is not left behind


def test_a_rebuild_cut_short_in_its_swap_keeps_the_old_index(tmp_path, corpus, monkeypatch):
    e = engine(tmp_path, corpus, chunk_size=64)
    e.index()
    more = folder_with(tmp_path, "more", "extra.md", "# Extra\n\nA second folder's article about the Zephyr bridge.\n")
    e.index([more])
    before = sorted(e.store.documents())
    count = e.store.count()

    from chromadb.api.models.Collection import Collection

    renamed = Collection.modify

    def crash_on_the_staging_rename(self, *args, **kwargs):
        if self.name == "articles-rebuild" and "name" in kwargs:
            raise RuntimeError("power cut")
        return renamed(self, *args, **kwargs)

    monkeypatch.setattr(Collection, "modify", crash_on_the_staging_rename)
    with pytest.raises(BrokenIndex):
        e.rebuild([corpus, more])
    monkeypatch.undo()
    names = sorted(c.name for c in connect(e.settings).list_collections())  # as Chroma holds them, unopened
    assert "articles" not in names and "articles-retired" in names  # cut between the two renames

    again = engine(tmp_path, corpus, chunk_size=64)  # the next process finds the old collection, not an empty one
    with pytest.raises(CorpusError, match=r"extra\.md"):
        again.rebuild()  # the corpus folder alone would drop more/extra.md, retired or not
    assert again.store.count() == count and sorted(again.store.documents()) == before
    again.rebuild([corpus, more])
    assert sorted(c.name for c in again.store.client.list_collections()) == ["articles"]
    assert again.store.count() == count


def test_empty_or_missing_corpus_is_a_clear_error(tmp_path, llm):
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(CorpusError, match="No articles"):
        engine(tmp_path, empty).index()
    with pytest.raises(CorpusError, match="does not exist"):
        engine(tmp_path, tmp_path / "nope").index()


def test_an_article_longer_than_chromas_largest_write_is_stored_whole_or_not_at_all(tmp_path, corpus, monkeypatch):
    e = engine(tmp_path, corpus, chunk_size=64)
    monkeypatch.setattr(e.store.client, "get_max_batch_size", lambda: 3)  # Chroma's own limit is 5,461 records
    e.index()
    a_chunks = [p for p in e.keywords().passages if p.source == "a.txt"]
    assert len(a_chunks) > 3 and sorted(p.start for p in a_chunks) == [p.start for p in a_chunks]
    before = set(e.store.collection.get(where={"source": "a.txt"})["ids"])
    assert before == {p.chunk_id for p in a_chunks}  # every chunk went in, over several writes

    calls = []
    real_add = e.store.collection.add

    def add_then_fail(**kw):
        calls.append(len(kw["ids"]))
        if len(calls) == 2:
            raise RuntimeError("disk full")
        return real_add(**kw)

    monkeypatch.setattr(e.store.collection, "add", add_then_fail)
    (corpus / "a.txt").write_text(ARTICLE.replace("Sentence", "Line"))
    with pytest.raises(BrokenIndex):
        e.index()
    assert calls == [3, 3]  # the first write of the new version went in, the second failed
    assert set(e.store.collection.get(where={"source": "a.txt"})["ids"]) == before  # the old version, nothing else


def test_a_new_process_answers_from_the_stamp_without_opening_chroma(tmp_path, corpus, monkeypatch):
    e = engine(tmp_path, corpus, chunk_size=64)
    e.index()
    stamp = e.settings.chroma_path / "articles.generation"
    assert stamp.read_text() == e.store.generation()

    def no_chroma(settings):
        raise AssertionError("Chroma was opened")

    monkeypatch.setattr("rag.store.connect", no_chroma)
    fresh = engine(tmp_path, corpus, chunk_size=64)  # a new process: the keyword index and the stamp on disk
    fresh.ensure_indexed()
    assert fresh.count() == e.store.count()  # what the chat window asks on opening
    assert {p.source for p in fresh.keywords().passages} == {"a.txt", "b.md", "c.html"}
    assert fresh.keywords().search("budget of 12 million dollars", 2)[0].source == "b.md"
    with pytest.raises(AssertionError, match="Chroma was opened"):  # a search by meaning needs the store
        fresh.retriever.nearest("budget", 3, ())


def test_every_write_replaces_the_stamp_and_a_cut_write_leaves_none(tmp_path, corpus, monkeypatch):
    e = engine(tmp_path, corpus, chunk_size=64)
    e.index()
    stamp = e.settings.chroma_path / "articles.generation"
    first = stamp.read_text()
    (corpus / "d.txt").write_text("Harbor news\n\nThe ferry to the island resumed service on Friday.\n")
    e.index()
    assert stamp.read_text() == e.store.generation() != first
    assert "d.txt" in engine(tmp_path, corpus).documents()  # a new process sees the change through the stamp

    def fail(**kw):
        raise RuntimeError("disk full")

    monkeypatch.setattr(e.store.collection, "add", fail)
    (corpus / "d.txt").write_text("Harbor news\n\nThe ferry stopped again on Sunday.\n")
    with pytest.raises(BrokenIndex):
        e.index()
    assert not stamp.exists()  # readers ask Chroma itself until the next complete write
    e.remove("d.txt")
    assert stamp.read_text() == e.store.generation()
    assert "d.txt" not in engine(tmp_path, corpus).documents()
    e.drop()
    assert not stamp.exists() and engine(tmp_path, corpus).documents() == {}  # dropped: nothing answers from it


def test_no_stamp_is_kept_or_trusted_for_a_chroma_server(tmp_path):
    from rag.store import recorded_generation

    settings = Settings(data_dir=tmp_path / "data", chroma_host="localhost")
    settings.chroma_path.mkdir(parents=True)
    (settings.chroma_path / "articles.generation").write_text("left by an embedded store")
    assert recorded_generation(settings) is None  # other clients of a server change it without the stamp


def test_two_folders_files_of_one_name_are_two_articles(tmp_path, corpus):
    e = engine(tmp_path, corpus, chunk_size=64)
    e.index()
    other = folder_with(
        tmp_path, "other", "b.md", "# Ferry news\n\nThe harbour ferry runs every ten minutes from May.\n"
    )
    report = e.index([other])
    assert report.added == ["other/b.md"] and not report.updated  # the corpus's b.md is not replaced
    assert {"b.md", "other/b.md"} <= set(e.documents())
    texts = " ".join(p.text for p in e.keywords().passages)
    assert "12 million" in texts and "harbour ferry" in texts
    again = e.index([corpus, other])  # the same names again, whichever folder comes first
    assert not again.changed and sorted(again.unchanged) == ["a.txt", "b.md", "c.html", "other/b.md"]
    (other / "b.md").unlink()
    gone = e.index([other, corpus])
    assert (
        gone.removed == ["other/b.md"]
        and "b.md" in e.documents()
        and "12 million" in " ".join(p.text for p in e.keywords().passages)
    )
    assert e.origin("b.md") == str(corpus.resolve())


def test_a_folder_moved_or_copied_is_the_same_articles(tmp_path, corpus):
    import shutil

    e = engine(tmp_path, corpus, chunk_size=64)
    e.index()
    copy = tmp_path / "copy"
    shutil.copytree(corpus, copy)
    again = e.index([copy])  # the same files read from another path: no second article
    assert not again.changed and sorted(again.unchanged) == ["a.txt", "b.md", "c.html"]
    fresh = engine(tmp_path / "other", corpus, chunk_size=64).index([corpus, copy])  # both at once, into a new index
    assert sorted(fresh.added) == ["a.txt", "b.md", "c.html"] and not fresh.unchanged
    moved = tmp_path / "moved"
    corpus.rename(moved)
    (moved / "b.md").write_text("# Budget news\n\nThe council cut the budget to 9 million dollars.\n")
    edited = e.index([moved])  # moved, then edited: the old file is gone, so this is its new version
    assert edited.updated == ["b.md"] and not edited.added
    assert sorted(e.documents()) == ["a.txt", "b.md", "c.html"]
    (moved / "c.html").unlink()
    pruned = e.index([moved])  # a file deleted from the moved folder leaves the index, as from its old place
    assert pruned.removed == ["c.html"] and sorted(e.documents()) == ["a.txt", "b.md"]
    assert e.origin("a.txt") == str(moved.resolve())
    again = tmp_path / "again"
    moved.rename(again)
    (again / "b.md").unlink()  # moved and a file deleted in one step: gone with the folder it was recorded in
    pruned = e.index([again])
    assert pruned.removed == ["b.md"] and sorted(e.documents()) == ["a.txt"]


def test_a_rebuild_does_not_silently_drop_articles_from_elsewhere(tmp_path, corpus):
    e = engine(tmp_path, corpus)
    e.index()
    more = folder_with(tmp_path, "more", "extra.md", "# Extra\n\nA second folder's article about the Zephyr bridge.\n")
    e.index([more])
    with pytest.raises(CorpusError, match=r"extra\.md.*rag index --rebuild"):
        e.rebuild()  # the corpus folder alone would lose more/extra.md
    assert "extra.md" in e.documents()
    report = e.rebuild([corpus, more])  # every folder named: nothing lost
    assert "extra.md" in e.documents() and not report.removed
    report = e.rebuild([corpus])  # a folder left out on purpose: its article goes, and the report says so
    assert "extra.md" not in e.documents() and report.removed == ["extra.md"]


def test_a_rebuild_for_another_embedding_model_still_sees_articles_from_elsewhere(tmp_path, corpus):
    e = engine(tmp_path, corpus)
    e.index()
    more = folder_with(tmp_path, "more", "extra.md", "# Extra\n\nA second folder's article about the Zephyr bridge.\n")
    e.index([more])
    from rag import models

    models.register_embedder("other", lambda _settings: _renamed())
    switched = Engine(Settings(data_dir=tmp_path / "data", corpus_dir=corpus, embed_model="other", llm="queue"))
    with pytest.raises(BrokenIndex, match="rebuild"):
        switched.store  # noqa: B018  (the index was embedded by the other model)
    with pytest.raises(CorpusError, match=r"extra\.md"):
        switched.rebuild()  # re-embedding the corpus folder alone would drop more/extra.md
    report = switched.rebuild([corpus, more])
    assert "extra.md" in report.added and switched.store.embedder_id == "another-model"
    assert set(switched.documents()) == {"a.txt", "b.md", "c.html", "extra.md"}


def test_a_file_that_can_no_longer_be_read_keeps_its_indexed_version(tmp_path, corpus):
    e = engine(tmp_path, corpus)
    e.index()
    (corpus / "b.md").write_bytes(b"\x00binary now")
    report = e.index()
    assert "b.md" in e.documents() and not report.removed and report.skipped
