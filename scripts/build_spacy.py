"""Builds the project's spaCy pipeline from spacy.blank("de") and data.

    python scripts/build_spacy.py [OUTPUT_DIR]   (default: build/spacy_pipeline)

- tokenizer: spaCy's German rules (they also split English well enough);
- lemmatizer (lookup mode): spacy-lookups-data's German table, the English
  table merged in, plus lower-case and umlaut-free keys, so "Garantien",
  "garantien" and "Deutschlands" find their lemma;
- fold_lemmas: folds every lemma (ä/ae -> a) so spellings share features;
- entity_ruler: `country`, `product`, `region`, `channel` and `tool` patterns
  generated from knowledge/ and resources/entity_vocabulary.yml
  (every covered country in German and English with its inflections, every
  other country by its babel name, the IWS models and product words, and a
  shape pattern for model names such as "Redmi Note 13" or "POCO F6").

Run by `make train`; never edit the output by hand.
"""
from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import spacy
from babel import Locale
import spacy_lookups_data
import srsly
import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from components import spacy_lemmas  # noqa: E402,F401  (registers fold_lemmas)
from support.knowledge import load_knowledge  # noqa: E402
from support.names import EXTRA_ALIASES, country_surface_forms  # noqa: E402
from support.text import fold  # noqa: E402

MODEL_WORDS = ["pro", "ultra", "plus", "lite", "max", "mini", "flip", "fold", "5g", "t", "c", "s", "x", "+"]
FAMILIES = ["xiaomi", "redmi", "poco", "mi", "note", "mix", "pad", "redmipad", "band", "watch"]
AMBIGUOUS = {"us", "in", "man", "chad", "jersey", "guinea", "turkey", "georgia", "jordan"}
# Names of the bot's languages: "auf deutsch", "in English" ask for a language,
# not a country (DIET still learns "german hotline" from the training data).
LANGUAGE_WORDS = {"deutsch", "german", "englisch", "english"}


def spellings(name: str) -> set:
    lower = name.lower()
    variants = {lower, lower.replace("ß", "ss")}
    for umlaut, plain in (("ä", "a"), ("ö", "o"), ("ü", "u")):
        variants |= {v.replace(umlaut, plain + "e") for v in list(variants)}
        variants |= {v.replace(umlaut, plain) for v in list(variants)}
    return variants


def token_pattern(nlp, text: str) -> list:
    return [{"LOWER": token.lower_} for token in nlp.make_doc(text)]


def entity_patterns(nlp, kb) -> list:
    patterns, seen = [], set()

    def add(label: str, text: str, ident: str) -> None:
        for variant in spellings(text):
            key = (label, variant)
            if variant and key not in seen:
                seen.add(key)
                patterns.append({"label": label, "pattern": token_pattern(nlp, variant), "id": ident})

    for code, forms in country_surface_forms(kb).items():
        for form in forms:
            if fold(form) not in LANGUAGE_WORDS:
                add("country", form, code)
    de, en = Locale("de"), Locale("en")
    for code, name in en.territories.items():
        if len(code) == 2 and code.isalpha() and code not in kb.countries:
            for candidate in (name, de.territories.get(code, "")):
                if len(candidate) >= 4 and fold(candidate) not in AMBIGUOUS:
                    add("country", candidate, code)
    for code, aliases in EXTRA_ALIASES.items():
        for alias in aliases:
            if fold(alias) not in AMBIGUOUS:
                add("country", alias, code)
    for model in kb.iws_models:
        add("product", model, model)
        add("product", model.replace("Xiaomi ", ""), model)
    for kind in ("accessory_words", "device_words"):
        for lang in ("de", "en"):
            for word in kb.products[kind][lang]:
                add("product", word, kind)
    vocabulary = yaml.safe_load((ROOT / "resources" / "entity_vocabulary.yml").read_text(encoding="utf-8"))
    for label in ("channel", "tool"):
        for word in vocabulary[label]:
            add(label, word, label)
    country_words = {fold(form) for forms in country_surface_forms(kb).values() for form in forms}
    for region in kb.regions.values():
        for name in [*region["names"]["de"], *region["names"]["en"]]:
            if fold(name) not in country_words:  # "Indien" stays a country
                add("region", name, region["id"])
    for word in vocabulary["region_extra"]:
        add("region", word, "region")
    # Model names the data does not list: family word(s), a number, model words.
    patterns.append({
        "label": "product",
        "id": "model",
        "pattern": [
            {"LOWER": {"IN": ["xiaomi", "redmi", "poco", "mi"]}},
            {"LOWER": {"IN": FAMILIES}, "OP": "*"},
            {"TEXT": {"REGEX": r"^\d{1,2}[a-zA-Z]?$|^[a-zA-Z]\d{1,2}[a-zA-Z]?$"}},
            {"LOWER": {"IN": MODEL_WORDS}, "OP": "*"},
        ],
    })
    return patterns


def _raw_table(lang: str) -> dict:
    """spacy-lookups-data's lemma table with its string keys (spaCy's Table hashes them)."""
    path = Path(spacy_lookups_data.__file__).parent / "data" / f"{lang}_lemma_lookup.json.gz"
    return srsly.read_gzip_json(path)


def lemma_table(nlp) -> int:
    """German table first, English added where German has no entry, then the
    lower-case and umlaut-free spellings of every key."""
    merged = dict(_raw_table("en"))
    merged.update(_raw_table("de"))
    for key, value in list(merged.items()):
        for variant in spellings(key):
            merged.setdefault(variant, value)
    table = nlp.get_pipe("lemmatizer").lookups.get_table("lemma_lookup")
    for key, value in merged.items():
        table[key] = value
    return len(merged)


def build(output: Path) -> dict:
    kb = load_knowledge()
    nlp = spacy.blank("de")
    nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
    nlp.add_pipe("fold_lemmas")
    ruler = nlp.add_pipe("entity_ruler", config={"overwrite_ents": True, "phrase_matcher_attr": None})
    nlp.initialize()
    entries = lemma_table(nlp)
    patterns = entity_patterns(nlp, kb)
    ruler.add_patterns(patterns)
    nlp.meta["name"] = "support_pipeline"
    nlp.meta["description"] = "Built by scripts/build_spacy.py from spacy.blank('de') and knowledge/."
    if output.exists():
        shutil.rmtree(output)
    output.parent.mkdir(parents=True, exist_ok=True)
    nlp.to_disk(output)
    summary = {"lemma_entries": entries, "entity_patterns": len(patterns)}
    (output / "build_summary.json").write_text(json.dumps(summary, indent=2))
    return summary


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "build" / "spacy_pipeline"
    print(f"spaCy pipeline -> {target}: {build(target)}")
