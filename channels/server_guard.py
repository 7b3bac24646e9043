"""Settings of the Sanic app that Rasa builds, applied by the channels.

Rasa creates the web app itself; the channels' blueprints are the project's
hook into it. Before the server starts (a blueprint listener), ``install``:

* lowers Sanic's ``REQUEST_MAX_SIZE`` to ``Limits.max_request_bytes``, so a
  request to any route is refused with 413 on its ``Content-Length`` before
  the body is read, and a chunked body is cut off at that size;
* replaces the body of ``GET /`` ("Hello from Rasa: 3.6.21") by one that names
  no version (health checks only look at the status).

It runs once per app, whichever channel comes first.
"""
from __future__ import annotations

import logging
from typing import Any

from sanic import response
from sanic.request import Request
from sanic.response import HTTPResponse

from channels.limits import Limits

logger = logging.getLogger(__name__)

ROOT_BODY = {"status": "ok"}


async def quiet_root(request: Request) -> HTTPResponse:
    return response.json(ROOT_BODY)


def install(app: Any, limits: Limits) -> None:
    if getattr(app.ctx, "support_bot_guard", False):
        return
    app.ctx.support_bot_guard = True
    if limits.max_request_bytes and app.config.REQUEST_MAX_SIZE > limits.max_request_bytes:
        app.config.REQUEST_MAX_SIZE = limits.max_request_bytes
    for route in app.router.routes:
        if route.path == "" and "GET" in route.methods:
            route.handler = quiet_root
    logger.info("Requests capped at %d bytes; GET / names no version.", app.config.REQUEST_MAX_SIZE)


def add_listener(blueprint: Any, limits: Limits) -> None:
    @blueprint.listener("before_server_start")
    async def guard(app: Any, _loop: Any) -> None:
        install(app, limits)
