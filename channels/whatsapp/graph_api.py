"""Client of the Graph API send endpoint, with bounded retries and logging that
never shows the phone number or the access token."""

import asyncio
import json
import logging
import random
import re
from typing import Any, Dict, Iterable, Optional, Text, Tuple

import aiohttp

from channels.whatsapp.coerce import _as_dict, _as_str, _error_code
from channels.whatsapp.errors import ERROR_HINTS, RETRYABLE_ERROR_CODES
from channels.whatsapp.security import _redact
from channels.whatsapp.settings import WhatsAppSettings

logger = logging.getLogger(__package__)  # "channels.whatsapp" in every module


def _graph_error(body: Any) -> Tuple[Optional[int], Text, Optional[Text]]:
    """(code, message, fbtrace_id) of a Graph API error response body."""
    error = _as_dict(_as_dict(body).get("error"))
    code = _error_code(error.get("code"))
    message = _as_str(error.get("message")) or ""
    details = _as_str(_as_dict(error.get("error_data")).get("details"))
    if details:
        message = f"{message} ({details})" if message else details
    return code, message, _as_str(error.get("fbtrace_id"))


class GraphApiClient:
    """Posts to ``{api_base}/{phone_number_id}/messages`` with bounded retries."""

    def __init__(
        self,
        settings: WhatsAppSettings,
        *,
        max_attempts: int = 3,
        backoff_base: float = 0.5,
        backoff_max: float = 8.0,
        timeout: float = 10.0,
    ) -> None:
        self.settings = settings
        self.max_attempts = max(1, int(max_attempts))
        self.backoff_base = max(0.0, float(backoff_base))
        self.backoff_max = max(0.0, float(backoff_max))
        self.timeout = timeout
        self._session: Optional[aiohttp.ClientSession] = None
        self._session_loop: Optional[asyncio.AbstractEventLoop] = None

    def _get_session(self) -> aiohttp.ClientSession:
        loop = asyncio.get_running_loop()
        if (
            self._session is None
            or self._session.closed
            or self._session_loop is not loop
        ):
            self._session = aiohttp.ClientSession(
                timeout=aiohttp.ClientTimeout(total=self.timeout)
            )
            self._session_loop = loop
        return self._session

    async def close(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()
        self._session = None

    def _delay(self, attempt: int, retry_after: Optional[Text]) -> float:
        delay = min(self.backoff_max, self.backoff_base * (2 ** (attempt - 1)))
        if retry_after and re.fullmatch(r"[0-9]{1,6}", retry_after.strip()):
            delay = max(delay, min(float(retry_after.strip()), self.backoff_max))
        # jitter, so that many conversations do not retry in lock-step
        return delay * (0.75 + random.random() / 2)

    async def post_message(
        self,
        phone_number_id: Text,
        payload: Dict[Text, Any],
        *,
        log_as: Text,
        redact: Iterable[Optional[Text]] = (),
        what: Text = "message",
    ) -> bool:
        """Sends one request; returns whether the Graph API accepted it.

        Never raises (except on cancellation): a failure is logged with the HTTP
        status and Meta's error code, using ``log_as`` (the pseudonym) and never
        the phone number.
        """
        url = f"{self.settings.api_base}/{phone_number_id}/messages"
        headers = {
            "Authorization": f"Bearer {self.settings.access_token}",
            "Content-Type": "application/json",
        }
        secrets = [self.settings.access_token, *redact]
        for attempt in range(1, self.max_attempts + 1):
            retry_after: Optional[Text] = None
            try:
                session = self._get_session()
                async with session.post(url, json=payload, headers=headers) as resp:
                    status = resp.status
                    retry_after = resp.headers.get("Retry-After")
                    raw = await resp.read()
            except asyncio.CancelledError:
                raise
            except (aiohttp.ClientError, asyncio.TimeoutError, OSError) as exc:
                retryable = True
                status, code, detail, trace = None, None, type(exc).__name__, None
            else:
                if 200 <= status < 300:
                    return True
                try:
                    body = json.loads(raw.decode("utf-8", "replace")) if raw else {}
                except ValueError:
                    body = {}
                code, detail, trace = _graph_error(body)
                retryable = (
                    status == 429 or status >= 500 or code in RETRYABLE_ERROR_CODES
                )

            will_retry = retryable and attempt < self.max_attempts
            logger.log(
                logging.WARNING if will_retry else logging.ERROR,
                "WhatsApp %s to %s failed (attempt %d/%d): HTTP %s, error code %s%s%s%s",
                what,
                log_as,
                attempt,
                self.max_attempts,
                status if status is not None else "-",
                code if code is not None else "-",
                f" [{ERROR_HINTS[code]}]" if code in ERROR_HINTS else "",
                f": {_redact(detail, *secrets)}" if detail else "",
                f" (fbtrace_id {trace[:64]})" if trace else "",
            )
            if not will_retry:
                if retryable:
                    logger.error(
                        "WhatsApp %s to %s dropped after %d attempts.",
                        what,
                        log_as,
                        attempt,
                    )
                return False
            await asyncio.sleep(self._delay(attempt, retry_after))
        return False
