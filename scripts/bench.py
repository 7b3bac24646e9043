"""Quality, speed and cost benchmark (issue 7, `make bench`). Not a test: it
never fails on speed, only when the plumbing breaks (a server does not start).

    python scripts/bench.py [--quick] [--skip-nlu] [--cv-epochs N] [--skip-bare]
                            [--train-timing full|reuse] [--messages-1 N]
                            [--messages-20 N] [--concurrency 20] [--out reports]

1. NLU: runs scripts/eval_nlu.py (unless --skip-nlu; its report is
   reports/eval_nlu.md/.json and is summarised here).
2. Training: times a cold `rasa train` of the project (config.yml, domain,
   data/) into reports/tmp/ (--train-timing full, the default), or reuses the
   NLU-only training time from eval_nlu (--train-timing reuse).
3. Our bot: action server + Rasa server started as scripts/launch.py does
   (its commands and settings, REST webhook, SQLite tracker store in a fresh
   temp TRACKER_DB, free ports, listening on 127.0.0.1), model
   models/support-bot.tar.gz. An aiohttp load generator sends German/English
   conversations through /webhooks/rest/webhook: first with 1 conversation at
   a time, then with 20 concurrent ones (a fixed number of messages, per-request
   timeouts, a deadline per phase; only 127.0.0.1). Reported: latency
   p50/p95/p99 per phase, sustained throughput (messages/s at 20 concurrent),
   start-up time to the first answer, resident memory (VmRSS from /proc,
   children included) of both servers, model size. Then one conversation of
   400 messages (--long-turns) from one sender: median latency of turns 0-20,
   100-120, 200-220 and 380-400.
4. The bare bot: `rasa init --no-prompt` in a temp folder (which trains it),
   served the same way (as rasa init writes it: in-memory tracker store, no
   action server), same load with its own messages; ratio ours/bare.

Writes reports/bench.md and reports/bench.json. `--quick`: 2-epoch trainings
and a few dozen messages, to check the plumbing.
"""
from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import platform
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Dict, List, Optional

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
BIN = Path(sys.executable).parent
RASA = str(BIN / "rasa")
HOST = "127.0.0.1"  # the only address the load generator talks to

from scripts import launch  # noqa: E402  (the project's own start-up commands)

# Realistic conversations for the support bot (German and English, with the
# typos and shortcuts of chat messages; some run the warranty form).
OUR_CONVERSATIONS: List[List[str]] = [
    ["hallo", "wie ist die hotline nummer in deutschland?", "und wann habt ihr offen?", "danke dir", "tschüss"],
    ["hi", "what's the hotline number for the uk", "opening hours on saturday?", "thanks", "bye"],
    ["hab ich noch garantie?", "redmi note 13", "vor 2 jahren", "in deutschland", "danke"],
    ["is my phone still under warranty", "poco f6", "last june", "in spain", "ok thanks"],
    ["moin", "wer repariert xiaomi handys in österreich", "gilt die garantie auch in italien wenn ich es in deutschland gekauft hab",
     "ok danke, ciao"],
    ["hello", "how long is the warranty on a xiaomi 14 ultra", "does the eu warranty apply if i bought it in france",
     "can i talk to a human", "bye"],
    ["servus", "kann ich euch auch per whatsapp schreiben?", "gibts service in der schweiz", "super danke"],
    ["hey", "where can i download hyperos updates", "what about a repair partner in poland", "thank you"],
    ["hallo", "ich möchte mit einem mitarbeiter sprechen", "nein danke", "bis dann"],
    ["hi there", "can we switch to german", "wie lange ist die garantie in deutschland", "danke, tschüss"],
    ["guten tag", "mein xiaomi 13 pro ist kaputt, hab ich noch garantie", "am 10.03.2025", "in italien", "danke"],
    ["good morning", "are you a bot?", "what's the international warranty service", "ok", "goodbye"],
]
# One long conversation (issue 15): hotline, follow-up and warranty questions
# over and over, from one sender; the bare bot's own messages likewise.
OUR_LONG_CYCLE = ["hotline deutschland", "und in spanien?", "wie lange ist die garantie in der eu?",
                  "und wann habt ihr offen?", "danke"]
