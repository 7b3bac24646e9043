"""Every custom action against a real rasa_sdk Tracker and CollectingDispatcher.

The clock is frozen through SUPPORT_BOT_NOW: by default Wednesday 25 November
2026, 10:00 UTC (11:00 in Berlin, 15:30 in Kolkata, 17:00 in Jakarta, 18:00 in
Kuala Lumpur and Manila); weekend tests use Saturday 28 November 2026. All
expected values (numbers, names, hours, dates, day counts) are written out by
hand from the article (../shared/source/global-support-article.de.txt) and the
calendar, never computed with the code under test.

Every message is also checked against domain.yml: the response exists and
every {placeholder} of its texts is passed as a variable (a missing one would
be filled from a slot, e.g. the ISO code instead of the country's name).
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Dict, Iterable, List, Tuple

import pytest
import yaml
from rasa_sdk import Tracker
from rasa_sdk.events import ActiveLoop, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.followup import ActionFollowup
from actions.handoff import ActionHandoff
from actions.hotline import ActionHotline, ActionOpeningHours
from actions.info import ActionChannels, ActionRegionalService, ActionSelfService, ActionServicePartner
from actions.warranty import ActionEuWarranty, ActionIws, ActionWarrantyCheck, ActionWarrantyPeriod
from support.knowledge import knowledge

from tracker_kit import make_tracker  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
DOMAIN: Dict[str, Any] = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))

WEDNESDAY = "2026-11-25T10:00:00+00:00"
SATURDAY = "2026-11-28T10:00:00+00:00"

# Every hotline number the article gives (lines 21-26, 35-38).
ARTICLE_NUMBERS = (
    "0805 370 916", "800 690 921", "900 128 128", "0800 223 11 44", "0800 021 1888",
    "+48 800 111 332", "1800 103 6286", "00180300650029", "1800 18 0112", "1800-1110-3128",
)
EU_RULE_DE = "Geräte, die in Spanien, Frankreich, Italien oder anderen EU-Ländern gekauft wurden, können in der gesamten EU gewartet werden."
EU_RULE_EN = "Devices bought in Spain, France, Italy or any other EU country can be serviced anywhere in the EU."
IWS_MODELS_DE = "Xiaomi 15 Ultra, Xiaomi 14 Ultra, Xiaomi 13 Ultra, Xiaomi 13 Pro, Xiaomi 12 Pro und Xiaomi MIX Flip"
IWS_MODELS_EN = "Xiaomi 15 Ultra, Xiaomi 14 Ultra, Xiaomi 13 Ultra, Xiaomi 13 Pro, Xiaomi 12 Pro and Xiaomi MIX Flip"
IWS_EXCLUDES_DE = "Austausch von Geräten, Schäden durch Missbrauch und Graumarktkäufe"
IWS_EXCLUDES_EN = "device replacement, damage caused by misuse and grey-market purchases"

aio = pytest.mark.asyncio


@pytest.fixture(autouse=True)
def frozen_wednesday(monkeypatch):
    monkeypatch.setenv("SUPPORT_BOT_NOW", WEDNESDAY)


# --- helpers -----------------------------------------------------------------


_PLACEHOLDER = re.compile(r"(?<!\{)\{([A-Za-z_][A-Za-z0-9_]*)\}(?!\})")


def check_against_domain(message: Dict[str, Any]) -> None:
    name = message.get("response")
    assert name, f"message without a response name: {message}"
    assert name in DOMAIN["responses"], f"{name} is not a response of domain.yml"
    for variation in DOMAIN["responses"][name]:
        for placeholder in _PLACEHOLDER.findall(variation.get("text") or ""):
            assert placeholder in message, f"{name}: variable {placeholder!r} not passed ({message})"


async def run(action, tracker: Tracker) -> Tuple[List[Dict[str, Any]], List[Dict[str, Any]]]:
    dispatcher = CollectingDispatcher()
    events = await action.run(dispatcher, tracker, DOMAIN)
    for message in dispatcher.messages:
        check_against_domain(message)
    return dispatcher.messages, events


def names(messages: Iterable[Dict[str, Any]]) -> List[str]:
    return [m["response"] for m in messages]


def the(messages: Iterable[Dict[str, Any]], response: str) -> Dict[str, Any]:
    found = [m for m in messages if m["response"] == response]
    assert len(found) == 1, f"expected one {response}, got {names(messages)}"
    return found[0]


def no_number_given(messages: Iterable[Dict[str, Any]]) -> None:
    for message in messages:
        assert "number" not in message, message
        for value in message.values():
            if isinstance(value, str):
                for number in ARTICLE_NUMBERS:
                    assert number not in value, (number, message)


# --- hotline -------------------------------------------------------------------

# code: (de name, en name, number, de hours, en hours, de note, en note)
HOTLINES = {
    "FR": ("Frankreich", "France", "0805 370 916", "Montag bis Freitag 09:00–20:00 Uhr", "Monday to Friday 09:00–20:00", "Erweiterter Abenddienst", "Extended evening service"),
    "IT": ("Italien", "Italy", "800 690 921", "Montag bis Freitag 09:00–20:00 Uhr", "Monday to Friday 09:00–20:00", "Stark nachgefragte Regionen", "Regions with high demand"),
    "ES": ("Spanien", "Spain", "900 128 128", "Montag bis Freitag 09:00–21:00 Uhr", "Monday to Friday 09:00–21:00", "Längstes Servicefenster", "Longest service window"),
    "DE": ("Deutschland", "Germany", "0800 223 11 44", "Montag bis Freitag 08:00–20:00 Uhr", "Monday to Friday 08:00–20:00", "Frühe Öffnung", "Early opening"),
    "GB": ("UK", "UK", "0800 021 1888", "Montag bis Freitag 09:00–18:00 Uhr", "Monday to Friday 09:00–18:00", "Betrieben von SBE Ltd", "Run by SBE Ltd"),
    "PL": ("Polen", "Poland", "+48 800 111 332", "Montag bis Freitag 08:00–20:00 Uhr", "Monday to Friday 08:00–20:00", "Ost-EU-Logistikzentrum", "Eastern EU logistics hub"),
    "IN": ("Indien", "India", "1800 103 6286", "täglich 08:00–23:00 Uhr", "daily 08:00–23:00", "Größte Verfügbarkeit", "Widest availability"),
    "ID": ("Indonesien", "Indonesia", "00180300650029", "09:00–18:00 Uhr (Wochentage nicht angegeben)", "09:00–18:00 (weekdays not given)", "WhatsApp-Unterstützung bis 24:00 Uhr", "WhatsApp support until 24:00"),
    "MY": ("Malaysia", "Malaysia", "1800 18 0112", "09:00–18:00 Uhr (Wochentage nicht angegeben)", "09:00–18:00 (weekdays not given)", "Zentren in Einkaufszentren", "Centres in shopping malls"),
    "PH": ("Philippinen", "Philippines", "1800-1110-3128", "Geschäftszeiten (ohne genaue Uhrzeiten)", "business hours (no exact times given)", "Struktur der Annahmestellen", "Network of drop-off points"),
}

# Wednesday 10:00 UTC, local time and state: ("open", local de, local en, closes de, closes en)
# ("closed", local de, local en, next_open de, next_open en, wait de, wait en), ("unknown", local de, local en)
STATUS_WEDNESDAY = {
    "FR": ("open", "Mittwoch, 11:00 Uhr", "Wednesday 11:00", "20:00 Uhr", "20:00"),
    "IT": ("open", "Mittwoch, 11:00 Uhr", "Wednesday 11:00", "20:00 Uhr", "20:00"),
    "ES": ("open", "Mittwoch, 11:00 Uhr", "Wednesday 11:00", "21:00 Uhr", "21:00"),
    "DE": ("open", "Mittwoch, 11:00 Uhr", "Wednesday 11:00", "20:00 Uhr", "20:00"),
    "GB": ("open", "Mittwoch, 10:00 Uhr", "Wednesday 10:00", "18:00 Uhr", "18:00"),
    "PL": ("open", "Mittwoch, 11:00 Uhr", "Wednesday 11:00", "20:00 Uhr", "20:00"),
    "IN": ("open", "Mittwoch, 15:30 Uhr", "Wednesday 15:30", "23:00 Uhr", "23:00"),
    "ID": ("open", "Mittwoch, 17:00 Uhr", "Wednesday 17:00", "18:00 Uhr", "18:00"),
    "MY": ("closed", "Mittwoch, 18:00 Uhr", "Wednesday 18:00", "Donnerstag, 09:00 Uhr", "Thursday 09:00", "15 Stunden", "15 hours"),
    "PH": ("unknown", "Mittwoch, 18:00 Uhr", "Wednesday 18:00"),
}

HOTLINE_CODES = sorted(set(HOTLINES) | {code for code, c in knowledge().countries.items() if c.hotline is not None})


def test_the_expected_hotlines_are_exactly_the_countries_with_a_hotline():
    assert {code for code, c in knowledge().countries.items() if c.hotline is not None} == set(HOTLINES)


@aio
@pytest.mark.parametrize("lang", ["de", "en"])
@pytest.mark.parametrize("code", HOTLINE_CODES)
async def test_hotline_for_each_covered_country(code, lang):
    assert code in HOTLINES, f"{code} has a hotline in knowledge but no expected values here"
    name_de, name_en, number, hours_de, hours_en, note_de, note_en = HOTLINES[code]
    name = name_de if lang == "de" else name_en
    text = f"Hotline {name}" if lang == "de" else f"what is the hotline number for {name}"
    messages, events = await run(ActionHotline(), make_tracker(text, lang, "ask_hotline", [("country", name)]))

    hotline = messages[0]
    assert hotline["response"] == "utter_hotline"
    assert hotline["country"] == name
    assert hotline["number"] == number
    assert hotline["hours"] == (hours_de if lang == "de" else hours_en)
    assert hotline["note"] == (note_de if lang == "de" else note_en)

    status = STATUS_WEDNESDAY[code]
    i = 0 if lang == "de" else 1
    if status[0] == "open":
        opened = the(messages, "utter_open_now")
        assert opened["local_time"] == status[1 + i]
        assert opened["closes"] == status[3 + i]
        assert "utter_closed_now" not in names(messages)
    elif status[0] == "closed":
        closed = the(messages, "utter_closed_now")
        assert closed["local_time"] == status[1 + i]
        assert closed["next_open"] == status[3 + i]
        assert closed["wait"] == status[5 + i]
        assert "utter_open_now" not in names(messages)
    else:
        business = the(messages, "utter_business_hours_only")
        assert business["local_time"] == status[1 + i]
        assert business["country"] == name
        assert not {"utter_open_now", "utter_closed_now"} & set(names(messages))

    days_not_given = code in ("ID", "MY")
    assert ("utter_days_not_given" in names(messages)) == days_not_given
    assert ("utter_whatsapp_until" in names(messages)) == (code == "ID")
    assert events == [SlotSet("last_topic", "hotline"), SlotSet("country", code), SlotSet("last_countries", [code])]


@aio
async def test_hotline_germany_exact_answer_in_both_languages():
    messages, _ = await run(ActionHotline(), make_tracker("Hotline Deutschland", "de", "ask_hotline", [("country", "Deutschland")]))
    assert names(messages) == ["utter_hotline", "utter_open_now"]
    assert the(messages, "utter_open_now")["zone"] == "Mitteleuropäische Zeit"
    messages, _ = await run(ActionHotline(), make_tracker("hotline germany", "en", "ask_hotline", [("country", "germany")]))
    assert names(messages) == ["utter_hotline", "utter_open_now"]
    assert messages[0]["country"] == "Germany"
    assert messages[0]["number"] == "0800 223 11 44"
    assert the(messages, "utter_open_now")["zone"] == "Central European Time"


@aio
@pytest.mark.parametrize("lang,text", [("de", "Hotline der Deutschen?"), ("de", "Nummer von Deutschlands Hotline"), ("en", "german hotline please")])
async def test_hotline_country_found_in_the_text_without_entity(lang, text):
    messages, events = await run(ActionHotline(), make_tracker(text, lang, "ask_hotline"))
    assert messages[0]["response"] == "utter_hotline"
    assert messages[0]["number"] == "0800 223 11 44"
    assert SlotSet("country", "DE") in events


@aio
async def test_hotline_uses_the_country_of_the_conversation():
    messages, events = await run(ActionHotline(), make_tracker("und die Hotline?", "de", "ask_hotline", slots={"country": "PL"}))
    assert messages[0]["number"] == "+48 800 111 332"
    assert messages[0]["country"] == "Polen"
    assert events == [SlotSet("last_topic", "hotline"), SlotSet("country", "PL"), SlotSet("last_countries", ["PL"])]


@aio
@pytest.mark.parametrize("lang,text", [("de", "Wie ist die Hotline-Nummer?"), ("en", "what's the hotline number")])
async def test_hotline_without_country_asks_for_it(lang, text):
    messages, events = await run(ActionHotline(), make_tracker(text, lang, "ask_hotline"))
    assert names(messages) == ["utter_ask_country"]
    assert events == [SlotSet("last_topic", "hotline")]


@aio
@pytest.mark.parametrize(
    "lang,word,name,known",
    [
        ("de", "Österreich", "Österreich", "Frankreich, Italien, Spanien, Deutschland, UK, Polen, Indien, Indonesien, Malaysia und Philippinen"),
        ("en", "Austria", "Austria", "France, Italy, Spain, Germany, UK, Poland, India, Indonesia, Malaysia and Philippines"),
    ],
)
async def test_hotline_for_austria_is_not_invented(lang, word, name, known):
    messages, events = await run(ActionHotline(), make_tracker(f"Hotline {word}", lang, "ask_hotline", [("country", word)]))
    assert names(messages) == ["utter_no_hotline_known", "utter_hotlines_known"]
    assert messages[0]["country"] == name
    assert messages[1]["countries"] == known
    no_number_given(messages)
    assert events == [SlotSet("last_topic", "hotline"), SlotSet("country", "AT"), SlotSet("last_countries", ["AT"])]


@aio
@pytest.mark.parametrize(
    "lang,word,name,region",
    [("de", "USA", "Vereinigte Staaten", "Nordamerika"), ("en", "USA", "United States", "North America")],
)
async def test_hotline_for_usa_names_the_partner_model_region(lang, word, name, region):
    messages, events = await run(ActionHotline(), make_tracker(f"Hotline {word}", lang, "ask_hotline", [("country", word)]))
    assert names(messages) == ["utter_no_hotline_known", "utter_partner_model_region", "utter_hotlines_known"]
    assert messages[0]["country"] == name
    assert (messages[1]["region"], messages[1]["country"]) == (region, name)
    no_number_given(messages)
    assert events == [SlotSet("last_topic", "hotline"), SlotSet("country", "US"), SlotSet("last_countries", ["US"])]


@aio
async def test_hotline_for_china_has_no_number():
    messages, _ = await run(ActionHotline(), make_tracker("Hotline China", "de", "ask_hotline", [("country", "China")]))
    assert names(messages)[0] == "utter_no_hotline_known"
    assert messages[0]["country"] == "China"
    no_number_given(messages)


@aio
@pytest.mark.parametrize("lang,text,word", [("de", "Hotline Blablaland", "Blablaland"), ("en", "hotline for xyzzyland", "xyzzyland")])
async def test_hotline_unrecognised_country_word(lang, text, word):
    messages, events = await run(ActionHotline(), make_tracker(text, lang, "ask_hotline", [("country", word)]))
    assert names(messages) == ["utter_country_unknown"]
    assert messages[0]["value"] == word
    no_number_given(messages)
    assert events == [SlotSet("last_topic", "hotline")]


@aio
@pytest.mark.parametrize("lang,word", [("de", "italien"), ("en", "Itlay")])
async def test_hotline_resolves_lower_case_and_typos(lang, word):
    messages, events = await run(ActionHotline(), make_tracker(f"hotline {word}", lang, "ask_hotline", [("country", word)]))
    assert messages[0]["number"] == "800 690 921"
    assert messages[0]["country"] == ("Italien" if lang == "de" else "Italy")
    assert SlotSet("country", "IT") in events


# --- open now / closed now on the weekend --------------------------------------


@aio
@pytest.mark.parametrize(
    "lang,word,local,next_open,wait",
    [
        ("de", "Deutschland", "Samstag, 11:00 Uhr", "Montag, 08:00 Uhr", "1 Tag und 21 Stunden"),
        ("en", "Germany", "Saturday 11:00", "Monday 08:00", "1 day and 21 hours"),
    ],
)
async def test_hotline_closed_on_saturday(monkeypatch, lang, word, local, next_open, wait):
    monkeypatch.setenv("SUPPORT_BOT_NOW", SATURDAY)
    messages, _ = await run(ActionHotline(), make_tracker(f"Hotline {word}", lang, "ask_hotline", [("country", word)]))
    assert names(messages) == ["utter_hotline", "utter_closed_now"]
    closed = messages[1]
    assert (closed["local_time"], closed["next_open"], closed["wait"]) == (local, next_open, wait)
    assert closed["zone"] == ("Mitteleuropäische Zeit" if lang == "de" else "Central European Time")


@aio
@pytest.mark.parametrize(
    "lang,word,local,next_open,wait",
    [
        ("de", "UK", "Samstag, 10:00 Uhr", "Montag, 09:00 Uhr", "1 Tag und 23 Stunden"),
        ("en", "Spain", "Saturday 11:00", "Monday 09:00", "1 day and 22 hours"),
    ],
)
async def test_other_european_hotlines_closed_on_saturday(monkeypatch, lang, word, local, next_open, wait):
    monkeypatch.setenv("SUPPORT_BOT_NOW", SATURDAY)
    messages, _ = await run(ActionHotline(), make_tracker(f"Hotline {word}", lang, "ask_hotline", [("country", word)]))
    closed = the(messages, "utter_closed_now")
    assert (closed["local_time"], closed["next_open"], closed["wait"]) == (local, next_open, wait)


@aio
@pytest.mark.parametrize("lang,word,local,closes", [("de", "Indien", "Samstag, 15:30 Uhr", "23:00 Uhr"), ("en", "India", "Saturday 15:30", "23:00")])
async def test_india_open_on_saturday(monkeypatch, lang, word, local, closes):
    monkeypatch.setenv("SUPPORT_BOT_NOW", SATURDAY)
    messages, _ = await run(ActionHotline(), make_tracker(f"Hotline {word}", lang, "ask_hotline", [("country", word)]))
    assert names(messages) == ["utter_hotline", "utter_open_now"]
    assert (messages[1]["local_time"], messages[1]["closes"]) == (local, closes)


@aio
@pytest.mark.parametrize(
    "lang,word,wait",
    [("de", "Deutschland", "1 Tag und 20 Stunden"), ("en", "Germany", "1 day and 20 hours")],
)
async def test_closed_over_the_dst_weekend_waits_one_hour_less(monkeypatch, lang, word, wait):
    # Saturday 28 March 2026, 11:00 CET; clocks go forward on Sunday: Monday 08:00 CEST is 44 real hours away.
    monkeypatch.setenv("SUPPORT_BOT_NOW", "2026-03-28T10:00:00+00:00")
    messages, _ = await run(ActionHotline(), make_tracker(f"Hotline {word}", lang, "ask_hotline", [("country", word)]))
    closed = the(messages, "utter_closed_now")
    assert closed["next_open"] == ("Montag, 08:00 Uhr" if lang == "de" else "Monday 08:00")
    assert closed["wait"] == wait


@aio
@pytest.mark.parametrize(
    "lang,word,local,next_open,wait",
    [
        ("de", "Indonesien", "Samstag, 19:00 Uhr", "Sonntag, 09:00 Uhr", "14 Stunden"),
        ("en", "Indonesia", "Saturday 19:00", "Sunday 09:00", "14 hours"),
    ],
)
async def test_indonesia_saturday_evening(monkeypatch, lang, word, local, next_open, wait):
    monkeypatch.setenv("SUPPORT_BOT_NOW", "2026-11-28T12:00:00+00:00")
    messages, _ = await run(ActionHotline(), make_tracker(f"Hotline {word}", lang, "ask_hotline", [("country", word)]))
    assert names(messages) == ["utter_hotline", "utter_closed_now", "utter_days_not_given", "utter_whatsapp_until"]
    closed = messages[1]
    assert (closed["local_time"], closed["next_open"], closed["wait"]) == (local, next_open, wait)
    # the time zone is an assumption and is said to be one
    assert ("angenommen" if lang == "de" else "assumed") in closed["zone"]
    assert "Jakarta" in closed["zone"]
    assert (messages[3]["country"], messages[3]["until"]) == (word, "24:00")


# --- opening hours ---------------------------------------------------------------


@aio
@pytest.mark.parametrize(
    "lang,text,country_word,weekday,expected",
    [
        ("de", "Hat die Hotline in Deutschland samstags offen?", "Deutschland", "samstags",
         [("utter_closed_on_day", "samstags", "Deutschland", "Montag bis Freitag 08:00–20:00 Uhr")]),
        ("en", "is the hotline in Germany open on Sunday?", "Germany", "on Sunday",
         [("utter_closed_on_day", "Sundays", "Germany", "Monday to Friday 08:00–20:00")]),
        ("de", "Ist die Hotline Deutschland am Mittwoch erreichbar?", "Deutschland", "Mittwoch",
         [("utter_open_on_day", "mittwochs", "Deutschland", "Montag bis Freitag 08:00–20:00 Uhr")]),
        ("en", "is the Spanish hotline open on mondays", "Spanish", "mondays",
         [("utter_open_on_day", "Mondays", "Spain", "Monday to Friday 09:00–21:00")]),
        ("de", "Hotline Polen am Wochenende?", "Polen", "Wochenende",
         [("utter_closed_on_day", "samstags", "Polen", "Montag bis Freitag 08:00–20:00 Uhr"),
          ("utter_closed_on_day", "sonntags", "Polen", "Montag bis Freitag 08:00–20:00 Uhr")]),
        ("en", "is the india hotline open on the weekend", "india", "weekend",
         [("utter_open_on_day", "Saturdays", "India", "daily 08:00–23:00"),
          ("utter_open_on_day", "Sundays", "India", "daily 08:00–23:00")]),
        ("de", "Indonesien samstags?", "Indonesien", "samstags",
         [("utter_day_not_given", "samstags", "Indonesien", "09:00–18:00 Uhr (Wochentage nicht angegeben)")]),
        ("en", "Philippines on Sunday?", "Philippines", "on Sunday",
         [("utter_day_not_given", "Sundays", "Philippines", "business hours (no exact times given)")]),
    ],
)
async def test_opening_hours_on_a_weekday(lang, text, country_word, weekday, expected):
    tracker = make_tracker(text, lang, "ask_opening_hours", [("country", country_word), ("weekday", weekday)])
    messages, events = await run(ActionOpeningHours(), tracker)
    assert [(m["response"], m["days"], m["country"], m["hours"]) for m in messages] == expected
    assert events[0] == SlotSet("last_topic", "hours")
    no_number_given(messages)


@aio
@pytest.mark.parametrize("lang,text,country_word,response,values", [
    # frozen Tuesday 1 Dec 2026 16:30 UTC; Italy opens at 09:00, Germany at 08:00, on weekdays
    ("de", "und morgen frueh um 8 in italien, geht das?", "italien", "utter_closed_at",
     {"day": "Mittwoch", "time": "08:00 Uhr", "next_open": "Mittwoch, 09:00 Uhr"}),
    ("en", "and tmrw at 8 before work? germany", "germany", "utter_open_at",
     {"day": "Wednesday", "time": "08:00", "closes": "20:00"}),
    ("en", "germany saturday at 10?", "germany", "utter_closed_at", {"day": "Saturday", "next_open": "Monday 08:00"}),
    ("en", "philippines at 9am tomorrow?", "philippines", "utter_business_hours_only_at", {"day": "Thursday"}),  # 00:30 Wed there
])
async def test_opening_hours_at_a_moment_asked(monkeypatch, lang, text, country_word, response, values):
    monkeypatch.setenv("SUPPORT_BOT_NOW", "2026-12-01T16:30:00+00:00")
    messages, _ = await run(ActionOpeningHours(), make_tracker(text, lang, "ask_opening_hours", [("country", country_word)]))
    assert names(messages) == ["utter_hotline", response]
    assert {key: messages[1][key] for key in values} == values


@aio
@pytest.mark.parametrize(
    "lang,word,hours,zone_word",
    [
        ("de", "Indonesien", "09:00–18:00 Uhr (Wochentage nicht angegeben)", "angenommen"),
        ("en", "Indonesia", "09:00–18:00 (weekdays not given)", "assumed"),
    ],
)
async def test_opening_hours_indonesia_days_not_given_and_whatsapp(lang, word, hours, zone_word):
    messages, events = await run(ActionOpeningHours(), make_tracker(f"Servicezeiten {word}", lang, "ask_opening_hours", [("country", word)]))
    assert names(messages) == ["utter_hotline", "utter_open_now", "utter_days_not_given", "utter_whatsapp_until"]
    assert messages[0]["number"] == "00180300650029"
    assert messages[0]["hours"] == hours
    assert messages[1]["local_time"] == ("Mittwoch, 17:00 Uhr" if lang == "de" else "Wednesday 17:00")
    assert messages[1]["closes"] == ("18:00 Uhr" if lang == "de" else "18:00")
    assert zone_word in messages[2]["zone"]
    assert messages[2]["country"] == word
    assert (messages[3]["country"], messages[3]["until"]) == (word, "24:00")
    assert events == [SlotSet("last_topic", "hours"), SlotSet("country", "ID"), SlotSet("last_countries", ["ID"])]


@aio
@pytest.mark.parametrize(
    "lang,word,hours,local",
    [
        ("de", "Philippinen", "Geschäftszeiten (ohne genaue Uhrzeiten)", "Mittwoch, 18:00 Uhr"),
        ("en", "Philippines", "business hours (no exact times given)", "Wednesday 18:00"),
    ],
)
async def test_opening_hours_philippines_business_hours_only(lang, word, hours, local):
    messages, events = await run(ActionOpeningHours(), make_tracker(f"opening hours {word}", lang, "ask_opening_hours", [("country", word)]))
    assert names(messages) == ["utter_hotline", "utter_business_hours_only"]
    assert (messages[0]["number"], messages[0]["hours"]) == ("1800-1110-3128", hours)
    assert (messages[1]["country"], messages[1]["local_time"]) == (word, local)
    assert events == [SlotSet("last_topic", "hours"), SlotSet("country", "PH"), SlotSet("last_countries", ["PH"])]


@aio
@pytest.mark.parametrize("lang", ["de", "en"])
async def test_opening_hours_without_country(lang):
    messages, events = await run(ActionOpeningHours(), make_tracker("Servicezeiten?", lang, "ask_opening_hours"))
    assert names(messages) == ["utter_ask_country"]
    assert events == [SlotSet("last_topic", "hours")]


@aio
@pytest.mark.parametrize("lang,word,name", [("de", "Österreich", "Österreich"), ("en", "Austria", "Austria")])
async def test_opening_hours_for_uncovered_country(lang, word, name):
    tracker = make_tracker(f"Servicezeiten {word} samstags", lang, "ask_opening_hours", [("country", word), ("weekday", "samstags")])
    messages, events = await run(ActionOpeningHours(), tracker)
    assert names(messages) == ["utter_no_hotline_known", "utter_hotlines_known"]
    assert messages[0]["country"] == name
    no_number_given(messages)
    assert events == [SlotSet("last_topic", "hours"), SlotSet("country", "AT"), SlotSet("last_countries", ["AT"])]


# --- handoff ------------------------------------------------------------------------


@aio
@pytest.mark.parametrize("lang,text", [("de", "Ich will mit einem Menschen sprechen"), ("en", "let me talk to a human")])
async def test_handoff_without_country(lang, text):
    messages, events = await run(ActionHandoff(), make_tracker(text, lang, "human_handoff"))
    assert names(messages) == ["utter_handoff", "utter_channel_info", "utter_ask_country"]  # the live chat needs no country
    assert events == [SlotSet("last_topic", "handoff")]


@aio
@pytest.mark.parametrize("lang,word,name", [("de", "Spanien", "Spanien"), ("en", "Spain", "Spain")])
async def test_handoff_with_country(lang, word, name):
    messages, events = await run(ActionHandoff(), make_tracker(f"Mensch bitte, {word}", lang, "human_handoff", [("country", word)]))
    assert names(messages) == ["utter_handoff", "utter_hotline", "utter_open_now"]
    assert (messages[1]["country"], messages[1]["number"]) == (name, "900 128 128")
    assert events == [SlotSet("last_topic", "handoff"), SlotSet("country", "ES"), SlotSet("last_countries", ["ES"])]


@aio
@pytest.mark.parametrize(
    "lang,word,areas",
    [("de", "Malaysia", "Indonesien, Malaysia und Philippinen"), ("en", "Malaysia", "Indonesia, Malaysia and Philippines")],
)
async def test_handoff_in_a_whatsapp_area_mentions_whatsapp(lang, word, areas):
    messages, events = await run(ActionHandoff(), make_tracker(f"human, {word}", lang, "human_handoff", [("country", word)]))
    assert names(messages) == ["utter_handoff", "utter_hotline", "utter_closed_now", "utter_days_not_given", "utter_whatsapp_areas"]
    assert messages[1]["number"] == "1800 18 0112"
    assert messages[-1]["areas"] == areas
    assert events == [SlotSet("last_topic", "handoff"), SlotSet("country", "MY"), SlotSet("last_countries", ["MY"])]


@aio
@pytest.mark.parametrize("lang", ["de", "en"])
async def test_handoff_uses_the_country_of_the_conversation(lang):
    messages, events = await run(ActionHandoff(), make_tracker("Mitarbeiter bitte", lang, "human_handoff", slots={"country": "DE"}))
    assert names(messages) == ["utter_handoff", "utter_hotline", "utter_open_now"]
    assert messages[1]["number"] == "0800 223 11 44"
    assert messages[1]["country"] == ("Deutschland" if lang == "de" else "Germany")
    assert events == [SlotSet("last_topic", "handoff"), SlotSet("country", "DE"), SlotSet("last_countries", ["DE"])]


@aio
@pytest.mark.parametrize("lang", ["de", "en"])
async def test_handoff_for_country_without_hotline(lang):
    messages, _ = await run(ActionHandoff(), make_tracker("human China", lang, "human_handoff", [("country", "China")]))
    assert names(messages) == ["utter_handoff", "utter_no_hotline_known", "utter_hotlines_known"]
    no_number_given(messages)


# --- service partner -----------------------------------------------------------------


@aio
@pytest.mark.parametrize(
    "lang,word,code,response,name,partners",
    [
        ("de", "UK", "GB", "utter_partner_country", "UK", "SBE Ltd"),
        ("en", "the UK", "GB", "utter_partner_country", "UK", "SBE Ltd"),
        ("de", "Spanien", "ES", "utter_partner_country", "Spanien", "Anovo und B2X"),
        ("en", "Spain", "ES", "utter_partner_country", "Spain", "Anovo and B2X"),
        ("de", "Deutschland", "DE", "utter_partner_country", "Deutschland", "B2X"),
        ("en", "Germany", "DE", "utter_partner_country", "Germany", "B2X"),
        ("de", "Indien", "IN", "utter_partner_direct", "Indien", None),
        ("en", "India", "IN", "utter_partner_direct", "India", None),
        ("en", "China", "CN", "utter_partner_direct", "China", None),
        ("de", "Malaysia", "MY", "utter_partner_none_named", "Malaysia", None),
        ("de", "Österreich", "AT", "utter_partner_none_named", "Österreich", None),
        ("en", "Austria", "AT", "utter_partner_none_named", "Austria", None),
    ],
)
async def test_service_partner_by_country(lang, word, code, response, name, partners):
    messages, events = await run(ActionServicePartner(), make_tracker(f"Wer macht den Service in {word}?", lang, "ask_service_partner", [("country", word)]))
    hotline = getattr(knowledge().countries.get(code), "hotline", None)  # Austria is not in the source
    # where the source knows no hotline, the answer still ends with a channel it names
    assert names(messages) == [response] + (["utter_next_step_hotline"] if hotline else ["utter_next_step_website"])
    if hotline:
        assert messages[1]["number"] == hotline.number
    assert messages[0]["country"] == name
    if partners is not None:
        assert messages[0]["partners"] == partners
    assert events == [SlotSet("last_topic", "partner"), SlotSet("country", code), SlotSet("last_countries", [code])]


@aio
@pytest.mark.parametrize("lang,name,region", [("de", "Vereinigte Staaten", "Nordamerika"), ("en", "United States", "North America")])
async def test_service_partner_usa(lang, name, region):
    messages, events = await run(ActionServicePartner(), make_tracker("service partner USA", lang, "ask_service_partner", [("country", "USA")]))
    assert names(messages) == ["utter_partner_model_region", "utter_next_step_website"]
    assert (messages[0]["region"], messages[0]["country"]) == (region, name)
    assert events == [SlotSet("last_topic", "partner"), SlotSet("country", "US"), SlotSet("last_countries", ["US"])]


@aio
@pytest.mark.parametrize("lang", ["de", "en"])
async def test_service_partner_overview_without_country(lang):
    messages, events = await run(ActionServicePartner(), make_tracker("Wer sind die Servicepartner?", lang, "ask_service_partner"))
    assert names(messages) == ["utter_partner_overview"]
    assert events == [SlotSet("last_topic", "partner")]


# --- regional service ---------------------------------------------------------------


@aio
@pytest.mark.parametrize(
    "lang,text,word,region,fact",
    [
        ("de", "Wie ist der Service in Südostasien?", "Südostasien", "Südostasien", "WhatsApp-Integrationen für die Diagnose"),
        ("en", "how does service work in south east asia", "south east asia", "South-East Asia", "WhatsApp integrations for diagnosis"),
        ("de", "Wie läuft der Service in Europa?", "Europa", "Europa", "autorisierte Servicepartner"),
        ("en", "how is service in europe", "europe", "Europe", "authorised service partners"),
        ("en", "service in asia", "asia", "South-East Asia", "island populations"),
    ],
)
async def test_regional_service_by_region(lang, text, word, region, fact):
    messages, events = await run(ActionRegionalService(), make_tracker(text, lang, "ask_regional_service", [("region", word)]))
    assert names(messages) == ["utter_regional_model"]
    assert messages[0]["region"] == region
    assert fact in messages[0]["model"]
    ident = {"Südostasien": "sea", "South-East Asia": "sea", "Europa": "europe", "Europe": "europe"}[region]
    assert events == [SlotSet("last_topic", "regional"), SlotSet("last_entry", f"region:{ident}")]


@aio
@pytest.mark.parametrize(
    "lang,word,code,region,fact,partner_response,partners",
    [
        ("de", "UK", "GB", "Europa (UK)", "DSGVO", "utter_partner_country", "SBE Ltd"),
        ("en", "UK", "GB", "Europe (UK)", "GDPR", "utter_partner_country", "SBE Ltd"),
        ("de", "Spanien", "ES", "Europa (Spanien)", "EU-Garantiegesetze", "utter_partner_country", "Anovo und B2X"),
        ("en", "Malaysia", "MY", "South-East Asia (Malaysia)", "remote diagnostics", "utter_partner_none_named", None),
    ],
)
async def test_regional_service_by_country(lang, word, code, region, fact, partner_response, partners):
    messages, events = await run(ActionRegionalService(), make_tracker(f"Service in {word}", lang, "ask_regional_service", [("country", word)]))
    # the region's model, the country's own set-up with its hotline, who runs service
    assert names(messages) == ["utter_regional_model", "utter_hotline", partner_response]
    assert messages[0]["region"] == region
    assert fact in messages[0]["model"]
    assert messages[1]["number"] == knowledge().countries[code].hotline.number
    if partners:
        assert messages[2]["partners"] == partners
    ident = knowledge().countries[code].service_region
    assert events == [SlotSet("last_topic", "regional"), SlotSet("country", code), SlotSet("last_countries", [code]),
                      SlotSet("last_entry", f"region:{ident}")]


@aio
@pytest.mark.parametrize(
    "lang,word,fact",
    [("de", "Indien", "mehr als 100 Servicezentren"), ("en", "India", "more than 100 service centres")],
)
async def test_regional_service_india(lang, word, fact):
    messages, events = await run(ActionRegionalService(), make_tracker(f"Service in {word}", lang, "ask_regional_service", [("country", word)]))
    assert names(messages) == ["utter_regional_model", "utter_hotline", "utter_partner_direct"]
    assert messages[0]["region"].startswith(word)
    assert fact in messages[0]["model"]
    assert messages[2]["country"] == word
    assert events == [SlotSet("last_topic", "regional"), SlotSet("country", "IN"), SlotSet("last_countries", ["IN"]),
                      SlotSet("last_entry", "region:india")]


@aio
@pytest.mark.parametrize("lang,word", [("de", "Indien"), ("en", "India"), ("de", "China")])
async def test_regional_service_label_does_not_repeat_the_country(lang, word):
    messages, _ = await run(ActionRegionalService(), make_tracker(f"Service in {word}", lang, "ask_regional_service", [("country", word)]))
    assert messages[0]["region"] == word


@aio
@pytest.mark.parametrize("lang", ["de", "en"])
async def test_regional_service_overview_without_country(lang):
    messages, events = await run(ActionRegionalService(), make_tracker("regionaler Service", lang, "ask_regional_service"))
    assert names(messages) == ["utter_regional_overview"]
    assert events == [SlotSet("last_topic", "regional"), SlotSet("last_entry", None)]


@aio
@pytest.mark.parametrize("lang,word,name", [("de", "Österreich", "Österreich"), ("en", "Austria", "Austria")])
async def test_regional_service_uncovered_country(lang, word, name):
    messages, events = await run(ActionRegionalService(), make_tracker(f"Service in {word}", lang, "ask_regional_service", [("country", word)]))
    assert names(messages) == ["utter_region_not_covered"]
    assert messages[0]["country"] == name
    assert events == [SlotSet("last_topic", "regional"), SlotSet("country", "AT"), SlotSet("last_countries", ["AT"]),
                      SlotSet("last_entry", None)]


# --- warranty period -----------------------------------------------------------------


@aio
@pytest.mark.parametrize(
    "lang,word,code,place,months,rule",
    [
        ("de", "Deutschland", "DE", "Für in Deutschland gekaufte Geräte", "24 Monate", EU_RULE_DE),
        ("en", "Italy", "IT", "For devices bought in Italy", "24 months", EU_RULE_EN),
        ("de", "Österreich", "AT", "Für in Österreich gekaufte Geräte", "24 Monate", EU_RULE_DE),  # another EU country
    ],
)
async def test_warranty_period_eu_country(lang, word, code, place, months, rule):
    messages, events = await run(ActionWarrantyPeriod(), make_tracker(f"Garantie {word}", lang, "ask_warranty_period", [("country", word)]))
    assert names(messages) == ["utter_warranty_period_mandatory", "utter_eu_rule"]
    assert (messages[0]["place"], messages[0]["months"]) == (place, months)
    assert messages[1]["rule"] == rule
    assert events == [SlotSet("last_topic", "warranty_period"), SlotSet("country", code), SlotSet("last_countries", [code])]


@aio
@pytest.mark.parametrize(
    "lang,word,code,place,months",
    [
        ("de", "Indien", "IN", "Für in Indien gekaufte Geräte", "12 Monate"),
        ("en", "India", "IN", "For devices bought in India", "12 months"),
        ("de", "Indonesien", "ID", "Für in Indonesien gekaufte Geräte", "12 Monate"),
    ],
)
async def test_warranty_period_india_and_south_east_asia(lang, word, code, place, months):
    messages, events = await run(ActionWarrantyPeriod(), make_tracker(f"Garantie {word}", lang, "ask_warranty_period", [("country", word)]))
    assert names(messages) == ["utter_warranty_period_usually"]
    assert (messages[0]["place"], messages[0]["months"]) == (place, months)
    assert events == [SlotSet("last_topic", "warranty_period"), SlotSet("country", code), SlotSet("last_countries", [code])]


@aio
@pytest.mark.parametrize("lang,product,months", [("de", "Ladegerät", "6 Monate"), ("en", "charger", "6 months")])
async def test_warranty_period_accessory(lang, product, months):
    tracker = make_tracker(f"Garantie für ein {product} aus Deutschland", lang, "ask_warranty_period", [("product", product), ("country", "Deutschland")])
    messages, events = await run(ActionWarrantyPeriod(), tracker)
    assert names(messages) == ["utter_warranty_period_accessory", "utter_warranty_rule_note_usually"]
    assert messages[0]["months"] == months
    # the country stays for "and the phone itself?"
    assert events == [SlotSet("last_topic", "warranty_period"), SlotSet("country", "DE"), SlotSet("last_countries", ["DE"])]


@aio
@pytest.mark.parametrize("lang, text, product, device, months", [
    ("de", "garantie zubehoer vs handy in der EU und in indien?", "zubehoer", "handy", ["6 Monate", "24 Monate", "12 Monate"]),
    ("en", "warranty for accessories and phones in india?", "accessories", "phones", ["6 months", "12 months"]),
])
async def test_warranty_period_accessory_and_device_both_answered(lang, text, product, device, months):
    entities = [("product", product), ("product", device), ("country", "indien" if lang == "de" else "india")]
    if " EU " in text:
        entities.append(("region", "EU"))
    messages, _ = await run(ActionWarrantyPeriod(), make_tracker(text, lang, "ask_warranty_period", entities))
    assert [m["months"] for m in messages if "months" in m] == months


@aio
@pytest.mark.parametrize(
    "lang,contact",
    [
        ("de", "UK: 0800 021 1888 (Montag bis Freitag 09:00–18:00 Uhr)"),
        ("en", "UK: 0800 021 1888 (Monday to Friday 09:00–18:00)"),
    ],
)
async def test_warranty_period_uk_is_unknown_with_hotline_contact(lang, contact):
    messages, events = await run(ActionWarrantyPeriod(), make_tracker("Garantie UK", lang, "ask_warranty_period", [("country", "UK")]))
    assert names(messages) == ["utter_warranty_period_unknown"]
    assert (messages[0]["country"], messages[0]["contact"]) == ("UK", contact)
    assert "months" not in messages[0]
    assert events == [SlotSet("last_topic", "warranty_period"), SlotSet("country", "GB"), SlotSet("last_countries", ["GB"])]


@aio
@pytest.mark.parametrize("lang,name", [("de", "Vereinigte Staaten"), ("en", "United States")])
async def test_warranty_period_usa_is_unknown_with_website_contact(lang, name):
    messages, _ = await run(ActionWarrantyPeriod(), make_tracker("Garantie USA", lang, "ask_warranty_period", [("country", "USA")]))
    assert names(messages) == ["utter_warranty_period_unknown", "utter_contact_website"]
    assert (messages[0]["country"], messages[0]["contact"]) == (name, "")


@aio
@pytest.mark.parametrize("lang", ["de", "en"])
async def test_warranty_period_overview_without_country(lang):
    messages, events = await run(ActionWarrantyPeriod(), make_tracker("Wie lange ist die Garantie?", lang, "ask_warranty_period"))
    assert names(messages) == ["utter_warranty_overview"]
    assert events == [SlotSet("last_topic", "warranty_period")]


@aio
@pytest.mark.parametrize(
    "lang,word,response,place,months",
    [
        ("de", "EU", "utter_warranty_period_mandatory", "In der EU", "24 Monate"),
        ("en", "South-East Asia", "utter_warranty_period_usually", "In South-East Asia (Indonesia, Malaysia, the Philippines)", "12 months"),
    ],
)
async def test_warranty_period_by_region(lang, word, response, place, months):
    messages, events = await run(ActionWarrantyPeriod(), make_tracker(f"warranty in {word}", lang, "ask_warranty_period", [("region", word)]))
    assert names(messages) == [response]
    assert (messages[0]["place"], messages[0]["months"]) == (place, months)
    assert events == [SlotSet("last_topic", "warranty_period")]


@aio
async def test_warranty_period_uses_the_country_of_the_conversation():
    messages, events = await run(ActionWarrantyPeriod(), make_tracker("und die Garantie?", "de", "ask_warranty_period", slots={"country": "PL"}))
    assert messages[0]["place"] == "Für in Polen gekaufte Geräte"
    assert messages[0]["months"] == "24 Monate"
    assert events == [SlotSet("last_topic", "warranty_period"), SlotSet("country", "PL"), SlotSet("last_countries", ["PL"])]


@aio
@pytest.mark.parametrize("lang", ["de", "en"])
async def test_warranty_period_unrecognised_country(lang):
    messages, events = await run(ActionWarrantyPeriod(), make_tracker("Garantie Narnia", lang, "ask_warranty_period", [("country", "Narnia")]))
    assert names(messages) == ["utter_country_unknown"]
    assert messages[0]["value"] == "Narnia"
    assert events == [SlotSet("last_topic", "warranty_period")]


# --- EU rule -----------------------------------------------------------------------------


@aio
@pytest.mark.parametrize(
    "lang,text,bought,service,code,rule",
    [
        ("de", "In Spanien gekauft, kann ich es in Deutschland reparieren lassen?", "Spanien", "Deutschland", "ES", EU_RULE_DE),
        ("en", "bought in France, can I get it repaired in Italy?", "France", "Italy", "FR", EU_RULE_EN),
    ],
)
async def test_eu_rule_with_two_eu_countries(lang, text, bought, service, code, rule):
    tracker = make_tracker(text, lang, "ask_eu_warranty", [("country", bought), ("country", service)])
    messages, events = await run(ActionEuWarranty(), tracker)
    assert names(messages) == ["utter_eu_rule_yes", "utter_eu_rule"]
    assert (messages[0]["bought"], messages[0]["service"]) == (bought, service)
    assert messages[1]["rule"] == rule
    assert events == [SlotSet("last_topic", "eu_rule"), SlotSet("country", code), SlotSet("last_countries", [code])]


@aio
@pytest.mark.parametrize(
    "lang,text,contact,rule",
    [
        ("de", "In UK gekauft, kann ich es in Deutschland reparieren lassen?", "UK: 0800 021 1888 (Montag bis Freitag 09:00–18:00 Uhr)", EU_RULE_DE),
        ("en", "bought in the UK, can it be serviced in Germany?", "UK: 0800 021 1888 (Monday to Friday 09:00–18:00)", EU_RULE_EN),
    ],
)
async def test_eu_rule_with_the_uk(lang, text, contact, rule):
    germany = "Deutschland" if lang == "de" else "Germany"
    messages, events = await run(ActionEuWarranty(), make_tracker(text, lang, "ask_eu_warranty", [("country", "UK"), ("country", germany)]))
    assert names(messages) == ["utter_eu_rule", "utter_eu_rule_outside"]
    assert "utter_eu_rule_yes" not in names(messages)
    assert messages[0]["rule"] == rule
    assert (messages[1]["country"], messages[1]["contact"]) == ("UK", contact)
    assert events == [SlotSet("last_topic", "eu_rule"), SlotSet("country", "GB"), SlotSet("last_countries", ["GB"])]


@aio
@pytest.mark.parametrize("lang,rule", [("de", EU_RULE_DE), ("en", EU_RULE_EN)])
async def test_eu_rule_without_countries(lang, rule):
    messages, events = await run(ActionEuWarranty(), make_tracker("EU-Garantie?", lang, "ask_eu_warranty"))
    assert names(messages) == ["utter_eu_rule"]
    assert messages[0]["rule"] == rule
    assert events == [SlotSet("last_topic", "eu_rule")]


# --- IWS ---------------------------------------------------------------------------------


@aio
@pytest.mark.parametrize("lang,excludes", [("de", IWS_EXCLUDES_DE), ("en", IWS_EXCLUDES_EN)])
async def test_iws_eligible_model(lang, excludes):
    messages, events = await run(ActionIws(), make_tracker("Hat das 13 pro IWS?", lang, "ask_iws", [("product", "13 pro")]))
    assert names(messages) == ["utter_iws_eligible"]
    assert (messages[0]["model"], messages[0]["excludes"]) == ("Xiaomi 13 Pro", excludes)
    assert events == [SlotSet("last_topic", "iws")]


@aio
@pytest.mark.parametrize("lang,models", [("de", IWS_MODELS_DE), ("en", IWS_MODELS_EN)])
async def test_iws_not_eligible_model(lang, models):
    messages, events = await run(ActionIws(), make_tracker("Redmi Note 13 IWS?", lang, "ask_iws", [("product", "Redmi Note 13")]))
    assert names(messages) == ["utter_iws_not_eligible"]
    assert (messages[0]["product"], messages[0]["models"]) == ("Redmi Note 13", models)
    assert events == [SlotSet("last_topic", "iws")]


@aio
@pytest.mark.parametrize(
    "lang,models,covers,excludes,what",
    [
        ("de", IWS_MODELS_DE, "Reparaturen", IWS_EXCLUDES_DE, "unabhängig davon, wo das Gerät ursprünglich gekauft wurde"),
        ("en", IWS_MODELS_EN, "repairs", IWS_EXCLUDES_EN, "regardless of where the device was originally bought"),
    ],
)
async def test_iws_overview(lang, models, covers, excludes, what):
    messages, events = await run(ActionIws(), make_tracker("Was ist IWS?", lang, "ask_iws"))
    assert names(messages) == ["utter_iws_overview", "utter_iws_countries_unknown"]
    overview = messages[0]
    assert (overview["models"], overview["covers"], overview["excludes"]) == (models, covers, excludes)
    assert what in overview["what"]
    assert events == [SlotSet("last_topic", "iws")]


@aio
async def test_iws_inform_uses_the_product_slot():
    messages, _ = await run(ActionIws(), make_tracker("mix flip", "en", "inform", slots={"product": "Xiaomi MIX Flip"}))
    assert names(messages) == ["utter_iws_eligible"]
    assert messages[0]["model"] == "Xiaomi MIX Flip"


# --- channels and self-service ------------------------------------------------------------


# The one entry an answer was about, for follow-ups ("wo bekomm ich die?"); none after an overview.
CHANNEL_ENTRY = {"Webseite": "channel:website", "live chat": "channel:website", "support app": "channel:app", "Telefon": "channel:hotline",
                 "premium service center": "channel:premium_centre", "WhatsApp": "channel:whatsapp", "whatsapp": "channel:whatsapp"}
TOOL_ENTRY = {"Forum": "tool:mi_community", "memeos enhancer": "tool:memeos_enhancer", "hyperosupdates.com": "tool:hyperosupdates"}


@aio
@pytest.mark.parametrize(
    "lang,lines",
    [
        ("de", [
            "• Telefon-Hotline: Regionale Support-Hotlines mit ortsabhängigen Servicezeiten",
            "• Offizielle Website: Live-Chat, Garantieprüfung und Buchung von Reparaturen",
            "• Xiaomi Support App: Firmware-Diagnose und Service-Terminierung",
            "• WhatsApp (ausgewählte Gebiete): Schnelle Kommunikation und Verfolgung des Status",
            "• Premium-Servicezentren: Vor-Ort-Reparatur und Beratung für Flaggschiff-Modelle",
        ]),
        ("en", [
            "• Phone hotline: Regional support hotlines with service hours that depend on the location",
            "• Official website: Live chat, warranty check and repair booking",
            "• Xiaomi Support app: Firmware diagnostics and scheduling a service appointment",
            "• WhatsApp (selected areas): Quick communication and status tracking",
            "• Premium service centres: On-site repair and advice for flagship models",
        ]),
    ],
)
async def test_channels_overview(lang, lines):
    messages, events = await run(ActionChannels(), make_tracker("Wie erreiche ich den Support?", lang, "ask_channels"))
    assert names(messages) == ["utter_channels_overview"]
    assert messages[0]["channels"].split("\n") == lines
    assert events == [SlotSet("last_topic", "channels"), SlotSet("last_entry", CHANNEL_ENTRY.get(locals().get("word")))]


@aio
@pytest.mark.parametrize(
    "lang,word,name,purpose",
    [
        ("de", "Webseite", "Offizielle Website", "Live-Chat, Garantieprüfung und Buchung von Reparaturen"),
        ("en", "live chat", "Official website", "Live chat, warranty check and repair booking"),
        ("en", "support app", "Xiaomi Support app", "Firmware diagnostics and scheduling a service appointment"),
        ("de", "Telefon", "Telefon-Hotline", "Regionale Support-Hotlines mit ortsabhängigen Servicezeiten"),
        ("en", "premium service center", "Premium service centres", "On-site repair and advice for flagship models"),
    ],
)
async def test_one_channel(lang, word, name, purpose):
    messages, events = await run(ActionChannels(), make_tracker(f"{word}?", lang, "ask_channels", [("channel", word)]))
    assert names(messages) == ["utter_channel_info"]
    assert (messages[0]["name"], messages[0]["purpose"]) == (name, purpose)
    assert events == [SlotSet("last_topic", "channels"), SlotSet("last_entry", CHANNEL_ENTRY.get(locals().get("word")))]


@aio
@pytest.mark.parametrize(
    "lang,word,name,purpose,areas,until_country",
    [
        ("de", "WhatsApp", "WhatsApp (ausgewählte Gebiete)", "Schnelle Kommunikation und Verfolgung des Status",
         "Indonesien, Malaysia und Philippinen", "Indonesien"),
        ("en", "whatsapp", "WhatsApp (selected areas)", "Quick communication and status tracking",
         "Indonesia, Malaysia and Philippines", "Indonesia"),
    ],
)
async def test_whatsapp_channel(lang, word, name, purpose, areas, until_country):
    messages, events = await run(ActionChannels(), make_tracker(f"Gibt es {word}?", lang, "ask_channels", [("channel", word)]))
    assert names(messages) == ["utter_channel_info", "utter_whatsapp_areas", "utter_whatsapp_until"]
    assert (messages[0]["name"], messages[0]["purpose"]) == (name, purpose)
    assert messages[1]["areas"] == areas
    assert (messages[2]["country"], messages[2]["until"]) == (until_country, "24:00")
    assert events == [SlotSet("last_topic", "channels"), SlotSet("last_entry", CHANNEL_ENTRY.get(locals().get("word")))]


@aio
@pytest.mark.parametrize(
    "lang,lines",
    [
        ("de", [
            "• Mi Community-Foren: Diskussionen und grundlegende Fehlerbehebung durch Gleichgesinnte",
            "• HyperOSUpdates.com: HyperOS-Firmware-Pakete und Updates prüfen",
            "• MemeOS Enhancer (Play Store): Aktualisiert System-Apps, aktiviert versteckte Xiaomi-Funktionen und ermöglicht HyperOS OTA-Downloads",
        ]),
        ("en", [
            "• Mi Community forums: Discussions and basic troubleshooting by fellow users",
            "• HyperOSUpdates.com: Check HyperOS firmware packages and updates",
            "• MemeOS Enhancer (Play Store): Updates system apps, enables hidden Xiaomi features and allows HyperOS OTA downloads",
        ]),
    ],
)
async def test_self_service_overview(lang, lines):
    messages, events = await run(ActionSelfService(), make_tracker("Self-Service?", lang, "ask_self_service"))
    assert names(messages) == ["utter_self_service_overview"]
    assert messages[0]["tools"].split("\n") == lines
    assert events == [SlotSet("last_topic", "self_service"), SlotSet("last_entry", TOOL_ENTRY.get(locals().get("word")))]


@aio
@pytest.mark.parametrize(
    "lang,word,name,purpose",
    [
        ("de", "Forum", "Mi Community-Foren", "Diskussionen und grundlegende Fehlerbehebung durch Gleichgesinnte"),
        ("en", "memeos enhancer", "MemeOS Enhancer (Play Store)", "Updates system apps, enables hidden Xiaomi features and allows HyperOS OTA downloads"),
        ("en", "hyperosupdates.com", "HyperOSUpdates.com", "Check HyperOS firmware packages and updates"),
    ],
)
async def test_one_self_service_tool(lang, word, name, purpose):
    messages, events = await run(ActionSelfService(), make_tracker(f"was ist {word}", lang, "ask_self_service", [("tool", word)]))
    assert names(messages) == ["utter_tool_info"]
    assert (messages[0]["name"], messages[0]["purpose"]) == (name, purpose)
    assert events == [SlotSet("last_topic", "self_service"), SlotSet("last_entry", TOOL_ENTRY.get(locals().get("word")))]


# --- follow-ups ------------------------------------------------------------------------------

# topic: (responses, key values of the first topic message) for "und in Spanien?" (de) / "what about Poland" (en)
FOLLOWUPS = {
    "hotline": {
        "de": (["utter_hotline", "utter_open_now"], {"number": "900 128 128", "country": "Spanien"}),
        "en": (["utter_hotline", "utter_open_now"], {"number": "+48 800 111 332", "country": "Poland"}),
    },
    "hours": {
        "de": (["utter_hotline", "utter_open_now"], {"hours": "Montag bis Freitag 09:00–21:00 Uhr", "country": "Spanien"}),
        "en": (["utter_hotline", "utter_open_now"], {"hours": "Monday to Friday 08:00–20:00", "country": "Poland"}),
    },
    "handoff": {
        "de": (["utter_handoff", "utter_hotline", "utter_open_now"], {"number": "900 128 128"}),
        "en": (["utter_handoff", "utter_hotline", "utter_open_now"], {"number": "+48 800 111 332"}),
    },
    "partner": {
        "de": (["utter_partner_country", "utter_next_step_hotline"], {"partners": "Anovo und B2X", "country": "Spanien"}),
        "en": (["utter_partner_country", "utter_next_step_hotline"], {"partners": "B2X", "country": "Poland"}),
    },
    "regional": {
        "de": (["utter_regional_model", "utter_hotline", "utter_partner_country"], {"region": "Europa (Spanien)"}),
        "en": (["utter_regional_model", "utter_hotline", "utter_partner_country"], {"region": "Europe (Poland)"}),
    },
    "warranty_period": {
        "de": (["utter_warranty_period_mandatory", "utter_eu_rule"], {"months": "24 Monate", "place": "Für in Spanien gekaufte Geräte"}),
        "en": (["utter_warranty_period_mandatory", "utter_eu_rule"], {"months": "24 months", "place": "For devices bought in Poland"}),
    },
}
FOLLOWUP_MESSAGES = {"de": ("und in Spanien?", "Spanien", "ES"), "en": ("what about Poland", "Poland", "PL")}


@aio
@pytest.mark.parametrize("lang", ["de", "en"])
@pytest.mark.parametrize("topic", sorted(FOLLOWUPS))
async def test_followup_with_a_new_country_answers_the_last_topic(topic, lang):
    text, word, code = FOLLOWUP_MESSAGES[lang]
    tracker = make_tracker(text, lang, "inform", [("country", word)], slots={"last_topic": topic, "country": "DE"})
    messages, events = await run(ActionFollowup(), tracker)
    expected_names, values = FOLLOWUPS[topic][lang]
    assert names(messages) == expected_names
    first = next(m for m in messages if m["response"] != "utter_handoff")
    for key, value in values.items():
        assert first[key] == value, (key, first)
    assert events == [SlotSet("last_topic", topic), SlotSet("country", code), SlotSet("last_countries", [code])]


@aio
@pytest.mark.parametrize("lang", ["de", "en"])
@pytest.mark.parametrize("topic", [None, "iws", "self_service"])
async def test_followup_country_without_country_topic_asks_what(topic, lang):
    text, word, code = FOLLOWUP_MESSAGES[lang]
    tracker = make_tracker(text, lang, "inform", [("country", word)], slots={"last_topic": topic})
    messages, events = await run(ActionFollowup(), tracker)
    assert names(messages) == ["utter_followup_what"]
    assert (messages[0]["country"], messages[0]["code"]) == (word, code)
    assert events == [SlotSet("last_topic", None), SlotSet("country", code), SlotSet("last_countries", [code])]


@aio
@pytest.mark.parametrize("lang", ["de", "en"])
async def test_followup_unrecognised_country(lang):
    tracker = make_tracker("und Narnia?", lang, "inform", [("country", "Narnia")], slots={"last_topic": "hotline", "country": "DE"})
    messages, events = await run(ActionFollowup(), tracker)
    assert names(messages) == ["utter_country_unknown"]
    assert messages[0]["value"] == "Narnia"
    assert events == []


@aio
@pytest.mark.parametrize("lang,excludes", [("de", IWS_EXCLUDES_DE), ("en", IWS_EXCLUDES_EN)])
async def test_followup_product_after_iws(lang, excludes):
    tracker = make_tracker("Xiaomi 14 Ultra", lang, "inform", [("product", "Xiaomi 14 Ultra")], slots={"last_topic": "iws"})
    messages, events = await run(ActionFollowup(), tracker)
    assert names(messages) == ["utter_iws_eligible"]
    assert (messages[0]["model"], messages[0]["excludes"]) == ("Xiaomi 14 Ultra", excludes)
    assert events == [SlotSet("last_topic", "iws")]


@aio
@pytest.mark.parametrize("lang,text,date_word", [("de", "gekauft am 10.03.2025 in Italien", "10.03.2025"), ("en", "bought on 10 March 2025 in Italy", "10 March 2025")])
async def test_followup_with_a_purchase_date_starts_the_warranty_form(lang, text, date_word):
    country_word = "Italien" if lang == "de" else "Italy"
    tracker = make_tracker(text, lang, "inform", [("purchase_date", date_word), ("country", country_word)], slots={"last_topic": "hotline"})
    messages, events = await run(ActionFollowup(), tracker)
    assert messages == []
    assert events == [FollowupAction("warranty_form")]


@aio
@pytest.mark.parametrize("lang", ["de", "en"])
async def test_followup_without_information_keeps_the_topic(lang):
    messages, events = await run(ActionFollowup(), make_tracker("hmm", lang, "inform", slots={"last_topic": "partner"}))
    assert names(messages) == ["utter_default"]
    assert events == [SlotSet("last_topic", "partner")]


# --- warranty check (after the form) ------------------------------------------------------------

RESET = [SlotSet("product", None), SlotSet("purchase_date", None), SlotSet("purchase_country", None)]


def form_slots(product: str, purchase_date: str, country: str) -> Dict[str, Any]:
    """The slots as ValidateWarrantyForm leaves them: product text, ISO date, ISO country code."""
    return {"product": product, "purchase_date": purchase_date, "purchase_country": country, "requested_slot": None}


@aio
@pytest.mark.parametrize(
    "lang,product,values,hotline",
    [
        ("de", "Smartphone",
         {"product": "Smartphone", "purchase": "10. März 2025", "country": "Deutschland", "period": "24 Monate", "end": "10. März 2027", "remaining": "105 Tage"},
         {"country": "Deutschland", "number": "0800 223 11 44", "hours": "Montag bis Freitag 08:00–20:00 Uhr"}),
        ("en", "phone",
         {"product": "phone", "purchase": "10 March 2025", "country": "Germany", "period": "24 months", "end": "10 March 2027", "remaining": "105 days"},
         {"country": "Germany", "number": "0800 223 11 44", "hours": "Monday to Friday 08:00–20:00"}),
    ],
)
async def test_warranty_check_covered(lang, product, values, hotline):
    messages, events = await run(ActionWarrantyCheck(), make_tracker("10.03.2025", lang, "inform", slots=form_slots(product, "2025-03-10", "DE")))
    assert names(messages) == ["utter_warranty_covered", "utter_next_step_hotline"]
    assert {k: messages[0][k] for k in values} == values
    assert {k: messages[1][k] for k in hotline} == hotline
    assert events[:6] == RESET + [SlotSet("last_topic", "warranty_check"), SlotSet("country", "DE"), SlotSet("last_countries", ["DE"])]
    assert SlotSet("bought_in", "DE") in events  # kept for follow-ups


@aio
@pytest.mark.parametrize("purchase,response", [("2024-11-25", "utter_warranty_last_day"), ("2024-11-26", "utter_warranty_covered"),
                                               ("2024-11-24", "utter_warranty_expired")])
async def test_warranty_check_last_day_is_said_plainly(purchase, response):
    messages, _ = await run(ActionWarrantyCheck(), make_tracker("", "de", "inform", slots=form_slots("Smartphone", purchase, "DE")))
    assert names(messages)[0] == response
    assert "remaining" not in messages[0] or messages[0]["remaining"] == "1 Tag"


@aio
@pytest.mark.parametrize(
    "lang,product,country,values,note",
    [
        ("de", "Smartphone", "DE",
         {"purchase": "10. März 2024", "country": "Deutschland", "period": "24 Monate", "end": "10. März 2026", "expired": "260 Tage"}, False),
        ("en", "phone", "IN",
         {"purchase": "10 March 2024", "country": "India", "period": "12 months", "end": "10 March 2025", "expired": "625 days"}, True),
    ],
)
async def test_warranty_check_expired(lang, product, country, values, note):
    messages, events = await run(ActionWarrantyCheck(), make_tracker("", lang, "inform", slots=form_slots(product, "2024-03-10", country)))
    expected = ["utter_warranty_expired"] + (["utter_warranty_rule_note_usually"] if note else []) + ["utter_next_step_hotline"]
    assert names(messages) == expected
    assert {k: messages[0][k] for k in values} == values
    assert events[:6] == RESET + [SlotSet("last_topic", "warranty_check"), SlotSet("country", country), SlotSet("last_countries", [country])]
    assert SlotSet("bought_in", country) in events  # kept for follow-ups


@aio
@pytest.mark.parametrize(
    "lang,product,purchase,response,values",
    [
        ("de", "Ladegerät", "2026-08-01", "utter_warranty_covered",
         {"product": "Ladegerät", "period": "6 Monate", "end": "1. Februar 2027", "remaining": "68 Tage", "country": "Frankreich"}),
        ("en", "charger", "2026-01-01", "utter_warranty_expired",
         {"product": "charger", "period": "6 months", "end": "1 July 2026", "expired": "147 days", "country": "France"}),
    ],
)
async def test_warranty_check_accessory(lang, product, purchase, response, values):
    messages, events = await run(ActionWarrantyCheck(), make_tracker("", lang, "inform", slots=form_slots(product, purchase, "FR")))
    assert names(messages) == [response, "utter_warranty_rule_note_usually", "utter_next_step_hotline"]
    assert {k: messages[0][k] for k in values} == values
    assert messages[2]["number"] == "0805 370 916"
    assert events[:6] == RESET + [SlotSet("last_topic", "warranty_check"), SlotSet("country", "FR"), SlotSet("last_countries", ["FR"])]
    assert SlotSet("bought_in", "FR") in events  # kept for follow-ups


@aio
@pytest.mark.parametrize(
    "lang,contact",
    [
        ("de", "UK: 0800 021 1888 (Montag bis Freitag 09:00–18:00 Uhr)"),
        ("en", "UK: 0800 021 1888 (Monday to Friday 09:00–18:00)"),
    ],
)
async def test_warranty_check_country_without_rule_uk(lang, contact):
    messages, events = await run(ActionWarrantyCheck(), make_tracker("", lang, "inform", slots=form_slots("Smartphone", "2026-01-01", "GB")))
    assert names(messages) == ["utter_warranty_check_unknown"]
    assert (messages[0]["country"], messages[0]["contact"]) == ("UK", contact)
    assert events[:6] == RESET + [SlotSet("last_topic", "warranty_check"), SlotSet("country", "GB"), SlotSet("last_countries", ["GB"])]
    assert SlotSet("bought_in", "GB") in events  # kept for follow-ups


@aio
@pytest.mark.parametrize("lang,name", [("de", "Vereinigte Staaten"), ("en", "United States")])
async def test_warranty_check_country_without_rule_usa(lang, name):
    messages, events = await run(ActionWarrantyCheck(), make_tracker("", lang, "inform", slots=form_slots("phone", "2026-01-01", "US")))
    assert names(messages) == ["utter_warranty_check_unknown", "utter_contact_website"]
    assert (messages[0]["country"], messages[0]["contact"]) == (name, "")
    no_number_given(messages)
    assert events[:6] == RESET + [SlotSet("last_topic", "warranty_check"), SlotSet("country", "US"), SlotSet("last_countries", ["US"])]
    assert SlotSet("bought_in", "US") in events  # kept for follow-ups


@aio
async def test_warranty_check_other_eu_country_without_hotline():
    messages, _ = await run(ActionWarrantyCheck(), make_tracker("", "de", "inform", slots=form_slots("Smartphone", "2026-01-01", "AT")))
    assert names(messages) == ["utter_warranty_covered", "utter_next_step_website"]
    assert (messages[0]["country"], messages[0]["period"], messages[0]["end"], messages[0]["remaining"]) == (
        "Österreich", "24 Monate", "1. Januar 2028", "402 Tage",
    )


@aio
@pytest.mark.parametrize(
    "lang,country,response,values,extra",
    [
        ("de", "IT", "utter_warranty_covered",
         {"product": "Xiaomi 13 Pro", "country": "Italien", "period": "24 Monate", "end": "1. Juni 2027", "remaining": "188 Tage"}, []),
        ("en", "IT", "utter_warranty_covered",
         {"product": "Xiaomi 13 Pro", "country": "Italy", "period": "24 months", "end": "1 June 2027", "remaining": "188 days"}, []),
        ("en", "ID", "utter_warranty_expired",
         {"product": "Xiaomi 13 Pro", "country": "Indonesia", "period": "12 months", "end": "1 June 2026", "expired": "177 days"},
         ["utter_warranty_rule_note_usually"]),
    ],
)
async def test_warranty_check_iws_model_gets_the_iws_note(lang, country, response, values, extra):
    messages, _ = await run(ActionWarrantyCheck(), make_tracker("", lang, "inform", slots=form_slots("Xiaomi 13 Pro", "2025-06-01", country)))
    assert names(messages) == [response] + extra + ["utter_next_step_hotline", "utter_next_step_iws"]
    assert {k: messages[0][k] for k in values} == values
    assert messages[-1]["model"] == "Xiaomi 13 Pro"


@aio
async def test_warranty_check_without_iws_model_has_no_iws_note():
    messages, _ = await run(ActionWarrantyCheck(), make_tracker("", "en", "inform", slots=form_slots("Redmi Note 13", "2025-06-01", "IT")))
    assert "utter_next_step_iws" not in names(messages)
    assert messages[0]["product"] == "Redmi Note 13"


@aio
@pytest.mark.parametrize(
    "slots",
    [
        form_slots(None, "2025-03-10", "DE"),
        form_slots("Smartphone", None, "DE"),
        form_slots("Smartphone", "2025-03-10", None),
        form_slots("Smartphone", "10.03.2025", "DE"),
    ],
    ids=["no-product", "no-date", "no-country", "date-not-iso"],
)
async def test_warranty_check_with_incomplete_slots(slots):
    messages, events = await run(ActionWarrantyCheck(), make_tracker("", "de", "inform", slots=slots))
    assert names(messages) == ["utter_form_stopped"]  # the check was left before it was complete
    assert events[:3] == RESET
    assert SlotSet("last_topic", "warranty_check") in events


# --- warranty check with a purchase date known only as a span ------------------------------------

@aio
@pytest.mark.parametrize("lang,span,response,assumed", [
    ("de", "2025-04-01/2025-04-30/month", "utter_warranty_covered", "1. April 2025"),  # any day of April 2025: covered
    ("en", "2024-01-01/2024-12-31/year", "utter_warranty_expired", "31 December 2024"),  # Indian 12 months: expired either way
])
async def test_warranty_check_of_a_span_gives_the_verdict_that_holds_for_every_day(lang, span, response, assumed):
    country = "DE" if lang == "de" else "IN"
    messages, events = await run(ActionWarrantyCheck(), make_tracker("", lang, "inform", slots=form_slots("Smartphone", span, country)))
    assert names(messages)[:2] == ["utter_date_span_assumed", response]
    assert messages[0]["date"] == assumed
    assert events[:3] == RESET


@aio
@pytest.mark.parametrize("lang,first_covered", [("de", "25. November 2024"), ("en", "25 November 2024")])
async def test_warranty_check_of_a_span_that_straddles_the_end_asks_for_the_day(lang, first_covered):
    # 24 months in Germany, today 25 Nov 2026: November 2024 is covered from the 25th on (that purchase ends today)
    messages, events = await run(ActionWarrantyCheck(), make_tracker("", lang, "inform", slots=form_slots("Smartphone", "2024-11-01/2024-11-30/month", "DE")))
    assert names(messages) == ["utter_warranty_depends_on_day"]
    assert messages[0]["first_covered"] == first_covered
    assert SlotSet("purchase_date", None) in events and SlotSet("exact_day_needed", True) in events
    assert SlotSet("product", None) not in events  # product and country stay for the day's answer
    assert events[-2:] == [ActiveLoop("warranty_form"), SlotSet("requested_slot", "purchase_date")]


@aio
@pytest.mark.parametrize("lang,end_last", [("de", "31. Dezember 2026"), ("en", "31 December 2026")])
async def test_warranty_check_of_a_span_covered_on_every_day_but_ending_within_it_asks_for_the_day(lang, end_last, monkeypatch):
    # 24 months in Germany, today 1 Dec 2026: any day of December 2024 is covered, but bought
    # on the 1st today is the last day, on the 31st a month is left: never "today is the last day"
    monkeypatch.setenv("SUPPORT_BOT_NOW", "2026-12-01T16:30:00+00:00")
    messages, events = await run(ActionWarrantyCheck(), make_tracker("", lang, "inform", slots=form_slots("Smartphone", "2024-12-01/2024-12-31/month", "DE")))
    assert names(messages) == ["utter_warranty_covered_day_decides"]
    assert messages[0]["end_last"] == end_last
    assert SlotSet("exact_day_needed", True) in events and SlotSet("product", None) not in events
    assert events[-2:] == [ActiveLoop("warranty_form"), SlotSet("requested_slot", "purchase_date")]


@aio
async def test_warranty_check_bought_in_one_eu_country_user_now_in_another_gives_the_hotline_where_they_are(monkeypatch):
    monkeypatch.setenv("SUPPORT_BOT_NOW", "2026-12-01T16:30:00+00:00")
    said = "xiaomi 13 ultra gekauft in italien 08/2025, bin jetzt in DE. hab ich noch garantie und wo kann ichs reparieren lassen?"
    tracker = make_tracker(said, "de", "check_warranty", slots=form_slots("Xiaomi 13 Ultra", "2025-08-01/2025-08-31/month", "IT"),
                           events=[{"event": "user", "text": said}])
    messages, events = await run(ActionWarrantyCheck(), tracker)
    assert "utter_eu_rule_yes" in names(messages)
    step = next(m for m in messages if m["response"] == "utter_next_step_hotline")
    assert step["number"] == "0800 223 11 44"
    assert SlotSet("country", "DE") in events[events.index(SlotSet("country", "IT")) + 1:]  # "hotline hier?" is Germany's
    assert SlotSet("bought_in", "IT") in events


@aio
async def test_a_side_question_in_the_check_that_says_where_it_was_bought_keeps_that_country():
    text = "does it matter? bought it in france but i live in spain now"
    tracker = make_tracker(text, "en", "ask_eu_warranty", [("country", "france"), ("country", "spain")],
                           slots={"product": "Redmi Note 13 Pro", "requested_slot": "purchase_date"}, active_loop={"name": "warranty_form"})
    messages, events = await run(ActionEuWarranty(), tracker)
    assert names(messages)[0] == "utter_eu_rule_yes"
    assert SlotSet("purchase_country", "FR") in events


@aio
@pytest.mark.parametrize("lang", ["de", "en"])
async def test_repair_abroad_of_an_iws_model_is_answered_with_iws_not_the_eu_rule(lang):
    text = "bought my Xiaomi 12 Pro in India, can it be fixed in Italy?"
    messages, _ = await run(ActionEuWarranty(), make_tracker(text, lang, "ask_eu_warranty",
                                                             entities=[("product", "Xiaomi 12 Pro"), ("country", "India"), ("country", "Italy")]))
    assert names(messages)[0] == "utter_iws_eligible"
    assert "utter_eu_rule" not in names(messages)


@aio
async def test_repair_abroad_after_a_check_uses_the_checked_product_and_country():
    tracker = make_tracker("can i get it repaired in italy?", "en", "ask_eu_warranty", entities=[("country", "italy")],
                           slots={"last_product": "Redmi Note 13", "bought_in": "IN"})
    messages, _ = await run(ActionEuWarranty(), tracker)
    assert names(messages)[:2] == ["utter_eu_rule", "utter_eu_rule_outside"]  # bought in India: the EU rule does not reach it


@aio
@pytest.mark.parametrize("topic,response", [("channels", "utter_hotline"), ("eu_rule", "utter_warranty_period_mandatory")])
async def test_followup_country_after_channels_or_the_eu_rule(topic, response):
    """"wie kann ich euch anrufen?" - "bin in Polen": the Polish hotline;
    after the EU rule, "und Polen?": the period there."""
    tracker = make_tracker("bin in Polen", "de", "inform", [("country", "Polen")], slots={"last_topic": topic})
    messages, _ = await run(ActionFollowup(), tracker)
    assert names(messages)[0] == response


@pytest.mark.parametrize("text, intent, entities, codes", [
    ("german hotline?", "ask_hotline", [("country", "german")], ["DE"]),
    ("ok ich schreib lieber deutsch. hotline spanien?", "switch_language", [("country", "spanien")], ["ES"]),
    ("sorry my wife doesnt speak german, can you answer in english: what are the hours?", "switch_language", [], []),
    ("deutsche hotline bitte", "ask_hotline", [], ["DE"]),
])
def test_a_languages_name_is_no_country_where_a_language_is_meant(text, intent, entities, codes):
    from actions.common import countries_in_message

    matches, _ = countries_in_message(make_tracker(text, intent=intent, entities=entities))
    assert [m.code for m in matches] == codes


@aio
@pytest.mark.parametrize("lang, text, words, latest", [
    ("en", "numbers for uk, spain and germany pls + which one is open latest", ["uk", "spain", "germany"], "Spain"),
    ("de", "nummern fuer frankreich und italien, welche hat laenger auf?", ["frankreich", "italien"], "Frankreich und Italien"),
])
@pytest.mark.parametrize("intent, action", [("ask_hotline", ActionHotline), ("ask_opening_hours", ActionOpeningHours)])
async def test_several_hotlines_and_which_is_open_latest(lang, text, words, latest, intent, action):
    tracker = make_tracker(text, lang, intent, [("country", w) for w in words])
    messages, _ = await run(action(), tracker)
    assert names(messages).count("utter_hotline") == len(words)
    assert [m["countries"] for m in messages if m["response"] == "utter_hours_latest"] == [latest]


@aio
async def test_hours_without_a_country_answer_every_country_just_answered():
    tracker = make_tracker("und die zeiten?", "de", "ask_opening_hours", slots={"country": "GB", "last_countries": ["GB", "IT"]})
    messages, _ = await run(ActionOpeningHours(), tracker)
    assert [m["number"] for m in messages if m["response"] == "utter_hotline"] == ["0800 021 1888", "800 690 921"]
    # a country slot that is not among them (set since by an entity): that one alone
    tracker = make_tracker("und die zeiten?", "de", "ask_opening_hours", slots={"country": "ES", "last_countries": ["GB", "IT"]})
    messages, _ = await run(ActionOpeningHours(), tracker)
    assert [m["number"] for m in messages if m["response"] == "utter_hotline"] == ["900 128 128"]


@aio
@pytest.mark.parametrize("lang, text, slots, expected", [
    ("de", "und die zeiten?", {"last_topic": "hotline", "country": "GB", "last_countries": ["GB", "IT"]},
     {"utter_hotline": ["0800 021 1888", "800 690 921"]}),
    ("en", "which models then", {"last_topic": "iws"}, {"utter_iws_models": None}),
    ("en", "whats not covered by that?", {"last_topic": "iws"}, {"utter_iws_excludes": None}),
    ("de", "wo bekomm ich die", {"last_topic": "self_service", "last_entry": "tool:memeos_enhancer"}, {"utter_tool_info": None}),
    ("en", "which countries is that", {"last_topic": "regional", "last_entry": "region:sea"}, {"utter_region_countries": None}),
])
async def test_followups_about_the_previous_answer(lang, text, slots, expected):
    messages, _ = await run(ActionFollowup(), make_tracker(text, lang, "inform", slots=slots))
    for response, numbers in expected.items():
        assert response in names(messages)
        if numbers:
            assert [m["number"] for m in messages if m["response"] == response] == numbers
    if "utter_tool_info" in expected:
        assert "Play Store" in messages[0]["name"]
    if "utter_region_countries" in expected:
        assert messages[0]["countries"] == "Indonesia, Malaysia and Philippines"


@aio
@pytest.mark.parametrize("lang, text, product, response", [
    ("en", "so my xiaomi 14 pro isnt covered?", "xiaomi 14 pro", "utter_iws_not_eligible"),
    ("de", "und mein xiaomi 13 pro?", "xiaomi 13 pro", "utter_iws_eligible"),
])
async def test_a_model_named_after_the_iws_answer_is_checked_for_iws(lang, text, product, response):
    """Not a warranty check: the question is whether that model has IWS."""
    tracker = make_tracker(text, lang, "check_warranty", [("product", product)], slots={"last_topic": "iws"})
    messages, _ = await run(ActionFollowup(), tracker)
    assert names(messages)[0] == response


@aio
@pytest.mark.parametrize("text, entities, slots, numbers", [
    ("ok and if that doesnt help? im in france", [("country", "france")], {"last_topic": "self_service"}, ["0805 370 916"]),
    ("und wenn das nicht hilft?", [], {"last_topic": "channels", "country": "IT"}, ["800 690 921"]),
])
async def test_when_the_self_help_fails_the_hotline_follows(text, entities, slots, numbers):
    messages, _ = await run(ActionFollowup(), make_tracker(text, "en", "inform", entities, slots=slots))
    assert [m["number"] for m in messages if m["response"] == "utter_hotline"] == numbers


@aio
async def test_a_partner_named_is_described_whatever_country_came_before():
    """"got an email from b2x, is that legit?" after questions about India: B2X, not India's service."""
    from actions.info import ActionServicePartner

    tracker = make_tracker("got an email from b2x asking me to send my phone in, is that legit?", "en",
                           "ask_service_partner", slots={"country": "IN", "last_topic": "hotline"})
    messages, _ = await run(ActionServicePartner(), tracker)
    assert [(m["response"], m["partners"]) for m in messages] == [("utter_partner_country", "B2X")]


