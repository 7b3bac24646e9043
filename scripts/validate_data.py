"""Runs `rasa data validate` and fails on every warning that matters.

Two kinds of warning are expected and checked instead of ignored:
- "The utterance 'utter_x' is not used in any story or rule": fine only when
  code in actions/ or components/ sends that response (checked here by name),
  or it is a form's question (utter_ask_<form>_<slot> of a required slot);
- "The intent 'non_text' ... not found in the NLU training data": the
  WhatsApp channel sends it as the payload "/non_text", it has no examples.
Everything else (conflicts, unknown slots, bad data) fails the run.
"""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
PAYLOAD_ONLY_INTENTS = {"non_text"}


def main() -> int:
    run = subprocess.run(
        [str(Path(sys.executable).parent / "rasa"), "data", "validate"],
        cwd=ROOT, capture_output=True, text=True,
    )
    output = run.stdout + run.stderr
    code = "\n".join(
        p.read_text(encoding="utf-8") for folder in ("actions", "components") for p in (ROOT / folder).glob("*.py")
    )
    domain = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))
    form_questions = {
        f"utter_ask_{form}_{slot}" for form, spec in domain.get("forms", {}).items() for slot in spec["required_slots"]
    }
    problems = []
    for line in output.splitlines():
        if "UserWarning" not in line:
            continue
        message = line.split("UserWarning:", 1)[1].strip()
        unused = re.match(r"The utterance '(\w+)' is not used in any story or rule", message)
        if unused and (f'"{unused.group(1)}"' in code or unused.group(1) in form_questions):
            continue
        intent = re.match(r"The intent '(\w+)' is listed in the domain file, but is not found in the NLU training data", message)
        if intent and intent.group(1) in PAYLOAD_ONLY_INTENTS:
            continue
        problems.append(message)
    if run.returncode != 0:
        problems.append(f"rasa data validate exited with {run.returncode}")
    for problem in problems:
        print(f"validate: {problem}")
    print(f"validate: {'FAILED' if problems else 'ok'} ({len(problems)} problem(s))")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
