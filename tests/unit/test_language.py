"""Language detection (support/language.py) and the language slot rules
(`requested_language`, `wanted_language` of components/language_policy.py).

components/language_policy.py imports Rasa at module level (~12 s with
TensorFlow); the two functions under test are pure and use only
support.text.fold, so the module is executed here with light stand-ins for
the Rasa names it imports. sys.modules is restored afterwards.
"""
from pathlib import Path

import pytest

from support.language import detect

ROOT = Path(__file__).resolve().parents[2]


from support.language import phone_language, requested_language, wanted_language  # noqa: E402


# --- detect: realistic messages ------------------------------------------------

GERMAN = [
    "Hallo, ich habe mein Handy in Italien gekauft, gilt die Garantie auch in Deutschland?",
    "Wann hat die Hotline in Frankreich geöffnet?",
    "Wie lange habe ich Garantie auf mein Ladegerät?",
    "hab mein handy letztes jahr gekauft",
    "ist die hotline am samstag erreichbar",
    "Kann ich mein Xiaomi 13 Pro in Spanien reparieren lassen?",
    "was ist die nummer für deutschland",
    "wie erreiche ich den kundendienst",
    "Ich möchte mit einem Mitarbeiter sprechen",
    "danke für die hilfe",
    "mein display ist kaputt was soll ich tun",
    "Welche Modelle haben die internationale Garantie?",
    "habt ihr auch am wochenende offen",
    "ich hab das teil vor zwei jahren gekauft",
    "Können wir auf Deutsch weitermachen?",
    "Tschüss und schönen Abend noch",
    "Wo kann ich mein Gerät reparieren lassen?",
    "Gilt die Garantie auch für Zubehör?",
    "wie lange ist die hotline heute noch offen",
    "ich komme aus österreich",
    "Guten Morgen, ich brauche Hilfe",
    "Ist der Support in Indien auch am Sonntag da?",
    "Hey, kurze Frage: gilt IWS auch für das Redmi Note 13?",
    "Servus, wie lang ist die Garantie in der EU?",
    "Seit wann habe ich Garantie?",
    "Geht der Austausch auch über die Garantie?",
    "Wer macht den Service in Großbritannien?",
    "Das Handy ist ins Wasser gefallen",
    "Kann ich das Gerät per Post einschicken?",
    "Wie ist die Telefonnummer in Polen?",
    "Gibt es einen Live Chat?",
    "ok und in indien?",  # short chat: one sure German word decides
    "gibts da ne hotline?",
]

ENGLISH = [
    "Hi, I bought my phone in Italy, is the warranty valid in Germany?",
    "When is the hotline in France open?",
    "How long is the warranty on my charger?",
    "bought my phone last year",
    "is the hotline open on saturday",
    "Can I get my Xiaomi 13 Pro repaired in Spain?",
    "whats the number for germany",
    "how do i reach customer service",
    "I want to talk to a human",
    "thanks for your help",
    "my screen is broken what should i do",
    "is there whatsapp support in indonesia",
    "Which models have the international warranty?",
    "are you open on the weekend",
    "i bought it two years ago",
    "Can we continue in English please?",
    "bye and have a nice evening",
    "Where can I get my device repaired?",
    "Does the warranty cover accessories?",
    "how long is the hotline still open today",
    "Good morning, I need help",
    "Is support in India available on Sunday?",
    "Hey, quick question: does IWS cover the Redmi Note 13?",
    "Since when do I have warranty?",
    "Is a replacement covered by the warranty?",
    "Who does the service in Great Britain?",
    "The phone fell into water",
    "My battery doesn't last long anymore",
    "Can I send the device by mail?",
    "What is the phone number in Poland?",
    "Is there a live chat?",
    "where's the shop",  # short chat: one sure English word decides
    "ok the uk then",
]


@pytest.mark.parametrize("text", GERMAN)
def test_german_sentences_are_decisive(text):
    result = detect(text)
    assert (result.language, result.decisive) == ("de", True)
    assert result.score >= 1.0


@pytest.mark.parametrize("text", ENGLISH)
def test_english_sentences_are_decisive(text):
    result = detect(text)
    assert (result.language, result.decisive) == ("en", True)
    assert result.score <= -1.0


def test_enough_messages_per_language():
    assert len(GERMAN) >= 20 and len(ENGLISH) >= 20


