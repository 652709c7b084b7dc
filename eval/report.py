"""A run's report: the gates (--min/--max), `results.json`, a self-contained `report.html` (inline CSS and SVG,
nothing fetched) and the tables printed in the terminal; `rag eval report RUN` makes it again from saved answers."""

import argparse
import html
import json
import sys
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path

from eval import runner
from eval.metrics import outcome as outcomes
from eval.peer import PeerRecord, summarize
from eval.runner import HIGHER_IS_BETTER, Record
from eval.sample import SPLITS
from rag import RagError, Settings, get_settings

THRESHOLDS_HELP = (
    "Thresholds (--min, --max, --config): a bare METRIC applies to the whole set, SPLIT.METRIC (dev.right, "
    "test.wrong_shown) to that split only; a split without questions fails its thresholds. Outcome metrics: right, "
    "wrong_shown, refused_answerable (shares of the answerable questions), refused_unanswerable, "
    "answered_unanswerable (shares of the unanswerable ones)."
)
CSS = """body{font:14px/1.45 system-ui,sans-serif;margin:2em;color:#222}table{border-collapse:collapse;width:100%}
td,th{border:1px solid #ddd;padding:4px 6px;vertical-align:top;text-align:left}th{background:#f4f4f4}.ok{color:#1a7f37}
.bad{color:#c62828}.s{display:block;margin:2px 0}.q{color:#555;font-size:.9em}.fail{background:#fdecea;padding:.5em}
.pass{background:#e8f5e9;padding:.5em}table.outcomes,table.metrics{width:auto}table.outcomes td{text-align:right}"""


@dataclass
class Run:
    """Everything a report shows of one run."""

    records: Sequence[Record]
    summary: dict
    splits: dict[str, dict]
    meta: dict
    failed: list[str]
    peer: Sequence[PeerRecord] | None = None

    def columns(self) -> dict[str, dict]:
        """Header -> tally, scope by scope: "all", "all peer", "dev", "dev peer", ... (peer columns when it ran)."""
        peer, out = None if self.peer is None else summarize(self.peer), {}
        for scope, tally in {"all": self.summary, **self.splits}.items():
            out |= {scope: tally} | ({} if peer is None else {f"{scope} peer": peer.get(scope, {})})
        return out


def threshold_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--min", action="append", default=[], metavar="METRIC=VALUE", help="fail when METRIC is below")
    p.add_argument("--max", action="append", default=[], metavar="METRIC=VALUE", help="fail when METRIC is above")
    p.add_argument("--config", type=Path, help='JSON file {"min": {METRIC: VALUE}, "max": {...}} of thresholds')


def thresholds(args: argparse.Namespace) -> tuple[dict[str, float], ...]:
    """The (--min, --max) bounds, --config's first."""
    config, bounds = {}, []
    if args.config:
        try:
            config = json.loads(args.config.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as exc:
            raise RagError(f"Cannot read thresholds from {args.config}: {exc}") from None
        if not isinstance(config, dict) or set(config) - {"min", "max"}:
            raise RagError(f'{args.config}: expected {{"min": {{METRIC: VALUE}}, "max": {{METRIC: VALUE}}}}.')
    for key in ("min", "max"):
        bounds.append({k: float(v) for k, v in config.get(key, {}).items()})
        for name, _, value in (pair.partition("=") for pair in getattr(args, key)):
            try:
                bounds[-1][name.strip()] = float(value)
            except ValueError:
                raise RagError(f"Bad threshold {name}={value!r}: write METRIC=VALUE, e.g. --min match=0.9") from None
    unknown = sorted(
        n
        for n in {**bounds[0], **bounds[1]}
        if n.rpartition(".")[2] not in HIGHER_IS_BETTER or n.rpartition(".")[0] not in ("", *SPLITS)
    )
    if unknown:
        raise RagError(
            f"Unknown metric(s) {', '.join(unknown)}; known: {', '.join(HIGHER_IS_BETTER)}, each also as "
            f"SPLIT.METRIC with SPLIT one of {', '.join(SPLITS)}."
        )
    return tuple(bounds)


def finish(records, settings: Settings, out: Path | None, gates, meta: dict, peer=None) -> int:
    """Summarise, gate, print, and write results.json and report.html into `out`; 1 when a gate is missed."""
    summary, splits = runner.summarize(records, settings.top_k), runner.by_split(records, settings.top_k)
    llm = settings.llm if settings.llm != "local" else str(settings.llm_model_path or "shipped Qwen2.5-Coder-1.5B")
    meta |= {"when": datetime.now().isoformat(timespec="seconds"), "llm": llm, "embed_model": settings.embed_model}
    meta |= {"top_k": settings.top_k, "support_threshold": settings.support_threshold}
    run = Run(records, summary, splits, meta, runner.failures(summary, *gates, splits), peer)
    print(text(run))
    if out is not None:
        json_path, html_path = write(out, run)
        answers = f"\nanswers: {out / runner.ANSWERS}" if (out / runner.ANSWERS).is_file() else ""
        print(f"results: {json_path}\nreport:  {html_path}{answers}")
    for line in run.failed:
        print(f"FAIL {line}", file=sys.stderr)
    return 1 if run.failed else 0


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="rag eval report",
        description="The figures of a run from its saved answers (answers.jsonl), scored again; no index, no LLM.",
        epilog=THRESHOLDS_HELP,
    )
    p.add_argument("run", type=Path, help=f"the folder `rag eval` wrote (holding {runner.ANSWERS})")
    p.add_argument("--out", type=Path, help="also write results.json and report.html into this folder")
    threshold_arguments(p)
    return p


