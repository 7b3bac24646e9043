"""Plays the held-out conversations (tests/conversations/) through the REST
webhook against the trained bot and writes reports/eval_conversations.{md,json}.

    python scripts/eval_conversations.py                 start the bot, play every conversation
    python scripts/eval_conversations.py --url URL       play against a bot that is already running
                                                         (its clock must be frozen at CLOCK)
    python scripts/eval_conversations.py --only de-hotline
    python scripts/eval_conversations.py --set tests/conversations_blind
                                                         another set (report named after its folder)
    python scripts/eval_conversations.py --channel whatsapp
                                                         through the WhatsApp webhook instead: signed
                                                         Cloud API deliveries to a bot of its own, the
                                                         replies read off a fake Graph API (report
                                                         *_whatsapp); each conversation from its own
                                                         number, German ones from +49, English ones from +44

A conversation is right when every checked turn is right. A turn that states
a fact listed under `none` (or a hotline number other than the expected one)
is a confident wrong answer, counted on its own. The format is described in
tests/conversations/README.md.
"""
from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, List, Optional

import requests
import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "integration"))
sys.path.insert(0, str(ROOT / "tests" / "channels"))

from support.knowledge import knowledge  # noqa: E402
from support.language import detect  # noqa: E402

CONVERSATIONS = ROOT / "tests" / "conversations"
REPORTS = ROOT / "reports"
CLOCK = "2026-12-01T16:30:00+00:00"  # see tests/conversations/README.md


def normalise(text: str) -> str:
    """Case, umlauts and whitespace folded the way the README describes; digits
    and punctuation kept (so "0800 223 11 44" and "24:00" still match)."""
    text = text.lower()
    for source, target in (("ß", "ss"), ("ä", "a"), ("ö", "o"), ("ü", "u")):
        text = text.replace(source, target)
    return " ".join(text.split())


def contains(reply: str, item: Any) -> bool:
    options = item if isinstance(item, list) else [item]
    return any(normalise(str(option)) in reply for option in options)


def load(only: Optional[str] = None, folder: Path = CONVERSATIONS) -> List[Dict[str, Any]]:
    conversations = []
    for path in sorted(folder.glob("*/*.yml")):
        for conversation in yaml.safe_load(path.read_text(encoding="utf-8"))["conversations"]:
            conversation["file"] = str(path.relative_to(ROOT))
            conversation["lang"] = path.parent.name
            if only is None or conversation["id"].startswith(only):
                conversations.append(conversation)
    ids = [c["id"] for c in conversations]
    duplicates = {i for i in ids if ids.count(i) > 1}
    if duplicates:
        sys.exit(f"eval: duplicate conversation ids {sorted(duplicates)}")
    return conversations


def hotline_numbers() -> List[str]:
    return [normalise(c.hotline.number) for c in knowledge().countries.values() if c.hotline is not None]


@dataclass
class TurnResult:
    user: str
    reply: str
    problems: List[str] = field(default_factory=list)
    confident_wrong: List[str] = field(default_factory=list)


def check_turn(expect: Dict[str, Any], reply_text: str, asked: bool, numbers: List[str]) -> TurnResult:
    result = TurnResult(user="", reply=reply_text)
    reply = normalise(reply_text)
    if not reply:
        result.problems.append("no reply")
        return result
    for item in expect.get("all", []):
        if not contains(reply, item):
            result.problems.append(f"missing {item!r}")
    if expect.get("any") and not any(contains(reply, item) for item in expect["any"]):
        result.problems.append(f"none of {expect['any']!r}")
    for item in expect.get("none", []):
        if contains(reply, item):
            result.confident_wrong.append(f"states {item!r}")
    expected_items = [str(o) for item in expect.get("all", []) + expect.get("any", []) for o in (item if isinstance(item, list) else [item])]
    expected_numbers = {n for n in numbers if any(n == normalise(e) for e in expected_items)}
    if expected_numbers:
        for number in numbers:
            if number in reply and number not in expected_numbers:
                result.confident_wrong.append(f"states another hotline {number!r}")
    if expect.get("ask") and not asked:
        result.problems.append("should ask back")
    if "lang" in expect:
        detected = detect(reply_text)
        if detected.language != expect["lang"]:
            result.problems.append(f"reply in {detected.language}, expected {expect['lang']}")
    return result


