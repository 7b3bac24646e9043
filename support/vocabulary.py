"""resources/entity_vocabulary.yml: the words the entity ruler and the
resolvers share (channel and tool names, country codes)."""
from __future__ import annotations

import functools
from pathlib import Path
from typing import Any, Dict

import yaml

VOCABULARY_FILE = Path(__file__).resolve().parent.parent / "resources" / "entity_vocabulary.yml"


@functools.lru_cache(maxsize=1)
def entity_vocabulary() -> Dict[str, Any]:
    return yaml.safe_load(VOCABULARY_FILE.read_text(encoding="utf-8"))
