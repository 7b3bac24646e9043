"""Keeps the `language` slot in step with what the user writes.

A policy that never chooses an action (all-zero probabilities) but attaches a
`SlotSet("language", ...)` to its prediction; Rasa's policy ensemble applies
the events of every policy's prediction, so the slot is set inside the Rasa
server, before any response is rendered, and works without the action server.

Precedence: an explicit request ("can we continue in English?", intent
`switch_language` with a `language_choice` entity), then a decisive detection
of the latest message, then, while the slot is still empty, the client's
language hint (`metadata.language` of the message, e.g. the web chat page's
`navigator.language`), then the best guess - of every message, as long as no
message has told the language and no client has hinted it. So a German page that greets with
the menu in German still answers an English question in English.
"""
from __future__ import annotations

from rasa.core.policies.policy import PolicyPrediction
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from components.untrained_policy import UntrainedPolicy
from support.language import hinted_language, language_settled, wanted_language

SLOT = "language"


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.POLICY_WITHOUT_END_TO_END_SUPPORT, is_trainable=False)
class LanguageSlotPolicy(UntrainedPolicy):
    def predict(self, tracker: DialogueStateTracker, domain: Domain) -> PolicyPrediction:
        events = []
        message = tracker.latest_message
        if message is not None and any(slot.name == SLOT for slot in domain.slots):
            current = tracker.get_slot(SLOT)
            hint = hinted_language((message.metadata or {}).get("language"))
            earlier = [e for e in tracker.events if isinstance(e, UserUttered)][:-1]
            settled = language_settled([e.parse_data for e in earlier],
                                       [hinted_language((e.metadata or {}).get("language")) for e in earlier])
            wanted = wanted_language(message.parse_data, current, hint, settled)
            if wanted and wanted != current:
                events.append(SlotSet(SLOT, wanted))
        return self._prediction(self._default_predictions(domain), events=events)
