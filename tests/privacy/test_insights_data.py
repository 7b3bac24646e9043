"""Figures and the review queue on a small hand-made event log (the real bot
fills the store in tests/privacy/test_privacy_bot.py), and the review queue
read back with Rasa's own NLU reader."""
from __future__ import annotations

import sys
from pathlib import Path

from rasa.shared.nlu.training_data.formats.rasa_yaml import RasaYAMLReader

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))

from insights import build  # noqa: E402

from support import insights_data  # noqa: E402

DAY1, DAY2 = 1764547200.0, 1764633600.0  # 2025-12-01, 2025-12-02 00:00 UTC


def user(sender, text, intent, confidence, at, language="de", ranking=None):
    return {"sender_id": sender, "event": "user", "text": text, "timestamp": at,
            "parse_data": {"intent": {"name": intent, "confidence": confidence},
                           "intent_ranking": ranking or [{"name": intent, "confidence": confidence}],
                           "language": {"code": language}}}


def action(sender, name, at):
    return {"sender_id": sender, "event": "action", "name": name, "timestamp": at}


def bot(sender, response, at, text="…"):
    return {"sender_id": sender, "event": "bot", "text": text, "timestamp": at, "metadata": {"utter_action": response}}


def slot(sender, name, value, at):
    return {"sender_id": sender, "event": "slot", "name": name, "value": value, "timestamp": at}


def loop(sender, name, at):
    return {"sender_id": sender, "event": "active_loop", "name": name, "timestamp": at}


def events():
    a, b, c = "conv-a", "conv-b", "conv-c"
    return [
        {"sender_id": a, "event": "session_started", "timestamp": DAY1},
        user(a, "hotline italien", "ask_hotline", 0.98, DAY1 + 1), slot(a, "language", "de", DAY1 + 1.1),
        action(a, "action_hotline", DAY1 + 2), bot(a, "utter_hotline", DAY1 + 2), slot(a, "country", "IT", DAY1 + 2),
        user(a, "ich will einen menschen", "human_handoff", 0.9, DAY1 + 10), action(a, "action_handoff", DAY1 + 11),
        bot(a, "utter_handoff", DAY1 + 11), bot(a, "utter_hotline", DAY1 + 11), bot(a, "utter_closed_now", DAY1 + 11),
        slot(a, "country", "IT", DAY1 + 11),
        # a new session carries the slots over: not a question about Italy
        {"sender_id": a, "event": "session_started", "timestamp": DAY2}, slot(a, "country", "IT", DAY2 + 0.1),
        user(a, "apfelkuchen rezept", "nlu_fallback", 0.3, DAY2 + 1,
             ranking=[{"name": "nlu_fallback", "confidence": 0.35}, {"name": "out_of_scope", "confidence": 0.3}]),
        action(a, "utter_default", DAY2 + 2), bot(a, "utter_default", DAY2 + 2, "Sorry, wie bitte?"),
        user(b, "warranty check", "check_warranty", 0.95, DAY2 + 5, "en"), slot(b, "language", "en", DAY2 + 5),
        action(b, "warranty_form", DAY2 + 6), loop(b, "warranty_form", DAY2 + 6),
        user(b, "xiaomi 13 pro", "inform", 0.55, DAY2 + 7, "en"), action(b, "warranty_form", DAY2 + 8),
        user(b, "xiaomi 13 pro!", "inform", 0.5, DAY2 + 9, "en"),
        user(c, "garantie prüfen", "check_warranty", 0.97, DAY2 + 20), action(c, "warranty_form", DAY2 + 21),
        loop(c, "warranty_form", DAY2 + 21), user(c, "redmi note 13, 1.3.2025, spanien", "inform", 0.9, DAY2 + 22),
        loop(c, None, DAY2 + 23), slot(c, "purchase_country", "ES", DAY2 + 23),
        action(c, "action_warranty_check", DAY2 + 23), bot(c, "utter_warranty_covered", DAY2 + 23),
        user(c, "hotline österreich", "ask_hotline", 0.96, DAY2 + 30), action(c, "action_hotline", DAY2 + 31),
        bot(c, "utter_no_hotline_known", DAY2 + 31), slot(c, "country", "AT", DAY2 + 31),
    ]


def test_figures():
    f = insights_data.figures(insights_data.turns_of(events()))
    assert f["conversations"] == 3 and f["messages"] == 9
    assert f["messages_per_day"] == {"2025-12-01": 2, "2025-12-02": 7}
    assert f["conversations_per_day"] == {"2025-12-01": 1, "2025-12-02": 3}
    assert f["language_share_messages"] == {"de": 0.6667, "en": 0.3333}
    assert f["top_intents"]["inform"] == 3 and f["top_intents"]["check_warranty"] == 2
    assert f["top_countries"] == {"IT": 2, "ES": 1, "AT": 1}
    assert f["fallback"] == {"messages": 1, "rate": 0.1111}
    assert f["dont_know"] == {"messages": 1, "rate": 0.1111}
    assert f["handoff_by_country"] == {"IT": {"closed": 1}}
    assert f["warranty_checks"] == {"started": 2, "finished": 1, "completion_rate": 0.5}
    assert f["turns_per_conversation"] == {"median": 3, "max": 3}


def test_review_queue_reasons():
    queue = insights_data.review_queue(insights_data.turns_of(events()))
    reasons = {item["text"]: item["reasons"] for item in queue}
    assert reasons == {
        "apfelkuchen rezept": ["fallback"],
        "xiaomi 13 pro": ["low_confidence"],
        "xiaomi 13 pro!": ["low_confidence", "form_abandoned", "repeated"],
    }
    fallback = next(item for item in queue if item["text"] == "apfelkuchen rezept")
    assert fallback["intent"] == "out_of_scope"
    assert {"user (this message)": "apfelkuchen rezept"} in fallback["context"]
    assert {"user": "ich will einen menschen"} in fallback["context"]


def test_outputs_and_the_review_queue_loads_with_rasas_nlu_reader(tmp_path):
    f = build(events(), tmp_path, "test events")
    assert f["review_queue"] == 3
    page = (tmp_path / "insights.html").read_text(encoding="utf-8")
    assert page.count("data:image/png;base64,") == 8 and "<script" not in page and "http" not in page
    data = RasaYAMLReader().read(tmp_path / "review_queue.yml")
    examples = {m.get("text"): m.get("intent") for m in data.intent_examples}
    assert examples == {"apfelkuchen rezept": "out_of_scope", "xiaomi 13 pro": "inform", "xiaomi 13 pro!": "inform"}
    meta = next(m for m in data.intent_examples if m.get("text") == "xiaomi 13 pro!").get("metadata")
    assert meta["example"]["review"]["reasons"] == ["low_confidence", "form_abandoned", "repeated"]
