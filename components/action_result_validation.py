"""Validates action server results against Rasa's schema without paying for
the schema check on every call.

Rasa 3.6's `RemoteAction._validate_action_result` calls `jsonschema.validate`,
which first checks the schema itself and builds a new validator, for every
action call: about 18 % of the Rasa server's time under load (issue 15's
profile). The schema never changes, so this builds the validator once; every
result is still validated, and a bad result raises the same ValidationError
with Rasa's hint. Installed on import (components/__init__.py); pinned to
rasa==3.6.21 like components/resilience.py.
"""
from __future__ import annotations

import functools
from typing import Any, Dict, Text

from jsonschema import ValidationError
from jsonschema.validators import validator_for
from rasa.core.actions.action import RemoteAction
from rasa.shared.constants import DOCS_BASE_URL


@functools.lru_cache(maxsize=1)
def _validator():
    schema = RemoteAction.action_response_format_spec()
    cls = validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


def validate_action_result(self: RemoteAction, result: Dict[Text, Any]) -> bool:
    try:
        _validator().validate(result)
        return True
    except ValidationError as error:
        error.message += (
            ". Failed to validate Action server response from API, make sure your response from the Action "
            f"endpoint is valid. For more information about the format visit {DOCS_BASE_URL}/custom-actions"
        )
        raise error


def install() -> None:
    RemoteAction._validate_action_result = validate_action_result  # type: ignore[assignment]


install()
