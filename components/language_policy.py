"""Keeps the `language` slot in step with what the user writes.

A policy that never chooses an action (all-zero probabilities) but attaches a
`SlotSet("language", ...)` to its prediction; Rasa's policy ensemble applies
the events of every policy's prediction, so the slot is set inside the Rasa
server, before any response is rendered, and works without the action server.

Precedence: an explicit request ("can we continue in English?", intent
`switch_language` with a `language_choice` entity), then a decisive detection
of the latest message, then, while the slot is still empty, the best guess.
"""
from __future__ import annotations

from typing import Any, Dict, List, Optional, Text

from rasa.core.policies.policy import Policy, PolicyPrediction
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import SlotSet
from rasa.shared.core.generator import TrackerWithCachedStates
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.engine.storage.resource import Resource

from support.text import fold

SLOT = "language"
CHOICE_ENTITY = "language_choice"
SWITCH_INTENT = "switch_language"


def requested_language(value: Optional[str]) -> Optional[str]:
    folded = fold(value or "")
    if any(word.startswith(("engl", "eng ")) or word == "en" for word in folded.split()):
        return "en"
    if any(word.startswith(("deut", "germ", "dt")) or word == "de" for word in folded.split()):
        return "de"
    return None


def wanted_language(parse_data: Dict[str, Any], current: Optional[str]) -> Optional[str]:
    """The language the conversation should continue in after this message."""
    intent = (parse_data.get("intent") or {}).get("name")
    if intent == SWITCH_INTENT:
        for entity in parse_data.get("entities") or []:
            if entity.get("entity") == CHOICE_ENTITY:
                choice = requested_language(str(entity.get("value")))
                if choice:
                    return choice
        # "other language please" without naming one: the other one
        if current in ("de", "en"):
            return "en" if current == "de" else "de"
    detected = parse_data.get("language") or {}
    if detected.get("decisive") or (current is None and detected.get("code")):
        return detected.get("code")
    return None


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.POLICY_WITHOUT_END_TO_END_SUPPORT, is_trainable=False)
class LanguageSlotPolicy(Policy):
    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {"priority": 0}

    def train(self, training_trackers: List[TrackerWithCachedStates], domain: Domain, **kwargs: Any) -> Resource:
        return self._resource

    def predict_action_probabilities(
        self,
        tracker: DialogueStateTracker,
        domain: Domain,
        rule_only_data: Optional[Dict[Text, Any]] = None,
        **kwargs: Any,
    ) -> PolicyPrediction:
        events = []
        message = tracker.latest_message
        if message is not None and any(slot.name == SLOT for slot in domain.slots):
            current = tracker.get_slot(SLOT)
            wanted = wanted_language(message.parse_data, current)
            if wanted and wanted != current:
                events.append(SlotSet(SLOT, wanted))
        return self._prediction(self._default_predictions(domain), events=events)
