"""The batch's progress on stderr: a bar on a terminal, a line every few seconds elsewhere.

``make grade > log``, a CI job or ``nohup`` have no terminal to redraw a bar on; there a line
like ``grading: 120/1000 done, 20.3/s, expected to finish at 14:05:12 (in 43 s)`` every
:data:`LINE_SECONDS` seconds says the batch is alive and when it ends, and a last line says how
it went. The lines come from a thread of their own, so they keep coming while no submission
finishes (that is when they matter most). ``grader grade --quiet`` shows neither.
"""
from __future__ import annotations

import sys
import threading
import time

LINE_SECONDS = 5.0


def progress_display(total: int, stream=None, *, interval: float = LINE_SECONDS):
    """An object with ``update(n)`` and ``close()``: tqdm's bar when ``stream`` (default
    stderr) is a terminal, else :class:`ProgressLines`."""
    stream = sys.stderr if stream is None else stream
    if _is_terminal(stream):
        from tqdm import tqdm

        return tqdm(total=total, unit="student", desc="grading", dynamic_ncols=True, leave=False, file=stream)
    return ProgressLines(total, stream, interval=interval)


def _is_terminal(stream) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


class ProgressLines:
    """One line per ``interval`` seconds while the batch runs, and one when it ends."""

    def __init__(self, total: int, stream, *, interval: float = LINE_SECONDS, clock=time.monotonic):
        self.total, self.stream, self.interval, self.clock = total, stream, interval, clock
        self.done = 0
        self.started = clock()
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="grader-progress", daemon=True)
        self._thread.start()

    def update(self, count: int = 1) -> None:
        with self._lock:
            self.done += count

    def close(self) -> None:
        if self._stop.is_set():
            return
        self._stop.set()
        # The thread only ever waits on the event just set, or writes one line: a second is plenty.
        self._thread.join(timeout=max(1.0, self.interval))
        elapsed = self.clock() - self.started
        with self._lock:
            done = self.done
        rate = f", {done / elapsed:.1f}/s" if elapsed > 0 and done else ""
        self._write(f"grading: {done}/{self.total} done in {_duration(elapsed)}{rate}")

    def line(self) -> str:
        """What the next line says (done / total, rate, expected finish)."""
        elapsed = self.clock() - self.started
        with self._lock:
            done = self.done
        text = f"grading: {done}/{self.total} done"
        if done == 0 or elapsed <= 0:
            return f"{text}, started {_duration(elapsed)} ago"
        rate = done / elapsed
        left = (self.total - done) / rate
        finish = time.strftime("%H:%M:%S", time.localtime(time.time() + left))
        return f"{text}, {rate:.1f}/s, expected to finish at {finish} (in {_duration(left)})"

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self._write(self.line())

    def _write(self, text: str) -> None:
        try:
            print(text, file=self.stream, flush=True)
        except (OSError, ValueError):
            pass  # stderr closed (a pipe whose reader left): progress is not worth failing a batch


def _duration(seconds: float) -> str:
    seconds = max(0, int(round(seconds)))
    if seconds < 120:
        return f"{seconds} s"
    minutes, seconds = divmod(seconds, 60)
    if minutes < 120:
        return f"{minutes} min {seconds:02d} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min"
