"""Micro-batching of query encodings: concurrent requests share one forward pass.

On a CPU a batch of 8 short queries costs about three single ones (measured with e5-small on
2 cores: 51 ms against 17 ms), so under load the encoder serves many more queries per second.
A worker thread takes whatever queued up while the previous batch ran. Only when that batch had
company (the server is under load) does it linger up to ``linger_s`` for more requests to join,
so a lone request is encoded at once.
"""

from __future__ import annotations

import queue
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from typing import Any

# Texts and each one's prompt in, one result per text out (a vector, or a vector with its tokens).
EncodeBatch = Callable[[list[str], list[str]], Sequence[Any]]


class QueryBatcher:
    """Encodes ``(text, prompt)`` requests in batches of up to ``max_batch`` on one worker thread.

    With ``merge_prompts`` (the model pools over its prompt tokens too, as e5 does), texts with
    different prompts share a batch; otherwise a batch is split by prompt.
    """

    def __init__(
        self, encode_batch: EncodeBatch, *, max_batch: int, merge_prompts: bool = False, linger_s: float = 0.003
    ) -> None:
        self._encode_batch = encode_batch
        self._max_batch = max_batch
        self._linger_s = linger_s
        self._merge = merge_prompts
        self._queue: queue.SimpleQueue[tuple[str, str, Future]] = queue.SimpleQueue()
        self._worker: threading.Thread | None = None
        self._start_lock = threading.Lock()

    def encode(self, text: str, prompt: str) -> Any:
        """The result of one query (blocks until its batch is done)."""
        return self.submit(text, prompt).result()

    def submit(self, text: str, prompt: str) -> Future:
        """The vector of one query, to come: the caller may do other work while its batch runs."""
        future: Future = Future()
        self._queue.put((text, prompt, future))
        self._ensure_worker()
        return future

    def _ensure_worker(self) -> None:
        with self._start_lock:
            if self._worker is None or not self._worker.is_alive():
                self._worker = threading.Thread(target=self._run, name="query-batcher", daemon=True)
                self._worker.start()

    def _run(self) -> None:
        busy = False
        while True:
            batch = [self._queue.get()]
            deadline = time.monotonic() + (self._linger_s if busy else 0.0)
            while len(batch) < self._max_batch:
                remaining = deadline - time.monotonic()
                try:
                    batch.append(self._queue.get(timeout=remaining) if remaining > 0 else self._queue.get_nowait())
                except queue.Empty:
                    break
            busy = len(batch) > 1
            groups: dict[str, list[tuple[str, str, Future]]] = {}
            for item in batch:
                groups.setdefault("" if self._merge else item[1], []).append(item)
            for items in groups.values():
                self._finish(items)

    def _finish(self, items: list[tuple[str, str, Future]]) -> None:
        try:
            results = self._encode_batch([t for t, _, _ in items], [p for _, p, _ in items])
        except Exception as exc:  # the caller gets the model's error, not a hung request
            for _, _, future in items:
                future.set_exception(exc)
            return
        for (_, _, future), result in zip(items, results, strict=True):
            future.set_result(result)


class VectorCache:
    """A small thread-safe LRU of query encodings: repeated queries skip the model."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._items: OrderedDict[tuple[str, str], Any] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple[str, str]) -> Any | None:
        """The cached vector, or None."""
        with self._lock:
            vector = self._items.get(key)
            if vector is not None:
                self._items.move_to_end(key)
            return vector

    def put(self, key: tuple[str, str], vector: Any) -> None:
        """Remember a vector, forgetting the least recently used beyond ``size``."""
        if self.size <= 0:
            return
        with self._lock:
            self._items[key] = vector
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)
