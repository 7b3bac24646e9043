"""Answers that read the conversation or the whole message: a complaint, a
corrected country of purchase, the period before the date question, the hotline
of the country just talked about, an accessory's own period."""
from __future__ import annotations

import pytest
import yaml
from rasa_sdk.events import FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.followup import ActionFollowup
from actions.handoff import ActionComplaint
from actions.info import ActionChannels
from actions.warranty import ActionEuWarranty, ActionWarrantyPeriod, ValidateWarrantyForm
from support.knowledge import knowledge

from test_actions import DOMAIN, WEDNESDAY, names, run, the  # noqa: E402
from test_validate_warranty_form import user_turn  # noqa: E402
from tracker_kit import make_tracker  # noqa: E402

aio = pytest.mark.asyncio


@pytest.fixture(autouse=True)
def frozen_wednesday(monkeypatch):
    monkeypatch.setenv("SUPPORT_BOT_NOW", WEDNESDAY)


def number_of(code: str) -> str:
    return knowledge().countries[code].hotline.number


# --- complaints ------------------------------------------------------------------


@aio
@pytest.mark.parametrize("lang,text", [("de", "euer service ist eine katastrophe"), ("en", "your service is terrible")])
async def test_a_complaint_gets_an_apology_and_the_way_to_a_person(lang, text):
    messages, events = await run(ActionComplaint(), make_tracker(text, lang, "complain"))
    assert names(messages) == ["utter_complaint", "utter_handoff", "utter_channel_info", "utter_ask_country"]
    assert SlotSet("last_topic", "handoff") in events  # "bin in DE" next: that country's hotline


@aio
async def test_a_complaint_that_names_the_country_gets_its_hotline():
    text = "bin in deutschland und warte seit wochen, eine frechheit"
    messages, _ = await run(ActionComplaint(), make_tracker(text, "de", "complain", [("country", "deutschland")]))
    assert names(messages)[:2] == ["utter_complaint", "utter_handoff"]
    assert the(messages, "utter_hotline")["number"] == number_of("DE")


# --- a corrected country of purchase ---------------------------------------------------------


@aio
async def test_a_corrected_country_of_purchase_runs_the_check_again_there():
    text = "sorry, war doch in UK gekauft, nicht italien"
    slots = {"last_topic": "warranty_check", "last_product": "Redmi Note 13", "last_purchase_date": "2025-03-10", "bought_in": "IT"}
    tracker = make_tracker(text, "de", "inform", [("country", "UK"), ("country", "italien")], slots=slots)
    _, events = await run(ActionFollowup(), tracker)
    assert events == [SlotSet("product", "Redmi Note 13"), SlotSet("purchase_date", "2025-03-10"),
                      SlotSet("purchase_country", "GB"), FollowupAction("action_warranty_check")]


# --- the period the message asks about, before the date question --------------------------------


async def form_run(text: str, lang: str, intent: str, slots: dict, entities=()):
    given = {k: v for k, v in slots.items() if k in ("product", "purchase_date", "purchase_country")}
    tracker = make_tracker(text, lang, intent, list(entities), slots=slots, events=user_turn(text, given),
                           active_loop={"name": "warranty_form"})
    dispatcher = CollectingDispatcher()
    events = await ValidateWarrantyForm().run(dispatcher, tracker, DOMAIN)
    return dispatcher.messages, events


@aio
@pytest.mark.parametrize("lang,text,product,country,months", [
    ("en", "what warranty do i get on a phone bought in poland", "phone", "poland", "24 months"),
    ("de", "ich habe mein handy in indien gekauft, wie lange habe ich garantie?", "handy", "indien", "12 Monate"),
])
async def test_the_check_states_the_period_before_it_asks_for_the_date(lang, text, product, country, months):
    slots = {"product": product, "purchase_country": country}
    messages, _ = await form_run(text, lang, "check_warranty", slots, [("product", product), ("country", country)])
    assert len(messages) == 1 and messages[0]["months"] == months


@aio
async def test_an_accessory_gets_the_accessory_period_before_the_date_question():
    text = "phone case warranty? bought in malaysia"
    slots = {"product": "phone case", "purchase_country": "malaysia"}
    messages, _ = await form_run(text, "en", "check_warranty", slots, [("product", "phone case"), ("country", "malaysia")])
    assert names(messages) == ["utter_warranty_period_accessory"]


@aio
async def test_the_period_is_not_repeated_when_the_date_question_comes_again():
    slots = {"product": "Smartphone", "purchase_country": "PL", "purchase_date": "blabla", "requested_slot": "purchase_date"}
    messages, _ = await form_run("blabla", "en", "inform", slots, [("purchase_date", "blabla")])
    assert names(messages) == ["utter_invalid_date"]


# --- the country just talked about ---------------------------------------------------------------


@aio
async def test_the_hotline_then_is_the_hotline_of_the_country_just_named():
    tracker = make_tracker("ok the hotline then", "en", "ask_channels", [("channel", "hotline")], slots={"country": "MY"})
    messages, events = await run(ActionChannels(), tracker)
    assert the(messages, "utter_hotline")["number"] == number_of("MY")
    assert SlotSet("last_topic", "hotline") in events


@aio
async def test_support_in_a_country_is_how_service_works_there():
    messages, events = await run(ActionChannels(), make_tracker("china support how?", "en", "ask_channels", [("country", "china")]))
    assert "China" in the(messages, "utter_regional_model")["region"]
    assert "utter_channels_overview" not in names(messages)
    assert SlotSet("country", "CN") in events


