"""Erasure and retention on Rasa's real SQL tracker store (SQLite and
PostgreSQL): the store that erases when the erasure action's turn is saved,
the operator's CLI (scripts/privacy.py erase / purge), tombstones."""
from __future__ import annotations

import pytest
from rasa.shared.core.events import ActionExecuted, BotUttered, UserUttered

from store_kit import ago, session, tracker

from channels.whatsapp.security import pseudonymize

SECRET_TEXT = "mein handy 0151 2345678 in italien"


async def _store_conversation(store, sender_id, *sessions):
    """Saved turn by turn as Rasa does: read the current session, append, save
    (the SQL store appends what it counts as new)."""
    for events in sessions:
        for chunk in [events[:3]] + [events[i:i + 4] for i in range(3, len(events), 4)]:
            current = await store.retrieve(sender_id) or tracker(sender_id, [])
            for event in chunk:
                current.update(event)
            await store.save(current)


@pytest.mark.asyncio
async def test_the_turn_with_the_erasure_action_deletes_every_stored_event(backend):
    store = backend.store
    old = session(ago(3), ["alte sitzung"])
    current = session(ago(0.01), [SECRET_TEXT])
    await _store_conversation(store, "erase-me", old, current)
    await _store_conversation(store, "keep-me", session(ago(0.02), ["andere person"]))
    assert any(r.get("text") == "alte sitzung" for r in backend.rows("erase-me"))

    # Rasa holds the current session in memory and appends the turn's events
    in_memory = await store.retrieve("erase-me")
    now = ago(0)
    for event in [
        UserUttered("lösche meine daten", {"name": "request_erasure", "confidence": 0.99}, timestamp=now),
        ActionExecuted("action_privacy_explain", timestamp=now + 0.1),
        BotUttered("Soll ich alles löschen?", timestamp=now + 0.2),
        ActionExecuted("action_listen", timestamp=now + 0.3),
    ]:
        in_memory.update(event)
    await store.save(in_memory)
    assert any(r.get("text") == "lösche meine daten" for r in backend.rows("erase-me"))

    in_memory = await store.retrieve("erase-me")
    for event in [
        UserUttered("ja", {"name": "affirm", "confidence": 0.99}, timestamp=now + 5),
        ActionExecuted("action_erase_conversation", timestamp=now + 5.1),
        BotUttered("Erledigt", timestamp=now + 5.2),
        ActionExecuted("action_listen", timestamp=now + 5.3),
    ]:
        in_memory.update(event)
    await store.save(in_memory)

    assert backend.rows("erase-me") == []
    assert await store.retrieve("erase-me") is None
    assert len(backend.rows("keep-me")) == 7
    # the next message starts a new conversation, stored normally
    await _store_conversation(store, "erase-me", session(ago(0) + 10, ["hallo wieder"]))
    assert [r.get("text") for r in backend.rows("erase-me") if r["type"] == "user"] == ["hallo wieder"]


@pytest.mark.asyncio
async def test_cli_erase_by_sender_removes_only_that_conversation(backend):
    await _store_conversation(backend.store, "cli-a", session(ago(5), ["eins"]), session(ago(1), [SECRET_TEXT, "zwei"]))
    await _store_conversation(backend.store, "cli-b", session(ago(1), ["bleibt"]))
    run = backend.cli("erase", "--sender", "cli-a")
    assert run.returncode == 0, run.stderr
    assert "conversation cli-a: 18 events removed" in run.stdout
    assert backend.rows("cli-a") == []
    assert [r.get("text") for r in backend.rows("cli-b") if r["type"] == "user"] == ["bleibt"]
    if backend.name == "postgresql":
        assert "lock key privacytest" in run.stdout and ": removed" in run.stdout


@pytest.mark.asyncio
async def test_cli_erase_by_whatsapp_number_uses_the_pseudonym_key(backend):
    current, previous = "current-key", "old-key"
    number = "+49 151 2345 6789"
    new_id, old_id = pseudonymize("4915123456789", current), pseudonymize("4915123456789", previous)
    await _store_conversation(backend.store, new_id, session(ago(1), ["neu"]))
    await _store_conversation(backend.store, old_id, session(ago(9), ["vor der rotation"]))
    await _store_conversation(backend.store, pseudonymize("4915100000000", current), session(ago(1), ["jemand anders"]))

    run = backend.cli("erase", "--whatsapp", number, env={
        "WHATSAPP_PSEUDONYM_KEY": current, "WHATSAPP_PSEUDONYM_KEY_PREVIOUS": previous})
    assert run.returncode == 0, run.stderr
    assert f"conversation {new_id}: 7 events removed" in run.stdout
    assert f"conversation {old_id}: 7 events removed" in run.stdout
    assert "2345" not in run.stdout + run.stderr, "the phone number was printed"
    assert backend.senders() == [pseudonymize("4915100000000", current)]


