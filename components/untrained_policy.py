"""A base for dialogue policies that decide from the tracker alone: nothing to
train, a fixed priority, and `predict` in place of Rasa's longer signature."""
from __future__ import annotations

import abc
from typing import Any, Dict, List, Optional, Text

from rasa.core.policies.policy import Policy, PolicyPrediction
from rasa.engine.storage.resource import Resource
from rasa.shared.core.domain import Domain
from rasa.shared.core.generator import TrackerWithCachedStates
from rasa.shared.core.trackers import DialogueStateTracker


class UntrainedPolicy(Policy, abc.ABC):
    PRIORITY = 0

    @classmethod
    def get_default_config(cls) -> Dict[Text, Any]:
        return {"priority": cls.PRIORITY}

    def train(self, training_trackers: List[TrackerWithCachedStates], domain: Domain, **kwargs: Any) -> Resource:
        return self._resource

    def predict_action_probabilities(
        self,
        tracker: DialogueStateTracker,
        domain: Domain,
        rule_only_data: Optional[Dict[Text, Any]] = None,
        **kwargs: Any,
    ) -> PolicyPrediction:
        return self.predict(tracker, domain)

    @abc.abstractmethod
    def predict(self, tracker: DialogueStateTracker, domain: Domain) -> PolicyPrediction:
        """The prediction for the tracker's next action (and events to apply)."""