def run(args: argparse.Namespace) -> int:
    gates, saved = thresholds(args), args.run / "results.json"  # the run's top-k and threshold, when it wrote them
    ran = json.loads(saved.read_text(encoding="utf-8")).get("meta", {}) if saved.is_file() else {}
    settings = get_settings().model_copy(update={k: ran[k] for k in ("top_k", "support_threshold") if k in ran})
    records = [
        runner.score(s, a, None, a.timings.total_s, settings.articles_language) for s, a in runner.load(args.run)
    ]
    return finish(records, settings, args.out, gates, {"set": args.run.name, "from": str(args.run)})


def write(out: Path, run: Run) -> tuple[Path, Path]:
    """Write results.json and report.html into `out`; returns their paths."""
    out.mkdir(parents=True, exist_ok=True)
    data = {"meta": run.meta, "summary": run.summary, "splits": run.splits, "failed": run.failed}
    if run.peer is not None:
        data["peer"] = {"summary": summarize(run.peer), "records": [asdict(r) for r in run.peer]}
    data["records"] = [r.to_dict() for r in run.records]
    json_path, html_path = out / "results.json", out / "report.html"
    json_path.write_text(json.dumps(data, indent=2, ensure_ascii=False), encoding="utf-8")
    html_path.write_text(render(run), encoding="utf-8")
    return json_path, html_path


def text(run: Run) -> str:
    """What the terminal shows: the metrics, the outcomes (beside the peer's), the replies' outcomes."""
    width = max(len(k) for k in run.summary)
    peer = " vs the llama-index peer" if run.peer is not None else ""
    return "\n".join(
        [
            *(f"{k:<{width}}  {_fmt(v)}" for k, v in run.summary.items()),
            f"\noutcomes (share of answerable / unanswerable questions, count){peer}:\n{outcomes.table(run.columns())}",
            *([unlisted] if (unlisted := _unlisted(run.summary)) else []),
            f"\n{outcomes.REPLIES}:\n{outcomes.table(runner.replies(run.records))}",
        ]
    )


def _unlisted(summary: dict) -> str:
    """The line saying how many wrong answers shown give the gold answer from an article the set does not list."""
    n = int(summary.get("wrong_unlisted_n") or 0)
    return (
        f"({n} of the {summary.get('wrong_shown_n', 0):g} wrong shown give the gold answer, cited only from articles "
        "the set does not list for the question: graded wrong, as the citation is not the set's evidence)"
        if n
        else ""
    )


def _fmt(value) -> str:
    if value is None:
        return "n/a"
    return f"{value:.3f}" if isinstance(value, float) and not value.is_integer() else f"{value:g}"


def bars(values: dict[str, float | None]) -> str:
    """The metrics as a table, each with a bar in [0, 1] (green when good)."""
    rows = []
    for k, v in values.items():
        good = None if v is None else v if HIGHER_IS_BETTER[k] else 1 - v
        color = "#eee" if good is None else "#2e7d32" if good >= 0.8 else "#f9a825" if good >= 0.5 else "#c62828"
        bar = f"<svg width='300' height='14'><rect width='{300 * min(1.0, v or 0.0):.0f}' height='14' fill='{color}'/></svg>"
        rows.append(f"<tr><td>{k}</td><td>{_fmt(v)}</td><td>{bar}</td></tr>")
    return f"<table class='metrics'>{''.join(rows)}</table>"


