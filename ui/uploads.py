"""Uploaded files: checked (type, size, name), stored under `Settings.uploads_dir` only, and deleted on removal."""

from __future__ import annotations

import os
import re
import shutil
import tempfile
import unicodedata
from collections.abc import Mapping
from pathlib import Path

from rag import MB, SUFFIXES, RagError, Settings

ACCEPTED = sorted(SUFFIXES)
_UNSAFE = re.compile(r"[^A-Za-z0-9._ -]+")


class BadUpload(RagError):
    """An uploaded file that cannot be accepted; the message says why and what to do."""


def clean_name(name: str) -> str:
    """A safe file name from what the browser sent: no folders, no leading dots, plain characters, short."""
    base = re.split(r"[\\/]", name or "")[-1]
    base = unicodedata.normalize("NFKD", base).encode("ascii", "ignore").decode()
    base = _UNSAFE.sub("_", base).strip(" .")
    stem, suffix = os.path.splitext(base)
    stem = stem.strip(" .")[:100]
    if not stem:
        stem = "upload"
    return f"{stem}{suffix.lower()}"


def check(path: Path, name: str, settings: Settings) -> str:
    """Validate one upload; returns the name it will be stored under or raises BadUpload."""
    safe = clean_name(name)
    suffix = Path(safe).suffix.lower()
    if suffix not in SUFFIXES:
        raise BadUpload(f"{name!r}: type {suffix or '(none)'} is not accepted; upload {', '.join(ACCEPTED)} files.")
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise BadUpload(f"{name!r} could not be read ({exc}); upload it again.") from exc
    limit = settings.upload_max_mb * MB
    if size > limit:
        raise BadUpload(
            f"{name!r} is {size / MB:.2f} MB; the limit is {settings.upload_max_mb:g} MB (RAG_UPLOAD_MAX_MB). "
            "Split it or upload a smaller file."
        )
    if size == 0:
        raise BadUpload(f"{name!r} is empty: upload a file with text in it.")
    return safe


def save(path: Path, name: str, settings: Settings, indexed: Mapping[str, str] | None = None) -> Path:
    """Copy a checked upload into the uploads folder under its clean name (replacing an earlier upload of it).

    `indexed` (source -> title) guards against shadowing an article of the same name indexed from elsewhere.
    """
    safe = check(path, name, settings)
    folder = settings.uploads_dir
    target = folder / safe
    if safe in (indexed or {}) and not target.exists():
        raise BadUpload(f"An article named {safe!r} is already indexed from another folder: rename the file and retry.")
    part: Path | None = None
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with open(path, "rb") as src, tempfile.NamedTemporaryFile(dir=folder, prefix=".part-", delete=False) as tmp:
            part = Path(tmp.name)
            shutil.copyfileobj(src, tmp)
        if target.exists():  # the earlier upload is kept aside until the new one is indexed (`discard`, `settle`)
            os.replace(target, _earlier(target))
        os.replace(part, target)
    except OSError as exc:
        if part is not None:
            part.unlink(missing_ok=True)
        raise BadUpload(f"Could not store {safe!r} in {folder} ({exc}): check that RAG_DATA_DIR is writable.") from exc
    return target


def _earlier(target: Path) -> Path:
    """Where an earlier upload waits while its replacement is indexed (a suffix the indexer does not read)."""
    return target.with_name(f".{target.name}.earlier")


def discard(target: Path) -> bool:
    """`target` could not be indexed: put the earlier upload of its name back in its place (True), or delete it when
    there was none (False)."""
    earlier = _earlier(target)
    if not earlier.exists():
        target.unlink(missing_ok=True)
        return False
    os.replace(earlier, target)
    return True


def settle(target: Path) -> None:
    """`target` was indexed: the earlier upload it replaced is no longer needed."""
    _earlier(target).unlink(missing_ok=True)


def stored(source: str, settings: Settings) -> Path | None:
    """The uploaded file behind `source`, if it lives in the uploads folder (never a path outside it)."""
    folder = settings.uploads_dir.resolve()
    candidate = (folder / source).resolve()
    if candidate.parent != folder or not candidate.is_file():
        return None
    return candidate


def delete(source: str, settings: Settings) -> bool:
    """Delete the uploaded file behind `source`; False when it is not an upload."""
    path = stored(source, settings)
    if path is None:
        return False
    path.unlink(missing_ok=True)
    return True
