"""Two questions in one message are both answered, in the order asked."""
import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions.hotline import ActionHotline
from actions.info import ActionChannels
from actions.multi_topic import second_topic
from actions.warranty import ActionWarrantyPeriod

from tracker_kit import make_tracker  # noqa: E402


@pytest.mark.parametrize("text, intent, expected", [
    ("hotline frankreich und wie lange hab ich garantie?", "ask_warranty_period", ("ask_hotline", True)),
    ("whats the warranty and who repairs in spain", "ask_warranty_period", ("ask_service_partner", False)),
    ("wie lange garantie in der eu?", "ask_warranty_period", (None, False)),
    ("uk hotline and is it open now", "ask_hotline", (None, False)),  # the hotline answer says whether it is open
    # the classifier's question has no topic word, the other clause names its own
    ("bought it in india. can i repair it there? also spain hotline", "ask_eu_warranty", ("ask_hotline", False)),
    ("how does service work in india, hotline?", "ask_regional_service", (None, False)),  # the regional answer names it
    ("wie krieg ich ota updates schneller und wo kann ich online garantie pruefen?", "ask_self_service", ("ask_channels", False)),
])
def test_second_topic(text, intent, expected):
    assert second_topic(text, intent) == expected


@pytest.mark.asyncio
@pytest.mark.parametrize("lang", ["de", "en"])
async def test_both_questions_are_answered_in_the_order_asked(lang):
    text = "hotline frankreich und wie lange hab ich garantie?"
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(text, lang, "ask_warranty_period", entities=[("country", "frankreich")])
    await ActionWarrantyPeriod().run(dispatcher, tracker, {})
    responses = [m["response"] for m in dispatcher.messages]
    assert responses[0] == "utter_hotline" and dispatcher.messages[0]["number"] == "0805 370 916"
    assert "utter_warranty_period_mandatory" in responses


@pytest.mark.asyncio
async def test_several_countries_get_an_answer_each():
    dispatcher = CollectingDispatcher()
    tracker = make_tracker("numbers for italy and spain?", "en", "ask_hotline")
    await ActionHotline().run(dispatcher, tracker, {})
    numbers = [m["number"] for m in dispatcher.messages if m["response"] == "utter_hotline"]
    assert numbers == ["800 690 921", "900 128 128"]


@pytest.mark.asyncio
async def test_a_channel_ruled_out_is_not_offered():
    dispatcher = CollectingDispatcher()
    tracker = make_tracker("how else can I reach you besides the phone?", "en", "ask_hotline")
    await ActionHotline().run(dispatcher, tracker, {})
    assert [m["response"] for m in dispatcher.messages] == ["utter_channels_overview"]
    assert "Phone hotline" not in dispatcher.messages[0]["channels"] and "WhatsApp" in dispatcher.messages[0]["channels"]


@pytest.mark.asyncio
@pytest.mark.parametrize("text, entry", [("where can i book a repair online", "Official website"),
                                         ("how do i schedule a service appointment", "Xiaomi Support")])
async def test_a_channel_described_by_what_it_does_is_found(text, entry):
    dispatcher = CollectingDispatcher()
    await ActionChannels().run(dispatcher, make_tracker(text, "en", "ask_channels"), {})
    assert dispatcher.messages[0]["response"] == "utter_channel_info"
    assert dispatcher.messages[0]["name"].startswith(entry)


@pytest.mark.asyncio
@pytest.mark.parametrize("lang", ["de", "en"])
async def test_unsure_between_two_topics_the_bot_asks_either_or(lang):
    from actions.clarify import ActionClarify

    tracker = make_tracker("italien garantie nummer", lang, "nlu_fallback", entities=[("country", "Italien")])
    tracker.latest_message["intent_ranking"] = [
        {"name": "nlu_fallback", "confidence": 0.4}, {"name": "ask_warranty_period", "confidence": 0.33},
        {"name": "ask_hotline", "confidence": 0.31}, {"name": "greet", "confidence": 0.01}]
    dispatcher = CollectingDispatcher()
    await ActionClarify().run(dispatcher, tracker, {})
    message = dispatcher.messages[0]
    assert message["response"] == "utter_clarify"
    assert [b["payload"] for b in message["buttons"]] == ['/ask_warranty_period{"country": "Italien"}', '/ask_hotline{"country": "Italien"}']