# WhatsApp style: lower case, no punctuation, abbreviations, two or three words
CHAT = [
    ("hab's in Italien gekauft", "de"),
    ("die nummer bitte", "de"),
    ("wann offen", "de"),
    ("ist offen?", "de"),
    ("jo danke", "de"),
    ("ok danke dir", "de"),
    ("nee das passt nicht", "de"),
    ("geht das auch per whatsapp?", "de"),
    ("Öffnungszeiten?", "de"),
    ("Hotline Spanien Öffnungszeiten", "de"),
    ("Super, vielen Dank!", "de"),
    ("hab keine rechnung mehr", "de"),
    ("online gekauft bei amazon", "de"),
    ("garantie xiaomi 13 pro", "de"),
    ("ok thx", "en"),
    ("cool thanks mate", "en"),
    ("the number please", "en"),
    ("when open", "en"),
    ("is open?", "en"),
    ("got it in Italy", "en"),
    ("and in spain?", "en"),
    ("what about poland?", "en"),
    ("nope that doesnt work", "en"),
    ("im from austria", "en"),
    ("english please", "en"),
    ("opening hours?", "en"),
    ("warranty xiaomi 13 pro", "en"),
    ("dont have the receipt anymore", "en"),
]


@pytest.mark.parametrize("text, language", CHAT)
def test_chat_style_messages(text, language):
    result = detect(text)
    assert (result.language, result.decisive) == (language, True)


@pytest.mark.parametrize("text", ["und in polen?", "und polen?", "und in spanien?", "Handy kaputt", "geht whatsapp",
                                  "is a xiaomi 14 ultra", "is kaputt"])
def test_short_german_follow_ups_never_switch_to_english(text):
    """Too short to be decisive, but they must not flip a German conversation."""
    result = detect(text)
    assert not (result.decisive and result.language == "en")


def test_german_question_with_loanwords():
    assert detect("gibt es whatsapp support in indonesien").language == "de"


@pytest.mark.parametrize(
    "text",
    ["ok", "Italien", "Germany", "Deutschland", "?", "", None, "13 pro", "Xiaomi 13 Pro", "10.03.2025", "😀", "ja", "hi", "lol", "ok ok", "Garantie?", "warranty?", "DE"],
)
def test_too_little_evidence_is_not_decisive(text):
    result = detect(text)
    assert result.decisive is False
    assert result.language in ("de", "en")
    assert abs(result.score) < 1.0


@pytest.mark.parametrize(
    "text, language",
    [
        ("danke", "de"),
        ("Danke!", "de"),
        ("hallo", "de"),
        ("Tschüss", "de"),
        ("moin", "de"),
        ("servus", "de"),
        ("nein", "de"),
        ("bitte", "de"),
        ("Hilfe", "de"),
        ("Grüß Gott", "de"),
        ("thanks", "en"),
        ("Thanks!", "en"),
        ("thx", "en"),
        ("hello", "en"),
        ("bye", "en"),
        ("yes", "en"),
        ("nope", "en"),
        ("please", "en"),
        ("help", "en"),
        ("cheers", "en"),
    ],
)
def test_strong_single_words_are_decisive(text, language):
    result = detect(text)
    assert (result.language, result.decisive) == (language, True)


def test_umlaut_alone_leans_german():
    # "Italien" alone is not decisive; with an umlaut word it is
    assert detect("Österreich").language == "de"
    assert detect("Österreich").decisive is True


def test_as_dict():
    result = detect("danke")
    assert set(result.as_dict()) == {"code", "decisive", "score", "evidence"}
    assert result.as_dict()["code"] == "de" and result.as_dict()["decisive"] is True


# --- requested_language ------------------------------------------------------------

@pytest.mark.parametrize(
    "value, expected",
    [
        ("English", "en"),
        ("english", "en"),
        ("Englisch", "en"),
        ("auf Englisch", "en"),
        ("in english please", "en"),
        ("en", "en"),
        ("EN", "en"),
        ("Deutsch", "de"),
        ("deutsch", "de"),
        ("auf deutsch", "de"),
        ("German", "de"),
        ("de", "de"),
        ("DE", "de"),
        ("dt.", "de"),
        ("Französisch", None),
        ("french", None),
        ("Spanish", None),
        ("", None),
        (None, None),
    ],
)
def test_requested_language(value, expected):
    assert requested_language(value) == expected


@pytest.mark.parametrize("value", ["eng", "ENG", "in eng pls"])
def test_bug_requested_language_eng_abbreviation(value):
    assert requested_language(value) == "en"


# --- wanted_language -----------------------------------------------------------------

def parse(intent=None, entities=(), language=None):
    data = {"intent": {"name": intent} if intent else None, "entities": list(entities)}
    if language is not None:
        data["language"] = language
    return data


