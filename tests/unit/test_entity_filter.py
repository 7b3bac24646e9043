"""components/entity_filter.py: which extracted entities reach the slots."""
import pytest

from components.entity_filter import clean


def entity(kind, text, message, extractor="DIETClassifier"):
    start = message.index(text)
    return {"entity": kind, "value": text, "start": start, "end": start + len(text), "extractor": extractor}


def values(entities):
    return [(e["entity"], e["value"]) for e in entities]


def filtered(text, intent, confidence=0.8, entities=None):
    """The message as the EntitySanityFilter leaves it."""
    from rasa.shared.nlu.training_data.message import Message

    from components.entity_filter import EntitySanityFilter

    data = {"text": text, "intent": {"name": intent, "confidence": confidence}}
    if entities is not None:
        data["entities"] = entities
    message = Message(data=data)
    EntitySanityFilter.__new__(EntitySanityFilter).process([message])
    return message


def test_same_span_from_two_extractors_is_kept_once():
    message = "hotline in italien"
    found = [entity("country", "italien", message), entity("country", "italien", message, "SpacyEntityExtractor")]
    assert values(clean(found, message, "ask_hotline")) == [("country", "italien")]


def test_unplaceable_countries_and_punctuation_are_dropped():
    message = "ok. bought it in germany on amazon"
    found = [entity("country", ".", message), entity("country", "germany", message), entity("country", "amazon", message)]
    assert values(clean(found, message, "inform")) == [("country", "germany")]


def test_words_that_are_no_dates_are_dropped_but_impossible_dates_stay():
    message = "mein xiaomi 15 ultra is kaputt, am 31.02.2025 gekauft"
    found = [entity("purchase_date", "is", message), entity("purchase_date", "31.02.2025", message)]
    assert values(clean(found, message, "check_warranty")) == [("purchase_date", "am 31.02.2025")]


def test_dates_only_count_in_warranty_questions_and_answers():
    message = "who won the f1 race yesterday"
    assert clean([entity("purchase_date", "yesterday", message)], message, "out_of_scope") == []
    assert values(clean([entity("purchase_date", "yesterday", message)], message, "inform")) == [("purchase_date", "yesterday")]


def test_date_phrase_takes_its_preposition():
    message = "bought it in march 2026. any warranty left?"
    assert values(clean([entity("purchase_date", "march 2026.", message)], message, "check_warranty")) == [
        ("purchase_date", "in march 2026.")
    ]


def test_parts_of_a_longer_product_are_dropped():
    message = "is the warranty on a phone case also 2 years?"
    found = [entity("product", "phone", message), {**entity("product", "case", message)}, entity("product", "phone case", message, "SpacyEntityExtractor")]
    assert values(clean(found, message, "ask_warranty_period")) == [("product", "phone case")]


def test_the_phone_of_phone_number_is_no_product():
    message = "whats ur phone number in germany"
    found = [entity("product", "phone", message), entity("country", "germany", message)]
    assert values(clean(found, message, "ask_hotline")) == [("country", "germany")]


def test_one_requested_language():
    message = "can we continue in English please? my german is not so good"
    found = [entity("language_choice", "English", message), entity("language_choice", "german", message)]
    assert values(clean(found, message, "switch_language")) == [("language_choice", "English")]


def test_a_language_in_a_switch_request_is_no_country():
    message = "can we continue in English please? my german is not so good"
    found = [entity("language_choice", "English", message), entity("country", "german", message)]
    assert values(clean(found, message, "switch_language")) == [("language_choice", "English")]
    assert values(clean([entity("country", "german", "german hotline")], "german hotline", "ask_hotline")) == [("country", "german")]


def test_date_pieces_join_and_take_their_preposition_and_ago():
    message = "bought a redmi on the 3rd of may in italy"
    found = [entity("purchase_date", "3rd", message), entity("purchase_date", "may", message)]
    assert values(clean(found, message, "check_warranty")) == [("purchase_date", "on the 3rd of may")]
    message = "my charger broke, bought it 8 months back, still covered?"
    assert values(clean([entity("purchase_date", "8 months", message)], message, "check_warranty")) == [
        ("purchase_date", "8 months back")]
    message = "poco f6 early last year gekauft"
    assert values(clean([entity("purchase_date", "last year", message)], message, "check_warranty")) == [
        ("purchase_date", "early last year")]
    message = "gekauft so vor 8 monaten"
    assert values(clean([entity("purchase_date", "vor 8 monaten", message)], message, "inform")) == [
        ("purchase_date", "so vor 8 monaten")]


