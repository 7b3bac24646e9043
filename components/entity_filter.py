"""NLU component: drops entities that cannot mean what their label says.

Two extractors run (DIET and spaCy's entity ruler); both may find the same
span, and DIET now and then labels a filler word ("is", ".") as a date or a
country. After them, this component
- keeps one entity per span and label (the longer one where one lies inside
  another);
- joins date pieces ("3rd" + "may") and widens a date to its preposition,
  fillers and "ago" ("on the 3rd of may", "8 months back");
- drops a product that is the "phone" of "phone number", the "uhr" of "18 uhr"
  or the verb "cover"; a purchase date outside warranty questions and
  answers; a second requested language; a `country` the resolver cannot place
  (babel knows every country, so "amazon" or "." go); a `purchase_date`
  without digits that no date parser can read in German or English ("is",
  "died"); any value without a letter or digit.
What stays is what the slots and actions can use; nothing the user wrote is
lost (the text is kept).
"""
from __future__ import annotations

import re
from typing import Any, Callable, Dict, List

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.nlu.constants import ENTITIES, INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from components.stateless import StatelessMessageComponent
from support import clock
from support.dates import DAY_ORDINAL, DateProblem, day_of_month, month_named, parse_purchase_date
from support.followups import is_question
from support.moments import asked_moment
from support.language import SWITCH_INTENT, language_asked_for
from support.names import MODEL, countries, partners_named, products
from support.retrieval import CHANNEL_WORDS, catalogue, excluded_entries
from support.topics import topics_in
from support.vocabulary import entity_vocabulary, has_form_words, longest_first, opening_phrase_of, without_lead_word
from support.text import fold


def plausible(entity: Dict[str, Any]) -> bool:
    value = str(entity.get("value") or "")
    if not any(ch.isalnum() for ch in value):
        return False
    kind = entity.get("entity")
    if kind == "country":
        return countries().resolve(value) is not None
    if kind == "product" and not any(ch.isalpha() for ch in value):
        return False  # "1" of "1) uk hotline 2) ...": a number, no product
    if kind == "product" and month_named(value) is not None and not MODEL.search(value) and len(value.split()) <= 2:
        return False  # "nov" of "redmi note 13, germany, bought nov 2024": a month, no product
    if kind == "purchase_date":
        if any(ch.isdigit() for ch in value):
            return True  # "31.02.2025": the form says plainly it is no date
        today = clock.today()
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
    if any(ch.isdigit() for ch in str(entity.get("value") or "")):
        return False  # "so my xiaomi 14 no?": a model has no phone number
    return bool(following) and following[0].strip(".,?!").lower() in NUMBER_WORDS


# Words that belong to a date phrase when they stand right before it ("am",
# "on the", "early", "so vor") or right after it ("8 months back", "2 jahre her").
DATE_LEFT_WORDS = ("am", "im", "vom", "seit", "ab", "on", "in", "since", "from", "at", "the", "early", "late", "mid",
                   "anfang", "ende", "mitte", "so", "ca", "ca.", "etwa", "about", "around", "roughly", "kurz")
DATE_RIGHT_WORDS = ("ago", "back", "her", "zurück", "zuruck")
DATE_JOINERS = ("", "of", "the", "of the", ",", ".")  # "3rd" + "may" in "the 3rd of may" are one date
TIME_WORDS = ("viel", "wieviel", "um", "ab", "bis", "gegen")  # "18 uhr", "wie viel uhr": a time, no watch
VERB_BEFORE_COVER = ("does", "do", "doesnt", "doesn't", "dont", "don't", "will", "would", "it", "iws", "warranty", "that", "also")


def _word_before(text: str, start: int) -> str:
    words = text[:start].split()
    return words[-1].lower() if words else ""


