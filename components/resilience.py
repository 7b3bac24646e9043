"""Keeps the bot answering when the action server is down, slow or failing.

Rasa 3.6 waits up to five minutes for a custom action and, when the call
fails, logs the error and says nothing: the user meets silence. This module
wraps `RemoteAction.run` (installed on import, see components/__init__.py):

1. the call to the action server gets ACTION_TIMEOUT seconds (default 2.0);
2. if it fails (refused, timeout, 5xx), the same action runs in this process
   through rasa_sdk's executor with the project's `actions` package (the code
   is the same; only the transport differs), within LOCAL_ACTION_TIMEOUT. It
   runs in a worker thread (at most LOCAL_ACTION_WORKERS at once), never on
   the server's event loop: CPU-heavy action code cannot stall the other
   conversations or `GET /`, and the timeout holds (a run that overstays keeps
   its thread until it ends; its answer is dropped);
3. if that fails too, `utter_action_unavailable` answers in the user's
   language with the contact the knowledge data gives for the conversation's
   country (or the website).

Form validation rejections (HTTP 400 from the action server) keep their
meaning and are re-raised. Every failure is logged with the action's name.
This is a patch of Rasa internals, pinned to rasa==3.6.21 (requirements.lock).
"""
from __future__ import annotations

import asyncio
import functools
import logging
import os
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Dict, List, Optional

from rasa.core.actions.action import RemoteAction, create_bot_utterance
from rasa.shared.core import events as rasa_events
from rasa.shared.exceptions import RasaException

logger = logging.getLogger(__name__)

ACTION_TIMEOUT = float(os.environ.get("ACTION_TIMEOUT", "2.0"))
LOCAL_ACTION_TIMEOUT = float(os.environ.get("LOCAL_ACTION_TIMEOUT", "0.8"))
LOCAL_FALLBACK = os.environ.get("ACTION_LOCAL_FALLBACK", "1") != "0"
LOCAL_ACTION_WORKERS = max(1, int(os.environ.get("LOCAL_ACTION_WORKERS", "2")))
UNAVAILABLE_RESPONSE = "utter_action_unavailable"

_remote_run = RemoteAction.run


@functools.lru_cache(maxsize=1)
def _executor():
    from rasa_sdk.executor import ActionExecutor

    executor = ActionExecutor()
    executor.register_package("actions")
    return executor


@functools.lru_cache(maxsize=1)
def _workers() -> ThreadPoolExecutor:
    return ThreadPoolExecutor(max_workers=LOCAL_ACTION_WORKERS, thread_name_prefix="local-action")


def _execute_in_thread(call: Dict[str, Any]) -> Optional[Dict[str, Any]]:
    """Runs the action call on an event loop of the worker thread's own."""
    return asyncio.run(_executor().run(call))


async def _run_locally(action: RemoteAction, output_channel, nlg, tracker, domain) -> List[Any]:
    from rasa_sdk.interfaces import ActionExecutionRejection as SdkRejection
    from rasa.core.actions.action import ActionExecutionRejection

    call = action._action_call_format(tracker, domain)
    try:
        response = await asyncio.get_running_loop().run_in_executor(_workers(), _execute_in_thread, call)
    except SdkRejection as rejection:
        raise ActionExecutionRejection(rejection.action_name, rejection.message) from rejection
    response = response or {}
    action._validate_action_result(response)
    messages = await action._utter_responses(response.get("responses", []), output_channel, nlg, tracker)
    return list(messages) + rasa_events.deserialise_events(response.get("events", []))


def contact_hint(tracker, language: Optional[str]) -> str:
    """What the bot can say without the action server: the hotline of the
    conversation's country from the knowledge data, else the website."""
    from support.names import countries
    from support.knowledge import knowledge
    from support.phrases import phrase

    lang = language if language in ("de", "en") else "de"
    match = countries().resolve(tracker.get_slot("country") or tracker.get_slot("purchase_country"))
    country = knowledge().countries.get(match.code) if match else None
    if country is not None and country.hotline is not None:
        return phrase("contact_hotline", lang, country=country.name(lang), number=country.hotline.number, hours=country.hotline.hours.text)
    return phrase("contact_website", lang)


async def _unavailable(tracker, nlg, output_channel) -> List[Any]:
    try:
        contact = contact_hint(tracker, tracker.get_slot("language"))
    except Exception:  # the knowledge data itself is broken: say the generic part only
        logger.exception("resilience: no contact hint")
        contact = ""
    message = await nlg.generate(UNAVAILABLE_RESPONSE, tracker, output_channel.name(), contact=contact)
    return [create_bot_utterance(message)] if message else []


async def resilient_run(self: RemoteAction, output_channel, nlg, tracker, domain) -> List[Any]:
    from rasa.core.actions.action import ActionExecutionRejection

    try:
        return await asyncio.wait_for(_remote_run(self, output_channel, nlg, tracker, domain), ACTION_TIMEOUT)
    except ActionExecutionRejection:
        raise
    except (asyncio.TimeoutError, RasaException, OSError) as error:
        logger.error("resilience: action server failed on '%s' (%s: %s)", self.name(), type(error).__name__, error)
    if LOCAL_FALLBACK:
        try:
            events = await asyncio.wait_for(_run_locally(self, output_channel, nlg, tracker, domain), LOCAL_ACTION_TIMEOUT)
            logger.warning("resilience: ran '%s' in the Rasa server instead", self.name())
            return events
        except ActionExecutionRejection:
            raise
        except Exception as error:  # noqa: BLE001 - any failure ends in the polite answer below
            logger.error("resilience: local run of '%s' failed (%s: %s)", self.name(), type(error).__name__, error)
    return await _unavailable(tracker, nlg, output_channel)


def install() -> None:
    if getattr(RemoteAction.run, "__resilient__", False):
        return
    resilient_run.__resilient__ = True  # type: ignore[attr-defined]
    RemoteAction.run = resilient_run  # type: ignore[assignment]


install()
