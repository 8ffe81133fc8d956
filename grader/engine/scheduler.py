"""Execute submissions ahead of judging, in worker threads; hand each over as it finishes.

Workers take submissions in order, at most ``window`` ahead of what has been judged. Each
loads its submission, opens its sandboxed session, runs its calls (``grading.execute``),
keeps the session for the instructor's tests when there is room (never waiting for room),
and puts the submission on the ready queue. The judging thread takes whichever is ready.

Why this cannot deadlock, and why it always ends:

- A worker waits only for (a) its own session's calls, each of which ends at its deadline;
  (b) a sandbox slot, which is always free: the sandbox has a slot for every worker, every
  kept session, the judging thread's own session and a replacement for every worker;
  (c) room in the window, in short timed waits, which the judging thread makes by judging.
  Room always comes: the window is wider than the number of workers, so whenever the window
  is full, at least one submission in it is ready to be judged.
- The judging thread waits only on the ready queue, in timed waits. A submission that has
  not arrived within its bound (the submission's time limit plus a margin for loading) is
  given up: its child is killed, the student is recorded as not graded with the reason (and
  graded again on the next run), a replacement worker takes the place of the stuck one, and
  judging goes on. No wait depends on a submission that is not being worked on.
"""
from __future__ import annotations

import queue
import threading
import time

from grader import outcomes as st
from grader.grading import execute, unrun_all
from grader.submission import load_submission

LOAD_MARGIN_SECONDS = 30.0   # loading and child start-up beyond the submission's time limit
INTERNAL_NOTE = ("internal grader error: {error} (please report this; the other students were graded "
                 "normally, and this submission is graded again on the next run)")


def student_bound(limits) -> float:
    """How long one submission may take from the start of its loading to its last call."""
    return float(limits.submission_seconds) + float(limits.call_seconds) + LOAD_MARGIN_SECONDS


class Scheduler:
    def __init__(self, batch, work: list, sandbox, store, kept, stats, *, workers: int,
                 keep_sessions: bool, bound_seconds: float | None = None, cancel=None):
        self.batch, self.work, self.sandbox = batch, work, sandbox
        self.store, self.kept, self.stats = store, kept, stats
        self.workers = max(1, workers)
        self.keep_sessions = keep_sessions
        self.bound = bound_seconds if bound_seconds is not None else student_bound(batch.assignment.limits)
        # How far execution may run ahead of judging: wide enough that while one submission
        # waits out a call's time limit, the other workers keep going.
        self.window = max(self.workers * 3, 32)
        self._cond = threading.Condition()
        self._ready: queue.Queue = queue.Queue()
        self._next = 0               # the next submission a worker takes
        self._handed = 0             # submissions handed to the judging thread
        self._judged = 0
        self._running: dict = {}     # index -> monotonic time its worker took it
        self._active: dict = {}      # index -> the session its worker is using
        self._runs: dict = {}        # index -> {function: FunctionRun}, until judged
        self._abandoned: set = set()
        self._stopping = False
        self._spawned = 0
        self._cancel = cancel        # a threading.Event: the caller gave up on the batch

    @staticmethod
    def sandbox_slots(workers: int, kept: int) -> int:
        """Sessions that can be open at once (see the module docstring)."""
        return 2 * max(1, workers) + kept + 1

    # ------------------------------------------------------------------ workers

    def start(self) -> None:
        for _ in range(self.workers):
            self._spawn()

    def _spawn(self) -> None:
        self._spawned += 1
        threading.Thread(target=self._work, name=f"grade-{self._spawned}", daemon=True).start()

    def _work(self) -> None:
        while (index := self._take()) is not None:
            self._deliver(index, self._execute(index))

    def _take(self) -> int | None:
        with self._cond:
            while not self._stopping and self._next < len(self.work) and self._next - self._judged >= self.window:
                self._cond.wait(0.5)
            if self._stopping or self._next >= len(self.work):
                return None
            index, self._next = self._next, self._next + 1
            self._running[index] = time.monotonic()
        self.stats.mark("started", index)
        return index

    def _execute(self, index: int) -> dict:
        found = self.work[index]
        submission = None
        try:
            with self.stats.timed("load"):
                submission = load_submission(found.path, self.batch.assignment, self.batch.reference.source)
                submission.student = found.student
            self.store.submissions[index] = submission
            session = None
            if submission.status == "ok" and submission.chunks:
                session = self.sandbox.open(submission.chunks, student=found.student,
                                            calls=self.batch.call_shapes(submission))
            with self._cond:
                self._active[index] = session
            try:
                return execute(self.batch, session, submission)
            finally:
                self._put_away(index, session)
        except Exception as exc:  # a grader bug must cost neither the batch nor other students
            self.store.note_error(index, INTERNAL_NOTE.format(error=f"{type(exc).__name__}: {exc}"))
            return unrun_all(self.batch, submission, st.NOT_RUN,
                             "not graded: the grader itself failed on this submission")

    def _put_away(self, index: int, session) -> None:
        with self._cond:
            self._active.pop(index, None)
            abandoned = index in self._abandoned
        if session is None:
            return
        if abandoned or not self.keep_sessions or not self.kept.keep(index, session):
            session.close()

    def _deliver(self, index: int, runs: dict) -> None:
        with self._cond:
            if index in self._abandoned:
                return
            self._running.pop(index, None)
            self._runs[index] = runs
        self._ready.put(index)

    # ------------------------------------------------------------------ the judging thread

    def next_ready(self) -> int | None:
        """The next submission whose calls have all run (or that was given up); None at the end."""
        while True:
            if self._cancel is not None and self._cancel.is_set():
                self.stop()
            with self._cond:
                if self._stopping or self._handed >= len(self.work):
                    return None
            try:
                index = self._ready.get(timeout=self._wait_seconds())
            except queue.Empty:
                index = self._give_up_overdue()
                if index is None:
                    continue
            else:
                with self._cond:
                    self._handed += 1
            return index

    def _wait_seconds(self) -> float:
        with self._cond:
            first = min(self._running.values(), default=None)
        if first is None:
            return 0.5
        return min(0.5, max(0.01, first + self.bound - time.monotonic()))

    def _give_up_overdue(self) -> int | None:
        now = time.monotonic()
        with self._cond:
            overdue = [i for i, started in self._running.items() if now - started > self.bound]
            if not overdue:
                return None
            index = min(overdue)
            del self._running[index]
            self._abandoned.add(index)
            self._handed += 1
            session = self._active.get(index)
            self._runs[index] = unrun_all(self.batch, self.store.submissions.get(index), st.NOT_RUN,
                                          f"not graded: grading this submission did not finish within "
                                          f"{self.bound:g} s, so it was stopped to let the others finish")
        self.store.note_error(index, INTERNAL_NOTE.format(
            error=f"grading did not finish within {self.bound:g} s and was stopped"))
        if session is not None:
            session.kill()
        self.kept.close(index)
        self._spawn()  # the stuck worker may never come back
        return index

    def abandoned(self, index: int) -> bool:
        with self._cond:
            return index in self._abandoned

    def runs(self, index: int) -> dict:
        with self._cond:
            return self._runs[index]

    def finish(self, index: int) -> None:
        """The judging thread is done with ``index``: release its runs, make room in the window."""
        with self._cond:
            self._runs.pop(index, None)
            self._judged += 1
            self._cond.notify_all()
        self.stats.mark("judged", index)

    def stop(self) -> None:
        """No more work is taken; sessions in use are killed (their calls return at once)."""
        with self._cond:
            self._stopping = True
            self._cond.notify_all()
            active = [s for s in self._active.values() if s is not None]
        for session in active:
            session.kill()
