"""Defensive readers for untrusted JSON values (webhook deliveries and Graph API
error bodies): a value of the wrong type becomes an empty default, never an
exception."""

from typing import Any, Dict, List, Optional, Text


def _as_dict(value: Any) -> Dict[Text, Any]:
    return value if isinstance(value, dict) else {}


def _as_list(value: Any) -> List[Any]:
    return value if isinstance(value, list) else []


def _as_str(value: Any) -> Optional[Text]:
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            # lone surrogates: valid JSON, but not text that can be stored or sent
            value = value.encode("utf-8", "replace").decode("utf-8")
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return None


def _nonempty_str(value: Any) -> Optional[Text]:
    text = _as_str(value)
    if text is None or not text.strip():
        return None
    return text


def _error_code(value: Any) -> Optional[int]:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
        return int(value.strip())
    return None
