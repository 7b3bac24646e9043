"""The compiled validator accepts what Rasa's own check accepts and rejects
what it rejects, with Rasa's hint in the message."""
import jsonschema
import pytest
from rasa.core.actions.action import RemoteAction

import components  # noqa: F401  (installs the patch)
from components.action_result_validation import validate_action_result

GOOD = [
    {"events": [], "responses": []},
    {"events": [{"event": "slot", "name": "country", "value": "DE"}], "responses": [{"response": "utter_hotline", "number": "1"}]},
    {},
]
BAD = [
    {"events": [{"no_event_key": 1}]},
    {"events": "not a list"},
    {"responses": [{"text": 3}], "events": [{"event": 5}]},
]


@pytest.mark.parametrize("result", GOOD)
def test_accepts_what_rasa_accepts(result):
    jsonschema.validate(result, RemoteAction.action_response_format_spec())  # Rasa's own check agrees
    assert validate_action_result(None, result) is True


@pytest.mark.parametrize("result", BAD)
def test_rejects_what_rasa_rejects(result):
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(result, RemoteAction.action_response_format_spec())
    with pytest.raises(jsonschema.ValidationError, match="Failed to validate Action server response"):
        validate_action_result(None, result)


def test_installed_on_rasas_remote_action():
    assert RemoteAction._validate_action_result is validate_action_result