@aio
async def test_a_language_switch_with_a_question_about_the_last_answer_answers_it_in_the_new_language():
    from actions.conversation import ActionLanguageSwitched

    text = "sorry my german is not so good, can you tell me in english who i can contact there?"
    tracker = make_tracker(text, "en", "switch_language", [("language_choice", "english")],
                           slots={"last_topic": "warranty_check", "bought_in": "ID"})
    messages, _ = await run(ActionLanguageSwitched(), tracker)
    assert names(messages)[:2] == ["utter_language_switched", "utter_hotline"]
    assert messages[1]["number"] == "00180300650029"  # Indonesia's, not Germany's ("german" is a language here)


@aio
async def test_a_bare_language_switch_only_switches():
    from actions.conversation import ActionLanguageSwitched

    messages, _ = await run(ActionLanguageSwitched(), make_tracker("english please", "en", "switch_language", slots={"last_topic": "hotline"}))
    assert names(messages) == ["utter_language_switched"]


@aio
async def test_a_followup_naming_accessories_only_gets_their_period_not_iws():
    tracker = make_tracker("wat about accessories like the charger, in general", "en", "inform",
                           [("product", "accessories"), ("product", "charger")], slots={"last_topic": "eu_rule"})
    messages, _ = await run(ActionFollowup(), tracker)
    assert names(messages)[0] == "utter_warranty_period_accessory" and messages[0]["months"] == "6 months"
    assert not any("iws" in n for n in names(messages))