def say(url: str, sender: str, text: str) -> List[Dict[str, Any]]:
    for attempt in range(3):
        try:
            response = requests.post(f"{url}/webhooks/rest/webhook", json={"sender": sender, "message": text}, timeout=60)
            if response.status_code == 429 and attempt < 2:
                time.sleep(float(response.headers.get("Retry-After", "1")))
                continue
            response.raise_for_status()
            return response.json()
        except requests.RequestException as error:
            if attempt == 2:
                return [{"text": f"<request failed: {error}>"}]
            time.sleep(1)
    return []


class WhatsAppTransport:
    """Sends each turn as a signed Cloud API delivery to the bot's WhatsApp webhook
    and reads what the bot sent that number off the fake Graph API: the turn is
    over when nothing new has arrived for QUIET seconds."""

    QUIET, LONGEST = 0.8, 30.0

    def __init__(self, url: str, graph: Any) -> None:
        self.url, self.graph = url, graph

    @staticmethod
    def number(conversation_id: str, lang: str) -> str:
        digits = str(int(uuid.uuid5(uuid.NAMESPACE_URL, conversation_id)))[-9:]
        return ("4915" if lang == "de" else "4477") + digits

    def say(self, wa_id: str, text: str) -> List[Dict[str, Any]]:
        from channel_testkit import sign, text_payload

        before = len(self.graph.messages(to=wa_id))
        body = json.dumps(text_payload(text, message_id=f"wamid.eval-{uuid.uuid4().hex}", wa_id=wa_id)).encode()
        try:
            requests.post(f"{self.url}/webhooks/whatsapp/webhook", data=body, timeout=30,
                          headers={"Content-Type": "application/json", "X-Hub-Signature-256": sign(body)}).raise_for_status()
        except requests.RequestException as error:
            return [{"text": f"<request failed: {error}>"}]
        deadline, last_change, seen = time.monotonic() + self.LONGEST, time.monotonic(), before
        while time.monotonic() < deadline:
            count = len(self.graph.messages(to=wa_id))
            if count != seen:
                seen, last_change = count, time.monotonic()
            elif count > before and time.monotonic() - last_change >= self.QUIET:
                break
            time.sleep(0.05)
        return [whatsapp_message(r.body) for r in self.graph.messages(to=wa_id)[before:]]


def whatsapp_message(body: Dict[str, Any]) -> Dict[str, Any]:
    """A Graph API message body as the REST channel would give it (text and button titles)."""
    if body.get("type") == "text":
        return {"text": body["text"]["body"]}
    interactive = body.get("interactive") or {}
    action = interactive.get("action") or {}
    titles = [b["reply"]["title"] for b in action.get("buttons") or []]
    titles += [row["title"] for section in action.get("sections") or [] for row in section.get("rows") or []]
    return {"text": (interactive.get("body") or {}).get("text", ""), "buttons": [{"title": t} for t in titles]}


def reply_of(messages: List[Dict[str, Any]]) -> tuple:
    parts, asked = [], False
    for message in messages:
        if message.get("text"):
            parts.append(message["text"])
        for button in message.get("buttons") or []:
            parts.append(button.get("title", ""))
            asked = True
    text = "\n".join(parts)
    return text, asked or "?" in text


def play(url: str, conversation: Dict[str, Any], run: str, numbers: List[str],
         whatsapp: Optional[WhatsAppTransport] = None) -> Dict[str, Any]:
    sender = f"eval-{run}-{conversation['id']}"
    if whatsapp is not None:
        sender = whatsapp.number(f"{run}-{conversation['id']}", conversation["lang"])
    turns = []
    for turn in conversation["turns"]:
        messages = whatsapp.say(sender, turn["user"]) if whatsapp else say(url, sender, turn["user"])
        text, asked = reply_of(messages)
        expect = turn.get("expect")
        result = check_turn(expect, text, asked, numbers) if expect else TurnResult(user="", reply=text)
        result.user = turn["user"]
        turns.append({"user": turn["user"], "reply": text, "checked": bool(expect), "expect": expect,
                      "problems": result.problems, "confident_wrong": result.confident_wrong})
    right = all(not t["problems"] and not t["confident_wrong"] for t in turns)
    return {"id": conversation["id"], "lang": conversation["lang"], "file": conversation["file"],
            "right": right, "confident_wrong": sum(len(t["confident_wrong"]) for t in turns), "turns": turns}


def summary(results: List[Dict[str, Any]]) -> Dict[str, Any]:
    figures: Dict[str, Any] = {}
    for lang in ("de", "en"):
        mine = [r for r in results if r["lang"] == lang]
        checked = [t for r in mine for t in r["turns"] if t["checked"]]
        figures[lang] = {
            "conversations": len(mine),
            "right": sum(r["right"] for r in mine),
            "share_right": round(sum(r["right"] for r in mine) / len(mine), 4) if mine else None,
            "checked_turns": len(checked),
            "turns_right": sum(1 for t in checked if not t["problems"] and not t["confident_wrong"]),
            "confident_wrong_answers": sum(1 for t in checked if t["confident_wrong"]),
        }
    return figures


