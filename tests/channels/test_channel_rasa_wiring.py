"""The channels inside the Sanic app that Rasa itself builds (``configure_app``),
with the message handler Rasa registers (``app.ctx.agent.handle_message``)."""

import json

import pytest

from channel_testkit import (
    USER_WA_ID,
    VERIFY_TOKEN,
    EchoBot,
    LiveServer,
    fixture_bytes,
    post,
    sign,
    whatsapp_settings,
)
from channels.limits import Limits
from channels.rest import HardenedRestInput
from channels.whatsapp import WhatsAppInput
from rasa.core.run import configure_app
from rasa.core.tracker_store import FailSafeTrackerStore, InMemoryTrackerStore
from rasa.shared.core.domain import Domain


class FakeAgent:
    """What the channels use of Rasa's Agent: ``handle_message`` and the tracker
    store (wrapped in a FailSafeTrackerStore, as the Agent does)."""

    def __init__(self) -> None:
        self.store = InMemoryTrackerStore(Domain.empty())
        self.tracker_store = FailSafeTrackerStore(self.store)
        self.bot = EchoBot(tracker_store=self.store)

    async def handle_message(self, message):
        return await self.bot(message)


@pytest.mark.asyncio
async def test_channels_work_in_the_app_rasa_builds(graph, http):
    whatsapp = WhatsAppInput(whatsapp_settings(api_base=graph.api_base), limits=Limits(whatsapp_max_age_seconds=0))
    app = configure_app([HardenedRestInput(), whatsapp], enable_api=False)
    agent = FakeAgent()
    app.ctx.agent = agent
    server = await LiveServer([], None, app=app).start()
    try:
        url = f"{server.base_url}/webhooks/whatsapp/webhook"
        async with http.get(url, params={"hub.mode": "subscribe", "hub.verify_token": VERIFY_TOKEN, "hub.challenge": "42"}) as resp:
            assert (resp.status, await resp.text()) == (200, "42")

        body = fixture_bytes("text")
        assert (await post(http, url, body, sign(body)))[0] == 200
        await graph.wait_for(lambda: graph.texts(USER_WA_ID))
        await whatsapp.wait_idle(5)
        assert (await post(http, url, body, sign(body)))[0] == 200
        await whatsapp.wait_idle(5)
        assert graph.texts(USER_WA_ID) == ["echo: Does it come in another color?"]
        [sender_id] = list(await agent.store.keys())
        assert sender_id.startswith("wa-") and USER_WA_ID not in sender_id

        rest = f"{server.base_url}/webhooks/rest/webhook"
        status, parsed, _ = await post(http, rest, json.dumps({"sender": "web-1", "message": "hi"}).encode())
        assert (status, parsed) == (200, [{"recipient_id": "web-1", "text": "Hi! How can I help you?"}])
        status, parsed, _ = await post(http, rest, json.dumps({"message": "hi"}).encode())
        assert status == 400 and "sender" in parsed["error"]
    finally:
        await server.stop()
