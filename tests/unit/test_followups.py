"""support/followups.py: which messages ask about the previous answer."""
import pytest

from support.followups import Followup, followup, followup_in_message


@pytest.mark.parametrize("text, topic, aspect", [
    ("wo bekomm ich die", "self_service", "where_to_get"),
    ("where do i get it", "self_service", "where_to_get"),
    ("kann ich damit auch ota updates laden", "self_service", "with_it"),
    ("welche laender gehoeren da dazu", "regional", "countries"),
    ("which countries is that", "regional", "countries"),
    ("welche modelle dann?", "iws", "models"),
    ("which models then", "iws", "models"),
    ("und was deckt das ab?", "iws", "covers"),
    ("whats not covered by that?", "iws", "excludes"),  # "not covered" before "covered"
    ("auch austausch gegen ein neues?", "iws", "excludes"),
    ("how many days left", "warranty_check", "remaining"),
    ("und wie lang noch ungefaehr", "warranty_check", "remaining"),
    ("so who do i contact?", "warranty_check", "contact"),
    ("und die zeiten?", "hotline", "hours"),
    ("welche hat abends laenger", "hotline", "latest"),
    ("und wann machen die beiden heute zu?", "hotline", "hours"),
    ("und garantie pruefen geht da auch?", "channels", "with_it"),
    ("ok and if that doesn't help?", "self_service", "escalate"),
    ("und falls das nicht hilft, wen ruf ich an", "channels", "escalate"),
    ("who runs that line, xiaomi itself?", "hotline", "operator"),
    ("how many are there", "regional", "service_network"),
    ("kommt da auch mal wer zu mir raus?", "regional", "service_network"),
    ("can i walk in on a sunday?", "regional", "service_network"),
    ("is it available on weekends", "regional", "service_network"),
    ("whats the timing", "regional", "hours"),  # the regional answer named the hotline
    ("und in welchen laendern gilt die genau?", "iws", "countries"),
    ("ok wat time tmrw then", "hotline", "hours"),
    ("and if i dropped it in water myself?", "iws", "excludes"),
])
def test_questions_about_the_previous_answer(text, topic, aspect):
    assert followup(text, topic) == Followup(topic, aspect)


@pytest.mark.parametrize("text, topic", [
    ("hotline spanien", "hotline"),  # a new question
    ("garantie?", "iws"),
    ("welche modelle dann?", None),  # nothing before it
    ("welche modelle dann?", "hotline"),  # models make no sense after a hotline
    ("wo bekomm ich die", "warranty_check"),
    ("und die zeiten in spanien?", "hotline"),  # a country named: the intent's own answer
])
def test_new_questions_are_no_followup(text, topic):
    found = followup_in_message(text, [], topic)
    assert found is None


def test_a_product_after_a_check_is_the_same_check_for_it_unless_a_new_date_is_given():
    assert followup("and the phone itself?", "warranty_check", names_product=True) == Followup("warranty_check", "product")
    assert followup("and the phone, bought 3.4.2025?", "warranty_check", names_product=True, names_date=True) is None
    assert followup("and the phone itself?", "hotline", names_product=True) is None
    assert followup("so my xiaomi 14 pro isnt covered?", "iws", names_product=True) == Followup("iws", "product")


def test_if_the_self_help_fails_the_hotline_is_asked_for_even_with_a_country():
    found = followup_in_message("ok and if that doesnt help? im in france", [{"entity": "country", "value": "france"}], "self_service")
    assert found == Followup("self_service", "escalate")
    assert followup_in_message("und wenn nicht wo kann ich firmware pakete selber checken", [], "self_service") is None


@pytest.mark.parametrize("text", ["sorry, war doch in UK gekauft, nicht italien", "actually i bought it in france"])
def test_a_corrected_country_of_purchase_repeats_the_check(text):
    assert followup_in_message(text, [{"entity": "country"}], "warranty_check") == Followup("warranty_check", "country")


@pytest.mark.parametrize("text, topic", [
    ("sorry, war doch in UK gekauft", "hotline"),  # no check before it
    ("bin jetzt in UK", "warranty_check"),  # where the user is, not where it was bought
])
def test_a_country_without_a_corrected_check_is_no_correction(text, topic):
    assert followup_in_message(text, [{"entity": "country"}], topic) is None


@pytest.mark.parametrize("text", ["und garantie hier?", "ok und welche garantie gilt da?", "what about the warranty there"])
def test_warranty_rules_for_the_country_just_named(text):
    assert followup(text, "hotline") == Followup("hotline", "warranty_rules")


@pytest.mark.parametrize("text", [
    "hotline und garantie?",  # two questions of its own
    "und hab ich noch garantie?",  # the check, not the rules
    "und garantie in polen?",  # a country of its own
])
def test_no_warranty_rules_followup(text):
    entities = [{"entity": "country"}] if "polen" in text else []
    assert followup_in_message(text, entities, "hotline") is None


def test_a_channel_named_is_asked_about_itself():
    text = "und whatsapp was kann man da machen"
    assert followup(text, "channels") == Followup("channels", "with_it")
    assert followup_in_message(text, [{"entity": "channel"}], "channels") is None


def test_who_runs_the_hotline_even_where_the_classifier_saw_a_product():
    text = "is das xiaomi selber am telefon oder ne andere firma"
    assert followup_in_message(text, [{"entity": "product", "value": "telefon"}], "hotline") == Followup("hotline", "operator")
    assert followup_in_message(text, [], "warranty_check") is None  # no hotline to ask about


def test_two_countries_after_a_check_are_a_question_of_their_own():
    text = "allg. frage: kann man in FR gekaufte handys auch in DE reparieren lassen?"
    entities = [{"entity": "country", "value": "FR"}, {"entity": "product", "value": "handys"}, {"entity": "country", "value": "DE"}]
    assert followup_in_message(text, entities, "warranty_check") is None
    assert followup_in_message("und das ladekabel?", [{"entity": "product", "value": "ladekabel"}], "warranty_check") == \
        Followup("warranty_check", "product")
