"""support/retrieval.py: the knowledge entries a question describes by what they do."""
import pytest

from support.retrieval import better_elsewhere, catalogue


@pytest.mark.parametrize("kind, question, entry", [
    ("channel", "where can i book a repair online", "website"),
    ("channel", "wo kann ich den reparaturstatus verfolgen", "whatsapp"),
    ("tool", "gibts ne app um versteckte xiaomi funktionen freizuschalten", "memeos_enhancer"),
    ("tool", "wo kann ich firmware pakete selber checken", "hyperosupdates"),
])
def test_a_question_finds_the_entry_by_what_it_does(kind, question, entry):
    assert catalogue(kind).search(question)[0][0] == entry


def test_a_question_about_nothing_in_the_catalogue_finds_nothing():
    assert catalogue("tool").search("wie wird das wetter morgen") == []


@pytest.mark.parametrize("question, asked_as, elsewhere", [
    ("firmware diagnose machen wie?", "tool", ("channel", "app")),
    ("mein handy zeigt fehler beim update, kann die app das diagnostizieren?", "tool", ("channel", "app")),
    ("is there an app that does ota downloads", "channel", ("tool", "memeos_enhancer")),
    ("wo kann ich firmware pakete selber checken", "tool", None),  # the firmware site fits best
    ("was kann ich per whatsapp machen", "channel", None),
])
def test_an_entry_of_the_other_catalogue_that_fits_clearly_better(question, asked_as, elsewhere):
    assert better_elsewhere(question, asked_as) == elsewhere
