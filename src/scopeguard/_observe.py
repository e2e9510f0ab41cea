"""Observability seam: structured log events and counters a service can export as metrics.

Every event goes to the ``scopeguard`` logger with its fields in ``record.scopeguard`` (a dict), so
a JSON formatter or a metrics bridge can read them without parsing text. ``Stats`` counts the same
events; ``ClientFactory.stats()`` returns a snapshot. Nothing here ever receives a credential:
callers pass scope names, services, operations and durations only.
"""

from __future__ import annotations

import logging
import threading
from collections import Counter
from collections.abc import Callable
from typing import Final

__all__ = ["LOGGER", "Stats", "add_listener", "emit"]

LOGGER: Final = logging.getLogger("scopeguard")
# A library must not print through logging's last-resort handler; applications configure output.
LOGGER.addHandler(logging.NullHandler())


# Process-wide receivers of every event, whatever the log level (the OpenTelemetry bridge).
_LISTENERS: list[Callable[[str, dict[str, object]], None]] = []


def add_listener(listener: Callable[[str, dict[str, object]], None]) -> None:
    """Also send every event to ``listener(event, fields)``; fields never hold a credential."""
    if listener not in _LISTENERS:
        _LISTENERS.append(listener)


def emit(event: str, level: int = logging.DEBUG, **fields: object) -> None:
    """Log one structured event, e.g. ``emit("sts.assume_role", account="1111…", ms=212.5)``."""
    for listener in _LISTENERS:
        listener(event, fields)
    if LOGGER.isEnabledFor(level):
        text = " ".join(f"{k}={v}" for k, v in fields.items())
        LOGGER.log(level, "%s %s", event, text, extra={"scopeguard": {"event": event, **fields}})


class Stats:
    """Thread-safe event counters. Cheap enough for the per-call path (one lock, one add)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counts: Counter[str] = Counter()

    def incr(self, name: str, n: int = 1) -> None:
        with self._lock:
            self._counts[name] += n

    def get(self, name: str) -> int:
        with self._lock:
            return self._counts[name]

    def snapshot(self) -> dict[str, int]:
        """A copy of all counters, sorted by name, safe to export."""
        with self._lock:
            return dict(sorted(self._counts.items()))
