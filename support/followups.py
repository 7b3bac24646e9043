"""What a follow-up asks about the answer before it, from the words of the
message and the conversation's last topic ("wo bekomm ich die?" after a tool:
where to get that tool; "which models then" after IWS: the models). Pure: the
dialogue policy (components/context_policy.py) decides with it whether a
message is such a follow-up, and action_followup answers with the same result.
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, Optional, Sequence

import yaml

from support.text import fold
from support.vocabulary import opening_phrase, opening_phrase_of, without_lead_word

WORDS_FILE = Path(__file__).resolve().parent.parent / "resources" / "followup_words.yml"
NEGATED_COUNTRY = re.compile(r"\b(?:nicht|not|kein|keine|statt|anstatt|instead of)\s+(?:in\s+|aus\s+|from\s+)?\w+", re.I)

# Which aspects make sense after which topic, in the order they are tried
# ("not covered" before "covered").
ASPECTS_BY_TOPIC: Dict[str, Sequence[str]] = {
    "self_service": ("where_to_get", "with_it"),
    "channels": ("where_to_get", "with_it"),
    "regional": ("countries", "service_network", "hours"),
    "iws": ("models", "excludes", "covers", "countries"),
    "warranty_check": ("remaining", "contact"),
    "hotline": ("latest", "hours"),
    "hours": ("latest", "hours"),
    "handoff": ("hours",),
}


# Topics whose answer names a hotline: "who runs it?" asks for the partner behind it.
OPERATED_TOPICS = ("hotline", "hours")

# Aspects the NLU's own intent answers as well: a message classified so is left
# to its rule ("und die Servicezeiten?" is ask_opening_hours, for every country just answered).
ANSWERED_BY_INTENT: Dict[str, Sequence[str]] = {
    "hours": ("ask_opening_hours", "ask_hotline"),
    "latest": ("ask_opening_hours", "ask_hotline"),
    "warranty_rules": ("ask_warranty_period",),
}


@dataclass(frozen=True)
class Followup:
    topic: str  # the conversation's last topic
    aspect: str  # what is asked about it (a key of resources/followup_words.yml, or "product")


@functools.lru_cache(maxsize=1)
def _words() -> Dict[str, object]:
    """resources/followup_words.yml, folded, read once."""
    raw = yaml.safe_load(WORDS_FILE.read_text(encoding="utf-8"))
    return {"aspects": {aspect: [fold(w) for w in words] for aspect, words in raw["aspects"].items()},
            "latest": [fold(w) for w in raw["latest_words"]],
            "question_openers": {fold(w) for w in raw["question_openers"]}}


def _aspects() -> Dict[str, List[str]]:
    return _words()["aspects"]


def asks(text: str, aspect: str) -> bool:
    if aspect == "latest":
        return asks_latest(text)
    padded = f" {fold(text)} "
    return any(f" {word}" in padded for word in _aspects()[aspect])


def followup(text: str, last_topic: Optional[str], names_product: bool = False, names_country: bool = False,
             names_date: bool = False, names_entry: bool = False, countries_named: int = 0) -> Optional[Followup]:
    """The follow-up a message is, or None when it asks something new.

    After a warranty check, a product named without a new date is the same
    check for that product ("and the phone itself?"); a message that names a
    country or (after anything else) a product asks about it, which the
    NLU's intent handles."""
    if not last_topic or not text:
        return None
    if asks(text, "escalate"):  # "ok and if that doesnt help? im in france": the hotline, there
        return Followup(last_topic, "escalate")
    if countries_named >= 2:
        return None  # "kann man in FR gekaufte handys auch in DE reparieren lassen?": a question of its own
    if last_topic in OPERATED_TOPICS and not names_country and asks(text, "operator"):
        return Followup(last_topic, "operator")  # "is das xiaomi selber am telefon?" ("telefon" is no product there)
    if last_topic == "warranty_period" and names_product and not names_date and not names_country and is_short_followup(text):
        return Followup(last_topic, "product")  # "und fuer das handy selbst?": the period for that product
    if last_topic in ("warranty_check", "iws") and names_product and not names_date:
        # "and the phone itself?" after a check: the same check for it; "so my xiaomi
        # 14 pro isnt covered?" after the IWS models: whether that model has IWS
        return Followup(last_topic, "product")
    if last_topic == "warranty_check" and names_country and not names_product and not names_date and asks(text, "bought_there"):
        return Followup(last_topic, "country")  # "sorry, war doch in UK gekauft, nicht italien": the check for UK
    if names_entry and last_topic in ("channels", "self_service"):
        return None  # "und whatsapp, was kann man da machen?": about that channel, not the last one
    if names_country or names_product:
        return None  # about that country or product, which the intent's answer handles
    for aspect in ASPECTS_BY_TOPIC.get(last_topic, ()):
        if asks(text, aspect):
            return Followup(last_topic, aspect)
    if opens_with(text, "warranty_rules"):
        return Followup(last_topic, "warranty_rules")  # "und garantie hier?": the rules for the country just named
    return None


def followup_in_message(text: str, entities: Sequence[Dict], last_topic: Optional[str]) -> Optional[Followup]:
    """followup() for a parsed message: what it names, from its entities and text."""
    from support.names import countries

    kinds = {e.get("entity") for e in entities or []}
    named = {m.code for m in countries().find_in_text(text)}
    named |= {m.code for m in (countries().resolve(str(e.get("value"))) for e in entities or [] if e.get("entity") == "country") if m}
    # a country taken back ("war doch in UK gekauft, nicht italien") is no second one
    kept = {m.code for m in countries().find_in_text(NEGATED_COUNTRY.sub(" ", text))}
    named = {code for code in named if code in kept} if len(named) >= 2 else named
    return followup(text, last_topic, names_product="product" in kinds,
                    names_country="country" in kinds or bool(named),
                    names_date="purchase_date" in kinds, names_entry=bool(kinds & {"channel", "tool"}), countries_named=len(named))


def opens_with(text: str, aspect: str) -> bool:
    """Whether the message opens with one of the aspect's phrases (after "ok", "danke"):
    "ok und welche garantie gilt da?", not "hotline und garantie?"."""
    rest = " ".join(without_lead_word(fold(text).split()))
    return opening_phrase(rest, _aspects()[aspect]) is not None


def is_short_followup(text: str) -> bool:
    """"und fuer das handy selbst?", "and the charger?": a few words after "und"/"and"."""
    rest = fold(text)
    return len(rest.split()) <= 6 and opening_phrase_of(rest, "short_followup_openers") is not None


def asks_latest(text: str) -> bool:
    """"welche hotline hat am laengsten auf?", "which one is open latest"."""
    padded = f" {fold(text)} "
    return any(f" {w} " in padded for w in _words()["latest"])


def left_to_intent(found: Optional[Followup], intent: Optional[str]) -> bool:
    """Whether the NLU's intent answers this follow-up as well as action_followup would."""
    return found is not None and intent in ANSWERED_BY_INTENT.get(found.aspect, ())


def is_question(text: str) -> bool:
    """"kann ich mein geld zurueck bekommen?", "wie mach ich nen factory reset":
    a question mark, or a question word first ("ach egal, hat sich erledigt" is none)."""
    words = fold(text).split()
    return "?" in text or bool(words) and words[0].strip(",.!") in _words()["question_openers"]