@aio
async def test_iws_eligibility_and_its_countries_asked_together_get_both_answers():
    text = "iws fuer mix flip? und in welchen laendern gilt das ueberhaupt"
    messages, _ = await run(ActionIws(), make_tracker(text, "de", "ask_iws", [("product", "mix flip")]))
    assert names(messages) == ["utter_iws_eligible", "utter_iws_countries_unknown"]


@aio
async def test_a_region_asked_with_its_countries_gets_the_model_and_the_countries():
    messages, _ = await run(ActionRegionalService(), make_tracker("welche laender zaehlt ihr eig zu suedostasien?", "de",
                                                                  "ask_regional_service", [("region", "suedostasien")]))
    assert names(messages) == ["utter_regional_model", "utter_region_countries"]
    assert all(name in messages[1]["countries"] for name in ("Indonesien", "Malaysia", "Philippinen"))


@aio
@pytest.mark.parametrize("text, entities, expected", [
    ("garantie in indien? und wie is das bei zubehoer", [("country", "indien"), ("product", "zubehoer")],
     ["utter_warranty_period_accessory", "utter_warranty_rule_note_usually", "utter_warranty_period_usually"]),
    ("ladegeraet garantie in indien?", [("product", "ladegeraet"), ("country", "indien")],
     ["utter_warranty_period_accessory", "utter_warranty_rule_note_usually"]),  # one question: the accessory's
])
async def test_a_country_asked_apart_from_the_accessory_gets_both_periods(text, entities, expected):
    messages, _ = await run(ActionWarrantyPeriod(), make_tracker(text, "de", "ask_warranty_period", entities))
    assert names(messages)[:len(expected)] == expected and len(names(messages)) == len(expected)


@aio
async def test_an_iws_model_from_a_country_without_a_rule_is_told_about_iws():
    tracker = make_tracker("", "de", "inform", slots=form_slots("Xiaomi 14 Ultra", "2025-05-01", "CN"))
    messages, _ = await run(ActionWarrantyCheck(), tracker)
    assert names(messages)[0] == "utter_warranty_check_unknown" and names(messages)[-1] == "utter_next_step_iws"