def test_dates_apart_stay_apart():
    message = "bought yesterday, broke last week"
    found = [entity("purchase_date", "yesterday", message), entity("purchase_date", "last week", message)]
    assert values(clean(found, message, "inform")) == [("purchase_date", "yesterday"), ("purchase_date", "last week")]


def test_clock_time_and_verb_are_no_products():
    for message, word in [("bis 18 uhr offen?", "uhr"), ("ab wie viel uhr seid ihr da", "uhr"), ("does iws cover a cracked screen", "cover")]:
        assert clean([entity("product", word, message)], message, "ask_opening_hours") == []
    for message, word in [("meine uhr ist kaputt", "uhr"), ("my phone cover broke", "cover")]:
        assert values(clean([entity("product", word, message)], message, "check_warranty")) == [("product", word)]


def test_country_codes_nobody_tagged_become_country_entities():
    from components.entity_filter import country_codes

    found = country_codes("bin in D, brauch die nummer für AT", [])
    assert [(e["value"], e["start"]) for e in found] == [("D", 7), ("AT", 32)]
    assert country_codes("is it covered in india", []) == []
    assert country_codes("hotline DE", [{"entity": "country", "start": 8, "end": 10, "value": "DE"}]) == []


def test_a_message_that_is_only_a_country_is_an_answer():
    from components.entity_filter import names_only_a_country

    country = [{"entity": "country", "start": 0, "end": 1, "value": "D"}]
    assert names_only_a_country("D", country)
    assert names_only_a_country("U.K.", country)
    assert names_only_a_country("Polen?", country)
    assert not names_only_a_country("hotline polen", country)
    assert not names_only_a_country("D", [])
    assert names_only_a_country("bought in kuala lumpur", [])  # a city, after the purchase words
    assert names_only_a_country("gekauft in wien", [])
    assert not names_only_a_country("bought in a shop near kuala lumpur", [])


@pytest.mark.parametrize("text, points_back", [
    ("gilt das auch fuer malaysia", True),
    ("gilt das auch für Österreich?", True),
    ("does that also apply to spain?", True),
    ("same for the uk?", True),
    ("gilt das auch fuer zubehoer?", False),  # no country: a question of its own
    ("hotline malaysia", False),
])
def test_an_opener_pointing_at_the_last_answer_with_a_country(text, points_back):
    from components.entity_filter import follows_up_on_a_country

    assert follows_up_on_a_country(text, "anaphoric_openers") is points_back


def test_a_product_with_a_purchase_word_answers_the_warranty_check():
    from components.entity_filter import states_a_purchase

    product = [{"entity": "product", "start": 0, "end": 9, "value": "xiaomi 14"}]
    assert states_a_purchase("xiaomi 14, gekauft in madrid", product)
    assert states_a_purchase("poco f6 bought in lyon", product)
    assert not states_a_purchase("xiaomi 14 kaputt, was nun", product)
    assert not states_a_purchase("gekauft in madrid", [])


@pytest.mark.parametrize("text, follows_up", [
    ("und indonesien? flieg naechste woche nach bali", True),
    ("even in spain?", True),
    ("danke, und in polen?", True),
    ("n in india?", True),  # chat "n" for "and"
    ("un in oesterreich?", True),
    ("ok and if bought in germany?", True),
    ("weather in manila tomorrow?", False),  # a country, but no follow-up
    ("and the phone line?", False),  # a follow-up, but no country
    ("und was kostet das in 3 jahren, so ungefaehr, in frankreich", False),  # the country far from the opener
    ("und spanein?", True),  # a typo of a country's name
    ("and if i bought it in FR instead?", True),  # a code, as written
    ("ok and for my cousin in MY?", True),
    ("and in english?", False),  # a language, not England
    ("und morgen?", False),
])
def test_a_follow_up_opener_before_a_country(text, follows_up):
    from components.entity_filter import follows_up_on_a_country

    assert follows_up_on_a_country(text) is follows_up


def test_out_of_scope_that_names_two_topics_is_the_first_of_them():
    from rasa.shared.nlu.training_data.message import Message

    from components.entity_filter import EntitySanityFilter

    def run(text, intent):
        message = Message(data={"text": text, "intent": {"name": intent, "confidence": 0.6}})
        EntitySanityFilter.__new__(EntitySanityFilter).process([message])
        return message.get("intent")["name"]

    assert run("hi 1. nummer DE 2. bis wann heute offen 3. wie lange garantie aufs handy", "out_of_scope") == "ask_hotline"
    assert run("wie wird das wetter morgen", "out_of_scope") == "out_of_scope"
    assert run("was kostet eine reparatur", "out_of_scope") == "out_of_scope"
    # a date, however broken, is an answer to the warranty check
    assert run('am 31.02.2025 <img src=x onerror="window.__xss=2">', "out_of_scope") == "inform"
    assert run("gekauft am 32.13.2025", "out_of_scope") == "inform"


