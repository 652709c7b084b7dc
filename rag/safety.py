"""Prompt-injection screen (OWASP LLM01): passages that address the model instead of reporting news are set aside,
so they neither reach the LLM nor count as evidence. Quoting the passages and verifying every sentence already
stop most attacks; this removes the text written to hijack the model in the first place."""

from __future__ import annotations

import re

from rag.types import Passage

_INJECTION = re.compile(
    r"\b(?:ignore|disregard|forget|override)\s+(?:all\s+|any\s+|the\s+|your\s+)*(?:previous|prior|above|earlier|system)"
    r"\s+(?:instructions|prompts?|rules|messages)"
    r"|\byou\s+are\s+now\s+(?:in\s+)?(?:developer|dan|jailbreak|god)\s*mode"
    r"|(?:^|\n)\s*(?:system|assistant)\s*(?:prompt)?\s*:"
    r"|<\|im_(?:start|end)\|>",
    re.IGNORECASE,
)


def injected(text: str) -> bool:
    """Does the text try to give the model instructions?"""
    return bool(_INJECTION.search(text))


def screen(passages: list[Passage]) -> tuple[list[Passage], list[Passage]]:
    """(passages to use, passages set aside as prompt injection)."""
    kept = [p for p in passages if not injected(p.text)]
    return kept, [p for p in passages if injected(p.text)]
