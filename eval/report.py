"""Write a run's results: a JSON file and a self-contained HTML report (inline CSS and SVG, nothing fetched)."""

from __future__ import annotations

import html
import json
from collections.abc import Sequence
from pathlib import Path

from eval import outcomes
from eval.peer import PeerRecord, summarize
from eval.runner import HIGHER_IS_BETTER, Record, replies

RATES = [name for name in HIGHER_IS_BETTER if not name.endswith("_s") and name != "errors"]
GOOD = {(True, outcomes.RIGHT), (False, outcomes.REFUSED)}  # (answerable, outcome) pairs drawn as good
CSS = """body{font:14px/1.45 system-ui,sans-serif;margin:2em;color:#222}h1{font-size:1.4em}table{border-collapse:collapse;
width:100%}td,th{border:1px solid #ddd;padding:4px 6px;vertical-align:top;text-align:left}th{background:#f4f4f4}
.ok{color:#1a7f37}.bad{color:#c62828}.s{display:block;margin:2px 0}.q{color:#555;font-size:.9em}
.fail{background:#fdecea;padding:.5em 1em;border-left:4px solid #c62828}.pass{background:#e8f5e9;padding:.5em 1em}
table.outcomes{width:auto}table.outcomes td{text-align:right}"""


def write(
    out: Path,
    summary: dict,
    records: Sequence[Record],
    meta: dict,
    failed: Sequence[str],
    splits: dict[str, dict] | None = None,
    peer: Sequence[PeerRecord] | None = None,
) -> tuple[Path, Path]:
    """Write results.json and report.html into `out`; returns their paths. `splits`: each split's summary; `peer`:
    the llama-index peer's answers to the same questions, when it ran."""
    out.mkdir(parents=True, exist_ok=True)
    data = {"meta": meta, "summary": summary, "splits": splits or {}, "failed": list(failed)}
    if peer is not None:
        data["peer"] = {"summary": summarize(peer), "records": [r.to_dict() for r in peer]}
    data["records"] = [r.to_dict() for r in records]
    json_path, html_path = out / "results.json", out / "report.html"
    json_path.write_text(json.dumps(data, indent=2, ensure_ascii=False), encoding="utf-8")
    html_path.write_text(render(summary, records, meta, failed, splits, peer), encoding="utf-8")
    return json_path, html_path


def table(summary: dict) -> str:
    """The summary as aligned text lines, for the terminal."""
    width = max(len(k) for k in summary)
    return "\n".join(f"{k:<{width}}  {_fmt(v)}" for k, v in summary.items())


def _fmt(value) -> str:
    if value is None:
        return "n/a"
    return f"{value:.3f}" if isinstance(value, float) and not value.is_integer() else f"{value:g}"


def bars(values: dict[str, float | None], width: int = 640) -> str:
    """Horizontal bars in [0, 1], one per metric, as inline SVG (n/a drawn as an empty row)."""
    row, label = 22, 170
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{row * len(values) + 10}">']
    for i, (name, value) in enumerate(values.items()):
        y = 5 + i * row
        parts.append(f'<text x="0" y="{y + 15}" font-size="12">{html.escape(name)}</text>')
        parts.append(f'<rect x="{label}" y="{y + 3}" width="{width - label - 60}" height="15" fill="#eee"/>')
        if value is not None:
            good = value if HIGHER_IS_BETTER.get(name, True) else 1 - value
            color = "#2e7d32" if good >= 0.8 else "#f9a825" if good >= 0.5 else "#c62828"
            w = max(0.0, min(1.0, value)) * (width - label - 60)
            parts.append(f'<rect x="{label}" y="{y + 3}" width="{w:.1f}" height="15" fill="{color}"/>')
        parts.append(f'<text x="{width - 52}" y="{y + 15}" font-size="12">{_fmt(value)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def latency_plot(records: Sequence[Record], width: int = 640) -> str:
    """One bar per question: its total latency in seconds (inline SVG)."""
    values = [r.latency_s for r in records]
    top = max(values, default=0) or 1.0
    height, bar = 120, max(2.0, (width - 40) / max(1, len(values)))
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height + 20}">']
    for i, v in enumerate(values):
        h = v / top * height
        parts.append(
            f'<rect x="{40 + i * bar:.1f}" y="{height - h:.1f}" width="{bar * 0.8:.1f}" height="{h:.1f}" '
            f'fill="#1565c0"><title>{html.escape(records[i].id)}: {v:.2f} s</title></rect>'
        )
    parts.append(
        f'<text x="0" y="12" font-size="11">{top:.1f} s</text><text x="0" y="{height}" font-size="11">0</text>'
    )
    parts.append("</svg>")
    return "".join(parts)