@pytest.mark.asyncio
@pytest.mark.parametrize("last_topic, response", [("hotline", "utter_hotline"), ("partner", "utter_clarify"), (None, "utter_clarify")])
async def test_unsure_but_the_last_topic_is_one_of_the_two_it_goes_on(last_topic, response):
    """"ok then germany i guess" after a hotline answer: Germany's hotline, no either/or question."""
    from actions.clarify import ActionClarify

    tracker = make_tracker("ok then germany i guess", "en", "nlu_fallback", entities=[("country", "germany")],
                           slots={"last_topic": last_topic})
    tracker.latest_message["intent_ranking"] = [
        {"name": "nlu_fallback", "confidence": 0.35}, {"name": "ask_channels", "confidence": 0.33},
        {"name": "ask_hotline", "confidence": 0.31}]
    dispatcher = CollectingDispatcher()
    await ActionClarify().run(dispatcher, tracker, {})
    assert dispatcher.messages[0]["response"] == response


@pytest.mark.asyncio
async def test_without_two_topics_to_offer_the_bot_asks_to_rephrase():
    from actions.clarify import ActionClarify

    tracker = make_tracker("asdf", "de", "nlu_fallback")
    tracker.latest_message["intent_ranking"] = [{"name": "nlu_fallback", "confidence": 0.9}, {"name": "greet", "confidence": 0.1}]
    dispatcher = CollectingDispatcher()
    await ActionClarify().run(dispatcher, tracker, {})
    assert [m["response"] for m in dispatcher.messages] == ["utter_default"]


@pytest.mark.asyncio
async def test_topics_far_down_the_ranking_are_not_offered():
    """"tell me a joke": complain and thank lead, two topics trail far behind; no either/or question."""
    from actions.clarify import ActionClarify

    tracker = make_tracker("tell me a joke", "en", "nlu_fallback")
    tracker.latest_message["intent_ranking"] = [
        {"name": "nlu_fallback", "confidence": 0.35}, {"name": "complain", "confidence": 0.29},
        {"name": "thank", "confidence": 0.245}, {"name": "human_handoff", "confidence": 0.149},
        {"name": "ask_service_partner", "confidence": 0.1}]
    dispatcher = CollectingDispatcher()
    await ActionClarify().run(dispatcher, tracker, {})
    assert [m["response"] for m in dispatcher.messages] == ["utter_default"]


@pytest.mark.asyncio
async def test_the_country_of_purchase_is_not_given_a_hotline_it_was_not_asked_for():
    dispatcher = CollectingDispatcher()
    text = "was ist die nummer in DE und kann ich mein in FR gekauftes handy hier reparieren lassen"
    await ActionHotline().run(dispatcher, make_tracker(text, "de", "ask_hotline"), {})
    numbers = [m["number"] for m in dispatcher.messages if m["response"] == "utter_hotline"]
    assert numbers == ["0800 223 11 44"]
    assert "utter_eu_rule" in [m["response"] for m in dispatcher.messages]  # the second question


@pytest.mark.asyncio
async def test_a_partner_named_gets_what_the_source_says_of_it():
    from actions.info import ActionServicePartner

    dispatcher = CollectingDispatcher()
    await ActionServicePartner().run(dispatcher, make_tracker("is SBE Ltd legit?", "en", "ask_service_partner"), {})
    assert [(m["response"], m["partners"]) for m in dispatcher.messages] == [("utter_partner_country", "SBE Ltd")]


@pytest.mark.asyncio
async def test_the_second_question_is_about_the_country_of_its_own_clause():
    from actions.warranty import ActionIws

    text = "mein xiaomi 15 ultra ist aus italien, kann ichs in frankreich reparieren lassen und wer ist der partner in spanien"
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(text, "de", "ask_iws", entities=[("product", "xiaomi 15 ultra"), ("country", "italien"),
                                                          ("country", "frankreich"), ("country", "spanien")])
    await ActionIws().run(dispatcher, tracker, {})
    partners = [m for m in dispatcher.messages if m["response"].startswith("utter_partner")]
    assert [m["country"] for m in partners] == ["Spanien"]


@pytest.mark.asyncio
async def test_each_question_reads_its_own_clause_and_the_rule_the_whole_message():
    """Partner first (the classifier's intent): Spain, from its clause; the EU rule
    after it: bought in Spain (the first clause), repaired in Italy."""
    from actions.info import ActionServicePartner

    text = "mein handy ist aus spanien, kann ichs in italien reparieren lassen und wer ist der partner in spanien"
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(text, "de", "ask_service_partner", entities=[("country", "spanien"), ("country", "italien"),
                                                                       ("country", "spanien")])
    await ActionServicePartner().run(dispatcher, tracker, {})
    partners = [m for m in dispatcher.messages if m["response"].startswith("utter_partner")]
    assert [m["country"] for m in partners] == ["Spanien"]
    periods = [m for m in dispatcher.messages if m["response"].startswith("utter_warranty_period")]
    assert all(m.get("country") != "Italien" for m in periods), periods