def choice(value):
    return {"entity": "language_choice", "value": value}


DE_DECISIVE = {"code": "de", "decisive": True, "score": 5.0}
EN_DECISIVE = {"code": "en", "decisive": True, "score": -5.0}
DE_GUESS = {"code": "de", "decisive": False, "score": 0.3}
EN_GUESS = {"code": "en", "decisive": False, "score": -0.2}

WANTED_CASES = [
    # 1. explicit request: switch intent with a language_choice entity wins over everything
    pytest.param(parse("switch_language", [choice("Englisch")], DE_DECISIVE), "de", "en", id="switch-entity-beats-decisive-detection"),
    pytest.param(parse("switch_language", [choice("English")], EN_DECISIVE), "en", "en", id="switch-to-same-language"),
    pytest.param(parse("switch_language", [choice("Deutsch")], EN_DECISIVE), "en", "de", id="switch-to-german"),
    pytest.param(parse("switch_language", [choice("german")], EN_GUESS), None, "de", id="switch-entity-empty-slot"),
    pytest.param(parse("switch_language", [{"entity": "country", "value": "Deutschland"}, choice("english")], DE_DECISIVE), "de", "en", id="other-entities-ignored"),
    # 2. switch without a usable entity: the other language
    pytest.param(parse("switch_language", [], DE_DECISIVE), "de", "en", id="switch-no-entity-flips-de"),
    pytest.param(parse("switch_language", [], EN_DECISIVE), "en", "de", id="switch-no-entity-flips-en"),
    pytest.param(parse("switch_language", [choice("Französisch")], DE_DECISIVE), "de", "en", id="switch-unknown-choice-flips"),
    pytest.param(parse("switch_language", [{"entity": "country", "value": "English"}], EN_GUESS), "en", "de", id="switch-wrong-entity-type-flips"),
    # ... with an empty slot there is nothing to flip: detection decides
    pytest.param(parse("switch_language", [], EN_DECISIVE), None, "en", id="switch-no-entity-empty-slot-detects"),
    pytest.param(parse("switch_language", [], DE_GUESS), None, "de", id="switch-no-entity-empty-slot-guess"),
    # 3. a decisive detection of the latest message
    pytest.param(parse("ask_hotline", [], EN_DECISIVE), "de", "en", id="decisive-en-switches"),
    pytest.param(parse("ask_hotline", [], DE_DECISIVE), "en", "de", id="decisive-de-switches"),
    pytest.param(parse("ask_hotline", [], DE_DECISIVE), "de", "de", id="decisive-same-language"),
    pytest.param(parse(None, [], EN_DECISIVE), "de", "en", id="decisive-without-intent"),
    # 4. first message, empty slot: the best guess even when not decisive
    pytest.param(parse("greet", [], DE_GUESS), None, "de", id="first-message-best-guess-de"),
    pytest.param(parse("greet", [], EN_GUESS), None, "en", id="first-message-best-guess-en"),
    # 5. not decisive and a language already set: keep it (None = no change)
    pytest.param(parse("affirm", [], EN_GUESS), "de", None, id="non-decisive-keeps-de"),
    pytest.param(parse("affirm", [], DE_GUESS), "en", None, id="non-decisive-keeps-en"),
    # nothing detected at all
    pytest.param(parse("greet"), None, None, id="no-detection-empty-slot"),
    pytest.param(parse("greet"), "de", None, id="no-detection-keeps-slot"),
    pytest.param({}, None, None, id="empty-parse-data"),
]


@pytest.mark.parametrize("parse_data, current, expected", WANTED_CASES)
def test_wanted_language(parse_data, current, expected):
    assert wanted_language(parse_data, current) == expected


@pytest.mark.parametrize(
    "text, current, expected",
    [
        ("Can we continue in English please?", "de", "en"),
        ("Können wir auf Deutsch weitermachen?", "en", "de"),
        ("ok", "de", None),  # too short: the conversation stays German
        ("ok", "en", None),
        ("Italien", "en", None),
        ("ok", None, "en"),  # first message: the best guess fills the empty slot
        ("danke", "en", "de"),  # a strong word alone is decisive
    ],
)
def test_wanted_language_with_real_detection(text, current, expected):
    data = {"intent": {"name": "inform"}, "entities": [], "language": detect(text).as_dict()}
    assert wanted_language(data, current) == expected




@pytest.mark.parametrize("text, language", [
    ("hotline polen", "de"), ("hotline poland", "en"), ("hotline oesterreich", "de"), ("support austria", "en"),
])
def test_country_names_break_the_tie_of_a_first_message_without_deciding(text, language):
    """A first message sets the conversation's language from the best guess;
    country names lean it, but never switch a running conversation."""
    result = detect(text)
    assert result.language == language
    assert result.decisive is False