BARE_LONG_CYCLE = ["hello", "I am sad", "yes", "I am happy", "are you a bot?"]
LONG_WINDOWS = ((0, 20), (100, 120), (200, 220), (380, 400))  # turns whose median latency is reported
# The long conversation's 400 messages from one sender are far over the
# per-sender rate limit of .env's defaults: the bench lifts it for its bot.
BENCH_RATE_LIMIT = {"RATE_LIMIT_PER_MINUTE": "100000", "RATE_LIMIT_BURST": "100000"}

# The bare `rasa init` bot's intents: greet, goodbye, affirm, deny, mood_great,
# mood_unhappy, bot_challenge.
BARE_CONVERSATIONS: List[List[str]] = [
    ["hello", "I am sad", "yes", "bye"],
    ["hi", "great", "are you a bot?", "goodbye"],
    ["hey there", "I am feeling very bad", "no", "see you later"],
    ["good morning", "I am amazing", "bye bye"],
    ["hey", "my day was horrible", "not really", "have a nice day"],
    ["hello there", "am I talking to a human?", "I am happy", "bye"],
]


# --------------------------------------------------------------------------- processes
def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def base_env(cache_dir: Optional[Path] = None) -> dict:
    env = dict(os.environ)
    env.setdefault("PYTHONPATH", str(ROOT))
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    env.setdefault("SQLALCHEMY_SILENCE_UBER_WARNING", "1")
    if cache_dir:
        env["RASA_CACHE_DIRECTORY"] = str(cache_dir)
    return env


class Processes:
    """Every process this script starts, each in its own session, so that
    stopping one stops its children too. Only these are ever signalled."""

    def __init__(self) -> None:
        self.started: List[subprocess.Popen] = []

    def start(self, command: List[str], cwd: Path, env: dict, log_file: Path) -> subprocess.Popen:
        out = log_file.open("w", encoding="utf-8")
        process = subprocess.Popen(command, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT,
                                   start_new_session=True)
        self.started.append(process)
        return process

    @staticmethod
    def stop(process: subprocess.Popen) -> None:
        if process.poll() is not None:
            return
        for sig, wait in ((signal.SIGINT, 15), (signal.SIGTERM, 10), (signal.SIGKILL, 5)):
            try:
                os.killpg(process.pid, sig)
            except ProcessLookupError:
                return
            try:
                process.wait(timeout=wait)
                return
            except subprocess.TimeoutExpired:
                continue

    def stop_all(self) -> None:
        for process in reversed(self.started):
            self.stop(process)


