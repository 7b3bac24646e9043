"""NLU component: drops entities that cannot mean what their label says.

Two extractors run (DIET and spaCy's entity ruler); both may find the same
span, and DIET now and then labels a filler word ("is", ".") as a date or a
country. After them, this component keeps one entity per span and label and
drops a `country` the resolver cannot place (babel knows every country, so
"amazon" or "." go), a `purchase_date` without digits that no date parser
can read in German or English ("is", "died"), and any value without a
letter or digit. What stays is what the
slots and actions can use; nothing the user wrote is lost (the text is kept).
"""
from __future__ import annotations

from datetime import date
from typing import Any, Dict, List

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.nlu.constants import ENTITIES
from rasa.shared.nlu.training_data.message import Message

from components.stateless import StatelessMessageComponent
from support.dates import DateProblem, parse_purchase_date
from support.names import countries


def plausible(entity: Dict[str, Any]) -> bool:
    value = str(entity.get("value") or "")
    if not any(ch.isalnum() for ch in value):
        return False
    kind = entity.get("entity")
    if kind == "country":
        return countries().resolve(value) is not None
    if kind == "purchase_date":
        if any(ch.isdigit() for ch in value):
            return True  # "31.02.2025": the form says plainly it is no date
        today = date.today()
        return any(parse_purchase_date(value, lang, today).problem != DateProblem.UNPARSEABLE for lang in ("de", "en"))
    return True


def clean(entities: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
    kept, spans = [], set()
    for entity in entities:
        span = (entity.get("start"), entity.get("end"), entity.get("entity"))
        if span in spans or not plausible(entity):
            continue
        spans.add(span)
        kept.append(entity)
    return kept


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class EntitySanityFilter(StatelessMessageComponent):
    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            entities = message.get(ENTITIES) or []
            if entities:
                message.set(ENTITIES, clean(entities), add_to_output=True)
        return messages
