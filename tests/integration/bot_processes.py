"""Starts the real bot (action server + Rasa server) on free ports for tests."""
from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, Optional

import pytest

ROOT = Path(__file__).resolve().parents[2]
MODEL = ROOT / "models" / "support-bot.tar.gz"
BIN = Path(sys.executable).parent
sys.path.insert(0, str(ROOT / "scripts"))
import launch  # noqa: E402  (the commands `make run` uses)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def require_model() -> None:
    if not MODEL.exists():
        pytest.skip(f"no trained model at {MODEL.relative_to(ROOT)}: run `make train` (make test does)")


def wait_for(url: str, process: subprocess.Popen, seconds: float = 180) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{process.args[:3]} exited with {process.returncode}")
        try:
            urllib.request.urlopen(url, timeout=2)
            return
        except OSError:
            time.sleep(0.5)
    raise TimeoutError(f"{url} not up after {seconds:.0f} s")


@dataclass
class Bot:
    env: Dict[str, str]
    rasa_port: int
    action_port: int
    log_dir: Path
    processes: Dict[str, subprocess.Popen] = field(default_factory=dict)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.rasa_port}"

    def start_actions(self) -> None:
        log = open(self.log_dir / "actions.log", "ab")
        self.processes["actions"] = subprocess.Popen(
            launch.action_command(self.env),
            cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT,
        )
        wait_for(f"http://127.0.0.1:{self.action_port}/health", self.processes["actions"])

    def start_rasa(self, endpoints: str = "endpoints.yml", extra_args: tuple = ()) -> None:
        log = open(self.log_dir / "rasa.log", "ab")
        self.processes["rasa"] = subprocess.Popen(
            [*launch.rasa_command("run", self.env, endpoints), *extra_args],
            cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT,
        )
        wait_for(f"{self.url}/", self.processes["rasa"])

    def stop(self, name: str, sig: int = signal.SIGTERM) -> None:
        process = self.processes.pop(name, None)
        if process is not None and process.poll() is None:
            process.send_signal(sig)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()

    def stop_all(self) -> None:
        for name in list(self.processes):
            self.stop(name)

    def log(self, name: str) -> str:
        path = self.log_dir / f"{name}.log"
        return path.read_text(errors="replace") if path.exists() else ""


def make_bot(tmp_dir: Path, extra_env: Optional[Dict[str, str]] = None) -> Bot:
    """The bot as `make run` starts it (scripts/launch.py's commands and defaults),
    on free ports."""
    require_model()
    rasa_port, action_port = free_port(), free_port()
    env = dict(os.environ)
    for key in [k for k in env if k.startswith(("WHATSAPP_", "CORS_", "REST_JWT", "RATE_LIMIT", "MAX_"))]:
        del env[key]
    env.update({k: v for k, v in launch.DEFAULTS.items() if k not in ("RASA_PORT", "ACTION_PORT")})
    env.update({
        "MODEL_PATH": str(MODEL),
        "RASA_PORT": str(rasa_port),
        "ACTION_PORT": str(action_port),
        "ACTION_SERVER_TOKEN": secrets.token_urlsafe(24),
        "PYTHONPATH": str(ROOT),
        "TF_CPP_MIN_LOG_LEVEL": "2",
        "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
        "ACTION_ENDPOINT_URL": f"http://127.0.0.1:{action_port}/webhook",
        "TRACKER_DB": str(tmp_dir / "tracker.db"),
    })
    env.update(extra_env or {})
    return Bot(env=env, rasa_port=rasa_port, action_port=action_port, log_dir=tmp_dir)
