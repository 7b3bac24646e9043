"""components/context_policy.py against the project's real domain and real trackers."""
from pathlib import Path

import pytest
from rasa.engine.graph import ExecutionContext
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.core.constants import ACTION_LISTEN_NAME
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from components.context_policy import FOLLOWUP_ACTION, FollowupPolicy

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def domain():
    return Domain.load(str(ROOT / "domain.yml"))


@pytest.fixture
def policy(tmp_path):
    storage = LocalModelStorage(tmp_path)
    return FollowupPolicy(FollowupPolicy.get_default_config(), storage, Resource("followup"), ExecutionContext(None))


def tracker(domain, text, intent, last_topic, after=()):
    events = [ActionExecuted(ACTION_LISTEN_NAME), SlotSet("last_topic", last_topic),
              UserUttered(text, {"name": intent, "confidence": 0.9}, [])]
    events += [ActionExecuted(name) for name in after]
    return DialogueStateTracker.from_events("t", events, slots=domain.slots)


def chosen(policy, domain, t):
    probabilities = policy.predict_action_probabilities(t, domain).probabilities
    best = max(range(len(probabilities)), key=probabilities.__getitem__)
    return domain.action_names_or_texts[best] if probabilities[best] > 0 else None


def test_a_question_about_the_last_answer_goes_to_the_followup_whatever_the_intent(policy, domain):
    assert chosen(policy, domain, tracker(domain, "which models then", "goodbye", "iws")) == FOLLOWUP_ACTION
    assert chosen(policy, domain, tracker(domain, "wo bekomm ich die", "ask_channels", "self_service")) == FOLLOWUP_ACTION


def test_listens_after_the_followup_it_chose(policy, domain):
    t = tracker(domain, "which models then", "goodbye", "iws", after=[FOLLOWUP_ACTION])
    assert chosen(policy, domain, t) == ACTION_LISTEN_NAME
    t = tracker(domain, "and the phone itself?", "inform", "warranty_check", after=[FOLLOWUP_ACTION, "action_warranty_check"])
    assert chosen(policy, domain, t) == ACTION_LISTEN_NAME


def test_says_nothing_otherwise(policy, domain):
    assert chosen(policy, domain, tracker(domain, "hotline spanien", "ask_hotline", "iws")) is None
    assert chosen(policy, domain, tracker(domain, "which models then", "ask_iws", None)) is None
    # another action's turn: the rules decide what comes after it
    assert chosen(policy, domain, tracker(domain, "hotline?", "ask_hotline", "iws", after=["action_hotline"])) is None


def test_a_long_question_filed_under_stop_outside_a_form_is_out_of_scope(policy, domain):
    t = tracker(domain, "wie mach ich nen factory reset beim redmi note 11", "stop", None)
    assert chosen(policy, domain, t) == "utter_out_of_scope"
    assert chosen(policy, domain, tracker(domain, "stop bitte", "stop", None)) is None  # the rule's "anything else?"
    assert chosen(policy, domain, tracker(domain, "ach egal, hat sich erledigt", "stop", None)) is None  # no question
    assert chosen(policy, domain, tracker(domain, "kann ich mein geld zurueck bekommen?", "stop", None)) == "utter_out_of_scope"
    t = tracker(domain, "wie mach ich nen factory reset beim redmi note 11", "stop", None, after=["utter_out_of_scope"])
    assert chosen(policy, domain, t) == ACTION_LISTEN_NAME


def test_hours_asked_as_hours_are_left_to_the_rules(policy, domain):
    # the intent's own action answers for every country just answered (actions/country_topic.conversation_countries)
    assert chosen(policy, domain, tracker(domain, "und die zeiten?", "ask_opening_hours", "hotline")) is None
    assert chosen(policy, domain, tracker(domain, "und die zeiten?", "inform", "hotline")) == FOLLOWUP_ACTION
