#!/usr/bin/env bash
# Creates .venv with Python 3.10 and installs the locked dependencies.
# Idempotent: does nothing when .venv is current with requirements.lock.
set -euo pipefail
cd "$(dirname "$0")/.."

want="$(tr -d '[:space:]' < .python-version)"   # e.g. 3.10.13
minor="${want%.*}"                                # 3.10
stamp=.venv/.installed

find_python() {
  if command -v pyenv >/dev/null 2>&1; then
    local p
    p="$(PYENV_VERSION="$want" pyenv which python 2>/dev/null || true)"
    [ -n "$p" ] && [ -x "$p" ] && { echo "$p"; return; }
  fi
  for candidate in "python$minor" python3 python; do
    if command -v "$candidate" >/dev/null 2>&1 &&
       "$candidate" -c "import sys; sys.exit(0 if sys.version_info[:2] == tuple(map(int, '$minor'.split('.'))) else 1)" 2>/dev/null; then
      command -v "$candidate"; return
    fi
  done
}

if [ -x .venv/bin/python ] && ! .venv/bin/python -c "import sys; sys.exit(0 if '%d.%d' % sys.version_info[:2] == '$minor' else 1)"; then
  echo "bootstrap: .venv has the wrong Python; recreating it"
  rm -rf .venv
fi

if [ ! -x .venv/bin/python ]; then
  python="$(find_python)"
  if [ -z "$python" ]; then
    cat >&2 <<MSG
bootstrap: Python $minor is needed (Rasa 3.6 runs on Python 3.8-3.10) and none was found.
Install it, for example:
  pyenv install $want          (pyenv picks it up from .python-version)
  or: sudo apt-get install python$minor python$minor-venv
then run the command again.
MSG
    exit 1
  fi
  echo "bootstrap: creating .venv with $python"
  "$python" -m venv .venv
fi

if [ ! -f "$stamp" ] || [ requirements.lock -nt "$stamp" ]; then
  echo "bootstrap: installing locked dependencies"
  .venv/bin/python -m pip install --quiet --disable-pip-version-check "uv==0.13.9"
  if ! .venv/bin/uv pip sync --quiet --python .venv/bin/python requirements.lock; then
    echo "bootstrap: uv failed, falling back to pip" >&2
    .venv/bin/python -m pip install --quiet -r requirements.lock
  fi
  .venv/bin/python -m pip check
  touch "$stamp"
fi
