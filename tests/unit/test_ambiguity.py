"""components/ambiguity.py: an ambiguity the message's own words settle is answered, not asked back."""
import pytest
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from components.ambiguity import AmbiguityResolver, kept_intent


def fallback_message(text: str, first: str, second: str) -> Message:
    ranking = [{"name": "nlu_fallback", "confidence": 0.35}, {"name": first, "confidence": 0.36},
               {"name": second, "confidence": 0.33}, {"name": "greet", "confidence": 0.1}]
    return Message(data={TEXT: text, INTENT: ranking[0], INTENT_RANKING_KEY: ranking})


@pytest.mark.parametrize("text, first, second, kept", [
    # number or hours: each answer gives both
    ("kann ich trotzdem bei der hotline anrufen", "ask_opening_hours", "ask_hotline", "ask_opening_hours"),
    # two topics named: the first, whose answer brings the other
    ("bin aus oesterreich. hotline und garantie?", "ask_hotline", "check_warranty", "ask_hotline"),
    # one topic named, and the classifier has it second: the two agree
    ("wer repariert da eigentlich?", "ask_regional_service", "ask_service_partner", "ask_service_partner"),
    # nothing settles it: the either/or question
    ("got an email, is that legit?", "human_handoff", "check_warranty", None),
    ("wer repariert da eigentlich?", "ask_regional_service", "human_handoff", None),
])
def test_what_settles_an_ambiguity(text, first, second, kept):
    message = AmbiguityResolver().process([fallback_message(text, first, second)])[0]
    assert message.get(INTENT)["name"] == (kept or "nlu_fallback")
    if kept:
        names = [item["name"] for item in message.get(INTENT_RANKING_KEY)]
        assert names[0] == kept and "nlu_fallback" not in names


def test_a_low_third_intent_does_not_count():
    ranking = [{"name": "nlu_fallback"}, {"name": "ask_hotline"}, {"name": "greet"}, {"name": "ask_opening_hours"}]
    assert kept_intent(ranking) is None


def test_a_confident_intent_is_left_alone():
    message = Message(data={TEXT: "hotline und garantie?", INTENT: {"name": "ask_hotline", "confidence": 0.9},
                            INTENT_RANKING_KEY: [{"name": "ask_hotline", "confidence": 0.9}]})
    assert AmbiguityResolver().process([message])[0].get(INTENT)["name"] == "ask_hotline"


@pytest.mark.parametrize("kinds, first, second, kept", [
    ({"region"}, "ask_hotline", "ask_regional_service", "ask_regional_service"),  # hotlines are per country
    ({"purchase_date", "product"}, "check_warranty", "ask_eu_warranty", "check_warranty"),
    ({"country"}, "ask_hotline", "ask_regional_service", None),  # a country belongs to both
    ({"region"}, "ask_hotline", "ask_channels", None),  # the entity's topic is not among the two
])
def test_an_entity_only_one_answer_uses_settles_it(kinds, first, second, kept):
    ranking = [{"name": "nlu_fallback"}, {"name": first}, {"name": second}]
    assert kept_intent(ranking, "", kinds) == kept


def test_the_entity_topic_may_be_third():
    ranking = [{"name": n} for n in ("nlu_fallback", "ask_channels", "ask_hotline", "ask_regional_service", "greet")]
    assert kept_intent(ranking, "what about support in south east asia", {"region"}) == "ask_regional_service"
    assert kept_intent(ranking + [{"name": "ask_iws"}], "", {"country"}) is None


@pytest.mark.parametrize("text, kinds, kept", [
    ("what about support in south east asia", {"region"}, "ask_regional_service"),  # no topic word: the region's answer
    ("support in europe?", {"region"}, "ask_regional_service"),
    ("nummer oder whatsapp in asien?", {"region"}, "ask_hotline"),  # topic words decide, not the region
    ("what about support in asia and the date", {"region", "purchase_date"}, None),  # two answers pointed at
])
def test_a_region_without_topic_words_is_the_regional_answer(text, kinds, kept):
    ranking = [{"name": n} for n in ("nlu_fallback", "ask_channels", "ask_hotline", "human_handoff", "ask_regional_service")]
    assert kept_intent(ranking, text, kinds) == kept


def test_a_region_without_topic_words_wins_over_two_answers_that_hold_the_same_facts():
    """"support in europe?" ranked hours, hotline, regional: hours and hotline give the
    same facts, but a region belongs to the regional answer."""
    ranking = [{"name": n} for n in ("nlu_fallback", "ask_opening_hours", "ask_hotline", "ask_regional_service")]
    assert kept_intent(ranking, "support in europe?", {"region"}) == "ask_regional_service"
    assert kept_intent(ranking, "hotline in europe?", {"region"}) == "ask_opening_hours"  # a topic word: as before
