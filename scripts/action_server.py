"""The action server: rasa_sdk's app, closed to everyone but the Rasa server.

    python scripts/action_server.py            (scripts/launch.py starts it)

Differences from ``rasa run actions``:

* every route but ``/health`` needs the header ``X-Action-Token`` with the
  shared secret ``ACTION_SERVER_TOKEN`` (the Rasa server sends it, see
  ``action_endpoint.headers`` in the endpoint files); without the variable
  the server refuses to start;
* it binds to ``ACTION_HOST`` (default 127.0.0.1) on ``ACTION_PORT`` (5055);
* no CORS headers (browsers have no business here);
* an error answers 500 with a fixed reason, never the request body (rasa_sdk
  echoes the tracker it was sent); the exception goes to the log.
"""
from __future__ import annotations

import hmac
import logging
import os
import sys
from pathlib import Path
from typing import Any, Optional

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sanic import response  # noqa: E402
from sanic.request import Request  # noqa: E402
from sanic.response import HTTPResponse  # noqa: E402

logger = logging.getLogger("action_server")

TOKEN_HEADER = "X-Action-Token"
ENV_TOKEN = "ACTION_SERVER_TOKEN"
OPEN_PATHS = frozenset({"/health"})
MAX_REQUEST_BYTES = 16 * 1024 * 1024  # a long conversation's tracker, sent by Rasa


def token_ok(expected: str, given: Optional[str]) -> bool:
    return bool(expected) and hmac.compare_digest(
        expected.encode("utf-8"), (given or "").encode("utf-8", "surrogatepass"))


def create_app(token: str, actions: str = "actions") -> Any:
    from rasa_sdk.endpoint import create_app as sdk_app

    if not token:
        raise ValueError(f"{ENV_TOKEN} is empty: the action server would run unauthenticated")
    app = sdk_app(actions, cors_origins=None)
    app.config.REQUEST_MAX_SIZE = MAX_REQUEST_BYTES

    @app.middleware("request")
    async def require_token(request: Request) -> Optional[HTTPResponse]:
        if request.path in OPEN_PATHS:
            return None
        if not token_ok(token, request.headers.get(TOKEN_HEADER)):
            logger.warning("Action server call to %s without a valid token refused.", request.path[:100])
            return response.json({"error": "missing or wrong token"}, status=401)
        return None

    @app.exception(Exception)
    async def no_echo(request: Request, exception: Exception) -> HTTPResponse:
        status = getattr(exception, "status_code", 500) or 500
        if status >= 500:
            logger.error("Action server error on %s", request.path[:100], exc_info=exception)
            return response.json({"error": "internal error in the action server"}, status=500)
        return response.json({"error": type(exception).__name__}, status=status)

    return app


def main() -> int:
    logging.basicConfig(level=os.environ.get("LOG_LEVEL", "INFO"),
                        format="%(asctime)s %(levelname)s %(name)s - %(message)s")
    token = os.environ.get(ENV_TOKEN, "")
    if not token:
        sys.exit(f"action server: set {ENV_TOKEN} (scripts/launch.py generates one per start); "
                 "it refuses to run without authentication")
    host = os.environ.get("ACTION_HOST", "127.0.0.1")
    port = int(os.environ.get("ACTION_PORT", "5055"))
    app = create_app(token)
    logger.info("Action server on http://%s:%d (token required).", host, port)
    app.run(host, port, workers=1, access_log=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
