"""Sessions kept after a student's cases ran, so that its instructor tests reuse the child.

Keeping never waits: when ``limit`` sessions are kept already, the session is closed and
the instructor tests later open a fresh one. Nothing here can block a worker thread.
"""
from __future__ import annotations

import threading


class KeptSessions:
    def __init__(self, limit: int):
        self.limit = max(0, limit)
        self._kept: dict = {}
        self._lock = threading.Lock()

    def keep(self, index: int, session) -> bool:
        """Keep ``session`` for student ``index``; False (and the caller closes it) when full."""
        with self._lock:
            if len(self._kept) >= self.limit:
                return False
            self._kept[index] = session
            return True

    def take(self, index: int):
        """The session kept for ``index`` (now the caller's to close), or None."""
        with self._lock:
            return self._kept.pop(index, None)

    def close(self, index: int) -> None:
        session = self.take(index)
        if session is not None:
            session.close()

    def close_all(self) -> None:
        with self._lock:
            sessions, self._kept = list(self._kept.values()), {}
        for session in sessions:
            session.close()
