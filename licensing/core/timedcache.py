"""A small per-process cache: values kept for `ttl` seconds, at most `size` of them and, when
`max_bytes` is given, at most that many bytes by `weight`; the least recently used go first.
Thread-safe (gunicorn's gthread workers). Used by the public page cache and the queue's counts."""
from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any


class TimedCache:
    def __init__(self, ttl: float, size: int, max_bytes: int | None = None,
                 weight: Callable[[Any], int] = lambda _value: 0):
        self.ttl, self.size, self.max_bytes, self.weight = ttl, size, max_bytes, weight
        self._entries: OrderedDict[Hashable, tuple[float, Any]] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> Any | None:
        with self._lock:
            found = self._entries.get(key)
            if found is None or time.monotonic() - found[0] > self.ttl:
                return None
            self._entries.move_to_end(key)
            return found[1]

    def put(self, key: Hashable, value: Any) -> None:
        with self._lock:
            old = self._entries.pop(key, None)
            self._bytes += self.weight(value) - (self.weight(old[1]) if old else 0)
            self._entries[key] = (time.monotonic(), value)
            while self._entries and (len(self._entries) > self.size
                                     or (self.max_bytes is not None and self._bytes > self.max_bytes)):
                _, (_, dropped) = self._entries.popitem(last=False)
                self._bytes -= self.weight(dropped)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._bytes = 0
