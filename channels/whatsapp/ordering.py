"""Per-sender ordering and idempotency helpers of the input channel: a bounded
set of recently seen message ids, and a runner that handles the messages of one
sender one after another while different senders run concurrently."""

import asyncio
import logging
from collections import OrderedDict, deque
from typing import Any, Awaitable, Callable, Deque, Dict, Optional, Set, Text

logger = logging.getLogger(__package__)  # "channels.whatsapp" in every module


class _RecentIds:
    """A bounded set of recently seen message ids (oldest forgotten first),
    each with the conversation it belongs to (so an erasure can forget them)."""

    def __init__(self, capacity: int) -> None:
        self.capacity = max(1, capacity)
        self._ids: "OrderedDict[Text, Optional[Text]]" = OrderedDict()

    def add(self, item: Text, owner: Optional[Text] = None) -> bool:
        """Adds ``item``; returns False if it was already there."""
        if item in self._ids:
            self._ids.move_to_end(item)
            return False
        self._ids[item] = owner
        if len(self._ids) > self.capacity:
            self._ids.popitem(last=False)
        return True

    def forget(self, owner: Text) -> int:
        """Drops the ids of one conversation; returns how many."""
        items = [item for item, holder in self._ids.items() if holder == owner]
        for item in items:
            del self._ids[item]
        return len(items)

    def __contains__(self, item: object) -> bool:
        return item in self._ids

    def __len__(self) -> int:
        return len(self._ids)


Job = Callable[[], Awaitable[None]]


class _PerSenderRunner:
    """Runs jobs one after another per key; different keys run concurrently."""

    def __init__(self) -> None:
        self._queues: Dict[Text, Deque[Job]] = {}
        self._tasks: Set["asyncio.Task[None]"] = set()

    def submit(self, key: Text, job: Job) -> None:
        queue = self._queues.get(key)
        if queue is not None:
            queue.append(job)
            return
        queue = deque([job])
        self._queues[key] = queue
        self.spawn(self._drain(key, queue))

    def spawn(self, coroutine: Awaitable[Any]) -> None:
        task = asyncio.ensure_future(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _drain(self, key: Text, queue: Deque[Job]) -> None:
        try:
            while queue:
                job = queue.popleft()
                try:
                    await job()
                except asyncio.CancelledError:
                    raise
                except Exception:
                    logger.exception("WhatsApp message processing failed.")
        finally:
            if self._queues.get(key) is queue:
                del self._queues[key]

    @property
    def pending(self) -> int:
        """Jobs waiting or running (one running per sender with a queue)."""
        return sum(len(queue) for queue in self._queues.values()) + len(self._queues)

    @property
    def busy(self) -> bool:
        return bool(self._tasks)

    async def wait_idle(self, timeout: Optional[float] = None) -> None:
        async def _wait() -> None:
            while self._tasks:
                await asyncio.gather(*list(self._tasks), return_exceptions=True)

        await asyncio.wait_for(_wait(), timeout)
