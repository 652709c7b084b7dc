"""Self-consistency: does the model write its answer again when it samples the reply a few more times?

The failure the lexical rules cannot see is a real fact of the articles attached to the wrong question ("Microsoft
contributes the pioneering research in AI security": OpenAI does). The model is as sure of such a reply, token by
token, as of a right one, but it does not always write it again: sampled at temperature, its other replies name
something else ("OpenAI contributes ..."). A right reply, read in the articles, comes back (SelfCheckGPT, Manakul et
al., EMNLP 2023, on the same idea). With RAG_CONSISTENCY_SAMPLES set (off by default: docs/results.md weighs its
cost), a sentence the verifier would show is shown only when that many short samples (RAG_CONSISTENCY_TOKENS each)
state, on average, at least RAG_CONSISTENCY_FLOOR of its answer words (the content words it adds to the question).

The samples are drawn only for a reply that has a sentence to show, after it is written, from the same prompt (the
articles' prefix stays in llama.cpp's KV cache): each costs only its own few tokens. They are recorded in the
`Answer`, so an evaluation replays the same decision without the model."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from rag import lexicon
from rag.chat import Message

TEMPERATURE = 0.8
TOP_P = 0.95
SEED = 1000  # sample i is drawn with seed SEED + i: the same question gets the same samples on the same machine


@runtime_checkable
class Sampler(Protocol):
    """An LLM that can sample replies to a chat (the local llama.cpp one)."""

    def samples(self, messages: Sequence[Message], n: int, max_tokens: int) -> list[str]: ...


@dataclass(frozen=True)
class Consistency:
    """How many replies to sample, how long each, and the least agreement a shown sentence needs."""

    samples: int
    tokens: int
    floor: float


def agreement(sentence: str, samples: Sequence[str], asked: str) -> float:
    """The mean share of the sentence's answer words (its content words not in the question; all of them when it
    only repeats the question's, as a quiz's chosen option does) that each sample states. A sample cut off before
    it said anything but the question's words ("The length of the track where ...") is no evidence either way and
    is left out; 1.0 when no sample is left."""
    said = lexicon.keys(sentence)
    question = lexicon.keys(asked)
    fresh = said - question
    words = fresh or said
    shares = []
    for sample in samples:
        got = lexicon.keys(sample)
        if fresh and got <= question:
            continue
        shares.append(len(words & got) / len(words))
    return sum(shares) / len(shares) if words and shares else 1.0
