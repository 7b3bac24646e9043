"""Starts the bot's processes with settings from the environment / `.env`.

    python scripts/launch.py run      action server + Rasa server (REST on $RASA_PORT,
                                      web chat page at /webhooks/chat/)
    python scripts/launch.py shell    action server in the background + `rasa shell`
    python scripts/launch.py actions  the action server alone

`.env` is read with python-dotenv (variables already set in the environment
win); `.env.example` documents every variable. Ctrl-C stops every process.
With RETENTION_DAYS set, `run` also purges older conversations at start and
every 24 h (scripts/privacy.py purge).

Secure by default: both servers listen on 127.0.0.1 (`RASA_HOST`,
`ACTION_HOST`); CORS answers only the origins in `CORS_ORIGINS` (none by
default); the action server needs `ACTION_SERVER_TOKEN`, which is generated
for this start when none is set (the Rasa server gets the same value).
"""
from __future__ import annotations

import os
import secrets
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
    "RASA_HOST": "127.0.0.1",
    "ACTION_HOST": "127.0.0.1",
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
        if not env.get(key):
            env[key] = value
    if not env.get("ACTION_SERVER_TOKEN"):
        env["ACTION_SERVER_TOKEN"] = secrets.token_urlsafe(32)
    env.setdefault("ACTION_ENDPOINT_URL", f"http://127.0.0.1:{env['ACTION_PORT']}/webhook")
    env.setdefault("PYTHONPATH", str(ROOT))
    (ROOT / Path(env["TRACKER_DB"]).parent).mkdir(parents=True, exist_ok=True)
    return env


def action_command(env: dict) -> list:
    return [str(BIN / "python"), str(ROOT / "scripts" / "action_server.py")]


def action_server(env: dict) -> subprocess.Popen:
    return subprocess.Popen(action_command(env), cwd=ROOT, env=env)


def cors_origins(env: dict) -> list:
    """The origins of CORS_ORIGINS (separated by spaces or commas); none by default."""
    return [origin for origin in env.get("CORS_ORIGINS", "").replace(",", " ").split() if origin]


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


def rasa_command(mode: str, env: dict, endpoints: str = "endpoints.yml") -> list:
    common = ["--model", env["MODEL_PATH"], "--endpoints", endpoints]
    if mode == "shell":
        return [str(BIN / "rasa"), "shell", *common, "--interface", env["RASA_HOST"], "--port", env["RASA_PORT"]]
    command = [
        str(BIN / "rasa"), "run", *common,
        "--credentials", "credentials.yml",
        "--interface", env["RASA_HOST"],
        "--port", env["RASA_PORT"],
    ]
    origins = cors_origins(env)
    if "*" in origins:
        sys.exit("launch: CORS_ORIGINS=* would let any web page use the bot; list the origins")
    return command + (["--cors", *origins] if origins else [])


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
    host = env["ACTION_HOST"] if env["ACTION_HOST"] not in ("0.0.0.0", "::") else "127.0.0.1"
    wait_until_up(f"http://{host}:{env['ACTION_PORT']}/health", actions)
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
