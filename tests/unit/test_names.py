"""Country and product names as users write them (support/names.py).

The covered countries' names are read straight from knowledge/countries.yml and
inflected here by hand (genitive -s for nouns, adjective endings for the lower
case adjectives, umlaut-free spellings), independently of the module.
"""
from pathlib import Path

import pytest
import yaml

from support.knowledge import load_knowledge
from support.names import CountryResolver, ProductResolver

ROOT = Path(__file__).resolve().parents[2]
COUNTRIES_YML = yaml.safe_load((ROOT / "knowledge" / "countries.yml").read_text(encoding="utf-8"))["countries"]
PRODUCTS_YML = yaml.safe_load((ROOT / "knowledge" / "products.yml").read_text(encoding="utf-8"))
IWS_MODELS = ["Xiaomi 15 Ultra", "Xiaomi 14 Ultra", "Xiaomi 13 Ultra", "Xiaomi 13 Pro", "Xiaomi 12 Pro", "Xiaomi MIX Flip"]

KB = load_knowledge()
COUNTRIES = CountryResolver(KB)
PRODUCTS = ProductResolver(KB)


def _umlaut_spellings(word):
    spellings = {word}
    for umlaut, plain, digraph in (("ä", "a", "ae"), ("ö", "o", "oe"), ("ü", "u", "ue"), ("Ä", "A", "Ae"), ("Ö", "O", "Oe"), ("Ü", "U", "Ue")):
        if umlaut in word:
            spellings |= {s.replace(umlaut, plain) for s in spellings} | {s.replace(umlaut, digraph) for s in spellings}
    return {s.replace("ß", "ss") for s in spellings} | spellings


def _written_forms():
    """(written form, code) for every name and German inflection in countries.yml."""
    forms = []
    for country in COUNTRIES_YML:
        code = country["code"]
        for name in country["names"]["de"]:
            if name[0].islower():  # adjective: deutsch, deutsche, deutschen, ...
                inflected = [name + ending for ending in ("", "e", "en", "er", "es", "em")]
            else:  # noun: Deutschland, Deutschlands
                inflected = [name] + ([name + "s"] if " " not in name and name[-1] not in "sxz" else [])
            for form in inflected:
                for spelling in _umlaut_spellings(form):
                    forms.append((spelling, code))
        for name in country["names"]["en"]:
            forms.append((name, code))
    return sorted(set(forms))


WRITTEN_FORMS = _written_forms()


def test_written_forms_cover_the_data():
    codes = {code for _, code in WRITTEN_FORMS}
    assert codes == {"FR", "IT", "ES", "DE", "GB", "PL", "IN", "ID", "MY", "PH", "CN"}
    # a few hand-checked generated forms, so the generator itself is tested
    for form in ("Deutschlands", "deutschen", "französischem", "franzoesisch", "franzosisch", "Grossbritanniens", "Vereinigtes Koenigreich", "britische"):
        assert form in {f for f, _ in WRITTEN_FORMS}


@pytest.mark.parametrize("text, code", WRITTEN_FORMS)
def test_every_covered_name_and_inflection(text, code):
    for variant in {text, text.lower(), text.upper() if len(text) > 3 else text}:
        match = COUNTRIES.resolve(variant)
        assert match is not None, variant
        assert (match.code, match.covered) == (code, True), variant


@pytest.mark.parametrize(
    "text, code",
    [
        ("itlay", "IT"),
        ("germny", "DE"),
        ("frnace", "FR"),
        ("spian", "ES"),
        ("inida", "IN"),
        ("philipines", "PH"),
        ("Phillipines", "PH"),
        ("deutschlnd", "DE"),
        ("Malaisia", "MY"),
        ("Italie", "IT"),
        ("indonesien", "ID"),
    ],
)
def test_typos(text, code):
    match = COUNTRIES.resolve(text)
    assert (match.code, match.covered) == (code, True)


@pytest.mark.parametrize(
    "text, code, covered",
    [
        ("Österreich", "AT", False),
        ("oesterreich", "AT", False),
        ("Osterreich", "AT", False),
        ("Grossbritannien", "GB", True),
        ("Großbritannien", "GB", True),
        ("Dänemark", "DK", False),
        ("Daenemark", "DK", False),
    ],
)
def test_umlaut_spellings(text, code, covered):
    match = COUNTRIES.resolve(text)
    assert (match.code, match.covered) == (code, covered)


@pytest.mark.parametrize(
    "text, code",
    [
        ("in italien", "IT"),
        ("und in spanien?", "ES"),
        ("the UK", "GB"),
        ("nach Frankreich", "FR"),
        ("aus Polen", "PL"),
        ("und Indien?", "IN"),
        ("what about india", "IN"),
        ("Polen?", "PL"),
        ("Spain.", "ES"),
        ("italy!", "IT"),
        ("DE", "DE"),  # an ISO code from a button payload
        ("GB", "GB"),
    ],
)
def test_prefixes_and_punctuation(text, code):
    assert COUNTRIES.resolve(text).code == code


