"""The trained model on privacy requests it never saw in training (both
languages), and on ordinary messages that must not be taken for one."""
from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
MODEL = ROOT / "models" / "support-bot.tar.gz"
pytestmark = pytest.mark.integration

UNSEEN = {
    "request_erasure": [
        "lösch bitte alles was du über mich weißt", "ich will meine daten gelöscht haben", "kannst du den verlauf löschen",
        "daten von mir entfernen bitte", "bitte vergiss unser gespräch", "please delete everything i wrote",
        "remove my data pls", "i want this chat erased", "can u wipe my info", "delete all my messages please",
    ],
    "ask_stored_data": [
        "was habt ihr über mich gespeichert", "welche daten von mir liegen bei euch", "speichert ihr meine daten",
        "was weißt du eigentlich über mich", "zeig mal was du gespeichert hast", "what data did you save",
        "what do u know about me", "do you keep what i write", "which info about me is stored", "what have you got about me",
    ],
}
NOT_PRIVACY = ["hotline italien", "ja", "nein", "hab ich noch garantie", "what is the number in the uk", "thanks",
               "lösch den termin nicht, ich brauch die hotline", "can i delete the app from my phone?"]


def test_privacy_intents_on_unseen_messages():
    if not MODEL.exists():
        pytest.skip("no trained model: run `make train`")
    from rasa.core.agent import Agent

    agent = Agent.load(str(MODEL))

    async def intents(texts):
        return [(await agent.parse_message(text))["intent"]["name"] for text in texts]

    wrong = []
    for intent, texts in UNSEEN.items():
        for text, got in zip(texts, asyncio.run(intents(texts))):
            if got != intent:
                wrong.append((text, intent, got))
    taken = [(t, got) for t, got in zip(NOT_PRIVACY, asyncio.run(intents(NOT_PRIVACY)))
             if got in UNSEEN]
    assert len(wrong) <= 2, wrong  # 18 of 20 at least
    assert taken == [], taken  # never erase or disclose on an ordinary message
