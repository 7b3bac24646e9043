"""Security and privacy of the WhatsApp channel.

The ``X-Hub-Signature-256`` check of webhook posts, the keyed pseudonyms that
replace phone numbers (``wa_id``) and message ids (``wamid``, which embed the
number) before anything reaches Rasa, and the redaction of log text.
"""

import hashlib
import hmac
import re
from typing import Optional, Text

SIGNATURE_HEADER = "X-Hub-Signature-256"
SIGNATURE_PREFIX = "sha256="
PSEUDONYM_PREFIX = "wa-"
PSEUDONYM_HEX_LENGTH = 32
MESSAGE_KEY_PREFIX = "wamsg-"

_LONG_DIGITS = re.compile(r"\+?\d[\d ]{6,}\d")
_WAMID = re.compile(r"wamid\.[A-Za-z0-9+/=_\-]+")


def _hmac_sha256_hex(key: Text, data: bytes) -> Text:
    """HMAC-SHA256 of ``data`` keyed with ``key``, as lowercase hex."""
    return hmac.new(key.encode("utf-8"), data, hashlib.sha256).hexdigest()


def pseudonymize(wa_id: Text, key: Text) -> Text:
    """Keyed pseudonym of a WhatsApp user id, used as the Rasa sender id."""
    digest = _hmac_sha256_hex(key, wa_id.strip().encode("utf-8"))
    return PSEUDONYM_PREFIX + digest[:PSEUDONYM_HEX_LENGTH]


def message_key(wamid: Text, key: Text) -> Text:
    """Keyed pseudonym of a WhatsApp message id, used as the Rasa ``message_id``.

    A ``wamid`` is base64 that embeds the sender's phone number, so it is not
    stored or logged as it is. The pseudonym is stable, so a redelivered message
    still maps to the same id in the tracker store.
    """
    digest = _hmac_sha256_hex(key, b"message:" + wamid.encode("utf-8"))
    return MESSAGE_KEY_PREFIX + digest[:PSEUDONYM_HEX_LENGTH]


def signature_is_valid(app_secret: Text, body: bytes, header: Optional[Text]) -> bool:
    """Checks ``X-Hub-Signature-256: sha256=<hex>`` against the raw body."""
    if not header or not app_secret:
        return False
    expected = SIGNATURE_PREFIX + _hmac_sha256_hex(app_secret, body or b"")
    provided = header.strip().lower().encode("utf-8", "surrogatepass")
    return hmac.compare_digest(expected.encode("ascii"), provided)


def _redact(text: Text, *secrets: Optional[Text]) -> Text:
    """Removes phone numbers (and the given values) from text that gets logged."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, "<redacted>")
    text = _WAMID.sub("wamid.<redacted>", text)
    return _LONG_DIGITS.sub("<number>", text)[:300]
