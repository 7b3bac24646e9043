"""components/session_bound.py: when a long session may end (real trackers, no server)."""
from pathlib import Path

import yaml
from rasa.shared.core.events import ActionExecuted, ActiveLoop, SessionStarted, UserUttered

from rasa.shared.core.trackers import DialogueStateTracker

from components import session_bound
from components.session_bound import WAITS_FOR_ANSWER, max_turns, session_is_full

ROOT = Path(__file__).resolve().parents[2]


def _turn(action: str = "action_hotline") -> list:
    return [UserUttered("hotline"), ActionExecuted(action), ActionExecuted("action_listen")]


def _tracker(*events) -> DialogueStateTracker:
    return DialogueStateTracker.from_events("s", list(events))


def _session(turns: int, last_action: str = "action_hotline") -> list:
    events = [ActionExecuted("action_session_start"), SessionStarted(), ActionExecuted("action_listen")]
    for _ in range(turns - 1):
        events += _turn()
    return events + _turn(last_action)


def test_a_session_is_full_at_the_bound_and_not_before():
    assert not session_is_full(_tracker(*_session(3)), 4)
    assert session_is_full(_tracker(*_session(4)), 4)


def test_only_the_current_session_counts():
    tracker = _tracker(*_session(10), *_session(2))
    assert not session_is_full(tracker, 4)
    assert session_is_full(tracker, 2)


def test_not_cut_inside_a_form():
    events = _session(5)
    events.insert(-1, ActiveLoop("warranty_form"))
    assert not session_is_full(_tracker(*events), 4)


def test_not_cut_when_a_rule_reads_the_next_message_as_an_answer():
    assert not session_is_full(_tracker(*_session(6, "action_privacy_explain")), 4)


def test_zero_turns_the_bound_off():
    assert not session_is_full(_tracker(*_session(500)), 0)


def test_bound_from_the_environment(monkeypatch):
    monkeypatch.setenv("SESSION_MAX_TURNS", "7")
    assert max_turns() == 7
    monkeypatch.setenv("SESSION_MAX_TURNS", "many")
    assert max_turns() == session_bound.DEFAULT_MAX_TURNS
    monkeypatch.delenv("SESSION_MAX_TURNS")
    assert max_turns() == session_bound.DEFAULT_MAX_TURNS


def test_every_action_a_rule_expects_an_answer_to_is_waited_for():
    """A rule that starts with an action reads the next message as the answer
    to it: a new session between the two would lose that."""
    answered = set()
    for path in ROOT.glob("data/rules*.yml"):
        for rule in yaml.safe_load(path.read_text(encoding="utf-8")).get("rules", []):
            steps = rule.get("steps", [])
            if steps and "action" in steps[0] and len(steps) > 1 and "intent" in steps[1]:
                answered.add(steps[0]["action"])
    assert answered, "no rule answers an action: the scan is broken"
    assert answered <= WAITS_FOR_ANSWER, sorted(answered - WAITS_FOR_ANSWER)


def test_a_new_session_carries_each_slot_once_with_its_latest_value():
    from rasa.core.actions.action import ActionSessionStart
    from rasa.shared.core.events import SlotSet

    events = _session(3)
    events[3:3] = [SlotSet("country", "DE"), SlotSet("language", "de"), SlotSet("country", "ES"), SlotSet("last_topic", "hotline")]
    carried = ActionSessionStart._slot_set_events_from_tracker(_tracker(*events))
    assert [(e.key, e.value) for e in carried] == [("language", "de"), ("country", "ES"), ("last_topic", "hotline")]
