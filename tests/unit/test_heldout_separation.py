"""The held-out sets measure messages the bot has never seen: no message of
tests/conversations*/ (four words or more) is a training example in data/nlu/."""
import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
ANNOTATION = re.compile(r"\[([^\]]*)\](?:\([^)]*\)|\{[^}]*\})")
MIN_WORDS = 4  # shorter ones ("hi", "danke", "Italien") are bound to coincide


def _key(text: str) -> str:
    return " ".join(ANNOTATION.sub(r"\1", text).lower().strip(" ?!.").split())


def test_no_held_out_message_is_a_training_example():
    held = {}
    for path in ROOT.glob("tests/conversations*/*/*.yml"):
        for conversation in yaml.safe_load(path.read_text(encoding="utf-8"))["conversations"]:
            for turn in conversation["turns"]:
                if len(turn["user"].split()) >= MIN_WORDS:
                    held[_key(turn["user"])] = conversation["id"]
    assert len(held) > 500
    found = []
    for path in sorted(ROOT.glob("data/nlu/*.yml")):
        for line in path.read_text(encoding="utf-8").splitlines():
            match = re.match(r"\s+- (.*)", line)
            if match and _key(match.group(1)) in held:
                found.append(f"{path.name}: {match.group(1)!r} ({held[_key(match.group(1))]})")
    assert not found, "\n".join(found)
