"""deploy/helm/values.yaml: the production profile keeps the action server closed."""
from pathlib import Path

import yaml

VALUES = yaml.safe_load((Path(__file__).resolve().parents[2] / "deploy" / "helm" / "values.yaml").read_text(encoding="utf-8"))


def _token_sources(env):
    return [e["valueFrom"]["secretKeyRef"] for e in env if e["name"] == "ACTION_SERVER_TOKEN"]


def test_the_action_servers_run_the_token_checking_server():
    actions = VALUES["rasa-action-server"]
    assert actions["command"] == ["python", "scripts/action_server.py"]
    assert "actions" not in (actions.get("args") or [])  # not `rasa run actions`, which checks no token


def test_rasa_and_the_action_servers_share_one_token_secret():
    rasa, actions = _token_sources(VALUES["extraEnv"]), _token_sources(VALUES["rasa-action-server"]["extraEnv"])
    assert rasa and rasa == actions
    endpoints = (Path(__file__).resolve().parents[2] / "endpoints.production.yml").read_text(encoding="utf-8")
    assert "X-Action-Token: ${ACTION_SERVER_TOKEN}" in endpoints
