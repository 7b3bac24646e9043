"""A base for NLU components that only look at each message (nothing to train)."""
from __future__ import annotations

from typing import Any, Dict, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.training_data.training_data import TrainingData


class StatelessMessageComponent(GraphComponent):
    """Created from nothing, leaves training data alone; subclasses write `process`."""

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "StatelessMessageComponent":
        return cls()

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data
