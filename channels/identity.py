"""Who may write into which conversation.

* ``sender_problem``: a sender id is at most 128 printable characters (no
  newlines, ANSI escapes or bidi controls that forge log lines), and ids in
  the WhatsApp namespace (``wa-``) belong to the WhatsApp channel alone: the
  REST webhook refuses them, so nobody can read or write a WhatsApp user's
  conversation through it.
* ``token_problem``: with ``REST_JWT_SECRET`` set, every REST request carries
  ``Authorization: Bearer <JWT>``, an HS256 token whose subject (``sub``) is the
  sender id; a web front end issues it per visitor, so one visitor cannot use
  another's conversation. PyJWT is already locked through Rasa.
"""
from __future__ import annotations

from typing import Optional, Text, Tuple

import jwt

MAX_SENDER_LENGTH = 128
RESERVED_PREFIXES = ("wa-",)  # channels.whatsapp.security.PSEUDONYM_PREFIX
JWT_ALGORITHM = "HS256"
JWT_LEEWAY_SECONDS = 30


def printable(text: Text) -> bool:
    """No control, format (bidi), separator-line or unassigned characters."""
    return text.isprintable()


def sender_problem(sender: Text, *, reserved: Tuple[Text, ...] = RESERVED_PREFIXES) -> Optional[Text]:
    """Why a sender id given by a client is refused, or None."""
    if not sender.strip():
        return "'sender' must not be empty"
    if len(sender) > MAX_SENDER_LENGTH:
        return f"'sender' longer than {MAX_SENDER_LENGTH} characters"
    if not printable(sender):
        return "'sender' contains control or invisible characters"
    folded = sender.strip().casefold()
    for prefix in reserved:
        if folded.startswith(prefix):
            return f"'sender' ids starting with '{prefix}' are reserved"
    return None


def token_problem(secret: Text, authorization: Optional[Text], sender: Text) -> Optional[Tuple[int, Text]]:
    """(status, reason) when the request's token does not allow ``sender``, else None."""
    if not secret:
        return None
    scheme, _, token = (authorization or "").strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return 401, "missing bearer token"
    try:
        claims = jwt.decode(
            token.strip(), secret, algorithms=[JWT_ALGORITHM],
            options={"require": ["sub"]}, leeway=JWT_LEEWAY_SECONDS,
        )
    except jwt.ExpiredSignatureError:
        return 401, "token expired"
    except jwt.InvalidTokenError:
        return 401, "invalid token"
    if claims.get("sub") != sender:
        return 403, "token is not valid for this sender"
    return None
