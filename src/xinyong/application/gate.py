"""Failed sign-ins are logged and limited: a client that presents wrong tokens again and again
is turned away for a while, so tokens cannot be guessed at the speed of the network.

The count is kept in memory per process (a failed token is not a fact to keep in the database);
behind several server processes each counts its own, which still bounds the rate."""

from __future__ import annotations

import logging
import threading
import time
from collections import deque

from xinyong.errors import TooManyAttempts

log = logging.getLogger("xinyong.security")


class Gate:
    """At most ``failures`` failed sign-ins per client in ``window`` seconds."""

    def __init__(self, failures: int = 10, window: float = 60.0) -> None:
        self.failures = failures
        self.window = window
        self._seen: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def _recent(self, client: str, now: float) -> deque[float]:
        times = self._seen.setdefault(client, deque())
        while times and now - times[0] > self.window:
            times.popleft()
        return times

    def check(self, client: str) -> None:
        """Refuse a client that failed too often lately (before its token is even looked at)."""
        with self._lock:
            times = self._recent(client, time.monotonic())
            if len(times) >= self.failures:
                wait = int(self.window - (time.monotonic() - times[0])) + 1
                raise TooManyAttempts(
                    f"too many failed sign-ins from this client; try again in {wait} s"
                ).saying("too_many_attempts", seconds=wait)

    def failed(self, client: str, token: str, reason: str) -> None:
        """Count a failure and log it, naming the client and the token's first characters."""
        with self._lock:
            times = self._recent(client, time.monotonic())
            times.append(time.monotonic())
            count = len(times)
        log.warning(
            "failed sign-in from %s with token %s…: %s (%d in %.0f s)",
            client,
            token[:6],
            reason,
            count,
            self.window,
        )
