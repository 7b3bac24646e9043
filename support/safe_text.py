"""User text that the bot puts back into a reply ("„Atlantis“ kenne ich nicht
als Land"): no control or invisible characters (ANSI escapes, bidi overrides
that turn a reply around, zero-width characters), one line, cut to a
sensible length, and nothing that breaks Rasa's template filling (its
``interpolate_text`` returns the raw template with ``{placeholders}`` when the
filled text contains ``0[``)."""
from __future__ import annotations

import re
import unicodedata

ECHO_MAX_CHARS = 60
_INVISIBLE = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})
_ANSI = re.compile(r"\x1b(\[[0-9;?]*[ -/]*[@-~]|[@-Z\\-_])")
_TEMPLATE_BREAKERS = str.maketrans({"{": "(", "}": ")", "[": "(", "]": ")"})


def echo_safe(text: object, limit: int = ECHO_MAX_CHARS) -> str:
    raw = _ANSI.sub("", text if isinstance(text, str) else str(text))
    kept = []
    for ch in raw:
        if ch.isspace():
            kept.append(" ")
        elif unicodedata.category(ch) not in _INVISIBLE:
            kept.append(ch)
    clean = " ".join("".join(kept).translate(_TEMPLATE_BREAKERS).split())
    if len(clean) > limit:
        clean = clean[: limit - 1].rstrip() + "…"
    return clean
