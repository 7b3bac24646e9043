"""Resolves what users write to countries, regions and products.

Countries the knowledge data covers are matched with all the names and
inflections users write; every other country is still *recognised* (through
babel's territory names in German and English) so the bot can say plainly that
the source has nothing for it instead of guessing. Typos are matched with
rapidfuzz. German inflections are generated here, not listed by hand.
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, Optional, Tuple

import yaml
from babel import Locale
from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA

from support.knowledge import Knowledge, knowledge
from support.vocabulary import entity_vocabulary
from support.text import compact, fold

# Common ways to name countries that babel's territory names do not contain.
EXTRA_ALIASES = {
    "DE": ["Dtl", "Dtl.", "Dt.", "Germoney", "GER"],
    "US": ["USA", "US", "U.S.", "U.S.A.", "Amerika", "America", "Vereinigte Staaten", "Staaten", "the States"],
    "NL": ["Holland"],
    "GB": ["GB", "U.K.", "Grossbritannien"],
    "AE": ["Emirate", "UAE", "VAE", "Dubai"],
    "CZ": ["Tschechien", "Czechia"],
    "TR": ["Turkei", "Turkey", "Türkiye"],
    "KR": ["Korea", "Südkorea", "South Korea"],
}
# Country codes and short forms people write (resources/entity_vocabulary.yml):
# upper case ones are read only as written ("IT", "IN", "ID", "MY" are English
# words in lower case); the lower case ones are no word in German or English.
CODE_WORD = re.compile(r"(?<![\w.])(U\.K\.|[A-Za-z]{1,3})(?![\w])")
ADJECTIVE_ENDINGS = ("", "e", "en", "er", "es", "em")
FUZZY_CUTOFF = 0.79  # one edit in a five-letter name
_PREFIXES = ("in", "im", "aus", "von", "nach", "fur", "for", "the", "der", "die", "das", "dem", "den", "und", "and", "what", "about", "was", "ist", "mit", "with", "uber", "of")

# A model name as people write it ("xiaomi 14", "Redmi Note 13 Pro", "poco x6"): brand, then model words
MODEL = re.compile(r"\b(?:xiaomi|redmi|poco|mi|black shark)(?:\s+(?:note|pad|mix|flip|band|watch|tv|smart|[a-z]?\d{1,2}[a-z]?|pro\+?|ultra|lite|se|plus|\+|5g|t|s)(?![\w]))*", re.I)


CITIES_FILE = Path(__file__).resolve().parent.parent / "resources" / "cities.yml"


@functools.lru_cache(maxsize=1)
def city_names() -> Dict[str, List[str]]:
    """Cities read as their country (resources/cities.yml), folded."""
    raw = yaml.safe_load(CITIES_FILE.read_text(encoding="utf-8"))
    return {code: [fold(str(name)) for name in names] for code, names in raw.items()}


def german_variants(name: str) -> List[str]:
    """Inflections of a German country noun or adjective.

    Nouns get the genitive -s ("Deutschlands"); adjectives (written in lower case
    in the knowledge data) get every adjective ending ("deutsche", "deutschen").
    """
    if name[:1].islower():
        return [name + ending for ending in ADJECTIVE_ENDINGS]
    variants = [name]
    if not name.endswith(("s", "x", "z")) and " " not in name:
        variants.append(name + "s")
    return variants


def country_surface_forms(kb: Knowledge) -> Dict[str, List[str]]:
    """Every written form of every covered country, by ISO code (for the spaCy entity ruler)."""
    forms: Dict[str, List[str]] = {}
    for code, country in kb.countries.items():
        seen: List[str] = []
        for name in country.names["de"]:
            seen.extend(german_variants(name))
        seen.extend(country.names["en"])
        forms[code] = list(dict.fromkeys(seen))
    return forms


@dataclass(frozen=True)
class CountryMatch:
    code: str
    covered: bool  # the knowledge data has this country
    names: Dict[str, str]  # display name by language

    def name(self, lang: str) -> str:
        return self.names.get(lang) or self.names["en"]


class CountryResolver:
    def __init__(self, kb: Knowledge) -> None:
        self.kb = kb
        self.index: Dict[str, str] = {}
        self.display: Dict[str, Dict[str, str]] = {}
        de, en = Locale("de"), Locale("en")
        for code, name in en.territories.items():
            if len(code) == 2 and code.isalpha():
                self.display[code] = {"en": name, "de": de.territories.get(code, name)}
                self._add(name, code)
                self._add(de.territories.get(code, ""), code)
        for code, aliases in EXTRA_ALIASES.items():
            for alias in aliases:
                self._add(alias, code)
        # Covered countries last: their names win over babel's.
        for code, forms in country_surface_forms(kb).items():
            country = kb.countries[code]
            self.display[code] = {"de": country.name("de"), "en": country.name("en")}
            for form in forms:
                self._add(form, code, override=True)
        self._keys = [key for key in self.index if len(key) >= 4]  # before the cities: no typo matching for them
        for code, names in city_names().items():
            for name in names:
                self._add(name, code)
        vocabulary = entity_vocabulary()["country_codes"]
        self.codes = {code: target for code, target in vocabulary["as_written"].items()}
        self.codes_any_case = {code.lower(): target for code, target in vocabulary["any_case"].items()}

    def codes_in(self, text: str) -> List[Tuple[re.Match, str]]:
        """Each country code or short form written in a text, with its ISO code;
        a message in capitals throughout reads only the any-case ones."""
        letters = [ch for ch in text if ch.isalpha()]
        shouting = len(letters) > 8 and sum(ch.isupper() for ch in letters) > 0.8 * len(letters)
        found = []
        for match in CODE_WORD.finditer(text):
            code = self.code(match.group(1), shouting)
            if code:
                found.append((match, code))
        return found

    def code(self, token: str, shouting: bool = False) -> Optional[str]:
        """"DE", "D", "U.K.", "brd" -> the ISO code; None for "in", "it", "is"."""
        if token.lower() in self.codes_any_case:
            return self.codes_any_case[token.lower()]
        if not shouting and token in self.codes:
            return self.codes[token]
        return None

    def _add(self, name: str, code: str, override: bool = False) -> None:
        key = fold(name)
        if key and (override or key not in self.index):
            self.index[key] = code

    def _match(self, code: str) -> CountryMatch:
        return CountryMatch(code=code, covered=code in self.kb.countries, names=self.display[code])

    def resolve(self, text: Optional[str]) -> Optional[CountryMatch]:
        """The country a short phrase names ("in italien", "Deutschlands", "itlay")."""
        if not text:
            return None
        key = fold(text)
        if len(text) == 2 and text.isupper() and text in self.display and key not in self.index:
            return self._match(text)  # an ISO code (button payloads, stored slots)
        short = self.code(text.strip().strip("?!.,") if text.strip() != "U.K." else "U.K.")
        if short:
            return self._match(short)
        tokens = key.split()
        while key not in self.index and len(tokens) > 1 and tokens[0] in _PREFIXES:
            tokens = tokens[1:]
            key = " ".join(tokens)
        if key in self.index:
            return self._match(self.index[key])
        if len(key) < 5:
            return None
        # OSA counts a swapped pair of letters ("itlay") as one edit.
        found = process.extractOne(key, self._keys, scorer=OSA.normalized_similarity, score_cutoff=FUZZY_CUTOFF)
        if found:
            return self._match(self.index[found[0]])
        return None

    def find_in_text(self, text: str) -> List[CountryMatch]:
        """Countries named anywhere in a message (exact names of 1-3 words, and
        codes such as "DE", "AT", "U.K."), in the order they stand."""
        tokens = fold(text).split()
        found: List[CountryMatch] = []
        code_positions: Dict[str, str] = {}
        for match, code in self.codes_in(text):
            code_positions.setdefault(fold(match.group(1)), code)
        i = 0
        while i < len(tokens):
            if tokens[i] in code_positions and all(m.code != code_positions[tokens[i]] for m in found):
                found.append(self._match(code_positions[tokens[i]]))
                i += 1
                continue
            for size in (3, 2, 1):
                phrase = " ".join(tokens[i : i + size])
                code = self.index.get(phrase)
                if code and (len(phrase) > 2 or phrase == "uk"):  # not the pronoun "us"
                    if all(m.code != code for m in found):
                        found.append(self._match(code))
                    i += size
                    break
            else:
                i += 1
        return found


@dataclass(frozen=True)
class Product:
    text: str
    kind: str  # "accessory" or "device"
    iws_model: Optional[str]  # the canonical IWS model name, when it is one


class ProductResolver:
    BRAND_TYPOS = ("xiaomie", "xiaomi", "xioami", "xiomi", "xaomi", "xiami", "mi")

    def __init__(self, kb: Knowledge) -> None:
        self.kb = kb
        self.models = {compact(m).replace("xiaomi", "", 1): m for m in kb.iws_models}
        self.accessory = {fold(w) for lang in ("de", "en") for w in kb.products["accessory_words"][lang]}
        self.devices = {fold(w) for lang in ("de", "en") for w in kb.products["device_words"][lang]}
        self.families = {fold(w) for w in kb.products["model_prefixes"]} | set(self.BRAND_TYPOS) | {"mix", "note", "pad", "band"}

    def _model_key(self, text: str) -> str:
        """"Xiaomi 13 Pro", "xiomi 13pro", "13 pro" -> "13pro"; "MIX Flip" -> "mixflip"."""
        key = compact(text)
        if key in self.models:
            return key
        for brand in self.BRAND_TYPOS:
            if key.startswith(brand) and key[len(brand):] in self.models:
                return key[len(brand):]
        return key

    def iws_model(self, text: str) -> Optional[str]:
        return self.models.get(self._model_key(text))

    def kind(self, text: str) -> str:
        """Accessory words win over device words: "Ladekabel für mein Handy" and
        "phone case" are accessories."""
        tokens = fold(text).split()
        phrase = " ".join(tokens)
        if any(f" {word} " in f" {phrase} " for word in self.accessory):
            return "accessory"
        if any(fuzz.ratio(t, a) >= 88 for t in tokens for a in self.accessory if len(a) >= 5):
            return "accessory"
        return "device"

    def only_accessories(self, values: List[str]) -> bool:
        """"accessories like the charger": products named, every one an accessory."""
        return bool(values) and all(self.kind(value) == "accessory" for value in values)

    def recognised(self, text: Optional[str]) -> bool:
        """Whether a text names a product: an IWS model, a device or accessory
        word, a model family ("Redmi ...") or a model code ("13c", "F5");
        "warum willst du das wissen?" names none."""
        if not text or not fold(text):
            return False
        if self.iws_model(text):
            return True
        tokens = fold(text).split()
        phrase = f" {' '.join(tokens)} "
        words = self.accessory | self.devices | self.families
        if any(f" {word} " in phrase for word in words) or self.kind(text) == "accessory":
            return True
        if any(fuzz.ratio(t, w) >= 85 for t in tokens for w in words if len(w) >= 5 and len(t) >= 5):
            return True
        return any(any(ch.isdigit() for ch in t) and any(ch.isalpha() for ch in t) for t in tokens) or (
            any(t.isdigit() for t in tokens) and len(tokens) <= 3)

    def resolve(self, text: Optional[str]) -> Optional[Product]:
        if not text or not fold(text):
            return None
        model = self.iws_model(text)
        return Product(text=text.strip(), kind="device" if model else self.kind(text), iws_model=model)


@functools.lru_cache(maxsize=1)
def countries() -> CountryResolver:
    return CountryResolver(knowledge())


@functools.lru_cache(maxsize=1)
def products() -> ProductResolver:
    return ProductResolver(knowledge())


def partners_named(text: str) -> List[Dict]:
    """The authorised partners a message names ("SBE", "b2x")."""
    words = f" {fold(text)} "
    return [p for p in knowledge().partners.values()
            if p["kind"] != "direct" and f" {fold(p['name']).split()[0]} " in words]
