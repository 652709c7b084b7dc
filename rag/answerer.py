"""Answer a question from its evidence: generate with the LLM, verify each sentence as it completes, cite, and build
the `Answer` once at the end."""

from __future__ import annotations

import time
from collections.abc import Callable, Generator, Iterator, Sequence
from dataclasses import dataclass, field, replace

from rag import context, lexicon, prompts, reading, refusal, timeline, verdict
from rag.chat import ChatLLM, Message, Reply, assistant
from rag.cite import Citer, declines, split_verdict, strip_markers, with_markers
from rag.consistency import Consistency, Sampler
from rag.evidence import Evidence, byline, split_sentences
from rag.grounding import bare
from rag.question import Question
from rag.types import Answer, Passage, Sentence, Timings

# prompts.SYSTEM asks for one or two sentences: a reply that runs on past them is copying the articles (a reply of
# eight sentences took 25 s of a seed run; 1 of 291 replies over six sets, none of whose later sentences was shown),
# so generation stops there
MOST_SENTENCES = 2
RESTATED = "off-topic: verdict"  # a "No" whose reason states what the question asks (rag.verdict.restates)
VETOED = "vetoed"  # a sentence after a verdict that rag.verdict.allowed refused


class AnswerStream:
    """Iterate to get the verified answer text piece by piece; `answer` holds the full `Answer` afterwards."""

    def __init__(self, gen: Generator[str, None, Answer]) -> None:
        self._gen = gen
        self.answer: Answer | None = None

    def __iter__(self) -> Iterator[str]:
        self.answer = yield from self._gen

    def collect(self) -> Answer:
        for _ in self:
            pass
        assert self.answer is not None
        return self.answer


def messages(question: Question, evidence: Evidence, budget_tokens: int = 0, examples: bool = False) -> list[Message]:
    """System rules plus the question and, per passage, the sentences that bear on it (see rag.context); with
    `examples`, an open question comes after the worked examples of prompts.EXAMPLES."""
    texts = context.select(question, evidence, budget_tokens)
    context_text = "\n\n".join(
        prompts.PASSAGE.format(key=i, title=_heading(p), text=text)
        for i, (p, text) in enumerate(zip(evidence.passages, texts, strict=True), start=1)
        if text
    )
    shown = [
        Message(role, text)
        for asked, worked in prompts.EXAMPLES
        for role, text in (("user", asked), ("assistant", worked))
        if examples and question.form == "open"  # a verdict's calibration (rag.verdict) was measured without them
    ]
    return [
        Message("system", prompts.SYSTEM),
        *shown,
        Message(
            "user", prompts.QUESTION.format(passages=context_text, question=question.asked, form=how_to_begin(question))
        ),
    ]


def prefix_messages(evidence: Evidence) -> list[Message]:
    """The prompt of whole-collection reading for any question: everything before prompts.QUESTION_LEAD is the
    same for every question (the KV state rag.kvstate keeps)."""
    return messages(Question(text="", asked="", form="open"), evidence)


def _would_show(reply: str, evidence: Evidence, question: Question, threshold: float) -> bool:
    """Whether any sentence of `reply` passes the verifier (no citation numbered): only then are samples drawn."""
    citer = Citer(evidence, question, threshold)
    return any(citer.check(reply[start:end]).supported for start, end in split_sentences(reply))


def _written(text: str) -> Iterator[Reply]:
    """A reply already written (recorded, or generated whole before its check), as the one-piece stream it would
    have been."""
    return iter([assistant(text, text)])


def _contradicted(held: Sentence, dropped: Sequence[Sentence], question: Question, citer: Citer) -> bool:
    """A "No" whose reason the verifier refused, to a yes/no question every premise of which the passages state: the
    spans it would cite show the opposite of what its reason says, so it is not shown bare. (A "No" written alone, or
    to a question one of whose premises no passage states, stands on the premises they state, cited.)"""
    if question.form != "yes-no" or not verdict.reads(split_verdict(held.text, question.options)[0], verdict.NO):
        return False
    reasoned = any(split_verdict(d.text, question.options)[1].strip() for d in dropped)
    return reasoned and all(support.score >= verdict.PREMISE_SHOWN for support in citer.premises())


