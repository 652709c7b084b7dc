"""Plain dataclasses for what flows through the pipeline: passages in, a cited answer out."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field


@dataclass(frozen=True)
class Passage:
    """A retrieved chunk of an article, with its character span in the source file."""

    chunk_id: str
    source: str  # file name relative to the corpus folder
    title: str
    text: str
    start: int  # char offset of `text` in the source file's text
    end: int
    score: float = 0.0
    published: str | None = None
    outlet: str | None = None  # the publication, when the article came with one


@dataclass(frozen=True)
class Citation:
    """An inline citation `[key]`: the exact quoted span of a passage that supports a sentence."""

    key: int
    source: str
    chunk_id: str
    quote: str  # exact text of the source between start and end
    start: int  # char offsets of `quote` in the source file's text
    end: int
    title: str = ""


@dataclass(frozen=True)
class Sentence:
    """One sentence of the generated answer and how well the passages support it."""

    text: str
    score: float
    supported: bool
    keys: tuple[int, ...] = ()
    reason: str = ""  # why the verifier refused it (rag.grounding's reasons, "meta", "verdict", "weak", ...)


@dataclass(frozen=True)
class Verdict:
    """How a yes/no or either-or question was decided: the word, from the model's log-probabilities of the two
    answers (`margin`: the first's over the second's) less the bias measured on dev data."""

    word: str
    margin: float
    bias: float = 0.0


@dataclass(frozen=True)
class Timings:
    retrieve_s: float = 0.0
    first_token_s: float = 0.0  # until the first text shown: a verified sentence or the refusal
    generate_s: float = 0.0
    verify_s: float = 0.0
    sample_s: float = 0.0  # sampling the replies the answer was checked against (rag.consistency)
    total_s: float = 0.0


@dataclass(frozen=True)
class Answer:
    """What `ask()` returns, built once when the answer is complete: verified text with `[n]` citations, the cited
    spans, and what was dropped."""

    question: str  # as asked
    text: str
    refused: bool
    citations: tuple[Citation, ...] = ()
    sentences: tuple[Sentence, ...] = ()
    dropped: tuple[Sentence, ...] = ()  # sentences the model wrote that no passage supports (never shown as fact)
    passages: tuple[Passage, ...] = ()
    raw: str = ""  # what the LLM generated, before verification
    standalone_question: str | None = None  # the question answered, when rewritten (a follow-up, another language)
    claim: str = ""  # what was verified, in the articles' language: `text` itself unless `text` is a translation
    # for a bare answer ("October 28, 2025 [1]"), the sentence of its cited span that states it, which `text` shows
    # after it, quoted (rag.reading); "" for an answer in sentences
    source_sentence: str = ""
    language: str = "en"  # the language `text` is in: the question's
    verdict: Verdict | None = None  # a yes/no or either-or question decided by probability (rag.verdict)
    samples: tuple[str, ...] = ()  # the replies sampled to check this one's consistency (rag.consistency), if any
    # a refusal although the model answered, with no sign that it made the answer up (rag.refusal): the articles
    # may state it in other words. `nearest` holds the span its reply drew on most, for the reader to check: not
    # a citation, as nothing verified that it answers the question
    unverified: bool = False
    nearest: tuple[Citation, ...] = ()
    timings: Timings = field(default_factory=Timings)

    @property
    def answered(self) -> str:
        """`text` without the article's sentence shown after a bare answer (`source_sentence`): what was answered."""
        return self.text.replace(quoted(self.source_sentence), "") if self.source_sentence else self.text

    def to_dict(self) -> dict:
        return asdict(self)


def quoted(sentence: str) -> str:
    """How an article's sentence follows a bare answer in its text: "October 28, 2025 [1] — “On October 28, ...”"."""
    return f" — “{sentence}”"
