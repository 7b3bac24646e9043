"""Reads a request body with a size cap, for webhook routes that stream.

A route marked as streaming gets its body unread; ``read_capped`` refuses a
``Content-Length`` above the cap before reading a byte, and stops reading a
chunked body as soon as it passes the cap. Sanic's own ``REQUEST_MAX_SIZE``
(set by ``channels.server_guard``) bounds every other route.
"""
from __future__ import annotations

from typing import Any, Optional, Text


class BodyTooLarge(Exception):
    """The body is (or declares to be) larger than the cap."""


def declared_length(request: Any) -> Optional[int]:
    raw = request.headers.get("content-length")
    if raw is None or not raw.strip().isdigit():
        return None
    return int(raw.strip())


async def read_capped(request: Any, cap: int) -> bytes:
    """The whole body of a streaming request; raises ``BodyTooLarge`` above ``cap``."""
    length = declared_length(request)
    if length is not None and length > cap:
        raise BodyTooLarge(f"body larger than {cap} bytes")
    stream = getattr(request, "stream", None)
    if stream is None:  # not streamed: Sanic has read it already (within REQUEST_MAX_SIZE)
        body = request.body or b""
        if len(body) > cap:
            raise BodyTooLarge(f"body larger than {cap} bytes")
        return body
    received = bytearray(request.body or b"")
    while True:
        chunk = await stream.read()
        if chunk is None:
            break
        received += chunk
        if len(received) > cap:
            raise BodyTooLarge(f"body larger than {cap} bytes")
    return bytes(received)


def mark_streaming(blueprint: Any, uri: Text) -> None:
    """Lets the POST route ``uri`` of a blueprint built elsewhere (Rasa's
    ``RestInput``) receive its body unread, as ``route(..., stream=True)`` does."""
    for route in blueprint._future_routes:
        if route.uri == uri and "POST" in route.methods:
            route.handler.is_stream = True