@pytest.mark.parametrize("text, intent, expected", [
    ("5th dec i think", "deny", "inform"),
    ("the 20th", "thank", "inform"),
    ("am 20. glaub", "deny", "inform"),
    ("nein, 10.3.25", "deny", "inform"),
    ("thanks 2", "thank", "thank"),
    ("nein danke", "deny", "deny"),
    ("bye see u in 2 days", "goodbye", "goodbye"),
    ("who won the f1 race yesterday", "out_of_scope", "out_of_scope"),  # a digit, but no date's
])
def test_a_short_date_taken_for_small_talk_is_an_answer(text, intent, expected):
    message = filtered(text, intent, 0.8)
    assert message.get("intent")["name"] == expected


@pytest.mark.parametrize("text, answer", [
    ("im in london btw", True),
    ("i'm in london", True),
    ("bin grad in wien", True),
    ("bin in der CH", True),
    ("im in the uk now", True),
    ("ich bin in", False),
    ("bin in der warteschleife", False),  # no country
    ("im in london and my phone is broken, who repairs it", False),  # a question of its own
])
def test_where_the_user_is_is_an_answer(text, answer):
    from components.entity_filter import names_only_a_country

    assert names_only_a_country(text, []) is answer


def test_a_date_the_extractor_ran_into_the_product_is_a_date():
    from components.entity_filter import clean

    message = "handyhuelle 20.08.2026 in italien gekauft"
    found = clean([entity("product", "handyhuelle 20.08.2026", message)], message, "inform")
    assert values(found) == [("product", "handyhuelle"), ("purchase_date", "20.08.2026")]
    assert message[found[1]["start"]:found[1]["end"]] == "20.08.2026"


@pytest.mark.parametrize("date", ["4/2024", "04/2025", "04.2024", "10.3.25"])
def test_a_product_that_is_only_a_date_is_the_purchase_date(date):
    message = f"redmi 12 gekauft {date} in deutschland"
    found = clean([entity("product", "redmi 12", message), entity("product", date, message)], message, "inform")
    assert values(found) == [("product", "redmi 12"), ("purchase_date", date)]


def test_a_fragment_before_the_date_ends_the_product_before_it():
    message = "redmi pad se 4/2024 in italien gekauft. noch garantie?"
    found = clean([entity("product", "redmi pad", message), entity("product", "se 4/2024", message)], message, "check_warranty")
    assert values(found) == [("product", "redmi pad se"), ("purchase_date", "4/2024")]


@pytest.mark.parametrize("text, intent, kinds, check", [
    ("xiaomi 14 bought 30.11.2024 in italy. warranty?", "ask_warranty_period", ["product", "country"], True),
    ("xiaomi pad 6 from poland, purchased march 2024 - warranty?", "ask_eu_warranty", ["product", "country"], True),
    # service in another country: the EU rule's question, date or not
    ("poco f6 gekauft am 10.03.2025 in spanien, geht reparatur in frankreich?", "ask_eu_warranty", ["product", "country", "country"], False),
    ("wie lange garantie auf ein xiaomi 14", "ask_warranty_period", ["product"], False),  # no purchase, no date
    ("xiaomi 14 gekauft in italien, wie lange garantie", "ask_warranty_period", ["product", "country"], False),  # no date
    ("xiaomi 14 bought 30.11.2024 in italy", "ask_hotline", ["product", "country"], False),
])
def test_a_purchase_with_its_date_asks_for_the_check(text, intent, kinds, check):
    from components.entity_filter import asks_a_check

    assert asks_a_check(intent, text, [{"entity": kind} for kind in kinds]) is check


@pytest.mark.parametrize("text, where", [
    ("wo kann ich meine garantie online pruefen", True),
    ("how do i check my warranty on the website", True),
    ("garantie online pruefen", False),  # the check itself
    ("where can i check my warranty", False),  # no channel named: the check
    ("wie lange hab ich garantie in der app", False),
])
def test_where_to_check_is_a_channel_question(text, where):
    from components.entity_filter import asks_where_to_check

    assert asks_where_to_check(text) is where


