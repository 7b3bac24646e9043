"""The held-out conversation checker (scripts/eval_conversations.py): what
counts as right, as wrong, and as a confident wrong answer."""
from scripts.eval_conversations import check_turn

NUMBERS = ["0800 223 11 44", "900 128 128"]


def test_all_any_and_umlauts():
    result = check_turn({"all": ["geöffnet"], "any": ["x", "0800 223 11 44"]}, "Gerade geoffnet: 0800  223 11 44", False, NUMBERS)
    assert result.problems == [] and result.confident_wrong == []


def test_a_listed_wrong_fact_is_a_confident_wrong_answer():
    result = check_turn({"none": ["24 Monate"]}, "Du hast 24 Monate Garantie.", False, NUMBERS)
    assert result.confident_wrong == ["states '24 Monate'"]


def test_another_hotline_than_the_expected_one_is_a_confident_wrong_answer():
    result = check_turn({"all": ["900 128 128"]}, "Hotline: 0800 223 11 44", False, NUMBERS)
    assert "missing '900 128 128'" in result.problems
    assert result.confident_wrong == ["states another hotline '0800 223 11 44'"]


def test_ask_and_language():
    result = check_turn({"ask": True, "lang": "en"}, "Das ist die Antwort.", False, NUMBERS)
    assert "should ask back" in result.problems and "reply in de, expected en" in result.problems
    assert check_turn({"ask": True}, "", True, NUMBERS).problems == ["no reply"]


def test_whatsapp_messages_read_as_the_rest_channel_gives_them():
    from scripts.eval_conversations import WhatsAppTransport, reply_of, whatsapp_message

    buttons = {"type": "interactive", "interactive": {"type": "button", "body": {"text": "Welches Land?"},
               "action": {"buttons": [{"type": "reply", "reply": {"id": "/inform", "title": "Deutschland"}}]}}}
    listed = {"type": "interactive", "interactive": {"type": "list", "body": {"text": "…"},
              "action": {"button": "Länder", "sections": [{"rows": [{"id": "/x", "title": "UK"}]}]}}}
    text, asked = reply_of([whatsapp_message({"type": "text", "text": {"body": "Hallo"}}),
                            whatsapp_message(buttons), whatsapp_message(listed)])
    assert text.split("\n") == ["Hallo", "Welches Land?", "Deutschland", "…", "UK"] and asked
    german, english = WhatsAppTransport.number("de-1", "de"), WhatsAppTransport.number("en-1", "en")
    assert german.startswith("49") and english.startswith("44") and german != WhatsAppTransport.number("de-2", "de")
