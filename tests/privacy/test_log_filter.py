"""The logging filter (support/log_privacy.py) on real loggers and handlers:
Rasa's logger names, an exception traceback, a handler added after install."""
from __future__ import annotations

import io
import logging

from support import log_privacy

TEXT = "ich hab mein redmi note 13 in berlin gekauft"
NUMBER = "+49 151 2345 6789"


def _capture(name: str, level: int = logging.DEBUG):
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s %(message)s"))
    logger = logging.getLogger(name)
    logger.addHandler(handler)
    logger.setLevel(level)
    return logger, handler, stream


def test_text_and_numbers_are_removed_from_info_and_above_of_any_logger():
    log_privacy.install()
    log_privacy.remember_text(TEXT)
    logger, handler, stream = _capture("rasa.core.processor")  # added after install
    try:
        logger.info("Received user message '%s' from %s", TEXT, NUMBER)
        logger.warning("slot product set to %r", TEXT)
        try:
            raise ValueError(f"cannot parse {TEXT!r} (from {NUMBER})")
        except ValueError:
            logger.exception("Action failed")
        logger.debug("debug keeps %s", TEXT)
    finally:
        logger.removeHandler(handler)
    out = stream.getvalue()
    info_and_above = "\n".join(line for line in out.splitlines() if not line.startswith("DEBUG"))
    assert TEXT not in info_and_above
    assert "2345" not in info_and_above
    assert "Received user message '<text>' from <number>" in out
    assert "ValueError: cannot parse '<text>' (from <number>)" in out
    assert f"DEBUG rasa.core.processor debug keeps {TEXT}" in out


def test_short_texts_only_where_quoted_and_dates_stay():
    log_privacy.install()
    log_privacy.remember_text("ja")
    assert log_privacy.redact("said 'ja' on 2026-11-25 at 127.0.0.1:5005 (jaguar)") == \
        "said '<text>' on 2026-11-25 at 127.0.0.1:5005 (jaguar)"
    assert log_privacy.redact("wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA=") == "wamid.<redacted>"
