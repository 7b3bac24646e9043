"""After the FallbackClassifier: an ambiguity the message itself settles is no
ambiguity. The classifier's top two intents are close (or both low), but

* the two answers hold the same facts (resources/overlapping_intents.yml:
  number or hours, each answer gives both), or either one finds what is asked
  (channels and tools): the better-scored one is kept;
* the message names two or more topics in its own words ("hotline und
  garantie?", support/topics.py): the first one is kept, and its answer brings
  the others (actions/multi_topic.py);
* the message names one topic in its own words and the classifier has it
  among its top two: the two signals agree, that one is kept.
* the message names an entity only one of the top three answers uses (a
  region: the regional service model, resources/overlapping_intents.yml).

Anything else stays `nlu_fallback`, and the bot asks an either/or question."""
from __future__ import annotations

from typing import Iterable, List, Optional

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.nlu.constants import ENTITIES, INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from components.stateless import StatelessMessageComponent
from support.topics import answered_together, either_answers, entity_topics, topics_in

FALLBACK = "nlu_fallback"


def kept_intent(ranking: List[dict], text: str = "", entity_kinds: Iterable[str] = ()) -> Optional[str]:
    """The intent a fallback ranking settles on, or None to ask back."""
    ranked = [item.get("name") for item in ranking if item.get("name") != FALLBACK]
    if len(ranked) < 2:
        return None
    pointed = [entity_topics().get(kind) for kind in entity_kinds]
    named = topics_in(text) if text else []
    unique = {intent for intent in pointed if intent}
    if text and not named and len(unique) == 1:
        # "what about support in south east asia", "support in europe?": no topic word,
        # only a region, and a region belongs to one answer, wherever the classifier ranks it
        return unique.pop()
    if frozenset(ranked[:2]) in answered_together() | either_answers():
        return ranked[0]
    settled = [intent for intent in ranked[:3] if intent in pointed]
    if len(settled) == 1:
        return settled[0]
    if len(named) >= 2:
        return named[0]
    if len(named) == 1 and named[0] in ranked[:2]:
        return named[0]
    return None


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class AmbiguityResolver(StatelessMessageComponent):
    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            if (message.get(INTENT) or {}).get("name") != FALLBACK:
                continue
            ranking = message.get(INTENT_RANKING_KEY) or []
            kinds = {entity.get("entity") for entity in message.get(ENTITIES) or []}
            kept = kept_intent(ranking, message.get(TEXT) or "", kinds)
            if kept is None:
                continue
            scored = next((dict(item) for item in ranking if item.get("name") == kept), {"name": kept, "confidence": 0.0})
            message.set(INTENT, scored, add_to_output=True)
            message.set(INTENT_RANKING_KEY, [scored] + [item for item in ranking if item.get("name") not in (FALLBACK, kept)],
                        add_to_output=True)
        return messages
