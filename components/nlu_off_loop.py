"""The NLU runs off the Rasa server's event loop.

Rasa 3.6 runs the NLU graph (spaCy, DIET) of every message synchronously on
the event loop: while a 4,096-character message is parsed (about a second on
2 cores), no other request is served, not even `GET /`. This wraps
`MessageProcessor.parse_message` so that `_parse_message_with_graph` runs in
one worker thread (one at a time, as before: the graph is not run
concurrently), and the loop keeps serving the other conversations. The rest
of `parse_message` is Rasa's own. Installed on import (components/__init__.py),
pinned to rasa==3.6.21; a processor with an HTTP interpreter is left as it is.
"""
from __future__ import annotations

import asyncio
import functools
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Dict, Optional, Text

from rasa.core.processor import MessageProcessor
from rasa.shared.core.trackers import DialogueStateTracker

_original = MessageProcessor.parse_message


@functools.lru_cache(maxsize=1)
def _worker() -> ThreadPoolExecutor:
    return ThreadPoolExecutor(max_workers=1, thread_name_prefix="nlu")


async def parse_message_off_loop(self: MessageProcessor, message: Any,
                                 tracker: Optional[DialogueStateTracker] = None,
                                 only_output_properties: bool = True) -> Dict[Text, Any]:
    if self.http_interpreter:
        return await _original(self, message, tracker, only_output_properties)
    if tracker is None:
        tracker = DialogueStateTracker.from_events(message.sender_id, [])
    parse_data = await asyncio.get_running_loop().run_in_executor(
        _worker(), self._parse_message_with_graph, message, tracker, only_output_properties)
    self._update_full_retrieval_intent(parse_data)
    self._check_for_unseen_features(parse_data)
    return parse_data


def install() -> None:
    if getattr(MessageProcessor.parse_message, "__off_loop__", False):
        return
    parse_message_off_loop.__off_loop__ = True  # type: ignore[attr-defined]
    MessageProcessor.parse_message = parse_message_off_loop  # type: ignore[assignment]


install()
