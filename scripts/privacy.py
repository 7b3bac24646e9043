"""Erasure and retention of stored conversations, for operators.

    python scripts/privacy.py erase --sender ID
    python scripts/privacy.py erase --whatsapp +4915112345678
    python scripts/privacy.py purge [--older-than-days N]

Works on the tracker store of the endpoints file (``--endpoints``, default
``endpoints.yml``: SQLite; ``endpoints.production.yml``: PostgreSQL), with the
settings from the environment / ``.env`` like the bot. Each command prints what
it removed; phone numbers are never printed.

``erase``: every event of the conversation (all sessions) in one transaction,
and a tombstone so that a message of it that a Rasa server handles at that
very moment is not written back (components/privacy_store.py). With a Redis
lock store (scaled profile) the conversation's lock is taken first, so no
server handles the conversation meanwhile, and the lock key is removed
afterwards. ``--whatsapp`` turns the number into its conversation id with the
pseudonym key (``WHATSAPP_PSEUDONYM_KEY``, else ``WHATSAPP_APP_SECRET``) and
every previous key in ``WHATSAPP_PSEUDONYM_KEY_PREVIOUS`` (comma-separated; see
README, key rotation).

``purge``: what is older than the retention period, ``--older-than-days`` or
``RETENTION_DAYS``: conversations whose last event is older, earlier sessions
of conversations still in use, tombstones older than a day.
"""
from __future__ import annotations

import argparse
import asyncio
import os
import sys
from datetime import datetime, timezone
from pathlib import Path
from typing import List, Optional

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("SQLALCHEMY_SILENCE_UBER_WARNING", "1")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from dotenv import load_dotenv  # noqa: E402

# as scripts/launch.py; the action endpoint is not used here, but the
# endpoints file cannot be read without it
DEFAULTS = {"TRACKER_DB": "var/tracker.db", "ACTION_ENDPOINT_URL": "http://127.0.0.1:5055/webhook"}
RETENTION_VARIABLE = "RETENTION_DAYS"
PREVIOUS_KEYS_VARIABLE = "WHATSAPP_PSEUDONYM_KEY_PREVIOUS"


def load_settings() -> None:
    load_dotenv(ROOT / ".env", override=False)
    for key, value in DEFAULTS.items():
        os.environ.setdefault(key, value)
    os.chdir(ROOT)  # relative SQLite paths are relative to the project, as for `make run`


class Store:
    """The SQL tracker store's database, opened with SQLAlchemy alone (the
    connection settings of Rasa's SQLTrackerStore: dialect, url, port, db,
    username, password, query)."""

    def __init__(self, config) -> None:
        import sqlalchemy as sa

        kwargs = config.kwargs
        dialect = kwargs.get("dialect", "sqlite")
        if dialect == "sqlite":
            url = sa.engine.URL.create("sqlite", database=str(kwargs.get("db", "rasa.db")))
        else:
            port = kwargs.get("port")
            url = sa.engine.URL.create(
                dialect, username=kwargs.get("username"), password=kwargs.get("password") or None,
                host=config.url, port=int(port) if port else None, database=kwargs.get("db"),
                query={k: str(v) for k, v in (kwargs.get("query") or {}).items()},
            )
        self.engine = sa.create_engine(url)


def tracker_store(endpoints: str) -> Store:
    from rasa.utils.endpoints import read_endpoint_config

    config = read_endpoint_config(endpoints, "tracker_store")
    if config is None or not (config.type or "").lower().endswith(("sql", "erasingsqltrackerstore")):
        sys.exit(f"privacy: {endpoints} has no SQL tracker store")
    return Store(config)


def lock_store(endpoints: str):
    """The Redis lock store of the scaled profile, or None (in-process locks)."""
    import types

    from rasa.utils.endpoints import read_endpoint_config

    config = read_endpoint_config(endpoints, "lock_store")
    if config is None or (config.type or "").lower() in ("in_memory", ""):
        return None
    # components.lock_store without components/__init__ (which loads the NLU
    # stack for the Rasa server and takes half a minute to import)
    if "components" not in sys.modules:
        package = types.ModuleType("components")
        package.__path__ = [str(ROOT / "components")]
        sys.modules["components"] = package
    from rasa.core.lock_store import RedisLockStore

    from components.lock_store import AtomicRedisLockStore

    if (config.type or "").lower() == "redis":
        return RedisLockStore(host=config.url or "localhost", **config.kwargs)
    return AtomicRedisLockStore(endpoint_config=config)


