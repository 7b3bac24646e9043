"""components/resilience.py: what a user gets when the action server fails."""
from __future__ import annotations

import socket
import time
from pathlib import Path

import pytest

from rasa.core.actions.action import RemoteAction
from rasa.core.channels.channel import CollectingOutputChannel
from rasa.core.nlg import TemplatedNaturalLanguageGenerator
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import BotUttered, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import EndpointConfig

from components import resilience

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def domain() -> Domain:
    return Domain.load(str(ROOT / "domain.yml"))


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]  # closed again when the block ends


def tracker(domain: Domain, text: str, intent: str, entities=(), **slots) -> DialogueStateTracker:
    events = [SlotSet(name, value) for name, value in slots.items()]
    events.append(UserUttered(text, {"name": intent, "confidence": 1.0}, list(entities)))
    return DialogueStateTracker.from_events("resilience-test", events, slots=domain.slots)


async def run(action_name: str, domain: Domain, state: DialogueStateTracker):
    endpoint = EndpointConfig(url=f"http://127.0.0.1:{closed_port()}/webhook")
    action = RemoteAction(action_name, endpoint)
    started = time.monotonic()
    events = await action.run(CollectingOutputChannel(), TemplatedNaturalLanguageGenerator(domain.responses), state, domain)
    return events, time.monotonic() - started


def texts(events) -> str:
    return "\n".join(e.text for e in events if isinstance(e, BotUttered))


def test_the_patch_is_installed():
    assert getattr(RemoteAction.run, "__resilient__", False)


@pytest.mark.asyncio
async def test_action_runs_in_process_when_the_server_is_unreachable(domain, monkeypatch):
    monkeypatch.setattr(resilience, "LOCAL_FALLBACK", True)
    state = tracker(domain, "hotline uk", "ask_hotline", [{"entity": "country", "value": "uk", "start": 8, "end": 10}], language="en")
    events, elapsed = await run("action_hotline", domain, state)
    assert "0800 021 1888" in texts(events) and "Service hours" in texts(events)
    assert any(isinstance(e, SlotSet) and e.key == "country" and e.value == "GB" for e in events)
    assert elapsed < 3


@pytest.mark.asyncio
@pytest.mark.parametrize("language, country, expected", [
    ("en", "GB", ["can't look that up", "0800 021 1888"]),
    ("de", "DE", ["nicht nachschlagen", "0800 223 11 44"]),
    ("de", None, ["nicht nachschlagen", "offizielle Website"]),
])
async def test_polite_answer_in_the_users_language_when_nothing_can_run(domain, monkeypatch, language, country, expected):
    monkeypatch.setattr(resilience, "LOCAL_FALLBACK", False)
    slots = {"language": language, **({"country": country} if country else {})}
    events, elapsed = await run("action_hotline", domain, tracker(domain, "hotline?", "ask_hotline", **slots))
    reply = texts(events)
    for part in expected:
        assert part in reply
    assert elapsed < 3


@pytest.mark.asyncio
async def test_slow_action_server_is_cut_off(domain, monkeypatch):
    """A server that accepts the connection but never answers."""
    monkeypatch.setattr(resilience, "LOCAL_FALLBACK", False)
    monkeypatch.setattr(resilience, "ACTION_TIMEOUT", 0.5)
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        endpoint = EndpointConfig(url=f"http://127.0.0.1:{server.getsockname()[1]}/webhook")
        started = time.monotonic()
        events = await RemoteAction("action_hotline", endpoint).run(
            CollectingOutputChannel(), TemplatedNaturalLanguageGenerator(domain.responses),
            tracker(domain, "hotline?", "ask_hotline", language="en"), domain,
        )
    assert "can't look that up" in texts(events)
    assert time.monotonic() - started < 2


class _BlockingAction:
    """An action whose code blocks its thread until ``release`` is set."""

    def __init__(self, name, release, seconds):
        self._name, self.release, self.seconds, self.finished = name, release, seconds, False

    def name(self):
        return self._name

    def run(self, dispatcher, tracker, domain):
        released = self.release.wait(self.seconds)
        dispatcher.utter_message(text="unblocked" if released else "blocked")
        self.finished = True
        return []


def _register(action):
    from rasa_sdk import Action

    class Registered(Action):
        def name(self):
            return action.name()

        def run(self, dispatcher, tracker, domain):
            return action.run(dispatcher, tracker, domain)

    resilience._executor().register_action(Registered)


@pytest.mark.asyncio
async def test_local_action_runs_off_the_event_loop(domain, monkeypatch):
    """The action waits for an event that only the server's event loop can set:
    run on the loop, it would block the loop and never see it."""
    import threading
    import asyncio

    monkeypatch.setattr(resilience, "LOCAL_FALLBACK", True)
    monkeypatch.setattr(resilience, "LOCAL_ACTION_TIMEOUT", 20.0)
    release = threading.Event()
    action = _BlockingAction("action_test_blocking", release, seconds=10)
    _register(action)
    asyncio.get_running_loop().call_later(0.1, release.set)
    events, _ = await run("action_test_blocking", domain, tracker(domain, "hi", "greet", language="en"))
    assert texts(events) == "unblocked"


@pytest.mark.asyncio
async def test_local_action_that_overstays_is_cut_off_with_the_polite_answer(domain, monkeypatch):
    import threading

    monkeypatch.setattr(resilience, "LOCAL_FALLBACK", True)
    monkeypatch.setattr(resilience, "LOCAL_ACTION_TIMEOUT", 0.3)
    release = threading.Event()
    action = _BlockingAction("action_test_stuck", release, seconds=30)
    _register(action)
    try:
        events, _ = await run("action_test_stuck", domain, tracker(domain, "hotline?", "ask_hotline", language="en"))
        assert "can't look that up" in texts(events)
        assert not action.finished  # answered while the action code still ran
    finally:
        release.set()
