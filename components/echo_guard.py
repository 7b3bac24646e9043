"""Echoed user text stays safe in every reply the Rasa server fills.

The responses ``utter_country_unknown``, ``utter_invalid_date`` and
``utter_iws_not_eligible`` put the user's own words into the reply
(``{value}``, ``{product}``), from the action server or the in-process
fallback alike. The Rasa server fills every template
(``TemplatedNaturalLanguageGenerator``), so this wraps its
``_response_variables``: values of ``ECHOED_PLACEHOLDERS`` go through
``support.safe_text.echo_safe`` before they reach ``interpolate_text``.
Installed on import (components/__init__.py), pinned to rasa==3.6.21.
"""
from __future__ import annotations

from typing import Any, Dict, Optional, Text

from rasa.core.nlg.response import TemplatedNaturalLanguageGenerator

from support.safe_text import echo_safe

#: placeholders of domain.yml that carry text the user wrote
ECHOED_PLACEHOLDERS = frozenset({"value", "product"})

_original = TemplatedNaturalLanguageGenerator._response_variables


def safe_response_variables(filled_slots: Optional[Dict[Text, Any]], kwargs: Dict[Text, Any]) -> Dict[Text, Any]:
    variables = _original(filled_slots, kwargs)
    for name in ECHOED_PLACEHOLDERS & set(variables or {}):
        if variables[name] is not None:
            variables[name] = echo_safe(variables[name])
    return variables


def install() -> None:
    if getattr(TemplatedNaturalLanguageGenerator._response_variables, "__echo_safe__", False):
        return
    safe_response_variables.__echo_safe__ = True  # type: ignore[attr-defined]
    TemplatedNaturalLanguageGenerator._response_variables = staticmethod(safe_response_variables)


install()
