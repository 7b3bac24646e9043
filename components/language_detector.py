"""NLU component: detects each message's language (German or English).

The result goes into the parse data as `language` ({"code", "decisive",
"score"}); `components.language_policy` turns it into the `language` slot
that selects the response variation. Detection itself is `support.language`.
"""
from __future__ import annotations

from typing import List, Optional

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message

from components.stateless import StatelessMessageComponent
from support.language import detect

LANGUAGE = "language"


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class LanguageDetector(StatelessMessageComponent):
    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            text: Optional[str] = message.get(TEXT)
            if text and not text.startswith("/"):
                message.set(LANGUAGE, detect(text).as_dict(), add_to_output=True)
        return messages
