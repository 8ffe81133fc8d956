"""What the class report shows, gathered from an output folder (OUT) as ``grader grade`` left it.

Everything comes from OUT's files, so ``grader report OUT`` and ``grader grade`` make the same
page, and a page can be remade for any earlier batch: ``gradebook.csv`` (who), each
``<student>/results.json`` (scores, tests, findings, and ``extra_data.diagnosis`` where the
grader diagnosed a known mistake), ``skipped.txt``, ``timings.csv`` and ``similarity.csv``.

Findings are read back from the tests' outputs, which the grader itself wrote (one list item
per finding, as ``report.feedback`` makes them): their first line, the case, the line of code and
the fix. They are grouped by function, check and message with its numbers taken out, so the
same mistake at different sizes counts once per student.
"""
from __future__ import annotations

import csv
import json
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from grader.layout import GRADEBOOK, SIMILARITY, SKIPPED, TIMINGS

_ESCAPED = re.compile(r"\\([!-/:-@\[-`{-~])")
_LABEL = re.compile(r"\*\*(.+?)\*\*(?: \((.*?)\))?: ")
_POINTS = re.compile(r"^[\d.]+ / [\d.]+ points\. ")
_NUMBERS = re.compile(r"\d+(?:\.\d+)?(?:e-?\d+)?")
_CODE = re.compile(r": (`+) ?(.*?) ?\1$")
NOT_GRADED = "error"


@dataclass
class Finding:
    function: str
    check: str
    message: str
    case: str = ""
    excerpt: str = ""
    fix: str = ""

    @property
    def key(self) -> tuple:
        # One mistake often fails several checks with one message (a hang fails runs, shapes
        # and values): the check is not part of what the finding is.
        return self.function, _NUMBERS.sub("N", self.message)


@dataclass
class Student:
    student: str
    source: str
    score: float
    max_score: float
    status: str
    tests: list = field(default_factory=list)   # the results.json tests (dicts)


@dataclass
class Group:
    """Students sharing a finding (or a diagnosed mistake), with one example of it."""

    function: str
    check: str
    what: str
    students: int
    example: Finding


@dataclass
class ClassData:
    name: str
    title: str
    students: list
    skipped: list            # (entry, reason)
    seconds: dict            # student -> seconds (empty when not measured)
    pairs: list | None       # (a, b, similarity, functions); None when similarity.csv is absent

    @property
    def graded(self) -> list:
        return [s for s in self.students if s.status != NOT_GRADED]


def read_class(out: Path, title: str | None = None) -> ClassData:
    out = Path(out)
    rows = _csv_rows(out / GRADEBOOK)
    if rows is None:
        raise FileNotFoundError(out / GRADEBOOK)
    students, name = [], out.name
    for row in rows:
        document = _results(out / row["student"] / "results.json")
        tests = document.get("tests", []) if document else []
        name = (document or {}).get("extra_data", {}).get("assignment", name)
        students.append(Student(row["student"], row.get("source", ""), float(row["total"]), float(row["max"]),
                                row.get("status", ""), tests))
    seconds = {r["student"]: float(r["seconds"]) for r in _csv_rows(out / TIMINGS) or []}
    pairs = _csv_rows(out / SIMILARITY)
    if pairs is not None:
        pairs = [(r["student_a"], r["student_b"], float(r["similarity"]), r["functions"].split()) for r in pairs]
    return ClassData(name, title or name, students, _skipped(out / SKIPPED), seconds, pairs)


def failure_rates(data: ClassData) -> tuple[list, list, dict]:
    """(functions, checks, {(function, check): (failed, of)}) over the graded students: a
    student fails a function's check when any of its tests (public or hidden) failed."""
    functions, checks, counts = [], [], {}
    for student in data.graded:
        seen: dict = {}
        for test in student.tests:
            extra = test.get("extra_data", {})
            function, check = extra.get("function", ""), extra.get("check", "")
            if function not in functions:
                functions.append(function)
            if check not in checks:
                checks.append(check)
            seen[(function, check)] = seen.get((function, check), False) or test.get("status") == "failed"
        for key, failed in seen.items():
            done, of = counts.get(key, (0, 0))
            counts[key] = (done + failed, of + 1)
    return functions, checks, counts


