"""Tells German from English in short, informal chat messages.

Two signals are combined: py3langid's character n-gram model restricted to
German and English (picked because it ships its model inside the wheel, is
deterministic and needs no download), and marker words (resources/
language_markers.yml), which carry chat messages too short for n-grams.
A message that gives too little evidence ("ok", "Italien", "?") is not
decisive: the caller keeps the conversation's language.
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, List, Optional, Set, Tuple

import yaml

from support.text import fold

LANGUAGES = ("de", "en")
MARKERS_FILE = Path(__file__).resolve().parent.parent / "resources" / "language_markers.yml"
DECISIVE_MARGIN = 1.0
NGRAM_ALONE_WORDS = 5  # words from which py3langid's guess decides without any marker word
CHOICE_ENTITY = "language_choice"
SWITCH_INTENT = "switch_language"


@dataclass(frozen=True)
class Detection:
    language: str  # best guess, always one of LANGUAGES
    decisive: bool  # enough evidence to switch the conversation's language
    score: float  # the evidence: > 0 leans German, < 0 English
    evidence: bool = True  # any marker word, country name or enough words; False: the guess is only a default

    def as_dict(self) -> Dict[str, object]:
        return {"code": self.language, "decisive": self.decisive, "score": round(self.score, 3), "evidence": self.evidence}


@functools.lru_cache(maxsize=1)
def _markers() -> Dict[str, Dict[str, Set[str]]]:
    raw = yaml.safe_load(MARKERS_FILE.read_text(encoding="utf-8"))
    raw.pop("german_speaking_regions")
    return {lang: {kind: {fold(w) for w in raw[lang][kind]} for kind in ("strong", "words")} for lang in LANGUAGES}


@functools.lru_cache(maxsize=1)
def _german_codes() -> Set[str]:
    """The codes of the German-speaking regions and their everyday short forms (D, BRD)."""
    return _german_speaking_regions() | {"D", "BRD"}


@functools.lru_cache(maxsize=1)
def _country_names() -> Dict[str, Set[str]]:
    """Country names that differ between the languages ("polen" / "poland"):
    a hint for a first message like "hotline polen", never decisive alone."""
    from babel import Locale

    names: Dict[str, Set[str]] = {lang: set() for lang in LANGUAGES}
    territories = {lang: Locale(lang).territories for lang in LANGUAGES}
    for code, english in territories["en"].items():
        german = territories["de"].get(code)
        if len(code) == 2 and german and fold(german) != fold(english):
            names["de"].update(fold(german).split()[-1:])
            names["en"].update(fold(english).split()[-1:])
    shared = names["de"] & names["en"]
    return {lang: words - shared for lang, words in names.items()}


@functools.lru_cache(maxsize=1)
def _identifier():
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    identifier = LanguageIdentifier.from_pickled_model(MODEL_FILE, norm_probs=True)
    identifier.set_languages(list(LANGUAGES))
    return identifier


def _ngram_lean(text: str) -> float:
    """py3langid's probability, mapped to -1 (English) .. +1 (German)."""
    language, probability = _identifier().classify(text)
    lean = 2 * float(probability) - 1
    return lean if language == "de" else -lean


def detect(text: Optional[str]) -> Detection:
    raw = text or ""
    # a code in capitals in a message not shouted ("hotline AT?", "IN or MY?") is a country, no English "at", "in", "my"
    shouted = sum(1 for word in raw.split() if word.isupper() and len(word) > 3) >= 2  # "WHAT IS THE HOTLINE"
    words = raw if shouted else re.sub(r"(?<![\w.])[A-Z]{2,3}(?![\w.])", " ", raw)
    tokens = fold(words).split()
    alpha = [t for t in tokens if t.isalpha()]
    markers = _markers()
    score = 0.0
    strong = 0.0
    if any(ch in raw.lower() for ch in "äöüß"):
        strong += 1.5
    for token in alpha:
        for sign, lang in ((1, "de"), (-1, "en")):
            if token in markers[lang]["strong"]:
                strong += sign
            elif token in markers[lang]["words"]:
                score += sign
    # "im in texas", "im from germany": the English "I'm", never German "im" before "in"/"from"
    for first, second in zip(alpha, alpha[1:]):
        if first == "im" and second in ("in", "from", "at", "here", "currently", "living", "looking", "trying"):
            score -= 1
    markers_net = score
    if len(alpha) < 2:
        score = 0.0  # a lone word only counts when it is a strong marker
    if alpha:
        weight = 0.5 if len(alpha) < 3 else 1.0
        score += weight * _ngram_lean(" ".join(alpha))
    score += strong * 1.5
    # the n-gram model alone decides only a longer message: "is a xiaomi 14 ultra"
    # (marker words that cancel out, a model name) is no switch to English
    evidence = markers_net != 0 or strong != 0 or len(alpha) >= NGRAM_ALONE_WORDS
    decisive = abs(score) >= DECISIVE_MARGIN and (len(alpha) >= 2 or strong != 0) and evidence
    names = _country_names()
    hint = sum(0.6 for t in alpha if t in names["de"]) - sum(0.6 for t in alpha if t in names["en"])
    # a German-speaking country written as its code ("hotline AT?", "bin in D"): a German speaker's shorthand
    hint += sum(0.6 for code in re.findall(r"(?<![\w.])[A-Z]{1,3}(?![\w.])", raw) if code in _german_codes())
    if len(alpha) < 2:  # "Garantie?", "warranty?": a lone marker word leans a first message, decides nothing
        hint += sum(0.6 for t in alpha if t in markers["de"]["words"]) - sum(0.6 for t in alpha if t in markers["en"]["words"])
    return Detection(language="de" if score + hint > 0 else "en", decisive=decisive, score=score, evidence=evidence or hint != 0)


