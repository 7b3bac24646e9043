import sys
from pathlib import Path
from typing import Any, AsyncIterator, Callable, List

import aiohttp
import pytest
import pytest_asyncio

PROJECT_ROOT = Path(__file__).resolve().parents[2]
if str(PROJECT_ROOT) not in sys.path:
    sys.path.insert(0, str(PROJECT_ROOT))
HERE = str(Path(__file__).resolve().parent)
if HERE not in sys.path:
    sys.path.insert(0, HERE)

from channel_testkit import (  # noqa: E402
    PSEUDONYM_KEY,
    EchoBot,
    FakeGraphApi,
    LiveServer,
    whatsapp_settings,
)
from channels.limits import Limits  # noqa: E402
from channels.whatsapp import WhatsAppInput  # noqa: E402


@pytest_asyncio.fixture
async def graph() -> AsyncIterator[FakeGraphApi]:
    api = await FakeGraphApi().start()
    yield api
    await api.stop()


@pytest.fixture
def make_channel(graph: FakeGraphApi) -> Callable[..., WhatsAppInput]:
    def make(**overrides: Any) -> WhatsAppInput:
        options = {
            "max_attempts": overrides.pop("max_attempts", 3),
            "backoff_base": overrides.pop("backoff_base", 0.01),
            "backoff_max": overrides.pop("backoff_max", 0.05),
            # Meta's sample payloads are old and one sender writes many times:
            # the contract tests run without age and rate limits unless given
            "limits": overrides.pop("limits", Limits.unlimited()),
        }
        settings = dict(api_base=graph.api_base, pseudonym_key=PSEUDONYM_KEY)
        settings.update(overrides)
        return WhatsAppInput(whatsapp_settings(**settings), **options)

    return make


@pytest.fixture
def bot() -> EchoBot:
    return EchoBot()


@pytest_asyncio.fixture
async def serve() -> AsyncIterator[Callable[..., Any]]:
    servers: List[LiveServer] = []

    async def start(channels: List[Any], handler: Any, agent: Any = None) -> LiveServer:
        server = LiveServer(channels, handler)
        if agent is not None:
            server.app.ctx.agent = agent
        await server.start()
        servers.append(server)
        return server

    yield start
    for server in servers:
        await server.stop()


@pytest_asyncio.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session