def frequent_findings(data: ClassData, limit: int = 15) -> list:
    """The findings most students got, most frequent first, each with one example."""
    counts, examples, checks = Counter(), {}, {}
    for student in data.graded:
        keys = set()
        for test in student.tests:
            if test.get("status") != "failed":
                continue
            for finding in findings_of(test):
                keys.add(finding.key)
                examples.setdefault(finding.key, _anonymised(finding, student))
                seen = checks.setdefault(finding.key, [])
                if finding.check not in seen:
                    seen.append(finding.check)
        counts.update(keys)
    ordered = sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:limit]
    return [Group(key[0], ", ".join(checks[key]), key[1], count, examples[key]) for key, count in ordered]


def diagnosed_mistakes(data: ClassData, limit: int = 15) -> list:
    """The mistakes the grader diagnosed (``extra_data.diagnosis``), most frequent first."""
    counts, examples = Counter(), {}
    for student in data.graded:
        keys = set()
        for test in student.tests:
            extra = test.get("extra_data", {})
            diagnosis = extra.get("diagnosis")
            if not isinstance(diagnosis, dict) or not diagnosis.get("mistake"):
                continue
            key = (extra.get("function", ""), str(diagnosis["mistake"]))
            keys.add(key)
            example = Finding(key[0], extra.get("check", ""), str(diagnosis.get("message", "")))
            examples.setdefault(key, _anonymised(example, student))
        counts.update(keys)
    ordered = sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:limit]
    return [Group(key[0], examples[key].check, key[1], count, examples[key]) for key, count in ordered]


def findings_of(test: dict) -> list:
    """The findings in one results.json test's output (its summary line when it lists none)."""
    extra = test.get("extra_data", {})
    function, check = extra.get("function", ""), extra.get("check", "")
    lines = str(test.get("output", "")).split("\n")
    found: list = []
    for line in lines[1:]:
        if line.startswith("- ") and not line.startswith("- \u2026 and "):
            text, case = line[2:], ""
            label = _LABEL.match(text)
            if label:
                case, text = unescape(label.group(1)), text[label.end():]
            found.append(Finding(function, check, unescape(text), case))
        elif found and line.startswith("  - at "):
            code = _CODE.search(line)
            found[-1].excerpt = code.group(2) if code else ""
        elif found and line.startswith("  - how to fix: "):
            found[-1].fix = unescape(line[len("  - how to fix: "):])
    if not found and lines[0].strip():
        found.append(Finding(function, check, unescape(_POINTS.sub("", lines[0]))))
    return found


def unescape(text: str) -> str:
    """Markdown's backslash escapes undone (the report escapes for HTML itself)."""
    return _ESCAPED.sub(r"\1", text)


def _anonymised(finding: Finding, student: Student) -> Finding:
    """The example without the student's name or file name in it."""
    names = [n for n in {student.student, student.source, Path(student.source).stem} if len(n) >= 3]

    def scrub(text: str) -> str:
        for name in sorted(names, key=len, reverse=True):
            text = re.sub(re.escape(name), "<student>", text, flags=re.IGNORECASE)
        return text

    return Finding(finding.function, finding.check, scrub(finding.message), scrub(finding.case),
                   scrub(finding.excerpt), scrub(finding.fix))


def _results(path: Path) -> dict | None:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _csv_rows(path: Path) -> list | None:
    try:
        with open(path, newline="", encoding="utf-8") as handle:
            return list(csv.DictReader(handle))
    except FileNotFoundError:
        return None


def _skipped(path: Path) -> list:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return []
    return [tuple(line.split("\t", 1)) if "\t" in line else (line, "") for line in text.splitlines() if line]
