"""Keeps message text and phone numbers out of the logs (INFO and above).

``PrivacyLogFilter`` rewrites every log record of level INFO or higher, from
any logger (Rasa's, Sanic's, the SDK's, the project's), before a handler sees
it: the message is formatted with its arguments, then

* texts of user messages the channels registered (``remember_text``: the
  texts of the last messages handled by this process, kept in memory only)
  are replaced by ``<text>``, and
* phone numbers (9+ digits, with ``+``, spaces, dashes or slashes) and WhatsApp message ids (``wamid.``, which embed the number) are
  replaced by ``<number>`` / ``wamid.<redacted>``;

the same is done to the traceback of a logged exception. DEBUG records are
left as they are (Rasa logs every message text at DEBUG; run with DEBUG only
where that is acceptable).

``install()`` puts the filter in front of all logging: as the log record
factory (so records of loggers and handlers created later are covered too) and
on the root logger's handlers; ``warnings`` are routed into logging as well.
Idempotent; called when the ``components`` package (Rasa server) or the
``actions`` package (action server) is imported.
"""
from __future__ import annotations

import logging
import re
import threading
import traceback
from collections import OrderedDict
from typing import Any, Optional, Text

TEXT_MARK = "<text>"
NUMBER_MARK = "<number>"
MIN_FREE_TEXT = 4  # shorter texts are only replaced where they stand quoted
MAX_TEXTS = 2048

_PHONE = re.compile(r"(?<![\w.])\+?\d[\d \-/]{6,}\d(?![\w.])")
MIN_PHONE_DIGITS = 9  # "2026-11-25" (8 digits) stays, "0151 2345678" goes
_WAMID = re.compile(r"wamid\.[A-Za-z0-9+/=_\-]+")


class _RecentTexts:
    def __init__(self, capacity: int) -> None:
        self.capacity = capacity
        self._texts: "OrderedDict[Text, None]" = OrderedDict()
        self._lock = threading.Lock()

    def add(self, text: Text) -> None:
        with self._lock:
            self._texts[text] = None
            self._texts.move_to_end(text)
            while len(self._texts) > self.capacity:
                self._texts.popitem(last=False)

    def snapshot(self) -> list:
        with self._lock:
            # longest first, so a text containing another is replaced whole
            return sorted(self._texts, key=len, reverse=True)


_recent = _RecentTexts(MAX_TEXTS)


def remember_text(text: Optional[Text]) -> None:
    """Registers a user message's text so that log lines never show it."""
    if text and text.strip():
        _recent.add(text.strip())


def redact(text: Text) -> Text:
    for known in _recent.snapshot():
        if len(known) >= MIN_FREE_TEXT:
            text = text.replace(known, TEXT_MARK)
        else:
            for quote in ("'", '"'):
                text = text.replace(f"{quote}{known}{quote}", f"{quote}{TEXT_MARK}{quote}")
    text = _WAMID.sub("wamid.<redacted>", text)
    return _PHONE.sub(_number, text)


def _number(match: "re.Match[str]") -> Text:
    digits = sum(ch.isdigit() for ch in match.group(0))
    return NUMBER_MARK if digits >= MIN_PHONE_DIGITS else match.group(0)


class PrivacyLogFilter(logging.Filter):
    """Redacts records of level INFO and above in place; never drops one."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno < logging.INFO or getattr(record, "_privacy_redacted", False):
            return True
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a broken format string: keep the raw parts
            message = f"{record.msg} {record.args}"
        record.msg, record.args = redact(message), ()
        if record.exc_info and not record.exc_text:
            record.exc_text = "".join(traceback.format_exception(*record.exc_info)).rstrip("\n")
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        record._privacy_redacted = True
        return True


FILTER = PrivacyLogFilter()
_installed = False


def install() -> None:
    global _installed
    if _installed:
        return
    _installed = True
    previous = logging.getLogRecordFactory()

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        FILTER.filter(record)
        return record

    logging.setLogRecordFactory(factory)
    for handler in logging.getLogger().handlers:
        handler.addFilter(FILTER)
    logging.captureWarnings(True)