def write_report(results: List[Dict[str, Any]], figures: Dict[str, Any], started: str, seconds: float,
                 name: str = "eval_conversations", channel: str = "rest") -> None:
    REPORTS.mkdir(exist_ok=True)
    (REPORTS / f"{name}.json").write_text(
        json.dumps({"started": started, "seconds": round(seconds, 1), "clock": CLOCK, "channel": channel, "figures": figures,
                    "failures": [r for r in results if not r["right"]]}, ensure_ascii=False, indent=1),
        encoding="utf-8")
    lines = [
        f"# Held-out conversations through the {CHANNEL_NAMES[channel]}", "",
        f"`make eval` (`scripts/eval_conversations.py{' --channel whatsapp' if channel == 'whatsapp' else ''}`), "
        f"started {started}, {seconds:.0f} s; bot clock frozen at {CLOCK}.", "",
        "| lang | conversations | right | share | checked turns | turns right | confident wrong answers |",
        "|---|---|---|---|---|---|---|",
    ]
    for lang, f in figures.items():
        lines.append(f"| {lang} | {f['conversations']} | {f['right']} | {f['share_right']} | {f['checked_turns']} | {f['turns_right']} | {f['confident_wrong_answers']} |")
    lines += ["", "## Failures", ""]
    for result in results:
        if result["right"]:
            continue
        lines.append(f"### {result['id']} ({result['file']})" + (" — CONFIDENT WRONG" if result["confident_wrong"] else ""))
        for turn in result["turns"]:
            mark = "✗" if turn["problems"] or turn["confident_wrong"] else "·"
            lines.append(f"- {mark} user: `{turn['user']}`")
            reply = turn["reply"].replace("\n", " ⏎ ")
            lines.append(f"  - bot: {reply}")
            for problem in turn["problems"] + turn["confident_wrong"]:
                lines.append(f"  - **{problem}**")
        lines.append("")
    (REPORTS / f"{name}.md").write_text("\n".join(lines), encoding="utf-8")


CHANNEL_NAMES = {"rest": "REST webhook", "whatsapp": "WhatsApp webhook (signed Cloud API deliveries, replies read off a fake Graph API)"}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", help="a running bot (clock frozen at CLOCK)")
    parser.add_argument("--only", help="play only conversations whose id starts with this")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--set", type=Path, default=CONVERSATIONS, help="folder of conversations (de/, en/)")
    parser.add_argument("--channel", choices=sorted(CHANNEL_NAMES), default="rest")
    args = parser.parse_args()
    if args.channel == "whatsapp" and args.url:
        parser.error("--channel whatsapp starts a bot of its own (wired to a fake Graph API); leave out --url")
    folder = args.set.resolve()
    name = "eval_conversations" if folder == CONVERSATIONS else f"eval_{folder.name}"
    name += "_whatsapp" if args.channel == "whatsapp" else ""
    conversations = load(args.only, folder)
    numbers = hotline_numbers()
    started = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    begin = time.monotonic()
    bot, graph_api, whatsapp = None, None, None
    url = args.url
    if url is None:
        from bot_processes import make_bot

        env = {"SUPPORT_BOT_NOW": CLOCK, "LOG_LEVEL": "WARNING"}
        if args.channel == "whatsapp":
            from channel_testkit import running_graph_api, whatsapp_env

            graph_api = running_graph_api()
            fake_graph = next(graph_api)
            env.update(whatsapp_env(fake_graph))
        bot = make_bot(Path(tempfile.mkdtemp(prefix="eval-conv-")), env)
        bot.start_actions()
        bot.start_rasa()
        url = bot.url
    try:
        if graph_api is not None:
            whatsapp = WhatsAppTransport(url, fake_graph)
        run = uuid.uuid4().hex[:8]
        with ThreadPoolExecutor(max_workers=args.workers) as pool:
            results = list(pool.map(lambda c: play(url, c, run, numbers, whatsapp), conversations))
    finally:
        if bot is not None:
            bot.stop_all()
        if graph_api is not None:
            graph_api.close()
    figures = summary(results)
    write_report(results, figures, started, time.monotonic() - begin, name, args.channel)
    print(json.dumps(figures, indent=1))
    print(f"eval: report in {(REPORTS / f'{name}.md').relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
