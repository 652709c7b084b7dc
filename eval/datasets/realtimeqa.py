"""RealTimeQA 2024 (Kasai et al., NeurIPS 2023 D&B): news quizzes (4 options) over pooled articles, asked as "<question>
Options: A; B; C; D."; unanswerable when none of the question's own articles states its gold option. `limit` N: a
seeded sample, half answerable, over those questions' articles only; `skip` M: drawn from the questions that the
sample of M leaves out (`--skip 100 --limit 100`: a hundred others); `exclude`: never these question ids (those of
earlier runs). Dev and test alternate within each kind."""

import hashlib
import random
from pathlib import Path
from urllib.parse import urlparse

from eval.datasets import BENCHMARKS, EvalSet, write_files
from eval.sample import Sample, json_lines

BENCH = BENCHMARKS / "realtimeqa"
SEED = 2024


def load(
    folder: Path,
    limit: int | None = None,
    bench: Path | None = None,
    seed: int = SEED,
    skip: int = 0,
    exclude: frozenset[str] = frozenset(),
) -> EvalSet:
    """Write the chosen questions' articles into `folder` (`bench`: questions.jsonl and articles.jsonl)."""
    bench = bench or BENCH
    questions, articles = _jsonl(bench / "questions.jsonl"), {a["url"]: a for a in _jsonl(bench / "articles.jsonl")}
    golds = {q["id"]: _gold_urls(q, articles) for q in questions}
    taken = {q["id"] for q, _ in _sample(questions, golds, skip, seed)} if skip else set()
    questions = [q for q in questions if q["id"] not in taken and str(q["id"]) not in exclude]
    chosen = _sample(questions, golds, limit, seed)
    urls = dict.fromkeys(u for q, _ in chosen for u in q.get("articles", []) if u in articles)
    write_files(folder, {_name(u): _article(articles[u]) for u in urls})
    samples = []
    for q, split in chosen:
        choices, sources = tuple(c.strip() for c in q["choices"]), tuple(_name(u) for u in golds[q["id"]])
        asked = f"{q['question'].strip()} Options: {'; '.join(choices)}."
        kind = str(q.get("source", ""))
        samples.append(
            Sample(str(q["id"]), asked, bool(sources), q["answer"][0].strip(), sources, (), kind, split, (), choices)
        )
    return EvalSet("realtimeqa", folder, tuple(samples))


def _sample(questions: list[dict], golds: dict, limit: int | None, seed: int) -> list[tuple[dict, str]]:
    """(question, split) in file order: all questions, or a seeded half-answerable sample of `limit`."""
    kinds = [[q for q in questions if bool(golds[q["id"]]) is answerable] for answerable in (True, False)]
    if limit:
        rng = random.Random(seed)
        take = min(len(kinds[0]), max(limit - len(kinds[1]), (limit + 1) // 2))
        kinds = [rng.sample(kinds[0], take), rng.sample(kinds[1], min(len(kinds[1]), limit - take))]
    order = {q["id"]: n for n, q in enumerate(questions)}
    chosen = []
    for kind in kinds:
        kind.sort(key=lambda q: order[q["id"]])
        chosen += [(q, "dev" if n % 2 == 0 else "test") for n, q in enumerate(kind)]
    return sorted(chosen, key=lambda pair: order[pair[0]["id"]])


def _gold_urls(question: dict, articles: dict[str, dict]) -> list[str]:
    """The question's own articles whose text contains its gold choice."""
    gold = " ".join(question["answer"][0].split()).lower()
    return [
        u
        for u in question.get("articles", [])
        if u in articles and gold in " ".join(articles[u]["text"].split()).lower()
    ]


def _name(url: str) -> str:
    return f"{_domain(url)}-{hashlib.sha1(url.encode()).hexdigest()[:12]}.txt"


def _domain(url: str) -> str:
    return urlparse(url).netloc.lower().removeprefix("www.") or "unknown"


def _article(a: dict) -> str:
    """The article with front matter: title, source (the outlet's domain), published (ISO date, when known)."""
    head = [f"title: {' '.join(a.get('title', '').split())}"] if a.get("title", "").strip() else []
    head.append(f"source: {_domain(a['url'])}")
    if a.get("published"):
        head.append(f"published: {a['published'].replace('/', '-')}")
    return "---\n" + "\n".join(head) + "\n---\n" + a["text"].strip() + "\n"


def _jsonl(path: Path) -> list[dict]:
    missing = "is missing: RealTimeQA is read from ../shared/benchmarks/realtimeqa."
    return [row for _, row in json_lines(path, missing, "expected RealTimeQA's JSON lines")]
