"""The fixed prompt prefix of whole-collection reading, kept in llama.cpp's KV cache and in a state file under the
data dir, so that it is computed once (by `rag index`) and each question costs only its own tokens.

The file is llama.cpp's own state file (`llama_state_save_file`: the KV cache and the tokens it holds, not
llama-cpp-python's pickled state with its logits table). It is named by a key of everything that made it (the model
file, the library version, the context and batch sizes, the KV type, the chat template and the prefix's tokens), so a
stale file is never found, and it is checked on load (its SHA-256 must be the one written beside it when it was
saved, and its tokens the prefix's): a missing, stale, damaged or unreadable file is rebuilt, never trusted. When a
shorter prefix's file holds the beginning of this one (articles appended at the end), it is loaded and only the rest
computed."""

from __future__ import annotations

import contextlib
import ctypes
import hashlib
import json
import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

SUFFIX = ".kv"
KV_TYPE = "f16"  # llama.cpp's default for both K and V; the product never changes it

Progress = Callable[[int, int], None]  # (tokens computed so far, tokens in all)


@dataclass(frozen=True)
class Held:
    """How the prefix came to be in the context: 'memory' (already there), 'file' (loaded), 'extended' (a shorter
    prefix's file loaded and the rest computed) or 'computed'; and its size, time and file."""

    how: str
    tokens: int
    seconds: float
    path: Path | None = None


def key(identity: dict[str, Any], tokens: Sequence[int]) -> str:
    """The file's name: a hash of what made the state and of the tokens it holds."""
    digest = hashlib.sha256(json.dumps(identity, sort_keys=True).encode())
    digest.update(b"\0" + ",".join(map(str, tokens)).encode())
    return digest.hexdigest()[:32]


def hold(
    llama: Any,
    tokens: list[int],
    folder: Path,
    identity: dict[str, Any],
    progress: Progress | None = None,
) -> Held:
    """Make `tokens` the start of `llama`'s context: keep them when it holds them already, else load their state file
    from `folder`, else extend a shorter prefix's file, else compute them and save the file (best effort: a read-only
    data dir still answers)."""
    started = time.perf_counter()
    if _holds(llama, tokens):
        return Held("memory", len(tokens), 0.0)
    path = folder / f"{key(identity, tokens)}{SUFFIX}"
    if path.is_file() and load(llama, path, tokens):
        return Held("file", len(tokens), time.perf_counter() - started, path)
    how = "computed"
    base = _longest_saved(folder, identity, tokens)
    if base is not None and load(llama, base[0], tokens[: base[1]]):
        how = "extended"
    else:
        _reset(llama)
    _compute(llama, tokens, progress)
    saved = save(llama, tokens, path, identity)
    if saved:
        for other in folder.glob(f"*{SUFFIX}"):  # states of earlier collections: stale now
            if other != path:
                _remove(other)
    return Held(how, len(tokens), time.perf_counter() - started, path if saved else None)


def save(llama: Any, tokens: list[int], path: Path, identity: dict[str, Any]) -> bool:
    """Write the context's state (which must hold exactly `tokens`) to `path` atomically, with a sidecar naming what
    made it and its tokens (so a longer prefix can find it). False when the folder cannot be written."""
    from llama_cpp import llama_cpp

    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        array = (llama_cpp.llama_token * len(tokens))(*tokens)
        if not llama_cpp.llama_state_save_file(llama._ctx.ctx, str(tmp).encode(), array, len(tokens)):
            _remove(tmp)
            return False
        _sidecar(path).write_text(json.dumps({"identity": identity, "tokens": tokens, "sha256": _digest(tmp)}))
        os.replace(tmp, path)
        return True
    except OSError:
        return False


def load(llama: Any, path: Path, tokens: list[int]) -> bool:
    """Load the state file at `path` into the context when it is the file that was saved (its digest) and holds
    exactly `tokens`; else leave the context empty and return False (the file is unreadable, truncated, damaged, or
    of another prefix). Bytes changed inside the KV data would load without complaint from llama.cpp: the digest
    (~0.04 s for the 48 MB of the shipped articles) is what catches them."""
    from llama_cpp import llama_cpp

    _reset(llama)
    if not _intact(path):
        return False
    capacity = llama.n_ctx()
    out = (llama_cpp.llama_token * capacity)()
    count = ctypes.c_size_t(0)
    try:
        ok = llama_cpp.llama_state_load_file(llama._ctx.ctx, str(path).encode(), out, capacity, ctypes.byref(count))
    except OSError:
        ok = False
    if not ok or count.value != len(tokens) or list(out[: count.value]) != list(tokens):
        _reset(llama)
        return False
    llama.input_ids[: len(tokens)] = tokens
    llama.n_tokens = len(tokens)
    return True


def _holds(llama: Any, tokens: list[int]) -> bool:
    return llama.n_tokens >= len(tokens) and list(llama.input_ids[: len(tokens)]) == tokens


def _reset(llama: Any) -> None:
    llama.reset()
    llama._ctx.kv_cache_clear()


def _compute(llama: Any, tokens: list[int], progress: Progress | None) -> None:
    """Evaluate what the context does not hold yet of `tokens`, a batch at a time, reporting progress."""
    done = llama.n_tokens
    step = llama.n_batch
    while done < len(tokens):
        llama.eval(tokens[done : done + step])
        done = llama.n_tokens
        if progress is not None:
            progress(done, len(tokens))


def _longest_saved(folder: Path, identity: dict[str, Any], tokens: list[int]) -> tuple[Path, int] | None:
    """The saved state, made the same way, whose tokens are the longest proper beginning of `tokens`."""
    best: tuple[Path, int] | None = None
    for path in folder.glob(f"*{SUFFIX}") if folder.is_dir() else ():
        try:
            meta = json.loads(_sidecar(path).read_text())
        except (OSError, ValueError):
            continue
        theirs = meta.get("tokens") if isinstance(meta, dict) and meta.get("identity") == identity else None
        if (
            isinstance(theirs, list)
            and 0 < len(theirs) < len(tokens)
            and tokens[: len(theirs)] == theirs
            and (best is None or len(theirs) > best[1])
        ):
            best = (path, len(theirs))
    return best


def _sidecar(path: Path) -> Path:
    return path.with_suffix(".json")


def _digest(path: Path) -> str:
    with path.open("rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


def _intact(path: Path) -> bool:
    """The file's SHA-256 is the one its sidecar recorded when it was saved."""
    try:
        meta = json.loads(_sidecar(path).read_text())
        return isinstance(meta, dict) and meta.get("sha256") == _digest(path)
    except (OSError, ValueError):
        return False


def _remove(path: Path) -> None:
    for p in (path, _sidecar(path)):
        with contextlib.suppress(OSError):
            p.unlink()
