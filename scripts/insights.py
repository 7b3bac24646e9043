"""Insights for the people who run the bot: `make insights`.

    python scripts/insights.py [--endpoints endpoints.yml] [--out reports] [--days N]

Reads the tracker store of the endpoints file (SQLite by default, PostgreSQL
with endpoints.production.yml) through SQLAlchemy and writes

* ``reports/insights.html``: one self-contained page (charts as inline PNG),
* ``reports/insights.json``: the same figures,
* ``reports/review_queue.yml``: the messages the bot was least sure about, in
  Rasa's NLU format (grouped by the intent the NLU leaned to, each with its
  reasons and the conversation around it as example metadata), so a person can
  correct the intent and move the example into data/nlu/.

The figures are computed in support/insights_data.py. The review queue holds
user messages: it is personal data like the store itself (reports/ keeps it
out of git, see .gitignore); delete it when the review is done.
"""
from __future__ import annotations

import argparse
import base64
import html
import io
import json
import os
import sys
import time
from pathlib import Path
from typing import Any, Dict, List, Optional

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))
os.environ.setdefault("SQLALCHEMY_SILENCE_UBER_WARNING", "1")

import sqlalchemy as sa  # noqa: E402
import yaml  # noqa: E402

from privacy import load_settings, tracker_store  # noqa: E402
from support import insights_data  # noqa: E402

DAY_S = 24 * 3600


def read_events(engine: sa.engine.Engine, since: Optional[float] = None) -> List[Dict[str, Any]]:
    if not sa.inspect(engine).has_table("events"):
        return []
    query = "SELECT sender_id, data FROM events"
    params: Dict[str, Any] = {}
    if since is not None:
        query += " WHERE timestamp >= :since"
        params["since"] = since
    with engine.connect() as connection:
        rows = connection.execute(sa.text(query + " ORDER BY id"), params)
        return [{**json.loads(data), "sender_id": sender} for sender, data in rows]


def country_name(value: str) -> str:
    from support.names import countries

    match = countries().resolve(value)
    return match.name("en") if match else value


# --- charts ---------------------------------------------------------------

def _figure(width: float = 6.4, height: float = 3.2):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from matplotlib.ticker import MaxNLocator

    fig, ax = plt.subplots(figsize=(width, height), dpi=100)
    ax.spines[["top", "right"]].set_visible(False)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    return plt, fig, ax


def _png(plt, fig) -> str:
    buffer = io.BytesIO()
    fig.tight_layout()
    fig.savefig(buffer, format="png")
    plt.close(fig)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def _barh(data: Dict[str, float], title: str, color: str = "#ff6900") -> str:
    plt, fig, ax = _figure(6.4, max(1.6, 0.35 * len(data) + 0.8))
    labels, values = list(data)[::-1], list(data.values())[::-1]
    ax.barh(labels or ["(none)"], values or [0], color=color)
    for y, value in enumerate(values):
        ax.text(value, y, f" {value:g}", va="center", fontsize=8)
    ax.set_title(title, loc="left", fontsize=11)
    return _png(plt, fig)


def chart_per_day(f: Dict[str, Any]) -> str:
    plt, fig, ax = _figure()
    days = sorted(set(f["messages_per_day"]) | set(f["conversations_per_day"]))
    x = range(len(days))
    ax.bar([i - 0.2 for i in x], [f["messages_per_day"].get(d, 0) for d in days], 0.4, label="messages", color="#ff6900")
    ax.bar([i + 0.2 for i in x], [f["conversations_per_day"].get(d, 0) for d in days], 0.4, label="conversations",
           color="#444")
    ax.set_xlim(-0.8, max(len(days), 3) - 0.2)
    ax.set_xticks(list(x))
    ax.set_xticklabels(days, rotation=45, ha="right", fontsize=8)
    ax.legend(frameon=False, fontsize=8)
    ax.set_title("Messages and conversations per day (UTC)", loc="left", fontsize=11)
    return _png(plt, fig)


