"""NLU component: drops entities that cannot mean what their label says.

Two extractors run (DIET and spaCy's entity ruler); both may find the same
span, and DIET now and then labels a filler word ("is", ".") as a date or a
country. After them, this component keeps one entity per span and label (and the
longer one where one lies inside another), drops a product that is the
"phone" of "phone number", a purchase date outside warranty questions and
answers, a second requested language, and
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
from rasa.shared.nlu.constants import ENTITIES, INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message

from components.stateless import StatelessMessageComponent
from support.dates import DateProblem, parse_purchase_date
from support.names import countries
from support.text import fold


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


NUMBER_WORDS = ("number", "numbr", "nummer", "nr", "no")
DATE_INTENTS = ("check_warranty", "inform")
LANGUAGE_NAMES = {"deutsch", "german", "englisch", "english"}


def _inside_another(entity: Dict[str, Any], entities: List[Dict[str, Any]]) -> bool:
    """"phone" and "case" when "phone case" was found as one product."""
    start, end = entity.get("start"), entity.get("end")
    if start is None or end is None:
        return False
    return any(
        other is not entity and other.get("entity") == entity.get("entity")
        and other.get("start") is not None and other.get("end") is not None
        and other["start"] <= start and end <= other["end"] and (other["end"] - other["start"]) > (end - start)
        for other in entities
    )


def _names_a_number(entity: Dict[str, Any], text: str) -> bool:
    """"phone" in "phone number" is no product."""
    if entity.get("entity") != "product" or entity.get("end") is None:
        return False
    following = text[entity["end"]:].split()
    return bool(following) and following[0].strip(".,?!").lower() in NUMBER_WORDS


DATE_PREPOSITIONS = ("am", "im", "vom", "seit", "ab", "on", "in", "since", "from")


def with_preposition(entity: Dict[str, Any], text: str) -> Dict[str, Any]:
    """A date phrase includes its preposition ("am 3.10.", "in march 2026"),
    as the training data annotates it, whichever boundary DIET found."""
    start = entity.get("start")
    if entity.get("entity") != "purchase_date" or not start or not text:
        return entity
    before = text[:start].rstrip()
    word = before.split()[-1] if before.split() else ""
    if word.lower() not in DATE_PREPOSITIONS:
        return entity
    new_start = len(before) - len(word)
    return {**entity, "start": new_start, "value": text[new_start:entity["end"]]}


def clean(entities: List[Dict[str, Any]], text: str = "", intent: str = "") -> List[Dict[str, Any]]:
    kept, spans = [], set()
    entities = [with_preposition(entity, text) for entity in entities]
    for entity in entities:
        span = (entity.get("start"), entity.get("end"), entity.get("entity"))
        kind = entity.get("entity")
        if span in spans or not plausible(entity) or _inside_another(entity, entities) or _names_a_number(entity, text):
            continue
        if kind == "purchase_date" and intent and intent not in DATE_INTENTS:
            continue  # "who won the race yesterday" mentions no purchase
        if kind == "language_choice" and any(k.get("entity") == kind for k in kept):
            continue  # one language is asked for: "English please, my german is bad"
        if kind == "country" and intent == "switch_language" and fold(str(entity.get("value"))) in LANGUAGE_NAMES:
            continue  # "my german is not so good" names no country
        spans.add(span)
        kept.append(entity)
    return kept


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class EntitySanityFilter(StatelessMessageComponent):
    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            entities = message.get(ENTITIES) or []
            if entities:
                intent = (message.get(INTENT) or {}).get("name") or ""
                message.set(ENTITIES, clean(entities, message.get(TEXT) or "", intent), add_to_output=True)
        return messages