@pytest.mark.parametrize(
    "text, code, name_de, name_en",
    [
        ("Austria", "AT", "Österreich", "Austria"),
        ("Österreich", "AT", "Österreich", "Austria"),
        ("USA", "US", "Vereinigte Staaten", "United States"),
        ("in den USA", "US", "Vereinigte Staaten", "United States"),
        ("Amerika", "US", "Vereinigte Staaten", "United States"),
        ("Schweiz", "CH", "Schweiz", "Switzerland"),
        ("aus der schweiz", "CH", "Schweiz", "Switzerland"),
        ("Switzerland", "CH", "Schweiz", "Switzerland"),
        ("Japan", "JP", "Japan", "Japan"),
        ("Holland", "NL", "Niederlande", "Netherlands"),
        ("Thailand", "TH", "Thailand", "Thailand"),
    ],
)
def test_uncovered_countries_are_recognised(text, code, name_de, name_en):
    match = COUNTRIES.resolve(text)
    assert (match.code, match.covered) == (code, False)
    assert (match.name("de"), match.name("en")) == (name_de, name_en)


def test_covered_display_names_come_from_the_data():
    match = COUNTRIES.resolve("Deutschlands")
    assert (match.name("de"), match.name("en")) == ("Deutschland", "Germany")
    assert COUNTRIES.resolve("England").name("de") == "UK"
    assert COUNTRIES.resolve("Deutschland").name("fr") == "Germany"  # unknown language: English


@pytest.mark.parametrize("text", ["xyz", "hallo", "", None, "ok", "de", "Garantie", "hotline", "Ital"])
def test_nonsense_is_none(text):
    assert COUNTRIES.resolve(text) is None


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Ich habe es in Italien gekauft und bin jetzt in Deutschland", [("IT", True), ("DE", True)]),
        ("Jetzt bin ich in Deutschland, gekauft in Italien", [("DE", True), ("IT", True)]),
        ("bought in the UK, now in France", [("GB", True), ("FR", True)]),
        ("Spanien oder Frankreich oder Spanien", [("ES", True), ("FR", True)]),  # each country once
        ("in den USA gekauft, jetzt in Österreich", [("US", False), ("AT", False)]),
        ("I live in the United Kingdom", [("GB", True)]),  # the 3-word name, not 'united'
        ("Vereinigtes Königreich ist es", [("GB", True)]),
        ("uk und usa", [("GB", True), ("US", False)]),
        ("hotline indien und indonesien und philippinen", [("IN", True), ("ID", True), ("PH", True)]),
        ("in de", []),  # two letters only for uk/us
        ("hallo", []),
        ("", []),
    ],
)
def test_find_in_text(text, expected):
    assert [(m.code, m.covered) for m in COUNTRIES.find_in_text(text)] == expected


@pytest.mark.parametrize("text", ["Can you help us? I need the hotline in Germany", "please call us back, I am in Italy"])
def test_bug_pronoun_us_is_not_the_usa(text):
    assert "US" not in [m.code for m in COUNTRIES.find_in_text(text)]


def test_bug_the_states_alias():
    match = COUNTRIES.resolve("the States")
    assert match is not None and match.code == "US"


# --- products ----------------------------------------------------------------------

def test_iws_models_come_from_the_data():
    assert KB.iws_models == IWS_MODELS


IWS_SPELLINGS = [
    ("Xiaomi 15 Ultra", "Xiaomi 15 Ultra"),
    ("xiaomi 15 ultra", "Xiaomi 15 Ultra"),
    ("15 Ultra", "Xiaomi 15 Ultra"),
    ("xiaomi15ultra", "Xiaomi 15 Ultra"),
    ("Xioami 15 Ultra", "Xiaomi 15 Ultra"),
    ("Xiaomi 14 Ultra", "Xiaomi 14 Ultra"),
    ("14ultra", "Xiaomi 14 Ultra"),
    ("xiaomie 14 ultra", "Xiaomi 14 Ultra"),
    ("Xiaomi 13 Ultra", "Xiaomi 13 Ultra"),
    ("13 Ultra", "Xiaomi 13 Ultra"),
    ("XIAOMI 13 ULTRA", "Xiaomi 13 Ultra"),
    ("Xiaomi 13 Pro", "Xiaomi 13 Pro"),
    ("13 pro", "Xiaomi 13 Pro"),
    ("xiomi 13pro", "Xiaomi 13 Pro"),
    ("Mi 13 Pro", "Xiaomi 13 Pro"),
    ("Xiaomi 12 Pro", "Xiaomi 12 Pro"),
    ("12Pro", "Xiaomi 12 Pro"),
    ("xaomi 12 pro", "Xiaomi 12 Pro"),
    ("Xiaomi MIX Flip", "Xiaomi MIX Flip"),
    ("mix flip", "Xiaomi MIX Flip"),
    ("MIX FLIP", "Xiaomi MIX Flip"),
    ("Xiaomi Mix-Flip", "Xiaomi MIX Flip"),
]