def chart_rates(f: Dict[str, Any]) -> str:
    plt, fig, ax = _figure(6.4, 2.2)
    labels = ["fallback (rephrase asked)", "\"I don't know\" (not in source)"]
    values = [f["fallback"]["rate"] * 100, f["dont_know"]["rate"] * 100]
    ax.barh(labels[::-1], values[::-1], color=["#c0392b", "#e67e22"][::-1])
    for y, value in enumerate(values[::-1]):
        ax.text(value, y, f" {value:.1f} %", va="center", fontsize=8)
    ax.set_xlabel("% of user messages", fontsize=8)
    ax.set_title("Fallback and \"I don't know\" rate", loc="left", fontsize=11)
    return _png(plt, fig)


def chart_handoff(f: Dict[str, Any]) -> str:
    table = f["handoff_by_country"]
    states = sorted({state for row in table.values() for state in row})
    plt, fig, ax = _figure(6.4, max(1.6, 0.4 * len(table) + 1.0))
    countries = list(table)[::-1] or ["(none)"]
    left = [0] * len(countries)
    palette = {"open": "#27ae60", "closed": "#c0392b"}
    for i, state in enumerate(states):
        values = [table.get(c, {}).get(state, 0) for c in countries]
        ax.barh(countries, values, left=left, label=state, color=palette.get(state, f"C{i + 2}"))
        left = [a + b for a, b in zip(left, values)]
    if states:
        ax.legend(frameon=False, fontsize=8, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    ax.set_title("Handoff requests by country: hotline open at the time?", loc="left", fontsize=11)
    return _png(plt, fig)


def chart_warranty(f: Dict[str, Any]) -> str:
    plt, fig, ax = _figure(6.4, 1.8)
    w = f["warranty_checks"]
    ax.barh(["finished", "started"], [w["finished"], w["started"]], color=["#27ae60", "#444"])
    for y, value in enumerate([w["finished"], w["started"]]):
        ax.text(value, y, f" {value}", va="center", fontsize=8)
    ax.set_title("Warranty checks started vs. finished", loc="left", fontsize=11)
    return _png(plt, fig)


def chart_turns(lengths: List[int], median: float) -> str:
    plt, fig, ax = _figure(6.4, 2.4)
    if lengths:
        ax.hist(lengths, bins=range(1, max(lengths) + 2), color="#ff6900", align="left", rwidth=0.8)
    ax.axvline(median, color="#444", linestyle="--")
    ax.text(median, ax.get_ylim()[1] * 0.9, f" median {median:g}", fontsize=8)
    ax.set_xlabel("user messages per conversation", fontsize=8)
    ax.set_title("Turns per conversation", loc="left", fontsize=11)
    return _png(plt, fig)


# --- outputs -------------------------------------------------------------

STYLE = """body{font-family:system-ui,sans-serif;margin:2rem auto;max-width:1400px;color:#222;background:#fafafa}
h1{font-size:1.5rem}.grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(640px,1fr));gap:1rem}
.card{background:#fff;border:1px solid #ddd;border-radius:8px;padding:1rem}.kpis{display:flex;gap:1rem;flex-wrap:wrap}
.kpi{background:#fff;border:1px solid #ddd;border-radius:8px;padding:.6rem 1rem}.kpi b{display:block;font-size:1.4rem}
img{max-width:100%}table{border-collapse:collapse;font-size:.85rem}td,th{border-bottom:1px solid #eee;padding:.2rem .6rem;text-align:left}
small{color:#666}"""


def render_html(f: Dict[str, Any], charts: Dict[str, str], review: List[Dict[str, Any]], source: str) -> str:
    esc = html.escape
    kpis = [
        ("conversations", f["conversations"]), ("user messages", f["messages"]),
        ("median turns / conversation", f["turns_per_conversation"]["median"]),
        ("fallback rate", f"{f['fallback']['rate'] * 100:.1f} %"),
        ("\"I don't know\" rate", f"{f['dont_know']['rate'] * 100:.1f} %"),
        ("handoff requests", f["handoff_requests"]),
        ("warranty checks started / finished", f"{f['warranty_checks']['started']} / {f['warranty_checks']['finished']}"),
        ("German / English (messages)",
         f"{f['language_share_messages'].get('de', 0) * 100:.0f} % / {f['language_share_messages'].get('en', 0) * 100:.0f} %"),
    ]
    cards = "".join(f'<div class="card"><img alt="{esc(name)}" src="{src}"></div>' for name, src in charts.items())
    rows = "".join(
        f"<tr><td>{esc(item['text'][:80])}</td><td>{esc(item['intent'])}</td><td>{item['confidence']}</td>"
        f"<td>{esc(', '.join(item['reasons']))}</td></tr>" for item in review[:15])
    return f"""<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Support bot insights</title>
<style>{STYLE}</style></head><body><h1>Support bot insights</h1>
<p><small>{esc(source)} · generated {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} ·
figures also in insights.json · review queue in review_queue.yml</small></p>
<div class="kpis">{''.join(f'<div class="kpi"><b>{esc(str(v))}</b>{esc(k)}</div>' for k, v in kpis)}</div>
<h2>Charts</h2><div class="grid">{cards}</div>
<h2>Review queue (least sure first, {len(review)} messages)</h2>
<table><tr><th>message</th><th>NLU leaned to</th><th>confidence</th><th>why</th></tr>{rows}</table>
</body></html>
"""


class _Literal(str):
    pass


class _Dumper(yaml.SafeDumper):
    pass


def _literal(dumper: yaml.Dumper, value: _Literal) -> yaml.Node:
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|")


def review_yaml(review: List[Dict[str, Any]]) -> str:
    """Rasa NLU training data (version 3.1); each example's metadata says why
    it is in the queue and shows the conversation around it."""
    by_intent: Dict[str, List[Dict[str, Any]]] = {}
    for item in review:
        metadata = {key: item[key] for key in ("reasons", "confidence", "conversation", "at", "context")}
        by_intent.setdefault(item["intent"], []).append(
            {"text": _Literal(item["text"].replace("\n", " ").strip() + "\n"), "metadata": {"review": metadata}})
    document = {"version": "3.1", "nlu": [{"intent": intent, "examples": examples}
                                         for intent, examples in sorted(by_intent.items())]}
    _Dumper.add_representer(_Literal, _literal)
    header = ("# Review queue (scripts/insights.py): messages the bot was least sure about, grouped by\n"
              "# the intent the NLU leaned to. Correct the intent, then move the example into data/nlu/.\n"
              "# Contains user messages: delete this file when the review is done.\n")
    return header + yaml.dump(document, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=120)


def build(events: List[Dict[str, Any]], out: Path, source: str) -> Dict[str, Any]:
    conversations = insights_data.turns_of(events)
    f = insights_data.figures(conversations, country_name=country_name)
    review = insights_data.review_queue(conversations)
    f["review_queue"] = len(review)
    lengths = [len(conv) for conv in conversations.values() if conv]
    charts = {
        "per day": chart_per_day(f),
        "language share": _barh({k: round(v * 100, 1) for k, v in f["language_share_messages"].items()},
                                "Language share (% of user messages)", "#444"),
        "top intents": _barh(f["top_intents"], "Top intents"),
        "top countries": _barh(f["top_countries"], "Top countries asked about", "#444"),
        "rates": chart_rates(f),
        "handoff": chart_handoff(f),
        "warranty": chart_warranty(f),
        "turns": chart_turns(lengths, f["turns_per_conversation"]["median"]),
    }
    out.mkdir(parents=True, exist_ok=True)
    (out / "insights.json").write_text(json.dumps(f, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    (out / "insights.html").write_text(render_html(f, charts, review, source), encoding="utf-8")
    (out / "review_queue.yml").write_text(review_yaml(review), encoding="utf-8")
    return f


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--endpoints", default="endpoints.yml", help="endpoints file with the tracker store")
    parser.add_argument("--out", default="reports", help="output folder (default: %(default)s)")
    parser.add_argument("--days", type=float, help="only the last N days")
    args = parser.parse_args(argv)
    out = Path(args.out).resolve()
    load_settings()
    store = tracker_store(args.endpoints)
    since = time.time() - args.days * DAY_S if args.days else None
    events = read_events(store.engine, since)
    from privacy import describe

    f = build(events, out, describe(store))
    print(f"insights: {f['conversations']} conversations, {f['messages']} user messages, "
          f"fallback {f['fallback']['rate'] * 100:.1f} %, \"I don't know\" {f['dont_know']['rate'] * 100:.1f} %, "
          f"warranty checks {f['warranty_checks']['started']} started / {f['warranty_checks']['finished']} finished, "
          f"{f['review_queue']} messages to review")
    print(f"insights: wrote {out / 'insights.html'}, insights.json, review_queue.yml")
    return 0


if __name__ == "__main__":
    sys.exit(main())