@pytest.mark.parametrize("text, intent, period", [
    ("dachte in indien gibts 12 monate?", "ask_regional_service", True),
    ("12 or 24 months in malaysia?", "inform", True),
    ("vor 12 monaten in malaysia", "inform", False),  # a purchase date, the warranty check's answer
    ("2 years", "inform", False),  # no question: the answer to "when did you buy it?"
    ("6 months ago in india", "ask_regional_service", False),
])
def test_a_period_named_in_a_question_asks_for_the_period(text, intent, period):
    message = filtered(text, intent, 0.6)
    assert (message.get("intent")["name"] == "ask_warranty_period") is period


@pytest.mark.parametrize("text, entities, intent, expected", [
    ("antworte ab jetzt auf deutsch", [], "ask_opening_hours", "switch_language"),
    ("hotline in english please", [], "ask_hotline", "ask_hotline"),  # a question beside the language
    ("nur die hülle", [("product", "hülle")], "ask_warranty_period", "inform"),
    ("xiaomi 13pro", [("product", "xiaomi 13pro")], "ask_iws", "inform"),
    ("ist mein xiaomi 13 pro bei iws dabei?", [("product", "xiaomi 13 pro")], "ask_iws", "ask_iws"),
])
def test_a_bare_language_or_product_is_what_it_names(text, entities, intent, expected):
    message = filtered(text, intent, 0.6, [entity(kind, value, text) for kind, value in entities])
    assert message.get("intent")["name"] == expected


@pytest.mark.parametrize("text, intent, expected", [
    ("give me the ceo's phone number", "ask_hotline", "out_of_scope"),
    ("nummer vom geschaeftsführer?", "ask_hotline", "out_of_scope"),
    ("hotline deutschland", "ask_hotline", "ask_hotline"),
    ("ich will mit eurem chef sprechen", "human_handoff", "human_handoff"),  # a person to talk to: the handoff
])
def test_a_number_for_someone_outside_support_is_no_hotline_question(text, intent, expected):
    assert filtered(text, intent, 0.99, []).get("intent")["name"] == expected


@pytest.mark.parametrize("text, intent, confidence, expected", [
    ("hw do i track my repair status", "nlu_fallback", 0.35, "ask_channels"),  # WhatsApp: status tracking
    ("how do i track status of my repair? dont want to call again", "ask_hotline", 0.44, "ask_channels"),
    ("my phone keeps restarting, how do i diagnose it myself", "stop", 0.36, "ask_channels"),  # the Support App
    ("how do i track status of my repair?", "ask_hotline", 0.9, "ask_hotline"),  # the classifier sure: its intent
    ("xiaomi pad 6 from poland, purchased march 2024 - warranty?", "check_warranty", 0.4, "check_warranty"),
    ("hotline?", "nlu_fallback", 0.3, "nlu_fallback"),  # the hotline has its own intent and question
    ("what is the weather", "out_of_scope", 0.9, "out_of_scope"),
    ("ist das ein chatbot?", "bot_challenge", 0.4, "bot_challenge"),  # small talk, however unsure, is no channel question
    ("is there a person i can chat with", "human_handoff", 0.4, "human_handoff"),
    ("does xiaomi support in china have ai chat bots", "ask_regional_service", 0.45, "ask_regional_service"),  # a country's service
])
def test_an_unsure_question_that_describes_a_channel_is_about_that_channel(text, intent, confidence, expected):
    named = [entity(kind, value, text) for kind, value in (("purchase_date", "march 2024"), ("country", "china")) if value in text]
    assert filtered(text, intent, confidence, named).get("intent")["name"] == expected


@pytest.mark.parametrize("text, intent, expected", [
    ("und morgen frueh um 8 in italien, geht das?", "check_warranty", "ask_opening_hours"),
    ("and tmrw at 8 before work?", "inform", "ask_opening_hours"),
    ("kann ich die hotline um 19:30 noch anrufen?", "ask_hotline", "ask_opening_hours"),
    ("gekauft am 3.10. um 18 uhr, noch garantie?", "check_warranty", "check_warranty"),  # when it was bought
    ("hotline DE?", "ask_hotline", "ask_hotline"),
])
def test_a_question_about_a_clock_time_asks_for_the_hours_then(text, intent, expected):
    message = filtered(text, intent, 0.8)
    assert message.get("intent")["name"] == expected


@pytest.mark.parametrize("text, intent, expected", [
    ("so my xiaomi 14 no?", "deny", "inform"),  # a model named and asked about (DIET tagged nothing)
    ("was kostet n displaytausch beim redmi note 12?", "out_of_scope", "out_of_scope"),  # a price: not my topic
    ("no thanks", "deny", "deny"),
])
def test_a_model_asked_about_in_small_talk_is_an_answer(text, intent, expected):
    message = filtered(text, intent, 0.7)
    assert message.get("intent")["name"] == expected
    if expected == "inform":
        assert [e["value"] for e in message.get("entities")] == ["xiaomi 14"]


