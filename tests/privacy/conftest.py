"""Fixtures of the privacy tests: one SQL tracker store per backend (SQLite
file, scratch PostgreSQL database) with an endpoints file for
scripts/privacy.py pointing at it."""
from __future__ import annotations

import json
import subprocess
import sys
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional

import pytest
import sqlalchemy as sa

from store_kit import ROOT, domain

from components.privacy_store import ErasingSQLTrackerStore


@dataclass
class Backend:
    name: str
    store: ErasingSQLTrackerStore
    endpoints: Path
    env: Dict[str, str]
    cleanup: Callable[[], None] = lambda: None

    def rows(self, sender_id: str) -> List[Dict[str, Any]]:
        with self.store.engine.connect() as connection:
            result = connection.execute(
                sa.text("SELECT type_name, timestamp, data FROM events WHERE sender_id = :s ORDER BY id"), {"s": sender_id})
            return [{"type": t, "timestamp": ts, **json.loads(d)} for t, ts, d in result]

    def senders(self) -> List[str]:
        with self.store.engine.connect() as connection:
            return sorted(s for (s,) in connection.execute(sa.text("SELECT DISTINCT sender_id FROM events")))

    def cli(self, *args: str, env: Optional[Dict[str, str]] = None) -> subprocess.CompletedProcess:
        run_env = {**self.env, **(env or {})}
        return subprocess.run(
            [sys.executable, str(ROOT / "scripts" / "privacy.py"), "--endpoints", str(self.endpoints), *args],
            cwd=ROOT, env=run_env, capture_output=True, text=True, timeout=120,
        )


def _base_env() -> Dict[str, str]:
    import os

    env = {k: v for k, v in os.environ.items() if not k.startswith(("WHATSAPP_", "RETENTION_"))}
    env.update({"PYTHONPATH": str(ROOT), "SQLALCHEMY_SILENCE_UBER_WARNING": "1", "TF_CPP_MIN_LOG_LEVEL": "2"})
    return env


def sqlite_backend(tmp_path: Path) -> Backend:
    db = tmp_path / "tracker.db"
    endpoints = tmp_path / "endpoints.yml"
    endpoints.write_text(
        "tracker_store:\n  type: components.privacy_store.ErasingSQLTrackerStore\n"
        f"  dialect: sqlite\n  db: {db}\n")
    store = ErasingSQLTrackerStore(domain=domain(), dialect="sqlite", db=str(db))
    return Backend("sqlite", store, endpoints, _base_env())


def postgres_backend(tmp_path: Path, redis_prefix: Optional[str] = None) -> Backend:
    from scaled_kit import PG, REDIS, ScratchDatabase, services_missing

    missing = services_missing()
    if missing:
        pytest.skip(missing)
    database = ScratchDatabase().create()
    endpoints = tmp_path / "endpoints.production.yml"
    text = (
        "tracker_store:\n  type: components.privacy_store.ErasingSQLTrackerStore\n  dialect: postgresql\n"
        f"  url: {PG['host']}\n  port: {PG['port']}\n  db: {database.name}\n  username: {PG['user']}\n"
        f"  password: '{PG['password']}'\n")
    if redis_prefix:
        text += (
            "lock_store:\n  type: components.lock_store.AtomicRedisLockStore\n"
            f"  url: {REDIS['host']}\n  port: {REDIS['port']}\n  db: {REDIS['db']}\n  key_prefix: {redis_prefix}\n")
    endpoints.write_text(text)
    store = ErasingSQLTrackerStore(
        domain=domain(), dialect="postgresql", host=PG["host"], port=PG["port"], db=database.name,
        username=PG["user"], password=PG["password"])

    def cleanup() -> None:
        store.engine.dispose()
        database.drop()

    return Backend("postgresql", store, endpoints, _base_env(), cleanup)


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request, tmp_path):
    if request.param == "sqlite":
        made = sqlite_backend(tmp_path)
    else:
        made = postgres_backend(tmp_path, redis_prefix="privacytest" + uuid.uuid4().hex[:8])
    yield made
    made.cleanup()
