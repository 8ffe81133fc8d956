"""Stage timings for ``make bench``: a perf_counter pair per stage, summed over threads.

``stats["stage_seconds"][stage]`` adds up the seconds spent loading submissions ("load"),
starting and stopping sandboxed children ("sandbox"), in sandboxed calls ("calls") and in
the checks ("checks"); ``stats["started"]`` and ``stats["judged"]`` hold, per submission
position, when its execution started and when its last item was judged.
"""
from __future__ import annotations

import threading
import time
from contextlib import contextmanager


class Stats:
    def __init__(self, stats: dict | None):
        self.data = stats if stats is not None else {}
        for key in ("stage_seconds", "started", "judged"):
            self.data.setdefault(key, {})
        self._lock = threading.Lock()

    def add(self, stage: str, seconds: float) -> None:
        with self._lock:
            stages = self.data["stage_seconds"]
            stages[stage] = stages.get(stage, 0.0) + seconds

    @contextmanager
    def timed(self, stage: str):
        started = time.perf_counter()
        try:
            yield
        finally:
            self.add(stage, time.perf_counter() - started)

    def mark(self, key: str, index: int) -> None:
        self.data[key][index] = time.perf_counter()


class TimedSandbox:
    """The sandbox, timing session starts and stops ("sandbox") and calls ("calls")."""

    def __init__(self, sandbox, stats: Stats):
        self._sandbox = sandbox
        self._stats = stats

    def open(self, *args, **kwargs):
        with self._stats.timed("sandbox"):
            return TimedSession(self._sandbox.open(*args, **kwargs), self._stats)

    def __getattr__(self, name):
        return getattr(self._sandbox, name)


class TimedSession:
    def __init__(self, session, stats: Stats):
        self._session = session
        self._stats = stats

    def call(self, *args, **kwargs):
        with self._stats.timed("calls"):
            return self._session.call(*args, **kwargs)

    def close(self):
        with self._stats.timed("sandbox"):
            return self._session.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __getattr__(self, name):
        return getattr(self._session, name)
