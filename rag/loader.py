"""Read article files into plain text: .txt, .md, .html and .pdf, skipping what cannot be read, with a warning.
Outlet and publication date come from front matter (.txt, .md) or <meta> tags (.html) when the file has them."""

from __future__ import annotations

import hashlib
import logging
import re
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from pathlib import Path

from rag.errors import CorpusError

log = logging.getLogger(__name__)

SUFFIXES = {".txt", ".md", ".markdown", ".html", ".htm", ".pdf"}


@dataclass(frozen=True)
class Article:
    source: str  # path relative to the corpus root (its file name for a flat folder)
    root: str  # the corpus folder it was found in, resolved
    title: str
    text: str  # the text citations point into
    sha256: str  # of the file's bytes
    published: str | None = None  # ISO date-time, when known (e.g. from a news feed)
    outlet: str | None = None  # the publication, e.g. "TechCrunch", when known


@dataclass(frozen=True)
class Skipped:
    path: str
    reason: str


def find_files(paths: list[Path]) -> tuple[list[tuple[Path, Path]], list[Skipped]]:
    """Expand folders into (root, file) pairs of supported files; symlinks leaving their root are skipped."""
    found: list[tuple[Path, Path]] = []
    skipped: list[Skipped] = []
    for given in paths:
        if not given.exists():
            raise CorpusError(f"{given} does not exist: give a folder or file of articles (.txt, .md, .html, .pdf).")
        root = given if given.is_dir() else given.parent
        files = sorted(p for p in given.rglob("*") if p.is_file()) if given.is_dir() else [given]
        for path in files:
            if path.suffix.lower() not in SUFFIXES:
                if given.is_file():
                    skipped.append(Skipped(str(path), f"unsupported type {path.suffix or '(none)'}"))
                continue
            real, real_root = path.resolve(), root.resolve()
            if not real.is_relative_to(real_root):
                skipped.append(Skipped(str(path), f"symlink pointing outside {root}"))
                continue
            found.append((root, path))
    return found, skipped


MB = 1_000_000  # the megabyte of every size limit and message (RAG_MAX_FILE_MB, RAG_UPLOAD_MAX_MB)


def load(root: Path, path: Path, max_mb: float) -> Article:
    """Read one file; raises ValueError with the reason when it cannot be used."""
    size = path.stat().st_size
    if size == 0:
        raise ValueError("empty file")
    if size > max_mb * MB:
        raise ValueError(f"{size / MB:.2f} MB is over RAG_MAX_FILE_MB={max_mb:g}")
    data = path.read_bytes()
    suffix = path.suffix.lower()
    meta: dict[str, str] = {}
    if suffix == ".pdf":
        text, title = _pdf(path), ""
    else:
        if b"\x00" in data:  # anywhere: a text header does not make a binary file text
            raise ValueError("binary file (NUL bytes), not text")
        raw = _decode(data, path)
        if suffix in {".html", ".htm"}:
            text, title, meta = _html(raw)
        else:
            meta, text = _front_matter(raw)
            title = meta.get("title") or (_markdown_title(text) if suffix != ".txt" else "")
    if not text.strip():
        raise ValueError("no text in file")
    source = path.relative_to(root).as_posix()
    title = title or _first_line_title(text, path)
    outlet = next((meta[k] for k in OUTLET_KEYS if meta.get(k)), None)
    published = next((d for k in DATE_KEYS if (d := _iso_date(meta.get(k, "")))), None)
    return Article(source, str(root.resolve()), title, text, hashlib.sha256(data).hexdigest(), published, outlet)


# Where an article file says which outlet published it and when: front matter keys, and HTML <meta> names
OUTLET_KEYS = ("source", "outlet", "publisher", "og:site_name", "application-name")
DATE_KEYS = ("published", "published_at", "date", "article:published_time", "datepublished", "pubdate")
_FRONT = re.compile(r"\A---[ \t]*\n(.*?)\n---[ \t]*(?:\n|\Z)", re.S)


def _front_matter(raw: str) -> tuple[dict[str, str], str]:
    """`key: value` lines between two `---` lines at the top of a .txt or .md file (title, source, published), and
    the text after them; ({}, raw) when there are none."""
    m = _FRONT.match(raw)
    if not m:
        return {}, raw
    meta = {}
    for line in m.group(1).splitlines():
        if not line.strip() or line.startswith((" ", "\t", "-", "#")):
            continue  # YAML list items, nested values, comments
        key, sep, value = line.partition(":")
        if not sep or not key.strip() or " " in key.strip():
            return {}, raw  # not front matter: text that happens to start with a rule
        meta[key.strip().lower()] = value.strip().strip("\"'")
    return meta, raw[m.end() :]


def _iso_date(value: str) -> str | None:
    """'2023-10-05', '2023-10-05T08:00:00Z' or an RSS/e-mail date as ISO 8601; None for anything else."""
    value = value.strip()
    if re.match(r"^(?:19|20)\d\d-[01]\d-[0-3]\d(?:[T ][\d:.]+(?:Z|[+-]\d\d:?\d\d)?)?$", value):
        return value
    try:
        return parsedate_to_datetime(value).isoformat()
    except (TypeError, ValueError, IndexError):
        if value:
            log.warning("ignored the date %r: write it as YYYY-MM-DD", value)
        return None


def _decode(data: bytes, path: Path) -> str:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        log.warning("%s is not UTF-8; read it as Windows-1252", path)
        text = data.decode("cp1252", errors="replace")
    return _newlines(text)


def _newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _html(raw: str) -> tuple[str, str, dict[str, str]]:
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(raw, "html.parser")
    title = soup.title.get_text().strip() if soup.title else ""
    meta = {}
    for tag in soup.find_all("meta"):
        name = str(tag.get("property") or tag.get("name") or tag.get("itemprop") or "").lower()
        if name in OUTLET_KEYS + DATE_KEYS and tag.get("content") and name not in meta:
            meta[name] = str(tag["content"]).strip()
    for tag in soup(["script", "style", "noscript", "template", "head"]):
        tag.decompose()
    text = re.sub(r"[ \t]+", " ", soup.get_text("\n"))
    text = re.sub(r"\n\s*\n+", "\n\n", text).strip()
    return text, title, meta


def _pdf(path: Path) -> str:
    from pypdf import PdfReader

    # pypdf logs what it repairs or gives up on ("invalid pdf header", "EOF marker not found") as warnings of its
    # own; a file it cannot read is reported once, as a skipped file with the reason
    logging.getLogger("pypdf").setLevel(logging.ERROR)
    try:
        pages = [page.extract_text() or "" for page in PdfReader(path).pages]
    except Exception as exc:  # pypdf raises many types for damaged files
        raise ValueError(f"unreadable PDF ({exc})") from exc
    return _newlines("\n\n".join(p.strip() for p in pages if p.strip()))


def _markdown_title(raw: str) -> str:
    match = re.search(r"^#\s+(.+)$", raw, flags=re.M)
    return match.group(1).strip() if match else ""


def _first_line_title(text: str, path: Path) -> str:
    first = text.strip().split("\n", 1)[0].strip()
    if len(first) <= 120:
        return first
    cut = first[:100].rsplit(" ", 1)[0]
    return f"{cut}…" if cut else path.stem
