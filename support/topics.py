"""Which topics a message asks about, clause by clause ("hotline frankreich
und wie lange hab ich garantie?"): the vocabulary is resources/topic_words.yml.
Pure; actions/multi_topic.py answers the topics, components/entity_filter.py
reads them where the classifier found none."""
from __future__ import annotations

import functools
import re
from pathlib import Path
from typing import Dict, FrozenSet, List, Optional, Set, Tuple

import yaml

from support.text import fold

WORDS_FILE = Path(__file__).resolve().parent.parent / "resources" / "topic_words.yml"
OVERLAPS_FILE = Path(__file__).resolve().parent.parent / "resources" / "overlapping_intents.yml"
# Intents that are no question themselves: any topic in the message is the question.
LEAD_INS = ("greet", "switch_language")


@functools.lru_cache(maxsize=1)
def entity_topics() -> Dict[str, str]:
    """Entity kinds that settle an ambiguity for the intent they belong to."""
    raw = yaml.safe_load(OVERLAPS_FILE.read_text(encoding="utf-8")) or {}
    return dict(raw.get("entity_topics") or {})


@functools.lru_cache(maxsize=1)
def either_answers() -> Set[FrozenSet[str]]:
    """Pairs of intents where either answer finds what the message asks."""
    raw = yaml.safe_load(OVERLAPS_FILE.read_text(encoding="utf-8")) or {}
    return {frozenset(pair) for pair in raw.get("either_answers") or [] if len(set(pair)) == 2}


@functools.lru_cache(maxsize=1)
def answered_together() -> Set[FrozenSet[str]]:
    """Pairs of intents where the answer to one already says the other (the
    hotline's answer has its hours and whether it is open now)."""
    raw = yaml.safe_load(OVERLAPS_FILE.read_text(encoding="utf-8")) or {}
    return {frozenset(pair) for pair in raw.get("pairs") or [] if len(set(pair)) == 2}


@functools.lru_cache(maxsize=1)
def _vocabulary() -> Tuple[Dict[str, List[str]], List[str]]:
    raw = yaml.safe_load(WORDS_FILE.read_text(encoding="utf-8"))
    splitters = raw.pop("splitters")
    return {intent: [fold(w) for w in words] for intent, words in raw.items()}, splitters


def clauses(text: str) -> List[str]:
    """The message cut where one question ends and the next begins."""
    _, splitters = _vocabulary()
    pattern = "|".join(re.escape(s) for s in sorted(splitters, key=len, reverse=True))
    return [part for part in re.split(pattern, f" {text.lower()} ") if fold(part)]


def topic_of(clause: str) -> Optional[str]:
    words, _ = _vocabulary()
    padded = f" {fold(clause)} "
    hits = [(padded.find(f" {w}"), intent) for intent, ws in words.items() for w in ws if f" {w}" in padded]
    return min(hits)[1] if hits else None


# Intents whose question is often asked without a topic word ("can i repair it there?")
TOPIC_ACTIONS_OWN = ("ask_eu_warranty", "ask_iws")


def other_topics(text: str, intent: str) -> List[Tuple[str, bool]]:
    """The other topics asked, each with whether it was asked before the NLU's one."""
    found = topics_in(text)
    if intent in LEAD_INS:
        return [(topic, False) for topic in found]
    if len(found) == 1 and intent not in found and frozenset((intent, found[0])) not in answered_together() and intent in TOPIC_ACTIONS_OWN:
        # "bought it in india. can i repair it there? also spain hotline": the classifier's
        # question has no topic word, the other clause names its own
        return [(found[0], False)]
    if len(found) < 2:
        return []  # one question, whichever words it uses
    position = found.index(intent) if intent in found else -1  # not found: its answer comes first
    return [(topic, index < position) for index, topic in enumerate(found)
            if topic != intent and frozenset((intent, topic)) not in answered_together()]


def second_topic(text: str, intent: str) -> Tuple[Optional[str], bool]:
    """The first other topic asked (None when there is none)."""
    others = other_topics(text, intent)
    return others[0] if others else (None, False)


def clause_of(text: str, topic: str) -> Optional[str]:
    """The first clause of the message that asks about `topic`."""
    return next((clause for clause in clauses(text) if topic_of(clause) == topic), None)


def topics_in(text: str) -> List[str]:
    """Every topic the message asks about, in order."""
    found: List[str] = []
    for clause in clauses(text):
        topic = topic_of(clause)
        if topic and topic not in found:
            found.append(topic)
    return found