@pytest.mark.parametrize("text, model", IWS_SPELLINGS)
def test_iws_models_in_several_spellings(text, model):
    product = PRODUCTS.resolve(text)
    assert (product.iws_model, product.kind) == (model, "device")
    assert product.text == text.strip()


def test_every_iws_model_has_spellings_here():
    assert {model for _, model in IWS_SPELLINGS} == set(IWS_MODELS)


@pytest.mark.parametrize(
    "text",
    ["Redmi Note 13", "POCO F6", "Xiaomi 13", "Xiaomi 15", "Xiaomi 14", "Redmi 13 Pro", "Xiaomi 13T Pro", "Xiaomi 14T", "Xiaomi 15 Pro", "Black Shark 5"],
)
def test_non_iws_models(text):
    product = PRODUCTS.resolve(text)
    assert (product.iws_model, product.kind) == (None, "device")


ACCESSORY_WORDS = [(w, lang) for lang in ("de", "en") for w in PRODUCTS_YML["accessory_words"][lang]]
DEVICE_WORDS = [(w, lang) for lang in ("de", "en") for w in PRODUCTS_YML["device_words"][lang]]
# "phone case" contains the device word "phone": see test_bug_accessory_phrase_with_device_word
KNOWN_BAD_ACCESSORY_WORDS = {"phone case"}


@pytest.mark.parametrize("word, lang", [w for w in ACCESSORY_WORDS if w[0] not in KNOWN_BAD_ACCESSORY_WORDS])
def test_accessory_words_from_the_data(word, lang):
    product = PRODUCTS.resolve(word)
    assert (product.kind, product.iws_model) == ("accessory", None)


@pytest.mark.parametrize(
    "text",
    ["Ladegeraet", "Ladegerat", "Ladegeräte", "ladekabel", "Hülle", "Huelle", "mein Ladegerät", "my charger", "chargr", "the charger", "Xiaomi 15 Ultra case", "Xiaomi 13 Pro Hülle", "Redmi Note 13 Ladekabel"],
)
def test_accessories_as_users_write_them(text):
    product = PRODUCTS.resolve(text)
    assert (product.kind, product.iws_model) == ("accessory", None)


@pytest.mark.parametrize("word, lang", DEVICE_WORDS)
def test_device_words_from_the_data(word, lang):
    product = PRODUCTS.resolve(word)
    assert (product.kind, product.iws_model) == ("device", None)


@pytest.mark.parametrize("text", ["mein Handy", "my phone", "Xiaomi Smartwatch", "Redmi Pad", "Saugroboter S10"])
def test_devices_as_users_write_them(text):
    assert PRODUCTS.resolve(text).kind == "device"


@pytest.mark.parametrize("text", ["", "   ", None, "?!"])
def test_empty_product_is_none(text):
    assert PRODUCTS.resolve(text) is None


@pytest.mark.parametrize("text", ["phone case", "charging cable for my phone", "Hülle fürs Handy", "Ladekabel für mein Handy"])
def test_bug_accessory_phrase_with_device_word(text):
    assert PRODUCTS.resolve(text).kind == "accessory"


@pytest.mark.parametrize("text, codes", [
    ("bin in D, brauche die hotline", ["DE"]),
    ("Nummer für AT?", ["AT"]),
    ("service FR?", ["FR"]),
    ("hotline DE und PL", ["DE", "PL"]),
    ("U.K. number pls", ["GB"]),
    ("what about IN", ["IN"]),
    ("ID hotline", ["ID"]),
    ("is it covered in india", ["IN"]),  # "is", "it", "in" stay words
    ("my phone is broken, id like help", []),
    ("MY PHONE IS BROKEN IN GERMANY", ["DE"]),  # shouting: no codes read from capitals
    ("brd hotline", ["DE"]),
])
def test_country_codes_where_they_are_meant(text, codes):
    assert [m.code for m in COUNTRIES.find_in_text(text)] == codes


@pytest.mark.parametrize("text, code", [("D", "DE"), ("AT", "AT"), ("U.K.", "GB"), ("CH", "CH")])
def test_a_code_alone_resolves(text, code):
    assert COUNTRIES.resolve(text).code == code


@pytest.mark.parametrize("text, codes", [
    ("gekauft in berlin", ["DE"]),
    ("bought it in paris 10/10/2025", ["FR"]),
    ("im in jakarta, whats the hotline", ["ID"]),
    ("meine schwester ist in kuala lumpur", ["MY"]),
    ("beim mediamarkt in muenchen", ["DE"]),
    ("gekauft in wien", ["AT"]),
    ("bought in bangalore, now in london", ["IN", "GB"]),
    # words that are also cities somewhere stay words; no typo matching for cities
    ("nice one", []), ("custom rom flashen", []), ("was essen", []), ("parts of it", []), ("im in berlinn", []),
])
def test_cities_stand_for_their_country(text, codes):
    assert [m.code for m in COUNTRIES.find_in_text(text)] == codes