def describe(store) -> str:
    url = store.engine.url
    if url.get_backend_name() == "sqlite":
        return f"SQLite {url.database}"
    return f"{url.get_backend_name()} {url.host}:{url.port}/{url.database}"


def whatsapp_ids(number: str) -> List[str]:
    from channels.whatsapp.security import pseudonymize

    wa_id = "".join(ch for ch in number if ch.isdigit())
    if number.strip().startswith("00"):
        wa_id = wa_id[2:]
    if len(wa_id) < 6:
        sys.exit("privacy: --whatsapp needs a phone number in international format, e.g. +4915112345678")
    key = os.environ.get("WHATSAPP_PSEUDONYM_KEY") or os.environ.get("WHATSAPP_APP_SECRET")
    if not key:
        sys.exit("privacy: --whatsapp needs WHATSAPP_PSEUDONYM_KEY (or WHATSAPP_APP_SECRET), the key of the pseudonyms")
    keys = [key] + [k.strip() for k in os.environ.get(PREVIOUS_KEYS_VARIABLE, "").split(",") if k.strip()]
    return list(dict.fromkeys(pseudonymize(wa_id, k) for k in keys))


async def erase_one(store, locks, sender_id: str) -> None:
    from support.privacy_data import erase_conversation

    if locks is None:
        removed = erase_conversation(store.engine, sender_id)
        print(f"erase: conversation {sender_id}: {removed} events removed ({describe(store)})")
        return
    key = locks.key_prefix + sender_id
    async with locks.lock(sender_id, wait_time_in_seconds=0.25):
        removed = erase_conversation(store.engine, sender_id)
    remaining = locks.get_lock(sender_id)
    if remaining is not None and not remaining.tickets:
        locks.red.delete(key)
    state = "still held by a server (it expires)" if locks.red.exists(key) else "removed"
    print(f"erase: conversation {sender_id}: {removed} events removed ({describe(store)}); lock key {key}: {state}")


def erase(args: argparse.Namespace) -> int:
    store, locks = tracker_store(args.endpoints), lock_store(args.endpoints)
    senders = [args.sender] if args.sender else whatsapp_ids(args.whatsapp)
    for sender_id in senders:
        asyncio.run(erase_one(store, locks, sender_id))
    return 0


def purge(args: argparse.Namespace) -> int:
    from support.privacy_data import purge_events

    days = args.older_than_days
    if days is None:
        value = (os.environ.get(RETENTION_VARIABLE) or "").strip()
        if not value:
            sys.exit(f"privacy: purge needs --older-than-days N or {RETENTION_VARIABLE} in the environment / .env")
        days = float(value)
    store, locks = tracker_store(args.endpoints), lock_store(args.endpoints)
    result = purge_events(store.engine, days)
    cutoff = datetime.fromtimestamp(result.cutoff, tz=timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    trimmed = sum(result.sessions_trimmed.values())
    print(f"purge: events older than {days:g} days (before {cutoff}) in {describe(store)}")
    print(f"purge: {len(result.conversations_removed)} conversations removed completely"
          f" ({result.events_removed - trimmed} events)")
    print(f"purge: earlier sessions of {len(result.sessions_trimmed)} conversations still in use removed ({trimmed} events)")
    print(f"purge: {result.tombstones_removed} erasure tombstones older than a day removed")
    if locks is not None:
        keys = [locks.key_prefix + s for s in result.conversations_removed]
        deleted = locks.red.delete(*keys) if keys else 0
        print(f"purge: {deleted} lock keys removed")
    for sender_id in result.conversations_removed:
        print(f"purge: removed {sender_id}")
    return 0


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--endpoints", default="endpoints.yml", help="endpoints file with the tracker store (default: %(default)s)")
    commands = parser.add_subparsers(dest="command", required=True)
    erase_parser = commands.add_parser("erase", help="delete one conversation")
    who = erase_parser.add_mutually_exclusive_group(required=True)
    who.add_argument("--sender", help="the conversation id (REST 'sender', or a 'wa-...' pseudonym)")
    who.add_argument("--whatsapp", help="a WhatsApp phone number, e.g. +4915112345678")
    purge_parser = commands.add_parser("purge", help="delete what is older than the retention period")
    purge_parser.add_argument("--older-than-days", type=float, help=f"default: {RETENTION_VARIABLE}")
    args = parser.parse_args(argv)
    load_settings()
    return erase(args) if args.command == "erase" else purge(args)


if __name__ == "__main__":
    sys.exit(main())
