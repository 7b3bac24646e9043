"""scripts/launch.py and scripts/action_server.py: secure defaults of `make run`."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))
import launch  # noqa: E402

MANAGED = ("RASA_HOST", "ACTION_HOST", "ACTION_SERVER_TOKEN", "CORS_ORIGINS")


@pytest.fixture
def clean_env(monkeypatch):
    for name in MANAGED:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(launch, "load_dotenv", lambda *args, **kwargs: None)  # no local .env


def test_defaults_bind_to_loopback_and_generate_a_token_per_start(clean_env):
    first, second = launch.settings(), launch.settings()
    assert first["RASA_HOST"] == first["ACTION_HOST"] == "127.0.0.1"
    assert len(first["ACTION_SERVER_TOKEN"]) >= 32
    assert first["ACTION_SERVER_TOKEN"] != second["ACTION_SERVER_TOKEN"]
    command = launch.rasa_command("run", first)
    assert command[command.index("--interface") + 1] == "127.0.0.1"
    assert "--cors" not in command


def test_a_set_token_is_kept(clean_env, monkeypatch):
    monkeypatch.setenv("ACTION_SERVER_TOKEN", "fixed-secret")
    assert launch.settings()["ACTION_SERVER_TOKEN"] == "fixed-secret"


def test_cors_lists_only_the_configured_origins(clean_env, monkeypatch):
    monkeypatch.setenv("CORS_ORIGINS", "https://www.example.com, https://shop.example.com")
    command = launch.rasa_command("run", launch.settings())
    assert command[command.index("--cors"):] == ["--cors", "https://www.example.com", "https://shop.example.com"]
    monkeypatch.setenv("CORS_ORIGINS", "*")
    with pytest.raises(SystemExit, match="CORS_ORIGINS"):
        launch.rasa_command("run", launch.settings())


def test_the_action_server_refuses_to_start_without_a_token():
    env = {k: v for k, v in os.environ.items() if k != "ACTION_SERVER_TOKEN"}
    result = subprocess.run([sys.executable, str(ROOT / "scripts" / "action_server.py")], env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode != 0
    assert "ACTION_SERVER_TOKEN" in result.stderr


def test_the_shell_server_binds_to_loopback_too(clean_env):
    command = launch.rasa_command("shell", launch.settings())
    assert command[command.index("--interface") + 1] == "127.0.0.1"