@pytest.mark.parametrize("number, language", [
    ("4915112345678", "de"), ("+43 664 1234567", "de"), ("41791234567", "de"),
    ("447911123456", "en"), ("919812345678", "en"), ("33612345678", "en"),
    ("", None), ("999123", None), (None, None),
])
def test_a_phone_numbers_country_hints_the_language(number, language):
    assert phone_language(number) == language


@pytest.mark.parametrize("text, language", [
    ("sorry my wife doesnt speak german, can you answer in english: what are the hours?", "en"),
    ("auf deutsch bitte, nicht englisch", "de"),
    ("ich kann kein englisch, bitte auf deutsch", "de"),
    ("ok ich schreib lieber deutsch", "de"),
])
def test_the_language_asked_for_is_the_one_a_preposition_leads_to(text, language):
    assert requested_language(text) == language
    # the NLU's entity may have picked the other one: the text decides
    other = "german" if language == "en" else "english"
    data = {"text": text, "intent": {"name": "switch_language"},
            "entities": [{"entity": "language_choice", "value": other}], "language": detect(text).as_dict()}
    if any(p in text for p in (" in english", " auf deutsch")):
        assert wanted_language(data, None) == language


@pytest.mark.parametrize("text, language", [("Garantie?", "de"), ("garantie", "de"), ("warranty?", "en"), ("nummer?", "de")])
def test_a_lone_marker_word_leans_a_first_message(text, language):
    result = detect(text)
    assert (result.language, result.decisive) == (language, False)


@pytest.mark.parametrize("text, choice_value, expected", [
    ("moin, bitte in english antworten. wer repariert in spanien?", "english", "en"),
    ("hi, auf deutsch bitte: what are the hours in the uk?", "deutsch", "de"),
    ("do you speak german", "german", "en"),  # named, not asked for: the message's own language
])
def test_a_language_asked_for_beside_another_question(text, choice_value, expected):
    data = {"text": text, "intent": {"name": "ask_service_partner"}, "entities": [choice(choice_value)],
            "language": detect(text).as_dict()}
    assert wanted_language(data, "de" if expected == "en" else "en") == expected


def test_what_a_switch_request_says_besides_the_language():
    from support.language import without_language_names

    assert without_language_names("auf deutsch bitte") == "auf bitte"
    assert without_language_names("can we continue in english? bought it in germany") == "can we continue in bought it in germany"


@pytest.mark.parametrize("text, language, decisive", [
    ("hotline AT?", "de", False),  # "AT" is Austria, not the English "at"; a German-speaking country's code leans German
    ("hotline DE?", "de", False),
    ("hotline UK?", "en", False),
    ("is it open in DE?", "en", True),
    ("hotline IN pls", "en", True),
])
def test_a_country_code_in_capitals_is_no_word_and_a_german_speaking_one_leans_german(text, language, decisive):
    result = detect(text)
    assert (result.language, result.decisive) == (language, decisive)


def test_while_the_language_is_a_guess_each_message_s_best_guess_wins():
    from support.language import language_settled, wanted_language

    first = {"text": "hotline nummer pls", "intent": {"name": "ask_hotline"}, "language": detect("hotline nummer pls").as_dict()}
    then = {"text": "polen", "intent": {"name": "inform"}, "language": detect("polen").as_dict()}
    assert not language_settled([first], [None])
    assert wanted_language(then, "en", None, settled=False) == "de"  # "polen": the German name
    assert wanted_language(then, "en", None, settled=True) is None  # told before: a lone name switches nothing
    model = {"text": "xiaomi 14 ultra", "intent": {"name": "inform"}, "language": detect("xiaomi 14 ultra").as_dict()}
    assert wanted_language(model, "de", None, settled=False) is None  # no evidence at all: the guess stays
    told = {"text": "wie ist die nummer", "intent": {"name": "ask_hotline"}, "language": detect("wie ist die nummer fuer polen").as_dict()}
    assert language_settled([told], [None]) and language_settled([first], ["de"])


@pytest.mark.parametrize("text, language", [
    ("xiaomi hotline usa? im in texas", "en"),  # "im in": the English "I'm in"
    ("bin im urlaub in spanien", "de"),
    ("AT", "de"),  # a lone code is no English "at"
])
def test_im_in_is_english_and_a_lone_code_no_word(text, language):
    assert detect(text).language == language
