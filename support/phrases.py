"""Language-dependent fragments from resources/phrases.yml."""
from __future__ import annotations

import functools
from pathlib import Path
from typing import Dict

import yaml

PHRASES_FILE = Path(__file__).resolve().parent.parent / "resources" / "phrases.yml"


@functools.lru_cache(maxsize=1)
def _phrases() -> Dict[str, Dict[str, str]]:
    return yaml.safe_load(PHRASES_FILE.read_text(encoding="utf-8"))


def phrase(key: str, lang: str, **values: object) -> str:
    texts = _phrases()[key]
    return texts.get(lang, texts["de"]).format(**values)


def has_phrase(key: str) -> bool:
    return key in _phrases()


def pick(texts: Dict[str, str], lang: str) -> str:
    """The text of a bilingual mapping from the knowledge data."""
    return texts.get(lang) or texts["de"]