def render(
    summary: dict,
    records: Sequence[Record],
    meta: dict,
    failed: Sequence[str],
    splits: dict[str, dict] | None = None,
    peer: Sequence[PeerRecord] | None = None,
) -> str:
    e = html.escape
    peers = {r.id: r for r in peer or ()}
    cols = outcomes.columns({"all": summary, **(splits or {})}, summarize(peer) if peer is not None else None)
    status = (
        '<p class="fail"><b>Failed thresholds:</b><br>' + "<br>".join(e(f) for f in failed) + "</p>"
        if failed
        else '<p class="pass">All thresholds met.</p>'
    )
    rows = []
    for r in records:
        verdict = _verdict(r.answerable, r.outcome)
        sentences = "".join(
            f'<span class="s {"ok" if s["faithful"] else "bad"}">{e(s["text"])} '
            f"<small>(support {s['score']:.2f})</small></span>"
            for s in r.sentences
        )
        dropped = "".join(
            f'<span class="s q">dropped: {e(d["text"])} <small>(support {d["score"]:.2f})</small></span>'
            for d in r.dropped
        )
        cites = "".join(
            f'<span class="s q">[{c["key"]}] {e(c["source"])} {c["start"]}-{c["end"]}: “{e(c["quote"])}”</span>'
            for c in r.citations
        )
        answer = e(r.error) if r.error else (e(r.answer) if r.refused else sentences) + dropped
        if r.id in peers:
            p = peers[r.id]
            answer += f'<span class="s q">llama-index peer ({_verdict(p.answerable, p.outcome)}): {e(p.error or p.answer)}</span>'
        rows.append(
            f"<tr><td>{e(r.id)}{f' ({e(r.split)})' if r.split else ''}</td><td>{e(r.question)}<br>"
            f"<span class='q'>gold: {e(_gold(r))}</span></td><td>{answer}</td><td>{cites}</td><td>{verdict}</td>"
            f"<td>{r.rank or '-'}</td><td>{r.latency_s:.1f}</td></tr>"
        )
    rates = {k: summary.get(k) for k in RATES}
    info = " · ".join(f"{e(str(k))}: {e(str(v))}" for k, v in meta.items())
    return f"""<!doctype html><html><head><meta charset="utf-8"><title>rag eval: {e(str(meta.get("set", "")))}</title>
<style>{CSS}</style></head><body><h1>Grounding evaluation</h1><p class="q">{info}</p>{status}
<h2>Right, wrong, refused</h2><p class="q">Shares of the answerable / unanswerable questions (counts){
        ", beside the llama-index peer's" if peer is not None else ""
    }.</p>{outcomes.html_table(cols)}<p class="q">{e(outcomes.REPLIES[0].upper() + outcomes.REPLIES[1:])}:</p>
{outcomes.html_table(replies(records))}<h2>Metrics</h2>{bars(rates)}<h2>Latency per question</h2>{latency_plot(records)}
<p>mean {_fmt(summary.get("latency_mean_s"))} s · p50 {_fmt(summary.get("latency_p50_s"))} s · p95
{_fmt(summary.get("latency_p95_s"))} s · first text {_fmt(summary.get("first_token_mean_s"))} s</p>
<h2>Questions</h2><table><tr><th>id</th><th>question</th><th>answer (support of each sentence)</th>
<th>citations</th><th>verdict</th><th>rank</th><th>s</th></tr>{"".join(rows)}</table></body></html>"""


def verdict(r: Record) -> str:
    """One word for a question's outcome (`eval.outcomes`): right, wrong, refused, answered, shown or error."""
    return r.outcome


def _gold(r: Record) -> str:
    gold = " / ".join(g for g in (r.gold_answer, *r.gold_alt) if g) or "-"
    return gold if r.answerable else f"(unanswerable){'; the quiz says ' + gold if gold != '-' else ''}"


def _verdict(answerable: bool, word: str) -> str:
    good = (answerable, word) in GOOD or word == outcomes.SHOWN
    return f'<span class="{"ok" if good else "bad"}">{word}</span>'
