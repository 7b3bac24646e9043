"""Bot text as the markdown that rasa-webchat renders.

rasa-webchat shows bot messages through react-markdown 4 with raw HTML escaped,
but with `transformLinkUri: null`, i.e. without its URL filter: a
`[x](javascript:...)` link in a bot message would be clickable. The bot's texts
are plain text (written for WhatsApp too) and some of them echo what the user
typed (`„{value}“ kenne ich nicht als Land`), so every reply is treated as
plain text: markdown syntax is escaped, then exactly two things are added:

* links for web addresses: `http(s)://…` as written, `www.…` and bare
  domains such as `HyperOSUpdates.com` as `https://` links; no other URL
  scheme can reach the page;
* hard line breaks, so that the bullet lists and short lines of long answers
  keep their line breaks (markdown would join single newlines into one line).
"""
from __future__ import annotations

import re
from typing import List, Text

# Characters remark (react-markdown 4's parser, GFM mode) lets a backslash
# escape; escaping them makes every markdown construct literal text.
_ESCAPABLE = set("\\`*_{}[]()#+-.!>~|")
# "<" cannot be backslash-escaped there; react-markdown shows raw HTML as text
# (escapeHtml), and autolinks <…> are only taken for http(s)/mailto.
_TLDS = "com|de|net|org|eu|info|io|co|uk|in|cn|global|app"
_WEB_ADDRESS = re.compile(
    r"(?P<url>https?://[^\s<>\"„“”()\[\]]+[^\s<>\"„“”()\[\].,;:!?])"
    r"|(?P<domain>\b(?:www\.)?[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9-]{1,63})*\.(?:" + _TLDS + r")\b(?!\.[A-Za-z0-9])(?:/[^\s<>\"„“”()\[\]]*[^\s<>\"„“”()\[\].,;:!?])?)",
    re.IGNORECASE,
)


def escape(text: Text) -> Text:
    out: List[str] = []
    for ch in text:
        out.append("\\" + ch if ch in _ESCAPABLE else ch)
    return "".join(out)


def _link(match: "re.Match[str]") -> Text:
    shown = match.group(0)
    target = shown if match.group("url") else "https://" + shown
    # the target is built from [^\s<>"()[\]] characters only; escape the shown text
    return f"[{escape(shown)}]({target.replace(')', '%29').replace('(', '%28')})"


def _line(line: Text) -> Text:
    parts: List[str] = []
    position = 0
    for match in _WEB_ADDRESS.finditer(line):
        parts.append(escape(line[position:match.start()]))
        parts.append(_link(match))
        position = match.end()
    parts.append(escape(line[position:]))
    return "".join(parts)


def to_widget_markdown(text: Text) -> Text:
    """Plain bot text -> markdown that renders as that text, links clickable,
    line breaks kept."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    # a markdown hard break: two spaces at the end of a line (CommonMark and remark)
    rendered = [_line(line.rstrip()) for line in lines]
    out: List[str] = []
    for index, line in enumerate(rendered):
        last = index == len(rendered) - 1
        if last or not line or not rendered[index + 1]:
            out.append(line)
        else:
            out.append(line + "  ")
    return "\n".join(out)
