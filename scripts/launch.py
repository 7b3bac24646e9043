"""Starts the bot's processes with settings from the environment / `.env`.

    python scripts/launch.py run      action server + Rasa server (REST on $RASA_PORT,
                                      web chat page at /webhooks/chat/)
    python scripts/launch.py shell    action server in the background + `rasa shell`
    python scripts/launch.py actions  the action server alone

`.env` is read with python-dotenv (variables already set in the environment
win); `.env.example` documents every variable. Ctrl-C stops every process.
With RETENTION_DAYS set, `run` also purges older conversations at start and
every 24 h (scripts/privacy.py purge).
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

from dotenv import load_dotenv

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
DEFAULTS = {
    "RASA_PORT": "5005",
    "ACTION_PORT": "5055",
    "MODEL_PATH": "models/support-bot.tar.gz",
    "TRACKER_DB": "var/tracker.db",
    "LOG_LEVEL": "INFO",
}


def settings() -> dict:
    load_dotenv(ROOT / ".env", override=False)
    env = dict(os.environ)
    for key, value in DEFAULTS.items():
        env.setdefault(key, value)
    env.setdefault("ACTION_ENDPOINT_URL", f"http://127.0.0.1:{env['ACTION_PORT']}/webhook")
    env.setdefault("PYTHONPATH", str(ROOT))
    (ROOT / Path(env["TRACKER_DB"]).parent).mkdir(parents=True, exist_ok=True)
    return env


def action_server(env: dict) -> subprocess.Popen:
    command = [str(BIN / "rasa"), "run", "actions", "--actions", "actions", "--port", env["ACTION_PORT"]]
    return subprocess.Popen(command, cwd=ROOT, env=env)


def wait_until_up(url: str, process: subprocess.Popen, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            sys.exit(f"launch: {process.args[0]} exited with {process.returncode}")
        try:
            urllib.request.urlopen(url, timeout=1)
            return
        except OSError:
            time.sleep(0.5)
    sys.exit(f"launch: {url} did not answer within {seconds:.0f} s")


def rasa_command(mode: str, env: dict) -> list:
    common = ["--model", env["MODEL_PATH"], "--endpoints", "endpoints.yml"]
    if mode == "shell":
        return [str(BIN / "rasa"), "shell", *common, "--port", env["RASA_PORT"]]
    return [
        str(BIN / "rasa"), "run", *common,
        "--credentials", "credentials.yml",
        "--port", env["RASA_PORT"],
        "--cors", env.get("CORS_ORIGINS", "*"),
    ]


PURGE_INTERVAL_S = 24 * 3600


def purge_daily(env: dict, stopped: threading.Event) -> None:
    """Runs the retention purge now and then every 24 h until ``stopped``."""
    command = [sys.executable, str(ROOT / "scripts" / "privacy.py"), "--endpoints", "endpoints.yml", "purge"]
    while not stopped.is_set():
        result = subprocess.run(command, cwd=ROOT, env=env)
        if result.returncode != 0:
            print(f"launch: retention purge failed ({result.returncode}); next try in 24 h", file=sys.stderr)
        stopped.wait(PURGE_INTERVAL_S)


def stop(*processes: subprocess.Popen) -> None:
    for process in processes:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
    for process in processes:
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


def main(mode: str) -> int:
    env = settings()
    actions = action_server(env)
    if mode == "actions":
        try:
            return actions.wait()
        except KeyboardInterrupt:
            stop(actions)
            return 0
    wait_until_up(f"http://127.0.0.1:{env['ACTION_PORT']}/health", actions)
    rasa = subprocess.Popen(rasa_command(mode, env), cwd=ROOT, env=env)
    stopped = threading.Event()
    if mode == "run" and env.get("RETENTION_DAYS", "").strip():
        threading.Thread(target=purge_daily, args=(env, stopped), daemon=True).start()
    try:
        return rasa.wait()
    except KeyboardInterrupt:
        return 0
    finally:
        stopped.set()
        stop(rasa, actions)


if __name__ == "__main__":
    if len(sys.argv) != 2 or sys.argv[1] not in ("run", "shell", "actions"):
        sys.exit(__doc__)
    sys.exit(main(sys.argv[1]))
