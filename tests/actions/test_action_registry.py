"""The action server's own start-up step: every action of the package registers
under a unique name, and the names are the ones domain.yml lists."""
from pathlib import Path

import yaml
from rasa_sdk.executor import ActionExecutor

ROOT = Path(__file__).resolve().parents[2]


def test_the_actions_package_registers_as_the_action_server_does():
    executor = ActionExecutor()
    executor.register_package("actions")  # raises on an action without a name
    domain = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))
    custom = {name for name in domain["actions"] if name.startswith(("action_", "validate_"))}
    assert custom <= set(executor.actions)