def how_to_begin(question: Question) -> str:
    """The prompt's last line: how the answer should begin, by the form of the question."""
    if question.form == "choice":
        return prompts.CHOICE_FORM.format(first=question.options[0], second=question.options[1])
    if question.which:
        return prompts.WHICH_FORM.format(first=question.candidates[0], second=question.candidates[1])
    if question.overview:
        return prompts.OVERVIEW_FORM
    return prompts.YES_NO_FORM if question.form == "yes-no" else prompts.OPEN_FORM


def _translated(translate: Callable[[str], str | None], shown: list[Sentence], language: str, source: str) -> str:
    """The verified answer in the reader's language, labelled as a translation; in the articles' language, labelled
    so, when the translation of any sentence could not be checked (rag.language.to_reader gave None). A bare
    answer's `source` sentence follows it untranslated, as the citations' quotes are."""
    pieces = [translate(strip_markers(s.text)) for s in shown]
    checked = [p for p in pieces if p is not None]
    if len(checked) < len(pieces):
        text = reading.shown_with(" ".join(s.text for s in shown), source)
        return f"{text} {prompts.UNCHECKED.get(language, '(untranslated: the translation could not be checked)')}"
    text = " ".join(with_markers(p, s.keys) for p, s in zip(checked, shown, strict=True))
    return f"{reading.shown_with(text, source)} {prompts.TRANSLATED.get(language, '(translated)')}"


def _heading(p: Passage) -> str:
    """'Title (TechCrunch, October 5, 2023)': the model needs the outlet and date to tell articles apart."""
    parts = p.title.split()
    title = " ".join(parts[:12]) + ("…" if len(parts) > 12 else "")
    return f"{title} ({line})" if (line := byline(p)) else title


class SentenceBuffer:
    """Collects streamed tokens and releases whole sentences as soon as the next one has begun, each with where it
    ends in the reply written so far."""

    def __init__(self) -> None:
        self.text = ""
        self._done = 0

    def feed(self, delta: str) -> list[tuple[str, int]]:
        self.text += delta
        spans = split_sentences(self.text[self._done :])
        if len(spans) < 2:
            return []
        out = [(self.text[self._done + s : self._done + e], self._done + e) for s, e in spans[:-1]]
        self._done += spans[-1][0]
        return out

    def flush(self) -> list[tuple[str, int]]:
        done, self._done = self._done, len(self.text)
        return [(self.text[done + s : done + e], done + e) for s, e in split_sentences(self.text[done:])]

    def cut(self, end: int) -> None:
        """End the reply at `end`: what was written after it is dropped, and nothing is left to release."""
        self.text = self.text[:end].rstrip()
        self._done = len(self.text)


@dataclass
class _Draft:
    """What generation has produced so far; turned into the immutable `Answer` once, at the end."""

    shown: list[Sentence] = field(default_factory=list)
    dropped: list[Sentence] = field(default_factory=list)
    held: list[Sentence] = field(default_factory=list)  # a bare "Yes." waits for a supported sentence to stand on
    vetoed: bool = False  # the verdict was refused: nothing written after it is shown
    text: str = ""
    pending: str = ""  # a bare answer's full stop, streamed only if no article sentence follows it (rag.reading)
    first_s: float = 0.0
    verify_s: float = 0.0
    sample_s: float = 0.0


