"""Replies the channels send themselves, without the dialogue: a message that
is too long, a sender who writes too fast. The words are in
resources/phrases.yml (German and English); the language is that of the
user's text (its first characters only, so the work stays bounded)."""
from __future__ import annotations

from typing import Optional, Text

from babel.numbers import format_decimal

from support.formatting import locale
from support.language import detect
from support.phrases import phrase

SAMPLE_CHARS = 500  # how much of the text the language is detected on


def language_of(text: Optional[Text]) -> Text:
    return detect((text or "")[:SAMPLE_CHARS]).language


def too_long(text: Optional[Text], limit: int) -> Text:
    lang = language_of(text)
    return phrase("message_too_long", lang, limit=format_decimal(limit, locale=locale(lang)))


def slow_down(text: Optional[Text], seconds: float) -> Text:
    return phrase("slow_down", language_of(text), seconds=max(2, round(seconds)))  # "2 seconds", never "1 seconds"
