#!/usr/bin/env bash
# Installs Debian's Chromium and ChromeDriver for the browser test
# (tests/integration/test_webchat_browser.py) when they are missing, with the
# colour emoji font (the bot's answers start with emoji; without the font the
# screenshot in reports/ shows empty boxes).
# As root (CI): `apt-get update` once, then
# `apt-get install -y chromium chromium-driver fonts-noto-color-emoji`.
# Without root (a laptop): prints what to install and exits 0; the browser test
# then skips with the same message. Never downloads a browser of its own.
set -euo pipefail

EMOJI_FONT=/usr/share/fonts/truetype/noto/NotoColorEmoji.ttf
if [ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ] && [ -f "$EMOJI_FONT" ]; then
  exit 0
fi

if [ "$(id -u)" != "0" ]; then
  echo "install_browser: chromium, chromium-driver or fonts-noto-color-emoji is missing and this is not root;" >&2
  echo "install_browser: run 'sudo apt-get install chromium chromium-driver fonts-noto-color-emoji' for the browser test (it skips without the browser)" >&2
  exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
  echo "install_browser: no apt-get here; install Chromium and ChromeDriver at /usr/bin for the browser test" >&2
  exit 0
fi

echo "install_browser: installing Debian's chromium, chromium-driver and fonts-noto-color-emoji"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq chromium chromium-driver fonts-noto-color-emoji >/dev/null
/usr/bin/chromium --version
/usr/bin/chromedriver --version