@pytest.mark.parametrize("text, intent, expected", [
    ("echt? dachte in der eu sinds 2 jahre", "thank", "ask_warranty_period"),  # a period named, in small talk
    ("wie lang gilt die in DE ueberhaupt?", "ask_regional_service", "ask_warranty_period"),
    ("how long does it last in india?", "ask_hotline", "ask_warranty_period"),
    ("thanks, you were a great help in the last 2 weeks of chatting", "thank", "thank"),  # no period of warranty
    ("wie lange habt ihr heute auf?", "ask_opening_hours", "ask_opening_hours"),
])
def test_a_question_for_how_long_the_warranty_lasts(text, intent, expected):
    message = filtered(text, intent, 0.7)
    assert message.get("intent")["name"] == expected


def test_iws_asked_for_accessories_only_is_the_accessory_period():
    text = "wat about accessories like the charger, in general"
    assert filtered(text, "ask_iws", 0.6, [entity("product", "charger", text)]).get("intent")["name"] == "ask_warranty_period"


@pytest.mark.parametrize("text, expected", [
    ("was is wenn ich den kassenbon nich mehr hab?", "out_of_scope"),  # a question, no word of stopping
    ("what if i dont have the receipt anymore?", "out_of_scope"),
    ("stop", "stop"),
    ("vergiss es", "stop"),
    ("can we stop?", "stop"),  # a question with a stop marker: stopping
])
def test_a_question_taken_for_stopping_is_a_question(text, expected):
    message = filtered(text, "stop", 0.9)
    assert message.get("intent")["name"] == expected


def test_a_follow_up_on_a_misspelt_country_gets_that_country_as_entity():
    message = filtered("und spanein?", "out_of_scope", 0.4)
    assert message.get("intent")["name"] == "inform"
    assert [(e["entity"], e["value"]) for e in message.get("entities")] == [("country", "spanein")]


def test_a_month_taken_for_a_product_is_dropped():
    from components.entity_filter import clean

    text = "ok back to it: redmi note 13, germany, bought nov 2024"
    entities = [entity("product", "redmi note 13", text), entity("product", "nov", text)]
    assert values(clean(entities, text, "inform")) == [("product", "redmi note 13")]


def test_a_number_is_no_product():
    text = "hi! 1) uk hotline 3) is iws for xiaomi 12 pro?"
    entities = [entity("product", "1", text), entity("product", "xiaomi 12 pro", text)]
    assert values(clean(entities, text, "ask_iws")) == [("product", "xiaomi 12 pro")]


@pytest.mark.parametrize("text, expected", [
    ("Good evening sir, kindly share customer care no. for india, my 13 pro display is flickering", "ask_hotline"),
    ("check my warranty and the number pls", "check_warranty"),  # both asked: the check, its answer brings the number
    ("xiaomi 14 bought in india, hotline?", "check_warranty"),  # a purchase: the check
])
def test_a_check_that_only_asks_for_the_number_is_the_hotline(text, expected):
    named = [entity("product", "xiaomi 14", text)] if "xiaomi 14" in text else None
    assert filtered(text, "check_warranty", 0.7, named).get("intent")["name"] == expected


@pytest.mark.parametrize("text, intent, expected", [
    ("wie kann ich euch erreichen ausser telefon? hab kein bock in der warteschleife zu haengen", "complain", "ask_channels"),
    ("how else can I reach you besides the phone?", "human_handoff", "ask_channels"),
    ("euer service ist mies", "complain", "complain"),
])
def test_a_complaint_asking_for_another_channel_gets_the_channels(text, intent, expected):
    message = filtered(text, intent, 0.8)
    assert message.get("intent")["name"] == expected


@pytest.mark.parametrize("text, found", [("so my xiaomi 14 no?", ["xiaomi 14"]), ("hallo xiaomi team", []), ("poco x6 pro bitte", ["poco x6 pro"])])
def test_model_names_no_extractor_tagged(text, found):
    from components.entity_filter import model_names

    assert [e["value"] for e in model_names(text, [])] == found


def test_a_brand_and_a_model_one_space_apart_are_one_product():
    text = "xiaomi 13pro"
    assert values(clean([entity("product", "xiaomi", text), entity("product", "13pro", text)], text, "inform")) == [("product", "xiaomi 13pro")]
    text = "handy und ladekabel"
    assert values(clean([entity("product", "handy", text), entity("product", "ladekabel", text)], text, "inform")) == \
        [("product", "handy"), ("product", "ladekabel")]