def tree(pid: int) -> List[int]:
    children: Dict[int, List[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            children.setdefault(int(fields[1]), []).append(int(entry.name))
        except (OSError, IndexError, ValueError):
            continue
    pids, queue = [], [pid]
    while queue:
        current = queue.pop()
        pids.append(current)
        queue.extend(children.get(current, []))
    return pids


def status_kb(pid: int, key: str) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(key + ":"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def memory(pid: int) -> dict:
    pids = tree(pid)
    return {"rss_mb": round(sum(status_kb(p, "VmRSS") for p in pids) / 1024, 1),
            "peak_rss_mb": round(sum(status_kb(p, "VmHWM") for p in pids) / 1024, 1),
            "processes": len(pids)}


def wait_health(url: str, process: subprocess.Popen, seconds: float) -> float:
    started = time.monotonic()
    while time.monotonic() - started < seconds:
        if process.poll() is not None:
            raise RuntimeError(f"{process.args[:3]} exited with {process.returncode}")
        try:
            urllib.request.urlopen(url, timeout=2)
            return time.monotonic() - started
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer within {seconds:.0f} s")


def post(port: int, sender: str, text: str, timeout: float = 30) -> list:
    body = json.dumps({"sender": sender, "message": text}).encode()
    request = urllib.request.Request(f"http://{HOST}:{port}/webhooks/rest/webhook", data=body,
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=timeout) as response:
        return json.loads(response.read())


def wait_first_answer(port: int, process: subprocess.Popen, text: str, seconds: float) -> float:
    """Seconds from now until the webhook answers `text` with a bot message."""
    started = time.monotonic()
    while time.monotonic() - started < seconds:
        if process.poll() is not None:
            raise RuntimeError(f"{process.args[:3]} exited with {process.returncode}")
        try:
            if post(port, "bench-startup-probe", text, timeout=10):
                return time.monotonic() - started
        except (OSError, ValueError):
            pass
        time.sleep(0.25)
    raise RuntimeError(f"no answer on port {port} within {seconds:.0f} s")


# --------------------------------------------------------------------------- load generator
async def run_load(port: int, conversations: List[List[str]], concurrency: int, messages: int,
                   tag: str, timeout: float, deadline: float) -> dict:
    """`concurrency` conversations at a time, each a fresh sender walking a
    script; stops after `messages` messages (or at the deadline)."""
    import aiohttp

    url = f"http://{HOST}:{port}/webhooks/rest/webhook"
    assert url.startswith("http://127.0.0.1:")
    latencies: List[float] = []
    errors: Dict[str, int] = {}
    empty = 0
    budget = {"left": messages}
    counter = {"conversation": 0}
    stop_at = time.monotonic() + deadline

    def take() -> bool:
        if budget["left"] <= 0 or time.monotonic() > stop_at:
            return False
        budget["left"] -= 1
        return True

    async def worker(session: aiohttp.ClientSession, worker_id: int) -> None:
        nonlocal empty
        while True:
            index = counter["conversation"]
            counter["conversation"] += 1
            script = conversations[index % len(conversations)]
            sender = f"bench-{tag}-{worker_id}-{index}"
            for text in script:
                if not take():
                    return
                started = time.perf_counter()
                try:
                    async with session.post(url, json={"sender": sender, "message": text}) as response:
                        payload = await response.json(content_type=None)
                        if response.status != 200:
                            errors[f"HTTP {response.status}"] = errors.get(f"HTTP {response.status}", 0) + 1
                            continue
                    latencies.append(time.perf_counter() - started)
                    if not payload:
                        empty += 1
                except (aiohttp.ClientError, asyncio.TimeoutError, ValueError) as error:
                    errors[type(error).__name__] = errors.get(type(error).__name__, 0) + 1

    connector = aiohttp.TCPConnector(limit=concurrency)
    client_timeout = aiohttp.ClientTimeout(total=timeout)
    started = time.perf_counter()
    load_before = os.getloadavg()[0]
    async with aiohttp.ClientSession(connector=connector, timeout=client_timeout) as session:
        await asyncio.gather(*(worker(session, i) for i in range(concurrency)))
    wall = time.perf_counter() - started
    return summarise(latencies, errors, empty, wall, concurrency, load_before)


def summarise(latencies: List[float], errors: Dict[str, int], empty: int, wall: float,
              concurrency: int, load_before: float) -> dict:
    import numpy as np

    ms = np.array(latencies) * 1000 if latencies else np.array([float("nan")])
    return {
        "concurrency": concurrency,
        "messages": len(latencies),
        "errors": errors,
        "empty_answers": empty,
        "seconds": round(wall, 2),
        "throughput_msg_s": round(len(latencies) / wall, 2) if wall else None,
        "p50_ms": round(float(np.percentile(ms, 50)), 1),
        "p95_ms": round(float(np.percentile(ms, 95)), 1),
        "p99_ms": round(float(np.percentile(ms, 99)), 1),
        "mean_ms": round(float(np.mean(ms)), 1),
        "max_ms": round(float(np.max(ms)), 1),
        "loadavg_1m_before": round(load_before, 2),
        "loadavg_1m_after": round(os.getloadavg()[0], 2),
    }


def sample_conversation(port: int, script: List[str], tag: str) -> List[dict]:
    """One conversation, recorded with the bot's answers (a sanity check)."""
    out = []
    for text in script:
        answers = post(port, f"bench-sample-{tag}", text, timeout=60)
        out.append({"user": text, "bot": [a.get("text", "<non-text>") for a in answers]})
    return out


def long_conversation(port: int, cycle: List[str], turns: int, tag: str) -> dict:
    """One sender, ``turns`` messages one after another: the median latency of
    the turns in each of LONG_WINDOWS, and how the last window compares with
    the first."""
    import numpy as np

    sender = f"bench-long-{tag}"
    latencies = []
    for turn in range(turns):
        started = time.perf_counter()
        post(port, sender, cycle[turn % len(cycle)], timeout=60)
        latencies.append((time.perf_counter() - started) * 1000)
    windows = {f"{a}-{b}": round(float(np.median(latencies[a:b])), 1) for a, b in LONG_WINDOWS if b <= turns}
    values = list(windows.values())
    return {"turns": turns, "median_ms": windows,
            "last_over_first": round(values[-1] / values[0], 2) if len(values) > 1 else None}


def load_phases(port: int, conversations: List[List[str]], args, tag: str) -> dict:
    # warm-up: each script once, not measured (first calls build caches, the
    # action server imports its knowledge, TF traces its graph)
    asyncio.run(run_load(port, conversations, min(4, len(conversations)),
                         sum(len(c) for c in conversations), f"{tag}-warmup", args.request_timeout, 300))
    phases = {}
    for concurrency, messages in ((1, args.messages_1), (args.concurrency, args.messages_20)):
        phases[f"c{concurrency}"] = asyncio.run(run_load(port, conversations, concurrency, messages,
                                                         f"{tag}-c{concurrency}", args.request_timeout,
                                                         args.phase_deadline))
        print(f"bench: {tag} c={concurrency}: {phases[f'c{concurrency}']}", flush=True)
    return phases


# --------------------------------------------------------------------------- the two bots
def bench_ours(args, work: Path, procs: Processes, trained: Optional[str]) -> dict:
    model = Path(args.model or trained or "models/support-bot.tar.gz")
    if not model.is_absolute():
        model = ROOT / model
    if not model.exists():
        raise RuntimeError(f"{model} is missing: run `make train` (make bench does)")
    served = work / "model" / model.name  # a snapshot: a `make train` elsewhere cannot swap it mid-run
    served.parent.mkdir()
    shutil.copy2(model, served)
    rasa_port, action_port = free_port(), free_port()
    while action_port == rasa_port:
        action_port = free_port()
    os.environ.update({"RASA_PORT": str(rasa_port), "ACTION_PORT": str(action_port),
                       "TRACKER_DB": str(work / "tracker.db"), "MODEL_PATH": str(served), **BENCH_RATE_LIMIT})
    os.environ.pop("ACTION_ENDPOINT_URL", None)
    env = launch.settings()  # .env + defaults, exactly as `make run`
    for key, value in base_env().items():
        env.setdefault(key, value)
    action_command = launch.action_command(env)
    rasa_command = launch.rasa_command("run", env) + ["--interface", HOST]

    started = time.monotonic()
    actions = procs.start(action_command, ROOT, env, work / "actions.log")
    action_ready = wait_health(f"http://{HOST}:{action_port}/health", actions, 180)
    rasa_started = time.monotonic()
    rasa = procs.start(rasa_command, ROOT, env, work / "rasa.log")
    wait_first_answer(rasa_port, rasa, "hallo", 600)
    answered = time.monotonic()
    memory_idle = {"rasa": memory(rasa.pid), "actions": memory(actions.pid)}
    sample = sample_conversation(rasa_port, OUR_CONVERSATIONS[2], "ours")
    phases = load_phases(rasa_port, OUR_CONVERSATIONS, args, "ours")
    long = long_conversation(rasa_port, OUR_LONG_CYCLE, args.long_turns, "ours")
    print(f"bench: ours long conversation: {long}", flush=True)
    memory_loaded = {"rasa": memory(rasa.pid), "actions": memory(actions.pid)}
    procs.stop(rasa)
    procs.stop(actions)
    db = work / "tracker.db"
    return {
        "model": ("the model trained by the timing step above" if str(model) == trained
                  else str(model.relative_to(ROOT)) if model.is_relative_to(ROOT) else str(model)),
        "model_mb": round(served.stat().st_size / 2**20, 2),
        "model_modified": dt.datetime.utcfromtimestamp(served.stat().st_mtime).isoformat(timespec="seconds"),
        "startup": {"action_server_ready_s": round(action_ready, 2),
                    "rasa_start_to_first_answer_s": round(answered - rasa_started, 2),
                    "total_to_first_answer_s": round(answered - started, 2)},
        "memory_idle": memory_idle,
        "memory_after_load": memory_loaded,
        "phases": phases,
        "long_conversation": long,
        "tracker_db_mb": round(db.stat().st_size / 2**20, 2) if db.exists() else None,
        "sample_conversation": sample,
        "commands": {"actions": " ".join(action_command[1:]), "rasa": " ".join(rasa_command[1:])},
    }


def bench_bare(args, work: Path, procs: Processes) -> dict:
    folder = work / "bare"
    folder.mkdir()
    env = base_env(work / "bare-cache")
    env.pop("PYTHONPATH", None)
    started = time.monotonic()
    with (work / "bare-init.log").open("w", encoding="utf-8") as out:
        run = subprocess.run([RASA, "init", "--no-prompt", "--init-dir", str(folder)], cwd=folder, env=env,
                             stdout=out, stderr=subprocess.STDOUT, timeout=args.train_timeout)
    init_seconds = time.monotonic() - started
    if run.returncode != 0:
        raise RuntimeError(f"rasa init failed, see {work / 'bare-init.log'}")
    models = sorted((folder / "models").glob("*.tar.gz"))
    if not models:
        raise RuntimeError("rasa init --no-prompt trained no model")
    model = models[-1]
    port = free_port()
    command = [RASA, "run", "--model", str(model), "--credentials", "credentials.yml", "--endpoints",
               "endpoints.yml", "--port", str(port), "--interface", HOST]
    started = time.monotonic()
    rasa = procs.start(command, folder, env, work / "bare-rasa.log")
    first_answer = wait_first_answer(port, rasa, "hello", 600)
    memory_idle = memory(rasa.pid)
    sample = sample_conversation(port, BARE_CONVERSATIONS[0], "bare")
    phases = load_phases(port, BARE_CONVERSATIONS, args, "bare")
    long = long_conversation(port, BARE_LONG_CYCLE, args.long_turns, "bare")
    print(f"bench: bare long conversation: {long}", flush=True)
    memory_loaded = memory(rasa.pid)
    procs.stop(rasa)
    return {
        "init_and_train_s": round(init_seconds, 1),
        "model_mb": round(model.stat().st_size / 2**20, 2),
        "startup": {"rasa_start_to_first_answer_s": round(first_answer, 2)},
        "memory_idle": {"rasa": memory_idle},
        "memory_after_load": {"rasa": memory_loaded},
        "phases": phases,
        "long_conversation": long,
        "sample_conversation": sample,
        "command": " ".join(command[1:]),
    }


# --------------------------------------------------------------------------- training time
def time_training(args, work: Path) -> dict:
    folder = work / "train"
    folder.mkdir()
    config_path = ROOT / "config.yml"
    if args.quick:  # plumbing only: 2 epochs for DIET and TED
        config = yaml.safe_load(config_path.read_text(encoding="utf-8"))
        for part in ("pipeline", "policies"):
            for component in config.get(part) or []:
                if "epochs" in component:
                    component["epochs"] = 2
        config_path = folder / "config.yml"
        config_path.write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    command = [RASA, "train", "--config", str(config_path), "--domain", "domain.yml", "--data", "data",
               "--out", str(folder), "--fixed-model-name", "timing", "--force"]
    started = time.monotonic()
    with (folder / "train.log").open("w", encoding="utf-8") as out:
        run = subprocess.run(command, cwd=ROOT, env=base_env(folder / "cache"), stdout=out,
                             stderr=subprocess.STDOUT, timeout=args.train_timeout)
    seconds = time.monotonic() - started
    if run.returncode != 0:
        raise RuntimeError(f"rasa train failed, see {folder / 'train.log'}")
    model = folder / "timing.tar.gz"
    result = {"method": "cold `rasa train` (NLU + dialogue policies) of config.yml into reports/tmp/, "
                        "empty component cache" + (" (--quick: 2 epochs)" if args.quick else ""),
              "seconds": round(seconds, 1), "model_mb": round(model.stat().st_size / 2**20, 2)}
    kept = work / "trained" / "support-bot.tar.gz"  # served unless --model says otherwise
    kept.parent.mkdir()
    shutil.move(str(model), kept)
    result["model_path"] = str(kept)
    shutil.rmtree(folder, ignore_errors=True)
    return result


# --------------------------------------------------------------------------- report
def ratio(a, b) -> Optional[float]:
    try:
        return round(a / b, 2) if a is not None and b else None
    except TypeError:
        return None


def fmt(value, digits: int = 1) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value)


def nlu_summary_lines(nlu: Optional[dict]) -> List[str]:
    if not nlu:
        return ["No NLU evaluation in this run (--skip-nlu and no reports/eval_nlu.json).", ""]
    from scripts.eval_nlu import DESCRIPTIONS

    lines = [f"From `reports/eval_nlu.json` ({nlu.get('finished', '?')[:16].replace('T', ' ')} UTC"
             + (", **--quick: meaningless figures**" if nlu.get("quick") else "") + "); details in `reports/eval_nlu.md`.", "",
             "| pipeline | lang | intent acc | intent macro F1 | entity P | entity R | entity F1 | language-ID acc (coverage) |",
             "|---|---|---|---|---|---|---|---|"]
    for name, run in nlu["pipelines"].items():
        for language, r in sorted(run["eval"]["languages"].items()):
            m = r["entities"]["micro"] or {}
            lid = r["language_id"]
            lid_text = f"{lid['accuracy']:.3f} ({lid['coverage']:.3f})" if lid and lid["accuracy"] is not None else "n/a"
            lines.append(f"| {DESCRIPTIONS.get(name, name)}{' ✔' if name == nlu.get('chosen') else ''} | {language} | "
                         f"{r['intent']['accuracy']:.3f} | {r['intent']['macro_f1']:.3f} | {m.get('precision', 0):.3f} | "
                         f"{m.get('recall', 0):.3f} | {m.get('f1', 0):.3f} | {lid_text} |")
    cv = nlu.get("cross_validation")
    if cv:
        test = cv["per_fold_mean_std"]["intent"].get("test", {})
        f1 = next((v for k, v in test.items() if "f1" in k.lower()), None)
        lines += ["", f"Cross-validation ({cv['folds']} folds, epochs {cv['epochs']}, {cv['seconds']:.0f} s): intent test F1 "
                  + (f"{f1['mean']:.3f} ± {f1['std']:.3f}" if f1 else "–") + "."]
    lines += ["", "✔ = the pipeline config.yml ships. Best in that run: "
              f"{DESCRIPTIONS.get(nlu.get('best'), nlu.get('best'))}.", ""]
    return lines


def long_conversation_lines(ours: Optional[dict], bare: Optional[dict]) -> List[str]:
    bots = [(label, bot["long_conversation"]) for label, bot in (("ours", ours), ("bare `rasa init`", bare))
            if bot and bot.get("long_conversation")]
    if not bots:
        return []
    windows = list(bots[0][1]["median_ms"])
    lines = ["", f"### One long conversation ({bots[0][1]['turns']} messages from one sender, one at a time)", "",
             "Median latency in ms of the turns in each window; last window / first window.", "",
             "| bot | " + " | ".join(f"turns {w}" for w in windows) + " | last/first |",
             "|---|" + "---|" * (len(windows) + 1)]
    for label, long in bots:
        lines.append(f"| {label} | " + " | ".join(fmt(long["median_ms"].get(w)) for w in windows)
                     + f" | {fmt(long['last_over_first'], 2)} |")
    return lines


def markdown(report: dict) -> str:
    ours, bare = report.get("ours"), report.get("bare")
    lines = [f"# Benchmark ({report['finished'][:16].replace('T', ' ')} UTC)", ""]
    if report["quick"]:
        lines += ["> **--quick run: 2-epoch models and few messages, a plumbing check; the figures mean nothing.**", ""]
    lines += [f"Machine: {report['machine']}; load average (1 min) at start {report['loadavg_start']}. "
              f"The machine is shared, so absolute figures are noisy: compare with the ratio to the bare bot. "
              f"Total bench time {report['seconds'] / 60:.1f} min.", "", "## NLU quality (held-out set)", ""]
    lines += nlu_summary_lines(report.get("nlu"))
    lines += ["## Latency and throughput (REST webhook)", "",
              f"Ours: {report.get('ours_setup', '–')}", "",
              f"Bare: {report.get('bare_setup', 'not run')}", "",
              "| bot | concurrent conversations | messages | errors | p50 ms | p95 ms | p99 ms | mean ms | throughput msg/s |",
              "|---|---|---|---|---|---|---|---|---|"]
    for label, bot in (("ours", ours), ("bare `rasa init`", bare)):
        if not bot:
            continue
        for phase in bot["phases"].values():
            lines.append(f"| {label} | {phase['concurrency']} | {phase['messages']} | {sum(phase['errors'].values())} | "
                         f"{fmt(phase['p50_ms'])} | {fmt(phase['p95_ms'])} | {fmt(phase['p99_ms'])} | "
                         f"{fmt(phase['mean_ms'])} | {fmt(phase['throughput_msg_s'], 2)} |")
    if report.get("ratios"):
        lines += ["", "Ratio ours/bare (latency: > 1 = slower; throughput: < 1 = fewer messages/s):", "",
                  "| metric | " + " | ".join(report["ratios"]) + " |", "|---|" + "---|" * len(report["ratios"])]
        metrics = sorted({m for r in report["ratios"].values() for m in r}, key=["p50", "p95", "p99", "throughput"].index)
        for metric in metrics:
            lines.append(f"| {metric} | " + " | ".join(fmt(r.get(metric), 2) for r in report["ratios"].values()) + " |")
    lines += long_conversation_lines(ours, bare)
    lines += ["", "## Cost", "", "| what | ours | bare `rasa init` | ours/bare |", "|---|---|---|---|"]
    if ours:
        b = bare or {}
        bm = (b.get("memory_idle") or {}).get("rasa", {})
        bl = (b.get("memory_after_load") or {}).get("rasa", {})
        rows = [
            ("start-up to first answer, s (ours: action server + Rasa server)", ours["startup"]["total_to_first_answer_s"],
             (b.get("startup") or {}).get("rasa_start_to_first_answer_s")),
            ("  Rasa server alone, s", ours["startup"]["rasa_start_to_first_answer_s"],
             (b.get("startup") or {}).get("rasa_start_to_first_answer_s")),
            ("  action server ready, s", ours["startup"]["action_server_ready_s"], None),
            ("RSS Rasa server idle, MB", ours["memory_idle"]["rasa"]["rss_mb"], bm.get("rss_mb")),
            ("RSS Rasa server after load, MB", ours["memory_after_load"]["rasa"]["rss_mb"], bl.get("rss_mb")),
            ("peak RSS Rasa server, MB", ours["memory_after_load"]["rasa"]["peak_rss_mb"], bl.get("peak_rss_mb")),
            ("RSS action server after load, MB", ours["memory_after_load"]["actions"]["rss_mb"], None),
            ("RSS total after load, MB", round(ours["memory_after_load"]["rasa"]["rss_mb"]
                                               + ours["memory_after_load"]["actions"]["rss_mb"], 1), bl.get("rss_mb")),
            ("model size, MB", ours["model_mb"], b.get("model_mb")),
        ]
        training = report.get("training") or {}
        rows.append((f"training time, s ({training.get('method', '–')})", training.get("seconds"),
                     b.get("init_and_train_s")))
        for label, a, c in rows:
            lines.append(f"| {label} | {fmt(a)} | {fmt(c)} | {fmt(ratio(a, c), 2)} |")
        lines += ["", "RSS = VmRSS from /proc/PID/status, summed over the process and its children. "
                  "Bare training time = `rasa init --no-prompt` (scaffold + `rasa train`, cold cache)."]
        if ours.get("tracker_db_mb") is not None:
            lines.append(f"SQLite tracker store after the run: {ours['tracker_db_mb']} MB.")
    if report.get("errors"):
        lines += ["", "## Problems", ""] + [f"- {e}" for e in report["errors"]]
    lines += ["", "## Sample conversations (sanity check)", ""]
    for label, bot in (("ours", ours), ("bare", bare)):
        if bot:
            for turn in bot["sample_conversation"]:
                lines.append(f"- {label}: `{turn['user']}` → {' / '.join(t.replace(chr(10), ' ') for t in turn['bot'])[:200]}")
    lines.append("")
    return "\n".join(lines)


# --------------------------------------------------------------------------- main
def interrupted(*_) -> None:
    raise KeyboardInterrupt  # SIGTERM: stop the servers (finally) and write what was measured


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="2-epoch models, few messages (plumbing check)")
    parser.add_argument("--skip-nlu", action="store_true", help="do not run scripts/eval_nlu.py")
    parser.add_argument("--cv-epochs", type=int, help="passed to eval_nlu (cross-validation epochs)")
    parser.add_argument("--eval-args", default="", help="more arguments for eval_nlu, e.g. '--skip-cv'")
    parser.add_argument("--skip-bare", action="store_true")
    parser.add_argument("--train-timing", choices=("full", "reuse"), default="full")
    parser.add_argument("--model", help="model to serve (default: the one the timing step trains, "
                                        "else models/support-bot.tar.gz)")
    parser.add_argument("--messages-1", type=int, help="messages at concurrency 1 (default 300, quick 20)")
    parser.add_argument("--messages-20", type=int, help="messages at full concurrency (default 1000, quick 60)")
    parser.add_argument("--concurrency", type=int, default=20)
    parser.add_argument("--long-turns", type=int, help="messages of the one long conversation (default 400, quick 40)")
    parser.add_argument("--request-timeout", type=float, default=60)
    parser.add_argument("--phase-deadline", type=float, default=900, help="seconds; a phase stops by itself then")
    parser.add_argument("--train-timeout", type=float, default=3600)
    parser.add_argument("--out", default=str(ROOT / "reports"))
    args = parser.parse_args()
    args.messages_1 = args.messages_1 or (20 if args.quick else 300)
    args.long_turns = args.long_turns or (40 if args.quick else 400)
    args.messages_20 = args.messages_20 or (60 if args.quick else 1000)

    started = time.monotonic()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    (ROOT / "reports" / "tmp").mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="bench-", dir=ROOT / "reports" / "tmp"))
    report = {"started": dt.datetime.utcnow().isoformat(timespec="seconds"), "quick": args.quick,
              "machine": f"{os.cpu_count()} cores, {round(os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / 2**30)} GiB, "
                         f"{platform.system()} {platform.release()}, Python {platform.python_version()}",
              "loadavg_start": [round(x, 2) for x in os.getloadavg()], "errors": [],
              "settings": {k: getattr(args, k) for k in ("messages_1", "messages_20", "concurrency", "request_timeout",
                                                         "phase_deadline", "train_timing")}}
    procs = Processes()
    signal.signal(signal.SIGTERM, interrupted)
    failed = False
    try:
        if not args.skip_nlu:
            command = [sys.executable, str(ROOT / "scripts" / "eval_nlu.py"), "--out", str(out)]
            command += ["--quick"] if args.quick else []
            command += ["--cv-epochs", str(args.cv_epochs)] if args.cv_epochs else []
            command += args.eval_args.split()
            print("bench: " + " ".join(command[1:]), flush=True)
            t = time.monotonic()
            run = subprocess.run(command, cwd=ROOT, env=base_env())
            report["nlu_seconds"] = round(time.monotonic() - t, 1)
            if run.returncode != 0:
                report["errors"].append(f"eval_nlu exited with {run.returncode}")
        nlu_file = out / "eval_nlu.json"
        if nlu_file.exists():
            report["nlu"] = json.loads(nlu_file.read_text(encoding="utf-8"))
            for run_ in report["nlu"]["pipelines"].values():
                run_.pop("config", None)

        if args.train_timing == "full":
            print("bench: timing a cold `rasa train`", flush=True)
            report["training"] = time_training(args, work)
        else:
            nlu_runs = (report.get("nlu") or {}).get("pipelines", {})
            report["training"] = {
                "method": "reused from eval_nlu: `rasa train nlu` of the project pipeline (NLU only, no policies)",
                "seconds": (nlu_runs.get("project") or {}).get("train_seconds")}

        print("bench: our bot", flush=True)
        report["ours"] = bench_ours(args, work, procs, (report.get("training") or {}).get("model_path"))
        report["ours_setup"] = (f"`scripts/launch.py` commands (`{report['ours']['commands']['actions']}` and "
                                f"`{report['ours']['commands']['rasa']}`), SQLite tracker store in a fresh temp file, "
                                f"REST webhook, model `{report['ours']['model']}`.")
        if not args.skip_bare:
            print("bench: bare rasa init bot", flush=True)
            report["bare"] = bench_bare(args, work, procs)
            report["bare_setup"] = (f"`rasa init --no-prompt` in a temp folder, `{report['bare']['command']}` "
                                    "(as rasa init writes it: in-memory tracker store, no action server).")
            report["ratios"] = {}
            for key, phase in report["ours"]["phases"].items():
                other = report["bare"]["phases"].get(key)
                if other:
                    report["ratios"][f"{phase['concurrency']} concurrent"] = {
                        "p50": ratio(phase["p50_ms"], other["p50_ms"]), "p95": ratio(phase["p95_ms"], other["p95_ms"]),
                        "p99": ratio(phase["p99_ms"], other["p99_ms"]),
                        "throughput": ratio(phase["throughput_msg_s"], other["throughput_msg_s"])}
    except (RuntimeError, subprocess.TimeoutExpired, OSError, KeyboardInterrupt) as error:
        report["errors"].append(f"{type(error).__name__}: {error}")
        failed = True
    finally:
        procs.stop_all()
        report["finished"] = dt.datetime.utcnow().isoformat(timespec="seconds")
        report["seconds"] = round(time.monotonic() - started, 1)
        report["loadavg_end"] = [round(x, 2) for x in os.getloadavg()]
        (out / "bench.json").write_text(json.dumps(report, indent=2, ensure_ascii=False), encoding="utf-8")
        (out / "bench.md").write_text(markdown(report), encoding="utf-8")
        if failed:
            print(f"bench: FAILED, logs kept in {work}", file=sys.stderr)
        else:
            shutil.rmtree(work, ignore_errors=True)
        print(f"bench: wrote {out / 'bench.md'} and {out / 'bench.json'} ({report['seconds'] / 60:.1f} min)")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