LANGUAGE_PREPOSITIONS = ("in", "auf", "into", "to", "im", "ins", "zu")
LANGUAGE_WORDS = {"en": ("english", "englisch", "englisch", "engl", "eng", "en", "englsh", "inglese"),
                  "de": ("deutsch", "deutsche", "deutschen", "german", "germn", "dt", "de", "deutch", "duits")}


def _named_languages(value: Optional[str]) -> List[Tuple[str, bool]]:
    """Each language a text names, in order, with whether a preposition leads
    to it ("in english", "auf deutsch"), which marks the one asked for."""
    words = [w.strip("?!.,:;") for w in fold(value or "").split()]
    found = []
    for index, word in enumerate(words):
        for lang, names in LANGUAGE_WORDS.items():
            if word in names:
                found.append((lang, index > 0 and words[index - 1] in LANGUAGE_PREPOSITIONS))
    return found


def without_language_names(text: str) -> str:
    """The text without the names of languages ("auf deutsch bitte, gekauft in polen" ->
    "auf bitte, gekauft in polen"): what else a request to switch says."""
    names = {name for words in LANGUAGE_WORDS.values() for name in words}
    kept = [word for word in text.split() if fold(word.strip("?!.,:;")) not in names]
    return " ".join(kept).strip()


def language_asked_for(text: Optional[str]) -> Optional[str]:
    """The language a text asks for with a preposition ("auf deutsch", "in english"), or None."""
    return next((lang for lang, led in _named_languages(text) if led), None)


def requested_language(value: Optional[str]) -> Optional[str]:
    """"auf Englisch bitte" -> "en"; "she doesn't speak german, answer in
    english" -> "en"; the names of countries ("England", "Deutschland") name no language."""
    found = _named_languages(value)
    marked = [lang for lang, led in found if led]
    return (marked or [lang for lang, _ in found] or [None])[0]


def phone_language(number: Optional[str]) -> Optional[str]:
    """The language a phone number's country suggests ("4915..." -> "de",
    "4479..." -> "en"); None when the number has no known calling code.
    phonenumbers (Google's libphonenumber data) maps calling codes to regions."""
    import phonenumbers

    digits = "".join(ch for ch in str(number or "") if ch.isdigit())
    if not digits:
        return None
    try:
        parsed = phonenumbers.parse("+" + digits, None)
    except phonenumbers.NumberParseException:
        return None
    region = phonenumbers.region_code_for_country_code(parsed.country_code)
    if region in (None, phonenumbers.UNKNOWN_REGION):
        return None
    return "de" if region in _german_speaking_regions() else "en"


@functools.lru_cache(maxsize=1)
def _german_speaking_regions() -> Set[str]:
    return set(yaml.safe_load(MARKERS_FILE.read_text(encoding="utf-8"))["german_speaking_regions"])


def hinted_language(tag: Any) -> Optional[str]:
    """A client's language tag ("de-DE", "en_GB", "de") as one of LANGUAGES, or None.

    Web clients pass the browser's language (`navigator.language`) in the
    message metadata as `language`; it only decides while the conversation has
    no language yet and the message itself does not tell."""
    if not isinstance(tag, str):
        return None
    primary = tag.strip().replace("_", "-").split("-")[0].lower()
    return primary if primary in LANGUAGES else None


def wanted_language(parse_data: Dict[str, Any], current: Optional[str], hint: Optional[str] = None,
                    settled: bool = True) -> Optional[str]:
    """The language the conversation should continue in after this message.

    Precedence: an explicit request, a decisive detection of the message, then
    (only while the conversation has no language) the client's hint, then the
    best guess; while the language is only a guess (`settled` False: no message
    so far told it, no client hint), the best guess of each new message."""
    intent = (parse_data.get("intent") or {}).get("name")
    if intent == SWITCH_INTENT:
        marked = [lang for lang, led in _named_languages(parse_data.get("text")) if led]
        if marked:  # "doesn't speak german, answer in english": the one asked for, whatever the entity
            return marked[0]
        for entity in parse_data.get("entities") or []:
            if entity.get("entity") == CHOICE_ENTITY:
                choice = requested_language(str(entity.get("value")))
                if choice:
                    return choice
        named = requested_language(parse_data.get("text"))  # "continue in german pls" with no entity found
        if named:
            return named
        # "other language please" without naming one: the other one
        if current in ("de", "en"):
            return "en" if current == "de" else "de"
    elif any(e.get("entity") == CHOICE_ENTITY for e in parse_data.get("entities") or []):
        # "moin, bitte in english antworten. wer repariert in spanien?": a language asked for
        # ("in english", "auf deutsch") beside another question the classifier saw first
        marked = [lang for lang, led in _named_languages(parse_data.get("text")) if led]
        if marked:
            return marked[0]
    detected = parse_data.get("language") or {}
    if detected.get("decisive"):
        return detected.get("code")
    if current is None and hint in LANGUAGES:
        return hint
    if current is None and detected.get("code"):
        return detected.get("code")
    if not settled and detected.get("code") and detected.get("evidence"):
        return detected.get("code")  # "hotline nummer pls" (a guess: English), then "polen": German
    return None


def language_settled(parse_datas: List[Dict[str, Any]], hints: List[Optional[str]]) -> bool:
    """Whether the conversation's language was told, not guessed: an earlier
    message decided it or asked for one, or the client hinted it."""
    return any(hint in LANGUAGES for hint in hints) or any(
        (data.get("language") or {}).get("decisive") or (data.get("intent") or {}).get("name") == SWITCH_INTENT
        or any(e.get("entity") == CHOICE_ENTITY for e in data.get("entities") or [])
        for data in parse_datas)
