"""The class's mistakes: how many students each diagnosed mistake concerns (plain data, for the
class report and anything else that summarizes a batch).

A student counts once per (function, mistake), however many of the function's tests carry the
diagnosis (public and hidden, shapes and values).
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class MistakeCount:
    function: str
    mistake: str                  # the model's id, e.g. "sign:dw"
    message: str                  # what the students read
    students: tuple               # their ids, sorted

    @property
    def count(self) -> int:
        return len(self.students)


def mistake_counts(results, functions=None) -> list:
    """A MistakeCount per (function, mistake) diagnosed among ``results`` (StudentResults), the
    most frequent first, then in the order of ``functions`` (the assignment's; else by name),
    then by id."""
    found: dict = {}
    for result in results:
        if result is None:
            continue
        for test in result.tests:
            if not test.diagnosis:
                continue
            key = (test.function, str(test.diagnosis.get("mistake", "")))
            entry = found.setdefault(key, [str(test.diagnosis.get("message", "")), set()])
            entry[1].add(result.student)
    order = {name: index for index, name in enumerate(functions or ())}
    counts = [MistakeCount(function, mistake, message, tuple(sorted(students)))
              for (function, mistake), (message, students) in found.items()]
    return sorted(counts, key=lambda c: (-c.count, order.get(c.function, len(order)), c.function, c.mistake))
