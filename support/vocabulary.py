"""resources/entity_vocabulary.yml: the words the entity ruler and the
resolvers share (channel and tool names, country codes)."""
from __future__ import annotations

import functools
from pathlib import Path
from typing import Any, Dict, Iterable, List, Optional

import yaml

from support.text import fold

VOCABULARY_FILE = Path(__file__).resolve().parent.parent / "resources" / "entity_vocabulary.yml"
FORM_WORDS_FILE = Path(__file__).resolve().parent.parent / "resources" / "form_words.yml"


@functools.lru_cache(maxsize=1)
def form_words() -> Dict[str, List[str]]:
    """resources/form_words.yml (how users leave or ask back inside the warranty check), both languages, folded."""
    raw = yaml.safe_load(FORM_WORDS_FILE.read_text(encoding="utf-8"))
    return {kind: [fold(w) for lang in ("de", "en") for w in raw[kind][lang]] for kind in raw}


def has_form_words(text: str, kind: str) -> bool:
    padded = f" {fold(text)} "
    return any(f" {word} " in padded for word in form_words()[kind])


@functools.lru_cache(maxsize=1)
def entity_vocabulary() -> Dict[str, Any]:
    return yaml.safe_load(VOCABULARY_FILE.read_text(encoding="utf-8"))


@functools.lru_cache(maxsize=None)
def longest_first(key: str) -> List[List[str]]:
    """A word list of the vocabulary, folded and split, longest phrase first."""
    return sorted((fold(w).split() for w in entity_vocabulary()[key]), key=len, reverse=True)


def without_lead_word(words: List[str]) -> List[str]:
    """The folded words of a message after one leading "ok", "danke", "alles klar"."""
    for lead in longest_first("followup_lead_words"):
        if words[:len(lead)] == lead:
            return words[len(lead):]
    return words


def opening_phrase(rest: str, phrases: Iterable[str]) -> Optional[str]:
    """The first of the phrases the folded text is, or starts with as whole words."""
    return next((p for p in phrases if rest == p or rest.startswith(f"{p} ")), None)


def opening_phrase_of(rest: str, key: str) -> Optional[str]:
    """opening_phrase() over a vocabulary list, longest phrase first."""
    return opening_phrase(rest, (" ".join(p) for p in longest_first(key)))