@pytest.mark.asyncio
async def test_a_turn_in_flight_during_an_operator_erasure_is_not_written_back(backend):
    await _store_conversation(backend.store, "racing", session(ago(0.1), [SECRET_TEXT]))
    in_memory = await backend.store.retrieve("racing")  # a server is handling a message
    run = backend.cli("erase", "--sender", "racing")
    assert run.returncode == 0, run.stderr
    now = ago(0)
    in_memory.update(UserUttered("noch was", {"name": "greet", "confidence": 0.9}, timestamp=now))
    in_memory.update(ActionExecuted("action_listen", timestamp=now + 0.1))
    await backend.store.save(in_memory)
    assert backend.rows("racing") == []
    # a conversation started afterwards is stored
    await _store_conversation(backend.store, "racing", session(ago(0) + 5, ["neu"]))
    assert [r.get("text") for r in backend.rows("racing") if r["type"] == "user"] == ["neu"]


@pytest.mark.asyncio
async def test_purge_keeps_what_is_younger_than_the_retention_period(backend):
    store = backend.store
    await _store_conversation(store, "old", session(ago(40), ["vor 40 tagen"]), session(ago(35), ["vor 35 tagen"]))
    await _store_conversation(store, "mixed", session(ago(45), ["alt"]), session(ago(31), ["auch alt"]),
                              session(ago(2), ["aktuell"]))
    await _store_conversation(store, "long-session", session(ago(31), ["sitzung läuft seit 31 tagen"]))
    ongoing = await store.retrieve("long-session")
    ongoing.update(UserUttered("heute", timestamp=ago(0.5)))
    await store.save(ongoing)
    await _store_conversation(store, "recent", session(ago(29), ["vor 29 tagen"]), session(ago(1), ["gestern"]))
    before = {s: len(backend.rows(s)) for s in ("mixed", "long-session", "recent")}
    current_mixed = await store.retrieve("mixed")

    run = backend.cli("purge", "--older-than-days", "30")
    assert run.returncode == 0, run.stderr
    assert "1 conversations removed completely (14 events)" in run.stdout
    assert "earlier sessions of 1 conversations still in use removed (14 events)" in run.stdout
    assert "removed old" in run.stdout

    assert backend.rows("old") == []
    assert [r.get("text") for r in backend.rows("mixed") if r["type"] == "user"] == ["aktuell"]
    assert len(backend.rows("mixed")) == before["mixed"] - 14
    assert len(backend.rows("long-session")) == before["long-session"]  # its session is still in use
    assert len(backend.rows("recent")) == before["recent"]
    # Rasa still reads and extends the current session correctly
    after = await store.retrieve("mixed")
    assert [e.as_dict() for e in after.events] == [e.as_dict() for e in current_mixed.events]
    after.update(UserUttered("weiter", timestamp=ago(0)))
    await store.save(after)
    assert [r.get("text") for r in backend.rows("mixed") if r["type"] == "user"] == ["aktuell", "weiter"]


def test_purge_takes_the_period_from_retention_days(backend):
    run = backend.cli("purge")
    assert run.returncode != 0 and "RETENTION_DAYS" in run.stderr
    run = backend.cli("purge", env={"RETENTION_DAYS": "7"})
    assert run.returncode == 0, run.stderr
    assert "older than 7 days" in run.stdout




def test_replicas_starting_together_both_get_the_tombstone_table():
    """Two Rasa replicas on a fresh PostgreSQL database create the table at the
    same moment; the one that loses the race must start all the same."""
    import threading

    import sqlalchemy as sa
    from scaled_kit import PG, ScratchDatabase, services_missing

    from support.privacy_data import TOMBSTONES, ensure_tables

    missing = services_missing()
    if missing:
        pytest.skip(missing)
    for _ in range(3):  # the race does not happen every time: try a few fresh databases
        database = ScratchDatabase().create()
        url = f"postgresql://{PG['user']}:{PG['password']}@{PG['host']}:{PG['port']}/{database.name}"
        engines = [sa.create_engine(url) for _ in range(4)]
        errors, start = [], threading.Barrier(len(engines))

        def create(engine):
            start.wait()
            try:
                ensure_tables(engine)
            except Exception as error:  # noqa: BLE001 - collected and asserted on below
                errors.append(error)

        threads = [threading.Thread(target=create, args=(engine,)) for engine in engines]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
        try:
            assert errors == []
            assert sa.inspect(engines[0]).has_table(TOMBSTONES.name)
        finally:
            for engine in engines:
                engine.dispose()
            database.drop()
