"""What the warranty check can read from the message that starts it, where
the NLU's entities miss it: a purchase date the grammar reads in the whole
text ("handyhülle 20.08.2026 in italien gekauft"), the country of purchase
when a message names two ("gekauft in Indien, bin jetzt in Deutschland"), and
a product named by a model family or a product word."""
from __future__ import annotations

import re
from typing import List, Optional, Tuple

from rasa_sdk import Tracker

from support.vocabulary import form_words
from support import clock
from support.dates import DateProblem, parse_purchase_date
from support.language import SWITCH_INTENT, without_language_names
from support.names import MODEL, countries, products
from support.text import fold

FORM_INTENTS = ("check_warranty", "inform")
ANSWERS_WITH_A_QUESTION = ("ask_hotline", "ask_opening_hours")


def fresh_message(tracker: Tracker) -> Optional[str]:
    """The text of a message this form run is the first to see, when it can
    hold warranty-check answers (not a question asked in between)."""
    message = tracker.latest_message or {}
    if tracker.get_slot("exact_day_needed"):
        return None  # the check came back for the day: this message was read already
    intent = (message.get("intent") or {}).get("name")
    if intent == SWITCH_INTENT:
        # "can we continue in english? bought it on 10 march 2025 in germany": the rest
        # of the message, without the language's name (which would read as Germany)
        return without_language_names(message.get("text") or "") or None
    answers = [e for e in message.get("entities") or [] if e.get("entity") == "purchase_date"
               or (e.get("entity") == "product" and products().recognised(str(e.get("value") or "")))]
    if intent in ANSWERS_WITH_A_QUESTION and answers:
        # "poco x6, india. wait is the india line open rn?": the answers, then a question (answered aside)
        return message.get("text") or None
    if intent not in FORM_INTENTS:
        return None
    return message.get("text") or None


def date_in(text: str, lang: str) -> bool:
    return parse_purchase_date(text, lang, clock.today()).problem != DateProblem.UNPARSEABLE


def _countries_with_words_before(text: str) -> List[Tuple[str, str, str]]:
    """(code, the three words before, the two words after) of each country named."""
    raw = re.findall(r"U\.K\.|[\w'-]+", text)
    words = [fold(w) for w in raw]
    found = []
    index = 0
    while index < len(words):
        for size in (3, 2, 1):
            phrase = " ".join(words[index:index + size])
            code = countries().index.get(phrase) if (len(phrase) > 2 or phrase == "uk") else None
            code = code or (countries().code(raw[index]) if size == 1 else None)
            if code:
                found.append((code, " ".join(words[max(0, index - 3):index]), " ".join(words[index + size:index + size + 2])))
                index += size - 1
                break
        index += 1
    return found


BRANDS = ("xiaomi", " mi")  # "die nummer von xiaomi frankreich": Xiaomi's French support, no purchase there


def bought_in_text(text: str) -> List[str]:
    """Countries named as where something was bought ("gekauft in Indien", "in FR gekauftes")."""
    bought = form_words()["bought_words"]
    return [code for code, before, after in _countries_with_words_before(text)
            if (any(f" {w} " in f" {before} " for w in bought) and not before.endswith(BRANDS))
            or any(after.startswith(w) for w in ("gekauft", "bought", "purchased"))]



def purchase_country_in(text: str) -> Optional[str]:
    """Of several countries, the one the device was bought in: named after a
    purchase word, or else the first one not named as where the user is now."""
    found = [(code, before) for code, before, _ in _countries_with_words_before(text)]
    if not found:
        return None
    for code, before in found:
        if any(f" {w} " in f" {before} " for w in form_words()["bought_words"]):
            return code
    for code, before in found:
        if not any(f" {w} " in f" {before} " for w in form_words()["located_words"]):
            return code
    return found[0][0]


def located_in_text(text: str) -> Optional[str]:
    """The country named as where the user is now ("bin jetzt in DE", "i live in spain now"), not where it was bought."""
    for code, before, _ in _countries_with_words_before(text):
        if (any(f" {w} " in f" {before} " for w in form_words()["located_words"])
                and not any(f" {w} " in f" {before} " for w in form_words()["bought_words"])):
            return code
    return None


def product_in(text: str) -> Optional[str]:
    """A product the message names: a model ("Redmi Note 13 Pro"), else a product word ("Handyhülle")."""
    match = MODEL.search(text)
    if match and len(match.group(0).split()) > 1:
        return match.group(0).strip()
    for token in re.findall(r"[\wäöüÄÖÜß-]+", text):
        if products().recognised(token) and not any(ch.isdigit() for ch in token) and len(token) > 2:
            return token
    return None
