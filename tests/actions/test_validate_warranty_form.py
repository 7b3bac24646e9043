"""ValidateWarrantyForm: the validate_<slot> methods directly, and one full run
of the FormValidationAction with the slot events of the latest user turn.

Today is frozen to Wednesday 25 November 2026 (SUPPORT_BOT_NOW). German reads
dates day first, English month first. Expected dates are written out by hand.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Dict, List, Tuple

import pytest
import yaml
from rasa_sdk.events import ActiveLoop, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.warranty import ValidateWarrantyForm

from tracker_kit import make_tracker  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
DOMAIN: Dict[str, Any] = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))
FORM_SLOTS = ("product", "purchase_date", "purchase_country")


@pytest.fixture(autouse=True)
def frozen_wednesday(monkeypatch):
    monkeypatch.setenv("SUPPORT_BOT_NOW", "2026-11-25T10:00:00+00:00")


def validate(method: str, value: Any, lang: str) -> Tuple[Dict[str, Any], List[Dict[str, Any]]]:
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(str(value or ""), lang, "inform", active_loop={"name": "warranty_form"})
    result = getattr(ValidateWarrantyForm(), method)(value, dispatcher, tracker, DOMAIN)
    for message in dispatcher.messages:
        assert message["response"] in DOMAIN["responses"], message["response"]
    return result, dispatcher.messages


def names(messages) -> List[str]:
    return [m["response"] for m in messages]


def test_form_and_validation_action_are_in_the_domain():
    assert ValidateWarrantyForm().name() in DOMAIN["actions"]
    assert DOMAIN["forms"]["warranty_form"]["required_slots"] == list(FORM_SLOTS)


# --- purchase date ---------------------------------------------------------------


@pytest.mark.parametrize(
    "value,lang,expected",
    [
        ("10.03.2025", "de", "2025-03-10"),
        ("am 3.10.", "de", "2026-10-03"),
        ("2 weeks ago", "en", "2026-11-11"),
        ("3/10/2025", "en", "2025-10-03"),  # day first in English too, as in every country of the source
        ("10 March 2025", "en", "2025-03-10"),
        ("2025-03-10", "de", "2025-03-10"),  # already ISO (the form stores ISO): accepted as is
        ("2025-03-10", "en", "2025-03-10"),
    ],
)
def test_valid_exact_dates(value, lang, expected):
    result, messages = validate("validate_purchase_date", value, lang)
    assert result == {"purchase_date": expected}
    assert messages == []


@pytest.mark.parametrize(
    "value,lang,expected",
    [
        ("last June", "en", "2026-06-01/2026-06-30/month"),
        ("March 2025", "en", "2025-03-01/2025-03-31/month"),
        ("im Januar 2026", "de", "2026-01-01/2026-01-31/month"),
        ("vor zwei Jahren", "de", "2024-11-01/2024-11-30/month"),
        ("2024", "de", "2024-01-01/2024-12-31/year"),
    ],
)
def test_rough_dates_are_kept_as_the_span_they_mean(value, lang, expected):
    """No day is filled in: the check decides on the whole span (or asks)."""
    result, messages = validate("validate_purchase_date", value, lang)
    assert result == {"purchase_date": expected}
    assert messages == []


@pytest.mark.parametrize("value,lang", [("märz oder april 2025", "de"), ("vor ein paar monaten", "de")])
def test_ambiguous_dates_are_asked_again(value, lang):
    result, messages = validate("validate_purchase_date", value, lang)
    assert result == {"purchase_date": None, "form_failures": 1}  # one failed answer, counted
    assert names(messages) == ["utter_invalid_date_ambiguous"]


def test_the_whole_message_completes_a_partial_date_entity():
    """DIET found "04" of "04/2025": the date is read from the message."""
    dispatcher = CollectingDispatcher()
    text = "xiaomi 14 in deutschland gekauft 04/2025, noch garantie?"
    tracker = make_tracker(text, "de", "check_warranty", entities=[("purchase_date", "04")])
    result = ValidateWarrantyForm().validate_purchase_date("04", dispatcher, tracker, DOMAIN)
    assert result == {"purchase_date": "2025-04-01/2025-04-30/month"}


def test_a_day_alone_completes_the_remembered_span():
    dispatcher = CollectingDispatcher()
    tracker = make_tracker("am 10.", "de", "inform", slots={"purchase_span": "2024-11-01/2024-11-30/month"})
    result = ValidateWarrantyForm().validate_purchase_date("am 10.", dispatcher, tracker, DOMAIN)
    assert result == {"purchase_date": "2024-11-10", "purchase_span": None, "exact_day_needed": False}


@pytest.mark.parametrize("answer,lang,span,expected", [
    ("am 20. glaub", "de", "2024-12-01/2024-12-31/month", "2024-12-20"),
    ("the 20th", "en", "2024-12-01/2024-12-31/month", "2024-12-20"),
    ("5th dec i think", "en", "2024-12-01/2024-12-31/month", "2024-12-05"),  # read as 5 Dec 2025 alone: moved into the span
    ("am 3.10.", "de", "2024-01-01/2024-12-31/year", "2024-10-03"),
    ("juli glaub ich", "de", "2026-06-01/2026-08-31/season", "2026-07-01/2026-07-31/month"),
    ("im november", "de", "2024-01-01/2024-12-31/year", "2024-11-01/2024-11-30/month"),
])
def test_an_answer_to_which_day_is_read_inside_the_remembered_span(answer, lang, span, expected):
    tracker = make_tracker(answer, lang, "inform", slots={"purchase_span": span, "exact_day_needed": True})
    result = ValidateWarrantyForm().validate_purchase_date(answer, CollectingDispatcher(), tracker, DOMAIN)
    assert result["purchase_date"] == expected


@pytest.mark.parametrize(
    "value,lang,shown",
    [
        ("morgen", "de", "26. November 2026"),
        ("tomorrow", "en", "26 November 2026"),
        ("Januar 2027", "de", "1. Januar 2027"),
    ],
)
def test_future_dates_are_rejected(value, lang, shown):
    result, messages = validate("validate_purchase_date", value, lang)
    assert result == {"purchase_date": None, "form_failures": 1}  # one failed answer, counted
    assert names(messages) == ["utter_invalid_date_future"]
    assert messages[0]["date"] == shown


@pytest.mark.parametrize(
    "value,lang,shown",
    [
        ("1.1.2005", "de", "1. Januar 2005"),
        ("1/1/2005", "en", "1 January 2005"),
    ],
)
def test_dates_before_any_product_are_rejected(value, lang, shown):
    result, messages = validate("validate_purchase_date", value, lang)
    assert result == {"purchase_date": None, "form_failures": 1}  # one failed answer, counted
    assert names(messages) == ["utter_invalid_date_too_old"]
    assert messages[0]["date"] == shown


@pytest.mark.parametrize("value,lang,shown", [("blabla", "de", "blabla"), ("blabla", "en", "blabla"), ("", "de", ""), (None, "en", "")])
def test_unreadable_dates_are_rejected(value, lang, shown):
    result, messages = validate("validate_purchase_date", value, lang)
    assert result == {"purchase_date": None, "form_failures": 1}  # one failed answer, counted
    assert names(messages) == ["utter_invalid_date"]
    assert messages[0]["value"] == shown


@pytest.mark.parametrize(
    "value,lang,response",
    [("2027-01-01", "de", "utter_invalid_date_future"), ("2005-01-01", "en", "utter_invalid_date_too_old")],
)
def test_iso_dates_typed_by_the_user_are_still_checked(value, lang, response):
    result, messages = validate("validate_purchase_date", value, lang)
    assert result == {"purchase_date": None, "form_failures": 1}  # one failed answer, counted
    assert names(messages) == [response]


# --- purchase country ------------------------------------------------------------------


@pytest.mark.parametrize(
    "value,lang,code",
    [
        ("italien", "de", "IT"),
        ("Itlay", "en", "IT"),
        ("Itlay", "de", "IT"),
        ("in Spanien", "de", "ES"),
        ("Deutschland", "de", "DE"),
        ("germany", "en", "DE"),
        ("UK", "en", "GB"),
        ("England", "de", "GB"),
        ("DE", "de", "DE"),  # an ISO code (button payload) is kept
        ("Österreich", "de", "AT"),  # recognised though the article has no hotline for it
    ],
)
def test_valid_countries(value, lang, code):
    result, messages = validate("validate_purchase_country", value, lang)
    assert result == {"purchase_country": code}
    assert messages == []


@pytest.mark.parametrize("value,lang,shown", [("Narnia", "de", "Narnia"), ("Narnia", "en", "Narnia"), ("", "de", "")])
def test_invalid_countries(value, lang, shown):
    result, messages = validate("validate_purchase_country", value, lang)
    assert result == {"purchase_country": None, "form_failures": 1}  # one failed answer, counted
    assert names(messages) == ["utter_invalid_country"]
    assert messages[0]["value"] == shown


# --- product -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value,lang,expected",
    [
        ("Xiaomi 13 Pro", "de", "Xiaomi 13 Pro"),
        ("13 pro", "en", "Xiaomi 13 Pro"),
        ("xiomi 13pro", "de", "Xiaomi 13 Pro"),
        ("mix flip", "en", "Xiaomi MIX Flip"),
        ("Redmi Note 13", "en", "Redmi Note 13"),
        ("Ladegerät", "de", "Ladegerät"),
        ("charger", "en", "charger"),
        ("Smartphone", "de", "Smartphone"),
    ],
)
def test_valid_products(value, lang, expected):
    result, messages = validate("validate_product", value, lang)
    assert result == {"product": expected}
    assert messages == []


@pytest.mark.parametrize("value,lang", [("", "de"), (None, "en"), ("   ", "de"), ("?!", "en")])
def test_empty_products_are_rejected(value, lang):
    result, _ = validate("validate_product", value, lang)
    assert result == {"product": None, "form_failures": 1}  # one failed answer, counted


# --- a full run of the form validation ------------------------------------------------------


def user_turn(text: str, slot_values: Dict[str, Any]) -> List[Dict[str, Any]]:
    """Events as Rasa sends them: the user message, then the slots set from it."""
    events: List[Dict[str, Any]] = [
        {"event": "action", "name": "action_listen"},
        {"event": "user", "text": text, "parse_data": {"text": text}},
    ]
    events += [{"event": "slot", "name": name, "value": value} for name, value in slot_values.items()]
    return events


@pytest.mark.asyncio
@pytest.mark.parametrize(
    "lang,text,given,expected",
    [
        ("de", "Ich hab mein 13 pro am 10.03.2025 in italien gekauft",
         {"product": "13 pro", "purchase_date": "10.03.2025", "purchase_country": "italien"},
         {"product": "Xiaomi 13 Pro", "purchase_date": "2025-03-10", "purchase_country": "IT"}),
        ("en", "I bought a charger in Itlay 2 weeks ago",
         {"product": "charger", "purchase_date": "2 weeks ago", "purchase_country": "Itlay"},
         {"product": "charger", "purchase_date": "2026-11-11", "purchase_country": "IT"}),
    ],
)
async def test_form_validation_run_validates_the_slots_of_the_latest_turn(lang, text, given, expected):
    events = [
        {"event": "action", "name": "warranty_form"},
        {"event": "active_loop", "name": "warranty_form"},
    ] + user_turn(text, given)
    tracker = make_tracker(text, lang, "check_warranty", slots=dict(given), events=events, active_loop={"name": "warranty_form"})
    dispatcher = CollectingDispatcher()
    result = await ValidateWarrantyForm().run(dispatcher, tracker, DOMAIN)
    assert result == [SlotSet(name, value) for name, value in expected.items()]
    assert dispatcher.messages == []


@pytest.mark.asyncio
@pytest.mark.parametrize("lang", ["de", "en"])
async def test_form_validation_run_rejects_a_bad_answer_and_leaves_earlier_slots_alone(lang):
    # product was validated in an earlier turn; now the user answers the date question with nonsense
    earlier = user_turn("Smartphone", {"product": "Smartphone"}) + [
        {"event": "action", "name": "validate_warranty_form"},
        {"event": "slot", "name": "product", "value": "Smartphone"},
        {"event": "slot", "name": "requested_slot", "value": "purchase_date"},
        {"event": "action", "name": "warranty_form"},
    ]
    events = earlier + user_turn("blabla", {"purchase_date": "blabla"})
    slots = {"product": "Smartphone", "purchase_date": "blabla", "requested_slot": "purchase_date"}
    tracker = make_tracker("blabla", lang, "inform", slots=slots, events=events, active_loop={"name": "warranty_form"})
    dispatcher = CollectingDispatcher()
    result = await ValidateWarrantyForm().run(dispatcher, tracker, DOMAIN)
    assert result == [SlotSet("purchase_date", None), SlotSet("form_failures", 1)]
    assert [m["response"] for m in dispatcher.messages] == ["utter_invalid_date"]
    assert dispatcher.messages[0]["value"] == "blabla"
    assert tracker.get_slot("product") == "Smartphone"


@pytest.mark.asyncio
async def test_form_validation_run_ignores_slots_outside_the_form():
    events = user_turn("Hallo", {"language": "de", "product": "Ladegerät"})
    tracker = make_tracker("Ladegerät", "de", "inform", slots={"product": "Ladegerät"}, events=events, active_loop={"name": "warranty_form"})
    dispatcher = CollectingDispatcher()
    result = await ValidateWarrantyForm().run(dispatcher, tracker, DOMAIN)
    assert result == [SlotSet("product", "Ladegerät")]


# --- answers that are no answer -------------------------------------------------------------


@pytest.mark.asyncio
@pytest.mark.parametrize("lang,text", [("de", "vergiss es, sag mir lieber die nummer für spanien"),
                                       ("en", "forget it, just give me the number for spain")])
async def test_a_new_question_after_a_stop_marker_ends_the_check(lang, text):
    events = user_turn(text, {})
    tracker = make_tracker(text, lang, "ask_hotline", slots={"requested_slot": "product"}, events=events,
                           active_loop={"name": "warranty_form"})
    result = await ValidateWarrantyForm().run(CollectingDispatcher(), tracker, DOMAIN)
    assert ActiveLoop(None) in result and SlotSet("requested_slot", None) in result


@pytest.mark.asyncio
async def test_a_question_without_a_stop_marker_keeps_the_check():
    text = "und die hotline für spanien?"
    tracker = make_tracker(text, "de", "ask_hotline", slots={"requested_slot": "product"}, events=user_turn(text, {}),
                           active_loop={"name": "warranty_form"})
    result = await ValidateWarrantyForm().run(CollectingDispatcher(), tracker, DOMAIN)
    assert all(e.get("event") != "active_loop" for e in result)


@pytest.mark.parametrize("lang,text", [("de", "warum willst du das wissen?"), ("en", "why do you need that?")])
def test_a_question_back_is_explained_and_not_stored(lang, text):
    result, messages = validate("validate_product", text, lang)
    assert result == {"product": None, "form_failures": 1}
    assert names(messages) == ["utter_form_why_product"]


def test_a_second_failed_answer_offers_to_stop():
    dispatcher = CollectingDispatcher()
    tracker = make_tracker("keine ahnung", "de", "inform", slots={"form_failures": 1})
    result = ValidateWarrantyForm().validate_purchase_country("keine ahnung", dispatcher, tracker, DOMAIN)
    assert result == {"purchase_country": None, "form_failures": 2}
    assert names(dispatcher.messages) == ["utter_form_why_purchase_country", "utter_form_offer_stop"]


def test_a_good_answer_after_a_failure_resets_the_count():
    tracker = make_tracker("Italien", "de", "inform", slots={"form_failures": 1})
    result = ValidateWarrantyForm().validate_purchase_country("Italien", CollectingDispatcher(), tracker, DOMAIN)
    assert result == {"purchase_country": "IT", "form_failures": 0}


@pytest.mark.asyncio
@pytest.mark.parametrize("lang,text,expected", [
    ("de", "handyhuelle 20.08.2026 in italien gekauft, garantie?",
     {"product": "handyhuelle", "purchase_date": "2026-08-20", "purchase_country": "IT"}),
    ("de", "xiaomi 13 ultra, gekauft 10.01.2026 in indien, bin jetzt in deutschland. garantie?",
     {"product": "Xiaomi 13 Ultra", "purchase_date": "2026-01-10", "purchase_country": "IN"}),
    ("en", "xiaomi tv bought in india 10 feb 2026, covered?",
     {"product": "xiaomi tv", "purchase_date": "2026-02-10", "purchase_country": "IN"}),
])
async def test_the_first_message_fills_what_the_entities_missed(lang, text, expected):
    """The NLU found no date (and took the country the user is in now): the
    form reads the whole message."""
    given = {"purchase_country": "deutschland"} if "deutschland" in text else {}
    events = [{"event": "action", "name": "action_listen"}, {"event": "user", "text": text, "parse_data": {"text": text}}]
    events += [{"event": "slot", "name": k, "value": v} for k, v in given.items()]
    tracker = make_tracker(text, lang, "check_warranty", slots=dict(given), events=events, active_loop={"name": "warranty_form"})
    result = await ValidateWarrantyForm().run(CollectingDispatcher(), tracker, DOMAIN)
    values = {e["name"]: e["value"] for e in result if e.get("event") == "slot" and e["name"] in expected}
    assert values == expected


@pytest.mark.parametrize("answer,expected", [("im november glaub ich", "2024-11-01/2024-11-30/month"), ("am 3.10.", "2024-10-03")])
def test_an_answer_after_a_year_is_read_in_that_year(answer, expected):
    tracker = make_tracker(answer, "de", "inform", slots={"purchase_span": "2024-01-01/2024-12-31/year"})
    result = ValidateWarrantyForm().validate_purchase_date(answer, CollectingDispatcher(), tracker, DOMAIN)
    assert result["purchase_date"] == expected


def test_29_february_after_a_year_without_it_is_asked_again():
    tracker = make_tracker("am 29.2.", "de", "inform", slots={"purchase_span": "2025-01-01/2025-12-31/year"})
    result = ValidateWarrantyForm().validate_purchase_date("am 29.2.", CollectingDispatcher(), tracker, DOMAIN)
    assert result["purchase_date"] is None


@pytest.mark.parametrize("value,lang,expected", [("xiaomi 14 dezember", "de", "xiaomi 14"), ("poco f5 june", "en", "poco f5"),
                                                 ("Handy 2024", "de", "Handy")])
def test_a_date_the_extractor_ran_into_the_product_is_no_part_of_its_name(value, lang, expected):
    result, _ = validate("validate_product", value, lang)
    assert result["product"].lower() == expected.lower()


def test_answers_with_a_question_of_their_own_are_read_and_the_hours_told(monkeypatch):
    from actions.form_extraction import fresh_message
    from actions.warranty import answer_hours_asked_aside

    monkeypatch.setenv("SUPPORT_BOT_NOW", "2026-12-01T16:30:00+00:00")
    text = "poco x6, india. wait is the india line open rn?"
    tracker = make_tracker(text, "en", "ask_hotline", [("product", "poco x6"), ("country", "india")],
                           slots={"requested_slot": "product"}, active_loop={"name": "warranty_form"})
    assert fresh_message(tracker) == text  # the product and country are answers to the check
    dispatcher = CollectingDispatcher()
    answer_hours_asked_aside(dispatcher, tracker)
    assert [m["response"] for m in dispatcher.messages] == ["utter_hotline", "utter_open_now"]
    assert dispatcher.messages[0]["number"] == "1800 103 6286"


def test_a_hotline_question_without_answers_is_no_answer_to_the_check():
    from actions.form_extraction import fresh_message

    tracker = make_tracker("wait is the india line open rn?", "en", "ask_hotline", [("country", "india")],
                           slots={"requested_slot": "product"}, active_loop={"name": "warranty_form"})
    assert fresh_message(tracker) is None


def test_a_hotline_question_with_a_word_mistaken_for_a_product_is_no_answer_to_the_check():
    from actions.form_extraction import fresh_message

    tracker = make_tracker("sorry first: number for philippines?", "en", "ask_hotline", [("product", "first"), ("country", "philippines")],
                           slots={"requested_slot": "purchase_date"}, active_loop={"name": "warranty_form"})
    assert fresh_message(tracker) is None


@pytest.mark.parametrize("text, bought", [
    ("nummer in DE, mein in FR gekauftes handy", ["FR"]),
    ("hab es in italien gekauft", ["IT"]),
    ("brauch die nummer von xiaomi frankreich und italien", []),  # Xiaomi's French support: no purchase named
])
def test_where_something_was_bought(text, bought):
    from actions.form_extraction import bought_in_text

    assert bought_in_text(text) == bought


@pytest.mark.asyncio
@pytest.mark.parametrize("text, slots, expected", [
    # right after a check: the same device and date, bought elsewhere
    ("and if my aunt had bought it in india?", {"last_product": "redmi pad se", "last_purchase_date": "2024-12-25"},
     {"product": "redmi pad se", "purchase_date": "2024-12-25", "purchase_country": "IN"}),
    # a new device and date, "same place": the country of the check before
    ("damn. and the earphones i bought 4 months ago, same place?", {"bought_in": "PH"}, {"purchase_country": "PH"}),
])
async def test_a_check_right_after_a_check_takes_what_it_shares_with_it(text, slots, expected):
    tracker = make_tracker(text, "en", "check_warranty", slots=slots, active_loop={"name": "warranty_form"})
    form = ValidateWarrantyForm()
    found = {}
    for slot in ("product", "purchase_date", "purchase_country"):
        found.update(await getattr(form, f"extract_{slot}")(CollectingDispatcher(), tracker, DOMAIN))
    assert {k: v for k, v in found.items() if k in expected} == expected
