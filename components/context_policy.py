"""Answers a follow-up about the previous answer from the conversation's
context, where the intent classifier, which sees one message alone, cannot:
"wo bekomm ich die?" after a tool, "which models then" after IWS, "and the
phone itself?" after a warranty check (support/followups.py decides).

A policy, as the Rasa docs describe for dialogue decisions that depend on
the tracker: it predicts `action_followup` for such a message (and listening
after it), `utter_out_of_scope` for a long question filed under "stop"
outside a form, and nothing otherwise, so the rules and the form decide as before.
"""
from __future__ import annotations

from typing import Optional

from rasa.core.policies.policy import PolicyPrediction
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.core.constants import ACTION_LISTEN_NAME
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from components.untrained_policy import UntrainedPolicy
from support.followups import followup_in_message, is_question, left_to_intent

FOLLOWUP_ACTION = "action_followup"
OUT_OF_SCOPE = "utter_out_of_scope"
# Actions action_followup hands over to (FollowupAction); listening comes after them too.
HANDED_OVER = ("action_warranty_check",)
# "stop" outside a form is "that's all" ("stop", "ach egal, hat sich erledigt"); a longer
# question the classifier filed there ("wie mach ich nen factory reset beim
# redmi note 11") is one the bot has no answer for.
STOP_INTENT, STOP_WORDS_AT_MOST = "stop", 4


def _first_action_of_turn(tracker: DialogueStateTracker) -> Optional[str]:
    """The first action run after the latest user message (None while there is none)."""
    first = None
    for event in reversed(tracker.events):
        if isinstance(event, UserUttered):
            return first
        if isinstance(event, ActionExecuted):
            first = event.action_name
    return None


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.POLICY_WITHOUT_END_TO_END_SUPPORT, is_trainable=False)
class FollowupPolicy(UntrainedPolicy):
    PRIORITY = 7  # above the RulePolicy (6): a follow-up wins over the intent's rule

    def predict(self, tracker: DialogueStateTracker, domain: Domain) -> PolicyPrediction:
        probabilities = self._default_predictions(domain)
        if tracker.active_loop_name or FOLLOWUP_ACTION not in domain.action_names_or_texts:
            return self._prediction(probabilities)
        latest = tracker.latest_action_name
        if latest == ACTION_LISTEN_NAME and tracker.latest_message is not None:
            message = tracker.latest_message
            intent = (message.intent or {}).get("name")
            found = followup_in_message(message.text or "", message.entities, tracker.get_slot("last_topic"))
            if found is not None and not left_to_intent(found, intent):
                probabilities[domain.index_for_action(FOLLOWUP_ACTION)] = 1.0
            elif intent == STOP_INTENT and len((message.text or "").split()) > STOP_WORDS_AT_MOST and is_question(message.text or ""):
                probabilities[domain.index_for_action(OUT_OF_SCOPE)] = 1.0
        elif latest in (FOLLOWUP_ACTION, OUT_OF_SCOPE, *HANDED_OVER) and _first_action_of_turn(tracker) in (FOLLOWUP_ACTION, OUT_OF_SCOPE):
            probabilities[domain.index_for_action(ACTION_LISTEN_NAME)] = 1.0
        return self._prediction(probabilities)
