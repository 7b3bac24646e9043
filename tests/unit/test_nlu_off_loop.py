"""components/nlu_off_loop.py: the NLU graph runs off the event loop."""
from __future__ import annotations

import asyncio
import threading

import pytest

from rasa.core.channels.channel import UserMessage
from rasa.core.processor import MessageProcessor
from rasa.shared.core.domain import Domain

import components  # noqa: F401  (installs the patch, as loading the model does)


class SlowGraphProcessor(MessageProcessor):
    """Rasa's processor with a graph whose run blocks its thread until the
    event loop sets ``release`` (run on the loop, it would never see it)."""

    def __init__(self, release: threading.Event) -> None:  # no model needed
        self.http_interpreter = None
        self.domain = Domain.empty()
        self.release = release

    def _parse_message_with_graph(self, message, tracker, only_output_properties=True):
        released = self.release.wait(10)
        return {"text": message.text, "intent": {"name": "greet" if released else "blocked", "confidence": 1.0},
                "entities": [], "intent_ranking": []}


def test_the_patch_is_installed():
    assert getattr(MessageProcessor.parse_message, "__off_loop__", False)


@pytest.mark.asyncio
async def test_the_event_loop_keeps_running_while_a_message_is_parsed():
    release = threading.Event()
    asyncio.get_running_loop().call_later(0.1, release.set)
    parsed = await SlowGraphProcessor(release).parse_message(UserMessage("hallo", sender_id="u1"))
    assert parsed["intent"]["name"] == "greet"
    assert parsed["text"] == "hallo"
