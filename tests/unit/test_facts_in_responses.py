"""Every fact the bot states comes from knowledge/: a response text in the
domain holds no number, country, partner or model of its own. Quoted text
(„Hotline Italien“, "10 March 2025") is an example of what to write, not a
fact; {placeholders} are filled by the actions from knowledge/. The country
buttons are lists in the domain: they must be the knowledge's countries."""
import re
from pathlib import Path

import pytest
import yaml

from support.knowledge import knowledge

ROOT = Path(__file__).resolve().parents[2]
DOMAIN = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))
QUOTED = re.compile(r"„[^“]*“|\"[^\"]*\"|“[^”]*”")
PLACEHOLDER = re.compile(r"\{[^}]*\}")


def fact_words() -> set:
    kb = knowledge()
    words = {c.name(lang) for c in kb.countries.values() for lang in ("de", "en")}
    words |= {p["name"] for p in kb.partners.values() if p["kind"] != "direct"}
    words |= set(kb.iws_models)
    return words


def facts_in(text: str) -> list:
    bare = PLACEHOLDER.sub("", QUOTED.sub("", text))
    found = []
    for word in sorted(fact_words(), key=len, reverse=True):
        pattern = rf"(?<!\w){re.escape(word)}(?!\w)"
        if re.search(pattern, bare):
            found.append(word)
            bare = re.sub(pattern, " ", bare)
    return sorted(found) + re.findall(r"\d+", bare)


def variations():
    for name, variants in DOMAIN["responses"].items():
        for index, variant in enumerate(variants):
            yield pytest.param(variant.get("text") or "", id=f"{name}[{index}]")


@pytest.mark.parametrize("text", variations())
def test_a_response_text_states_no_fact_of_its_own(text):
    assert facts_in(text) == []


def test_the_check_finds_a_fact_written_into_a_text():
    assert facts_in("Hotline Deutschland: 0800 223 11 44, Service von B2X") == ["B2X", "Deutschland", "0800", "223", "11", "44"]
    assert facts_in("Schreib z. B. „Hotline Italien“ oder „10.03.2025“ – {number}") == []


COUNTRY_BUTTONS = ["utter_ask_country", "utter_ask_warranty_form_purchase_country", "utter_invalid_country", "utter_country_unknown"]


@pytest.mark.parametrize("name", COUNTRY_BUTTONS)
def test_the_country_buttons_are_the_knowledges_countries_with_a_hotline(name):
    kb = knowledge()
    for variant in DOMAIN["responses"][name]:
        lang = next((c["value"] for c in variant.get("condition") or [] if c.get("name") == "language"), "de")
        expected = [c.name(lang) for c in kb.countries.values() if c.hotline]
        titles = [button["title"] for button in variant.get("buttons") or []]
        assert sorted(titles) == sorted(expected), f"{name} ({lang})"
