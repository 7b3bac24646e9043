"""resources/entity_vocabulary.yml: the words the entity ruler and the
resolvers share (channel and tool names, country codes)."""
from __future__ import annotations

import functools
from pathlib import Path
from typing import Any, Dict, List

import yaml

from support.text import fold

VOCABULARY_FILE = Path(__file__).resolve().parent.parent / "resources" / "entity_vocabulary.yml"


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


def opens_with_one_of(rest: str, key: str) -> bool:
    """Whether the folded text is, or starts with, a phrase of the vocabulary list."""
    return any(rest == o or rest.startswith(f"{o} ") for o in (" ".join(p) for p in longest_first(key)))