def with_preposition(entity: Dict[str, Any], text: str) -> Dict[str, Any]:
    """A date phrase includes its preposition and fillers ("am 3.10.", "on the
    3rd", "early last year") and its "ago"/"back"/"her", as the training data
    annotates it, whichever boundary DIET found."""
    start, end = entity.get("start"), entity.get("end")
    if entity.get("entity") != "purchase_date" or start is None or end is None or not text:
        return entity
    while _word_before(text, start) in DATE_LEFT_WORDS:
        before = text[:start].rstrip()
        start = len(before) - len(before.split()[-1])
    after = text[end:].split()
    if after and after[0].lower().strip(".,?!") in DATE_RIGHT_WORDS:
        end = text.index(after[0], end) + len(after[0].rstrip(".,?!"))
    return {**entity, "start": start, "end": end, "value": text[start:end]}


def split_product_dates(entities: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
    """"handyhuelle 20.08.2026": a product the extractor ran into the date after
    it is two entities, the product and the purchase date; a "product" that is
    only a date ("4/2024" in "redmi 12 gekauft 4/2024") is the purchase date."""
    split: List[Dict[str, Any]] = []
    for entity in entities:
        value, start = str(entity.get("value") or ""), entity.get("start")
        found = DATE_SHAPE.search(value) if entity.get("entity") == "product" and start is not None else None
        if found is None:
            split.append(entity)
            continue
        product = value[:found.start()].rstrip(" ,")
        previous = split[-1] if split else None
        if (product and previous is not None and previous.get("entity") == "product" and previous.get("end") is not None
                and start - previous["end"] == 1):
            # "redmi pad" + "se 4/2024": the fragment before the date ends the product before it
            split[-1] = {**previous, "end": start + len(product), "value": f"{previous['value']} {product}"}
        elif product:
            split.append({**entity, "end": start + len(product), "value": product})
        elif value[found.end():].strip(" ,.?!"):
            split.append(entity)  # a date, then more: not a date the extractor ran into
            continue
        split.append({**entity, "entity": "purchase_date", "start": start + found.start(), "end": start + found.end(),
                      "value": found.group(0), "extractor": "EntitySanityFilter"})
    return split


def merge_adjacent(entities: List[Dict[str, Any]], text: str, kind: str,
                   joins: Callable[[Dict[str, Any], Dict[str, Any]], bool]) -> List[Dict[str, Any]]:
    """Entities of `kind`, in text order, that `joins(last, next)` says belong
    together become one, spanning both."""
    merged: List[Dict[str, Any]] = []
    for entity in sorted(entities, key=lambda e: (e.get("start") is None, e.get("start") or 0)):
        last = merged[-1] if merged else None
        if (last is not None and entity.get("entity") == last.get("entity") == kind
                and None not in (last.get("end"), entity.get("start"), entity.get("end"))
                and entity["start"] >= last["end"] and joins(last, entity)):
            merged[-1] = {**last, "end": entity["end"], "value": text[last["start"]:entity["end"]]}
            continue
        merged.append(entity)
    return merged


def merge_dates(entities: List[Dict[str, Any]], text: str) -> List[Dict[str, Any]]:
    """Two date pieces with only "of"/"the" between them become one date."""
    return merge_adjacent(entities, text, "purchase_date",
                          lambda last, entity: " ".join(text[last["end"]:entity["start"]].split()).lower() in DATE_JOINERS)


def _not_a_product(entity: Dict[str, Any], text: str) -> bool:
    """"uhr" in "18 uhr", "cover" in "does iws cover", "phone" in "phone number"."""
    if entity.get("entity") != "product" or entity.get("start") is None:
        return False
    value, before = str(entity.get("value") or "").lower(), _word_before(text, entity["start"])
    if value == "uhr" and (any(ch.isdigit() for ch in before) or before in TIME_WORDS):
        return True
    if value in ("cover", "covers") and before in VERB_BEFORE_COVER:
        return True
    return _names_a_number(entity, text)


BRANDS = ("xiaomi", "redmi", "poco", "mi")


def merge_products(entities: List[Dict[str, Any]], text: str) -> List[Dict[str, Any]]:
    """"xiaomi" + "13pro" one space apart: one model, "xiaomi 13pro"."""
    return merge_adjacent(entities, text, "product", lambda last, entity: (
        text[last["end"]:entity["start"]] == " " and fold(str(last.get("value"))) in BRANDS
        and products().recognised(text[last["start"]:entity["end"]])))


def clean(entities: List[Dict[str, Any]], text: str = "", intent: str = "") -> List[Dict[str, Any]]:
    kept, spans = [], set()
    entities = split_product_dates(entities)
    entities = merge_products(entities, text) if text else entities
    entities = merge_dates([with_preposition(entity, text) for entity in entities], text) if text else entities
    for entity in entities:
        span = (entity.get("start"), entity.get("end"), entity.get("entity"))
        kind = entity.get("entity")
        if span in spans or not plausible(entity) or _inside_another(entity, entities) or _not_a_product(entity, text):
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


def country_codes(text: str, entities: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
    """Country codes and short forms ("DE", "bin in D", "U.K.") that neither
    extractor tagged, as country entities; "in", "it", "is" stay words."""
    taken = [(e.get("start"), e.get("end")) for e in entities if e.get("entity") == "country"]
    found = []
    for match, _ in countries().codes_in(text):
        if any(s is not None and e is not None and s < match.end() and match.start() < e for s, e in taken):
            continue
        found.append({"entity": "country", "start": match.start(), "end": match.end(), "value": match.group(1),
                      "extractor": "EntitySanityFilter"})
    return found


def model_names(text: str, entities: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
    """A model name ("xiaomi 14", "so my xiaomi 14 no?") no extractor tagged, as a product entity."""
    if any(e.get("entity") == "product" for e in entities):
        return []
    found = []
    for match in MODEL.finditer(text):
        value = match.group(0).strip()
        if len(value.split()) > 1 and products().recognised(value):
            found.append({"entity": "product", "start": match.start(), "end": match.start() + len(value), "value": value,
                          "extractor": "EntitySanityFilter"})
    return found


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class EntitySanityFilter(StatelessMessageComponent):
    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            text = message.get(TEXT) or ""
            entities = message.get(ENTITIES) or []
            entities = entities + country_codes(text, entities)
            entities = entities + model_names(text, entities)
            if asks_a_check((message.get(INTENT) or {}).get("name"), text, entities):
                # "xiaomi 14 bought 30.11.2024 in italy. warranty?": the period of that purchase, i.e. the check
                _set_intent(message, "check_warranty")
            if entities:
                intent = (message.get(INTENT) or {}).get("name") or ""
                entities = clean(entities, text, intent)
                message.set(ENTITIES, entities, add_to_output=True)
            intent = (message.get(INTENT) or {}).get("name") or ""
            confidence = (message.get(INTENT) or {}).get("confidence") or 0.0
            if (names_only_a_country(text, entities)
                    or ((intent in NOT_A_QUESTION or intent == "inform" or confidence < UNSURE) and follows_up_on_a_country(text))
                    or follows_up_on_a_country(text, "anaphoric_openers")):
                _set_intent(message, "inform")
                if not any(e.get("entity") == "country" for e in entities):  # "und spanein?": the name's typo as the country
                    message.set(ENTITIES, entities + misspelt_countries(text), add_to_output=True)
            elif intent == "out_of_scope" and (DATE_SHAPE.search(text) or any(e.get("entity") == "purchase_date" for e in entities)):
                # "am 31.02.2025 <img ...>": a date, however broken, is an answer to the warranty
                # check's question, which then says what it cannot read; never "not my topic"
                _set_intent(message, "inform")
            elif intent == "stop" and is_question(text) and not has_form_words(text, "stop_markers"):
                # "was is wenn ich den kassenbon nich mehr hab?" ("nich mehr" read as stopping): a question
                # without a word of stopping, which the bot has no answer for; the check goes on
                _set_intent(message, "out_of_scope")
            elif intent in MOMENT_INTENTS and asks_about_a_moment(text):
                # "und morgen frueh um 8 in italien, geht das?", "tmrw at 8 before work?": the hours then
                _set_intent(message, "ask_opening_hours")
                message.set(ENTITIES, [e for e in entities if e.get("entity") != "purchase_date"], add_to_output=True)
            elif ((intent in UNSURE_INTENTS or (confidence < UNSURE and intent not in ANSWER_INTENTS + NOT_A_QUESTION + KEEP_INTENTS))
                  and not any(e.get("entity") in ("purchase_date", "country", "region") for e in entities)
                  and (described := describes_an_entry(text))):
                # "hw do i track my repair status", "how do i diagnose it myself" (the classifier
                # unsure): the channel or tool whose purpose the question describes
                _set_intent(message, described)
            elif intent in NOT_A_QUESTION and is_a_short_date(text):
                # "5th dec i think" (taken for a denial): a date, the answer to "when did you buy it?"
                _set_intent(message, "inform")
            elif (intent in NOT_A_QUESTION or confidence < UNSURE) and partners_named(text) and not states_a_purchase(text, entities):
                # "got an email from b2x, is that legit?" (the classifier unsure): what the source says of that partner
                _set_intent(message, "ask_service_partner")
            elif intent == "out_of_scope" and states_a_purchase(text, entities):
                # "xiaomi 14, gekauft in madrid": what was bought (and where) answers the warranty check
                _set_intent(message, "inform")
            elif intent != SWITCH_INTENT and asks_only_for_a_language(text, entities):
                # "antworte ab jetzt auf deutsch": the switch, whatever the classifier guessed
                _set_intent(message, SWITCH_INTENT)
            elif (intent in NOT_A_QUESTION and intent != "out_of_scope" and "?" in text
                  and any(e.get("entity") == "product" for e in entities)):
                # "so my xiaomi 14 no?" (taken for a denial): a question about that model, asked of the last answer
                _set_intent(message, "inform")
            elif intent in NAMING_INTENTS and names_only_a_product(text, entities):
                # "xiaomi 13pro", "nur die hülle": an answer (to the last question or the check's)
                _set_intent(message, "inform")
            elif ((intent in NOT_ABOUT_PERIODS + NOT_A_QUESTION or (intent == "inform" and is_question(text))) and names_a_period(text)
                  or intent in NOT_ABOUT_PERIODS and asks_how_long_it_lasts(text)):
                # "dachte in indien gibts 12 monate?": a length of warranty asked about
                _set_intent(message, "ask_warranty_period")
            elif intent == "ask_iws" and names_only_accessories(entities):
                # "wat about accessories like the charger, in general": no model for IWS, the accessory period
                _set_intent(message, "ask_warranty_period")
            elif (intent == "check_warranty" and topics_in(text) == ["ask_hotline"]
                  and not any(e.get("entity") == "purchase_date" for e in entities) and not states_a_purchase(text, entities)):
                # "kindly share customer care no. for india, my 13 pro display is flickering": the number, no check
                _set_intent(message, "ask_hotline")
            elif intent in ("complain", "human_handoff") and rules_out_a_channel(text) and is_question(text):
                # "wie kann ich euch erreichen ausser telefon? hab kein bock in der warteschleife": the other channels
                _set_intent(message, "ask_channels")
            elif intent == "check_warranty" and asks_where_to_check(text):
                # "wo kann ich meine garantie online pruefen": the channel that does it, not the check itself
                _set_intent(message, "ask_channels")
            elif intent == "ask_hotline" and names_someone_not_support(text):
                # "give me the ceo's phone number": a number the source does not have
                _set_intent(message, "out_of_scope")
            elif intent == "out_of_scope" and len(topics_in(text)) >= 2:
                # "hi 1. nummer DE 2. bis wann offen 3. wie lange garantie": questions the
                # bot answers, each named; the first one's answer brings the others (actions/multi_topic.py)
                _set_intent(message, topics_in(text)[0])
        return messages


def _set_intent(message: Message, name: str) -> None:
    message.set(INTENT, {"name": name, "confidence": 1.0}, add_to_output=True)
    message.set(INTENT_RANKING_KEY, [{"name": name, "confidence": 1.0}], add_to_output=True)


def names_only_a_country(text: str, entities: List[Dict[str, Any]]) -> bool:
    """"D", "U.K.", "Polen?", "bought in kuala lumpur": a message that is
    nothing but a country (and where it was bought) is an answer (inform),
    whatever the classifier guessed for so short a text."""
    words = text.strip(" ?!.").replace("'", " ").split()  # as written: "D" is a code, "d" no word
    folded = [fold(w) for w in words]
    leads = sorted(longest_first("purchase_leads") + longest_first("located_leads"), key=len, reverse=True)
    lead = next((lead for lead in leads if folded[:len(lead)] == lead), [])
    tail = next((tail for tail in longest_first("located_tails") if lead and len(folded) > len(lead) + len(tail)
                 and folded[len(folded) - len(tail):] == tail), [])
    rest = " ".join(words[len(lead):len(words) - len(tail)])
    if not 0 < len(rest.split()) <= 3 or countries().resolve(rest) is None:
        return False
    # the classifier or the entity filter saw a country there, or the words are a city's name
    return bool(lead) or any(e.get("entity") == "country" for e in entities)


# Topic intents a bare product name is sometimes filed under ("xiaomi 13pro" as ask_iws).
NAMING_INTENTS = ("ask_iws", "ask_warranty_period", "ask_eu_warranty", "ask_hotline", "ask_self_service", "ask_channels",
                  "out_of_scope")


def asks_only_for_a_language(text: str, entities: List[Dict[str, Any]]) -> bool:
    """A language asked for ("auf deutsch", "in english") and no topic, country or product."""
    if language_asked_for(text) is None or topics_in(text):
        return False
    named = [e for e in entities if e.get("entity") in ("product", "purchase_date")
             or (e.get("entity") == "country" and fold(str(e.get("value"))) not in LANGUAGE_NAMES)]
    return not named


def names_only_a_product(text: str, entities: List[Dict[str, Any]]) -> bool:
    """A message that is a product's name and filler words only ("nur die hülle")."""
    products = [e for e in entities if e.get("entity") == "product" and e.get("start") is not None]
    if not products or len(text.split()) > 6:
        return False
    rest = text
    for entity in sorted(products, key=lambda e: -e["start"]):
        rest = rest[:entity["start"]] + " " + rest[entity["end"]:]
    fillers = {fold(w) for w in entity_vocabulary()["product_fillers"]}
    return all(word in fillers for word in fold(rest).split())


# Intents whose answers hold no warranty period: a period named in such a message
# ("12 monate?") is what it asks about; so is a period in a question the
# classifier took for a piece of information ("12 or 24 months in malaysia?").
NOT_ABOUT_PERIODS = ("ask_regional_service", "ask_hotline", "ask_opening_hours", "ask_channels", "ask_self_service",
                     "ask_service_partner", "out_of_scope")
PERIOD = re.compile(r"(?<![\w.])(?:\d{1,2}|sechs|zwolf|six|twelve)[ -]?(?:monate?n?|monats?|months?|jahre?n?|years?)\b(?!\s+(?:ago|back|her|zuruck))")
RELATIVE_LEAD = re.compile(r"\b(?:vor|seit|since|for|about|etwa|ca)\s+$")


def names_a_period(text: str) -> bool:
    """"gibts 12 monate?", "auch 24 months?": a length of warranty, not a time
    ago ("vor 12 monaten", "6 months ago")."""
    folded = fold(text)
    return any(not RELATIVE_LEAD.search(folded[:match.start()]) for match in PERIOD.finditer(folded))


def rules_out_a_channel(text: str) -> bool:
    """"ausser telefon", "besides the phone", "ohne anrufen": a channel the user does not want."""
    return bool(excluded_entries(text, CHANNEL_WORDS))


def names_only_accessories(entities: List[Dict[str, Any]]) -> bool:
    return products().only_accessories([str(e.get("value") or "") for e in entities if e.get("entity") == "product"])


def asks_how_long_it_lasts(text: str) -> bool:
    """"wie lang gilt die in DE?", "how long does it last": the length of the warranty."""
    words = f" {fold(text)} "
    return any(f" {' '.join(phrase)} " in words for phrase in longest_first("period_questions"))


WHERE_OPENERS = (("wo",), ("where",), ("wie", "kann", "ich"), ("how", "can", "i"), ("how", "do", "i"))
SELF_CHECK_CHANNELS = ("website", "app")


def asks_where_to_check(text: str) -> bool:
    """"wo kann ich meine garantie online pruefen", "how do i check it on the website":
    where (which channel) to do the check, not the check."""
    words = fold(text).split()
    channel_words = {fold(w) for ident in SELF_CHECK_CHANNELS for w in entity_vocabulary()["catalogue_words"]["channel"][ident]}
    return any(tuple(words[:len(opener)]) == opener for opener in WHERE_OPENERS) and any(w in channel_words for w in words[1:])


def names_someone_not_support(text: str) -> bool:
    """"the ceo's phone number", "nummer vom geschaeftsfuehrer": a person whose own number is asked for."""
    words = fold(text).split()  # "ceo's" folds to "ceo s"
    return any(words[i:i + len(person)] == person for person in longest_first("not_support_people") for i in range(len(words)))


def states_a_purchase(text: str, entities: List[Dict[str, Any]]) -> bool:
    """A product named with a purchase word ("xiaomi 14, gekauft in madrid", "poco f6 bought in lyon")."""
    if not any(e.get("entity") == "product" for e in entities):
        return False
    words = f" {fold(text)} "
    return any(f" {' '.join(lead)} " in words for lead in longest_first("purchase_leads"))


def asks_a_check(intent: str, text: str, entities: List[Dict[str, Any]]) -> bool:
    """A product, a purchase word and a date the grammar reads, classified as a
    question about warranty rules: the warranty of that purchase. (A question
    about service elsewhere names a second country or a region.)"""
    kinds = [e.get("entity") for e in entities]
    if intent == "ask_eu_warranty" and (kinds.count("country") > 1 or "region" in kinds):
        return False
    if intent not in ("ask_warranty_period", "ask_eu_warranty") or not states_a_purchase(text, entities):
        return False
    today = clock.today()
    return any(parse_purchase_date(text, lang, today).problem != DateProblem.UNPARSEABLE for lang in ("de", "en"))


UNSURE = 0.5  # an intent confidence below which a named partner decides the topic

# 10.03.2025, 3/10/25, 2025-03-10, and month and year: 04/2024, 4/2024, 04.2024
DATE_SHAPE = re.compile(r"(?<![\d.])(?:\d{1,2}[./-]\d{4}|\d{1,4}[./-]\d{1,2}(?:[./-]\d{2,4})?)(?![\d])")

# Intents that say nothing the bot can answer on its own (the classifier's
# guess for "und indonesien? flieg naechste woche nach bali", "even in spain?").
NOT_A_QUESTION = ("out_of_scope", "greet", "thank", "affirm", "deny", "bot_challenge", "goodbye", "help")


# A question the classifier is unsure of, matched to a channel's or tool's purpose
# this well (support/retrieval.py), is about that entry; the hotline has its own intent.
DESCRIBED_ENTRY_SCORE = 0.25
UNSURE_INTENTS = ("out_of_scope", "stop", "nlu_fallback")  # small talk ("ist das ein chatbot?") is no channel question
ENTRY_INTENTS = {"channel": "ask_channels", "tool": "ask_self_service"}
KEEP_INTENTS = ("human_handoff", "complain", "switch_language", "ask_opening_hours")  # their answer is right even unsure
ANSWER_INTENTS = ("check_warranty", "inform")  # a purchase described ("purchased march 2024 - warranty?") is the check


def asks_in_a_clause(text: str) -> bool:
    """"my phone keeps restarting, how do i diagnose it myself": a question in some clause of the message."""
    return any(is_question(clause) for clause in re.split(r"[,;.!]|\band\b|\bund\b", text))


def describes_an_entry(text: str) -> str:
    """The intent of the channel or tool a question describes by what it does, or ""."""
    if not asks_in_a_clause(text):
        return ""
    found = [(score, kind, ident) for kind in ENTRY_INTENTS for ident, score in catalogue(kind).search(text, 1)]
    if not found:
        return ""
    score, kind, ident = max(found)
    return ENTRY_INTENTS[kind] if score >= DESCRIBED_ENTRY_SCORE and ident != "hotline" else ""


# Intents a question about a clock time ("um 8", "at 7pm") is sometimes filed under
MOMENT_INTENTS = UNSURE_INTENTS + ANSWER_INTENTS + ("ask_hotline",)


def asks_about_a_moment(text: str) -> bool:
    """A question naming a clock time (and maybe a day), no purchase: whether the hotline is open then."""
    if asked_moment(text, clock.today()) is None:
        return False
    words = f" {fold(text)} "
    if any(f" {' '.join(lead)} " in words for lead in longest_first("purchase_leads")):
        return False  # "gekauft am 3.10. um 18 uhr": when it was bought
    return asks_in_a_clause(text)


SHORT_DATE_WORDS = 6


def is_a_short_date(text: str) -> bool:
    """A short message with a digit that the date grammar reads as a date, or
    a day written as one ("the 20th", "am 20. glaub")."""
    if len(text.split()) > SHORT_DATE_WORDS or not any(ch.isdigit() for ch in text):
        return False
    if DAY_ORDINAL.search(text) and day_of_month(text) is not None:
        return True
    if not (DATE_SHAPE.search(text) or month_named(text) is not None):
        return False  # "who won the f1 race yesterday": a digit, but none of a date
    today = clock.today()
    return any(parse_purchase_date(text, lang, today).problem is None for lang in ("de", "en"))


def names_a_country_misspelt(word: str) -> bool:
    """A folded word of five letters or more the fuzzy resolver reads as a country ("spanein"), never a language's name."""
    return len(word) >= 5 and word not in LANGUAGE_NAMES and countries().resolve(word) is not None


def misspelt_countries(text: str) -> List[Dict[str, Any]]:
    """Words of five letters or more that the fuzzy resolver reads as a country ("spanein"), as entities."""
    found = []
    for match in re.finditer(r"[^\W\d_]{5,}", text):
        if names_a_country_misspelt(fold(match.group(0))):
            found.append({"entity": "country", "start": match.start(), "end": match.end(), "value": match.group(0),
                          "extractor": "EntitySanityFilter"})
    return found


FOLLOWUP_WINDOW = 6  # words after the opener in which the country stands ("and if i bought it in FR")


def follows_up_on_a_country(text: str, openers_key: str = "followup_openers") -> bool:
    """"und indonesien? ...", "even in spain?", "danke, und in polen?": a
    follow-up opener, then a country, is the last question asked again."""
    rest = " ".join(without_lead_word(fold(text).split()))
    opener = opening_phrase_of(rest, openers_key)
    if opener is None:
        return False
    clause = rest[len(opener):].split()[:FOLLOWUP_WINDOW]  # the country comes soon after the opener
    if countries().find_in_text(" ".join(clause)):
        return True
    consumed = len(fold(text).split()) - len(rest.split()) + len(opener.split())
    if countries().find_in_text(" ".join(text.split()[consumed:consumed + FOLLOWUP_WINDOW])):
        return True  # "and if i bought it in FR instead?": a code, in capitals as written
    return any(names_a_country_misspelt(word) for word in clause)  # "und spanein?"