@aio
@pytest.mark.parametrize("lang,text", [("de", "und garantie hier?"), ("en", "what about the warranty there")])
async def test_warranty_rules_for_the_country_just_talked_about(lang, text):
    tracker = make_tracker(text, lang, "check_warranty", slots={"last_topic": "hotline", "country": "CH"})
    messages, _ = await run(ActionFollowup(), tracker)
    assert names(messages)[0] == "utter_warranty_period_unknown"  # the source gives none for Switzerland


@aio
async def test_a_bare_product_after_the_rules_overview_starts_the_check():
    tracker = make_tracker("ladegeraet", "de", "inform", [("product", "ladegeraet")], slots={"last_topic": "warranty_period"})
    _, events = await run(ActionFollowup(), tracker)
    assert events == [FollowupAction("warranty_form")]


# --- an accessory's own period -----------------------------------------------------------------


@aio
async def test_after_an_accessory_check_a_country_period_question_gets_both_periods():
    slots = {"last_topic": "warranty_check", "last_product": "Ladegeraet"}
    tracker = make_tracker("dachte in indien gibts 12 monate?", "de", "ask_warranty_period", [("country", "indien")], slots=slots)
    messages, _ = await run(ActionWarrantyPeriod(), tracker)
    assert names(messages) == ["utter_warranty_period_accessory", "utter_warranty_period_usually"]
    assert (messages[0]["months"], messages[1]["months"]) == ("6 Monate", "12 Monate")


@aio
async def test_an_accessory_in_an_eu_question_gets_its_own_period_first():
    text = "powerbank garantie in der EU, auch 24 monate oder?"
    messages, _ = await run(ActionEuWarranty(), make_tracker(text, "de", "ask_eu_warranty", [("product", "powerbank"), ("region", "EU")]))
    assert names(messages)[0] == "utter_warranty_period_accessory"
    assert messages[0]["months"] == "6 Monate"


def test_the_complaint_intent_has_its_rule_and_is_no_form_answer():
    rules = yaml.safe_load(open("data/rules.yml", encoding="utf-8"))["rules"]
    assert any(rule["steps"] == [{"intent": "complain"}, {"action": "action_complaint"}] for rule in rules)
    assert "complain" in DOMAIN["slots"]["purchase_date"]["mappings"][-1]["not_intent"]


@aio
@pytest.mark.parametrize("text,slot,response", [
    ("warum willst du das wissen?", "product", "utter_form_why_product"),
    ("why do you need that?", "purchase_date", "utter_form_why_purchase_date"),
    ("wie wird das wetter morgen?", "product", "utter_out_of_scope"),  # no question about the check
])
async def test_a_question_back_inside_the_check_gets_why_the_bot_asks(text, slot, response):
    from actions.form_aside import ActionFormAside

    tracker = make_tracker(text, "de", "out_of_scope", slots={"requested_slot": slot}, active_loop={"name": "warranty_form"})
    messages, events = await run(ActionFormAside(), tracker)
    assert names(messages) == [response] and events == []


# --- follow-ups found in the fresh held-out run (2026-12-04) -------------------------------------


@aio
async def test_a_date_alone_after_a_check_is_the_same_check_with_that_date():
    slots = {"last_topic": "warranty_check", "last_product": "Xiaomi 15 Ultra", "bought_in": "PH"}
    tracker = make_tracker("jan 2025 po", "en", "inform", [("purchase_date", "jan 2025")], slots=slots)
    _, events = await run(ActionFollowup(), tracker)
    assert events == [SlotSet("product", "Xiaomi 15 Ultra"), SlotSet("purchase_country", "PH"), FollowupAction("warranty_form")]


@aio
async def test_a_date_with_a_new_product_after_a_check_is_a_new_check():
    slots = {"last_topic": "warranty_check", "last_product": "Xiaomi 15 Ultra", "bought_in": "PH"}
    tracker = make_tracker("und mein redmi 12 vom 3.4.25?", "de", "inform",
                           [("product", "redmi 12"), ("purchase_date", "3.4.25")], slots=slots)
    _, events = await run(ActionFollowup(), tracker)
    assert events == [FollowupAction("warranty_form")]


@aio
async def test_a_topic_the_follow_up_names_wins_over_the_last_topic():
    tracker = make_tracker("und haben DE und polen die gleichen zeiten?", "de", "inform",
                           [("country", "DE"), ("country", "polen")], slots={"last_topic": "warranty_period", "country": "AT"})
    messages, _ = await run(ActionFollowup(), tracker)
    assert [m["number"] for m in messages if m.get("response") == "utter_hotline"] == [number_of("DE"), number_of("PL")]
    assert not [n for n in names(messages) if "warranty" in n]


@aio
@pytest.mark.parametrize("lang,text", [("de", "is das xiaomi selber am telefon oder ne andere firma"),
                                       ("en", "who runs that line, xiaomi itself?")])
async def test_who_runs_the_hotline_just_given_is_the_countrys_partner(lang, text):
    tracker = make_tracker(text, lang, "out_of_scope", slots={"last_topic": "hotline", "country": "GB"})
    messages, events = await run(ActionFollowup(), tracker)
    assert "SBE Ltd" in the(messages, "utter_partner_country")["partners"]
    assert SlotSet("last_topic", "partner") in events
