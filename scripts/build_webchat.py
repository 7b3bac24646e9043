"""Builds the web chat's widget file from the pinned npm package.

    npm ci --prefix web        installs rasa-webchat as pinned in web/package-lock.json
    python scripts/build_webchat.py

copies `web/node_modules/rasa-webchat/lib/index.js` (the package's own
pre-built browser bundle) to `build/webchat/webchat.js`, which
`channels.webchat.WebChatPage` serves at `/webhooks/chat/webchat.js`, and the
package's licence next to it. One change on the way: the bundle's CSS imports
the Inter font from fonts.googleapis.com, which would make every visitor's
browser call Google (and fails on a closed network); those imports are removed
and the page uses the system font. The script stops if the installed version is
not the pinned one or if the file no longer looks as expected, so a version bump
is a deliberate change.

`make test` and `make run` run both steps (Makefile target `webchat`).
"""
from __future__ import annotations

import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "web" / "node_modules" / "rasa-webchat"
OUT = ROOT / "build" / "webchat"
FONT_IMPORT = re.compile(r"@import url\(https://fonts\.googleapis\.com/css\?[^)]*\);")


def pinned_version() -> str:
    wanted = json.loads((ROOT / "web" / "package.json").read_text())["dependencies"]["rasa-webchat"]
    if not re.fullmatch(r"\d+\.\d+\.\d+", wanted):
        sys.exit(f"build_webchat: web/package.json must pin rasa-webchat exactly, not {wanted!r}")
    return wanted


def build() -> Path:
    wanted = pinned_version()
    manifest = PACKAGE / "package.json"
    if not manifest.exists():
        sys.exit("build_webchat: rasa-webchat is not installed; run `npm ci --prefix web` (make webchat does)")
    installed = json.loads(manifest.read_text())["version"]
    if installed != wanted:
        sys.exit(f"build_webchat: installed rasa-webchat {installed}, pinned {wanted}; run `npm ci --prefix web`")
    bundle = (PACKAGE / "lib" / "index.js").read_text(encoding="utf-8")
    stripped, count = FONT_IMPORT.subn("", bundle)
    if count == 0 or "fonts.googleapis.com" in stripped or "WebChat" not in stripped:
        sys.exit("build_webchat: lib/index.js does not look like rasa-webchat's bundle any more; check the new version")
    OUT.mkdir(parents=True, exist_ok=True)
    header = f"/* rasa-webchat {installed} (Apache-2.0, see LICENSE.rasa-webchat.txt); external font imports removed by scripts/build_webchat.py */\n"
    target = OUT / "webchat.js"
    target.write_text(header + stripped, encoding="utf-8")
    (OUT / "LICENSE.rasa-webchat.txt").write_text((PACKAGE / "LICENSE").read_text(encoding="utf-8"), encoding="utf-8")
    print(f"build_webchat: {target.relative_to(ROOT)} ({target.stat().st_size // 1024} KiB, {count} font imports removed)")
    return target


if __name__ == "__main__":
    build()