def generate(
    llm: ChatLLM | None,
    question: Question,
    evidence: Evidence,
    threshold: float,
    budget_tokens: int,
    started: float,
    retrieve_s: float,
    translate: Callable[[str], str | None] | None = None,
    verdict_bias: float = 0.0,
    examples: bool = False,
    reply: str | None = None,
    consistency: Consistency | None = None,
    samples: Sequence[str] = (),
) -> Generator[str, None, Answer]:
    """Stream the LLM's answer, releasing each sentence only once a span supports it; refuse if none does. With
    `translate` (a question in another language than the articles'), the verified answer is shown once complete,
    translated sentence by sentence with its citations kept, and labelled as a translation. A yes/no or either-or
    question is decided by probability when the LLM can score its replies (rag.verdict, shifted by `verdict_bias`),
    and the reply is written after the decided word. With `reply` (a recorded reply: evaluation replays), that text
    is verified as if the LLM had written it, and the LLM is not called. A verdict is shown only in front of a reason
    sentence the verifier supports, or, bare, citing the spans that state the question's premises. With
    `consistency`, an open question's reply is shown once complete, and only its sentences that the model's sampled
    replies agree with (rag.consistency); `samples` are those replies, when replaying a recorded answer."""
    citer = Citer(evidence, question, threshold)

    buffer = SentenceBuffer()
    draft = _Draft()

    def show(piece: str) -> str:
        if not draft.first_s:
            draft.first_s = time.perf_counter() - started
        return piece

    def release(raw: str) -> str | None:
        checked_at = time.perf_counter()
        sentence = citer.check(raw)
        draft.verify_s += time.perf_counter() - checked_at
        word, claim = split_verdict(sentence.text, question.options)
        if (
            draft.vetoed
            or word
            and question.verdict_form
            and not draft.shown
            and not verdict.allowed(word, question, evidence, citer.premises())
        ):
            draft.vetoed = True
            # a "Yes" to premises no passage states, and whatever follows it
            draft.dropped.append(replace(sentence, reason=sentence.reason or VETOED))
            return None
        if word and not claim and question.verdict_form and not draft.shown and not draft.held:
            draft.held.append(sentence)
            return None
        verdict_word = word or (split_verdict(draft.held[0].text, question.options)[0] if draft.held else "")
        if sentence.supported and verdict_word and verdict.restates(verdict_word, strip_markers(claim), question):
            draft.dropped.append(replace(sentence, supported=False, reason=RESTATED))
            return None  # a "No" before a reason that says what the question asks: the reason backs a "Yes"
        if sentence.supported and draft.held:  # the verdict comes with the first fact that backs it
            sentence = replace(sentence, text=f"{draft.held.pop().text} {sentence.text}")
        (draft.shown if sentence.supported else draft.dropped).append(sentence)
        if not sentence.supported:
            return None
        return show(append(sentence.text))

    def append(text: str) -> str:
        """The piece that adds `text` to what is shown, a bare answer's full stop held back."""
        claim = split_verdict(strip_markers(text), question.options)[1]
        held = text[len(text.rstrip(".")) :] if bare(lexicon.terms(claim)) else ""  # "2025." or "2025..."
        piece = draft.pending + (" " if draft.text else "") + text.removesuffix(held)
        draft.pending = held
        draft.text += piece
        return piece

    live = translate is None  # a translation is shown whole, once the verified answer is complete
    generating = time.perf_counter()
    decided = None
    order = timeline.asks_order(question) if evidence.passages else None
    if order is not None:  # which report came first: computed from their dates, not asked of the model
        if dated := timeline.answer(order, evidence, verdict.PREMISE_SHOWN):  # each side, as a premise
            word, sides = dated
            keys = (citer.cite(sides[0].span), citer.cite(sides[1].span))
            draft.shown.append(Sentence(timeline.sentence(word, sides, evidence, keys), 1.0, True, keys))
            draft.text = draft.shown[0].text
            if live:
                yield show(draft.text)
    elif evidence.passages:
        chat = messages(question, evidence, budget_tokens, examples)
        if reply is not None:
            stream = _written(reply)
        elif question.verdict_form and isinstance(llm, verdict.Scorer):
            decided = verdict.decide(llm, chat, question, verdict_bias)
            buffer.feed(decided.word)
            # a "Yes" to a premise naming what no passage states is refused without writing the rest
            allowed = verdict.allowed(decided.word, question, evidence, citer.premises())
            stream = llm.continue_reply(chat, decided.word) if allowed else iter(())
        else:
            stream = llm.stream_chat(chat)
        checked = consistency is not None and question.form == "open"
        sampler = llm if checked and reply is None and isinstance(llm, Sampler) else None
        if consistency is not None and checked and (sampler is not None or samples):
            # the whole reply first: a sentence is shown only if samples drawn after it agree with it
            whole = "".join(part.delta or "" for part in stream)
            if sampler is not None and _would_show(whole, evidence, question, threshold):
                sampling = time.perf_counter()
                samples = sampler.samples(chat, consistency.samples, consistency.tokens)
                draft.sample_s = time.perf_counter() - sampling
            citer = Citer(evidence, question, threshold, samples, consistency.floor)
            stream = _written(whole)
        said, upto = 0, 0  # sentences stating something (a verdict word apart), and where the last one ends
        for part in stream:
            for raw, end in buffer.feed(part.delta or ""):
                if said == MOST_SENTENCES:
                    break
                upto = end
                # a line that opens a list ("The key takeaways are:") is not one of the sentences
                said += bool(split_verdict(raw, question.options)[1].strip()) and not raw.rstrip().endswith(":")
                if (piece := release(raw)) is not None and live:
                    yield piece
            if said == MOST_SENTENCES:
                buffer.cut(upto)
                if isinstance(stream, Generator):
                    stream.close()  # the model stops writing (and a local model's lock is released now)
                break
        for raw, _ in buffer.flush():
            if (piece := release(raw)) is not None and live:
                yield piece
    if (
        draft.held
        and not draft.shown
        and not declines(buffer.text)
        and not _contradicted(draft.held[0], draft.dropped, question, citer)
    ):
        checked_at = time.perf_counter()
        # a bare verdict stands on the premises the passages state, unless the reply itself says they do not
        backed = citer.on_premises(draft.held[0].text, verdict.PREMISE_SHOWN)
        draft.verify_s += time.perf_counter() - checked_at
        if backed:
            draft.held.clear()
            draft.shown.append(backed)
            piece = append(backed.text)
            if live:
                yield show(piece)
    draft.dropped.extend(draft.held)  # a verdict nothing backs
    refused = not draft.shown
    text = draft.text
    claims = [split_verdict(strip_markers(s.text), question.options)[1] for s in draft.shown]
    # a bare answer ("October 28, 2025 [1]") is shown with the sentence of its article that states it
    source = reading.line(draft.shown, claims, citer.citations, question.asked)
    unsure = refused and refusal.unverified(buffer.text, draft.dropped)
    if refused:
        text = prompts.REFUSALS.get(question.language, prompts.REFUSAL)
        yield show(text)
    elif not live:
        text = _translated(translate, draft.shown, question.language, source)
        yield show(text)
    elif source:
        text = reading.shown_with(text, source)
        yield show(text[len(draft.text) :])
    elif draft.pending:
        text += draft.pending
        yield show(draft.pending)
    done = time.perf_counter()
    return Answer(
        question=question.text,
        text=text,
        refused=refused,
        citations=tuple(citer.citations) if not refused else (),
        sentences=tuple(draft.shown),
        dropped=tuple(draft.dropped),
        passages=evidence.passages,
        raw=buffer.text,
        standalone_question=question.rewritten,
        claim="" if refused else draft.text,
        source_sentence=source,
        language=question.language,
        verdict=decided,
        samples=tuple(samples),
        unverified=unsure,
        nearest=refusal.nearest(citer, draft.dropped) if unsure else (),
        timings=Timings(
            retrieve_s=retrieve_s,
            first_token_s=draft.first_s,
            generate_s=done - generating - draft.verify_s - draft.sample_s,
            verify_s=draft.verify_s,
            sample_s=draft.sample_s,
            total_s=done - started,
        ),
    )
