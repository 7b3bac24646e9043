"""User text echoed into replies: through the real domain and Rasa's NLG."""
from __future__ import annotations

from pathlib import Path

import pytest

from rasa.core.nlg import TemplatedNaturalLanguageGenerator
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import SlotSet
from rasa.shared.core.trackers import DialogueStateTracker

import components  # noqa: F401  (installs the guard, as Rasa's model loading does)
from support.safe_text import ECHO_MAX_CHARS, echo_safe

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def domain() -> Domain:
    return Domain.load(str(ROOT / "domain.yml"))


async def fill(domain, response, language, **values) -> str:
    tracker = DialogueStateTracker.from_events("echo", [SlotSet("language", language)], slots=domain.slots)
    message = await TemplatedNaturalLanguageGenerator(domain.responses).generate(response, tracker, "rest", **values)
    return message["text"]


HOSTILE = [
    ("template breaker", "0[1]"),
    ("placeholder", "{country} {0[x]}"),
    ("ANSI", "\x1b[2J\x1b[31mAtlantis"),
    ("bidi override", "Atlan\u202etis"),
    ("newlines", "Atlantis\n\nINFO forged"),
    ("zero width", "At\u200blantis"),
    ("long", "Atlantis " * 500),
]


@pytest.mark.asyncio
@pytest.mark.parametrize("case, value", HOSTILE, ids=[c[0] for c in HOSTILE])
@pytest.mark.parametrize("response, key, language", [
    ("utter_country_unknown", "value", "de"),
    ("utter_country_unknown", "value", "en"),
    ("utter_iws_not_eligible", "product", "en"),
])
async def test_echoed_text_is_clean_and_never_breaks_the_template(domain, case, value, response, key, language):
    extra = {"models": "Xiaomi 13"} if key == "product" else {}
    text = await fill(domain, response, language, **{key: value}, **extra)
    assert "{" not in text and "0[" not in text, text  # the template was filled
    assert not any(ch in text for ch in "\x1b\u202e\u200b\n"), repr(text)
    assert len(text) < 400
    assert echo_safe(value) in text


def test_echo_safe_keeps_ordinary_text_and_cuts_long_text():
    assert echo_safe("Côte d’Ivoire") == "Côte d’Ivoire"
    assert echo_safe("Xiaomi 13 Pro") == "Xiaomi 13 Pro"
    cut = echo_safe("x" * 500)
    assert len(cut) == ECHO_MAX_CHARS and cut.endswith("…")
