"""channels/tracker_lookup.py: finding a message and its answers in a tracker."""
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from channels.tracker_lookup import has_user_message, replies_to

BUTTONS = [{"title": "Ja", "payload": "/affirm"}]


def tracker():
    events = [
        UserUttered("hallo", message_id="m-1"),
        ActionExecuted("utter_greet"),
        BotUttered("Hallo!"),
        BotUttered("Was möchtest du tun?", {"buttons": BUTTONS}),
        UserUttered("hotline", message_id="m-2"),
        BotUttered("0800 ..."),
        UserUttered("ohne antwort", message_id="m-3"),
    ]
    return DialogueStateTracker.from_events("u1", events, slots=Domain.empty().slots)


def test_answers_of_a_message_are_those_up_to_the_next_message():
    assert replies_to(tracker(), "m-1", "u1") == [
        {"recipient_id": "u1", "text": "Hallo!"},
        {"recipient_id": "u1", "text": "Was möchtest du tun?", "buttons": BUTTONS},
    ]
    assert replies_to(tracker(), "m-2", "u1") == [{"recipient_id": "u1", "text": "0800 ..."}]
    assert replies_to(tracker(), "m-3", "u1") == []


def test_an_unknown_message_or_no_tracker_is_not_found():
    assert replies_to(tracker(), "m-9", "u1") is None
    assert replies_to(None, "m-1", "u1") is None
    assert has_user_message(tracker(), "m-2") and not has_user_message(tracker(), "m-9")
    assert not has_user_message(None, "m-1")
