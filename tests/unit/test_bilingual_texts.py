"""Every sentence the bot says has a German and an English text: each response
of domain.yml (German as the default variation, English under the condition
language: en, the same other conditions for both) and each fragment of
resources/phrases.yml. A German text identical to its English one is a
forgotten translation, unless it holds no words of its own (only placeholders,
emoji and punctuation, like "🌍 {region}: {model}")."""
from __future__ import annotations

import re
from pathlib import Path
from typing import Dict, List, Tuple

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
DOMAIN = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))
PHRASES = yaml.safe_load((ROOT / "resources" / "phrases.yml").read_text(encoding="utf-8"))
PLACEHOLDER = re.compile(r"\{[A-Za-z_][A-Za-z0-9_]*\}")


def words_of_its_own(text: str) -> bool:
    return bool(re.search(r"[^\W\d_]", PLACEHOLDER.sub("", text or "")))


def by_language(variations: List[dict]) -> Dict[Tuple[str, tuple], str]:
    """(language, the other conditions) -> text of each variation."""
    found = {}
    for variation in variations:
        conditions = variation.get("condition") or []
        lang = next((c["value"] for c in conditions if c.get("name") == "language"), "de")
        others = tuple(sorted((c["name"], str(c["value"])) for c in conditions if c.get("name") != "language"))
        found[(lang, others)] = variation.get("text") or ""
    return found


@pytest.mark.parametrize("name", sorted(DOMAIN["responses"]))
def test_every_response_has_a_german_and_an_english_text(name):
    texts = by_language(DOMAIN["responses"][name])
    german = {others for lang, others in texts if lang == "de"}
    english = {others for lang, others in texts if lang == "en"}
    assert german == english and german, f"{name}: German for {sorted(german)}, English for {sorted(english)}"
    for others in german:
        de, en = texts[("de", others)], texts[("en", others)]
        assert de != en or not words_of_its_own(de), f"{name}: the same text in both languages: {de!r}"


@pytest.mark.parametrize("key", sorted(PHRASES))
def test_every_phrase_has_a_german_and_an_english_text(key):
    value = PHRASES[key]
    assert isinstance(value, dict) and set(value) == {"de", "en"} and all(value.values()), f"{key}: {value!r}"
    assert value["de"] != value["en"] or not words_of_its_own(value["de"]), f"{key}: the same text in both languages"


def test_a_forgotten_translation_is_found():
    texts = by_language([{"text": "Hallo"}, {"condition": [{"type": "slot", "name": "language", "value": "en"}], "text": "Hallo"}])
    assert texts[("de", ())] == texts[("en", ())] and words_of_its_own("Hallo")
    assert not words_of_its_own("🌍 {region}: {model}")