def latency_plot(records: Sequence[Record], width: int = 640) -> str:
    """One bar per question: its total latency in seconds (inline SVG)."""
    top, bar = max([r.latency_s for r in records], default=0) or 1.0, max(2.0, (width - 40) / max(1, len(records)))
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="140">']
    for i, r in enumerate(records):
        h = r.latency_s / top * 120
        parts.append(
            f'<rect x="{40 + i * bar:.1f}" y="{120 - h:.1f}" width="{bar * 0.8:.1f}" height="{h:.1f}" '
            f'fill="#1565c0"><title>{html.escape(r.sample.id)}: {r.latency_s:.2f} s</title></rect>'
        )
    return "".join(parts) + f'<text x="0" y="12" font-size="11">{top:.1f} s</text></svg>'


def render(run: Run) -> str:
    e, s = html.escape, run.summary
    peers = {r.id: r for r in run.peer or ()}
    failed = "<br>".join(e(f) for f in run.failed)
    status = (
        f'<p class="fail"><b>Failed thresholds:</b><br>{failed}</p>'
        if failed
        else '<p class="pass">All thresholds met.</p>'
    )
    rows = []
    for r in run.records:
        answer = e(r.error or "") or (
            e(r.answer)
            if r.refused
            else "".join(
                f'<span class="s {"ok" if x["supported"] else "bad"}">{e(x["text"])} <small>(support {x["score"]:.2f})</small></span>'
                for x in r.sentences
            )
        )
        answer += "".join(
            f'<span class="s q">dropped: {e(d["text"])} <small>(support {d["score"]:.2f}'
            f"{'; ' + e(d['reason']) if d.get('reason') else ''})</small></span>"
            for d in r.dropped
        )
        if r.sample.id in peers:
            p = peers[r.sample.id]
            answer += f'<span class="s q">llama-index peer ({_verdict(p.answerable, p.outcome)}): {e(p.error or p.answer)}</span>'
        cites = "".join(
            f'<span class="s q">[{c["key"]}] {e(c["source"])} {c["start"]}-{c["end"]}: “{e(c["quote"])}”</span>'
            for c in r.citations
        )
        gold = " / ".join(r.sample.golds) or "-"
        gold = gold if r.sample.answerable else f"(unanswerable){'; the quiz says ' + gold if gold != '-' else ''}"
        after = "".join(f"<span class='q'>after: {e(q)}</span><br>" for q in r.sample.history)
        rows.append(
            f"<tr><td>{e(r.sample.id)}{f' ({e(r.sample.split)})' if r.sample.split else ''}</td><td>{after}{e(r.sample.question)}<br><span class='q'>gold: "
            f"{e(gold)}</span></td><td>{answer}</td><td>{cites}</td><td>{_verdict(r.sample.answerable, r.outcome)}</td>"
            f"<td>{r.rank or '-'}</td><td>{r.latency_s:.1f}</td></tr>"
        )
    rates = {k: s.get(k) for k in HIGHER_IS_BETTER if not k.endswith("_s") and k != "errors"}
    beside = ", beside the llama-index peer's" if run.peer is not None else ""
    return f"""<!doctype html><html><head><meta charset="utf-8"><title>rag eval: {e(str(run.meta.get("set", "")))}</title>
<style>{CSS}</style></head><body><h1>Grounding evaluation</h1><p class="q">{" · ".join(f"{e(str(k))}: {e(str(v))}" for k, v in run.meta.items())}</p>
{status}<h2>Right, wrong, refused</h2><p class="q">Shares of the answerable / unanswerable questions (counts){beside}.</p>
{outcomes.html_table(run.columns())}<p class="q">{e(_unlisted(s))}</p><p class="q">{e(outcomes.REPLIES[0].upper() + outcomes.REPLIES[1:])}:</p>
{outcomes.html_table(runner.replies(run.records))}<h2>Metrics</h2>{bars(rates)}<h2>Latency per question</h2>
{latency_plot(run.records)}<p>mean {_fmt(s.get("latency_mean_s"))} s · p50 {_fmt(s.get("latency_p50_s"))} s · p95
{_fmt(s.get("latency_p95_s"))} s · first text {_fmt(s.get("first_token_mean_s"))} s</p><h2>Questions</h2><table><tr>
<th>id</th><th>question</th><th>answer (support of each sentence)</th><th>citations</th><th>verdict</th><th>rank</th>
<th>s</th></tr>{"".join(rows)}</table></body></html>"""


def _verdict(answerable: bool, word: str) -> str:
    good = (answerable, word) in {(True, outcomes.RIGHT), (False, outcomes.REFUSED)} or word == outcomes.SHOWN
    return f'<span class="{"ok" if good else "bad"}">{word}</span>'
