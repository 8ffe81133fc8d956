"""Diagnose submissions in-process, and measure how well the mistake models name mistakes.

The student's function runs in this process on every case of the batch (numpy seeded with the
case's ``np_seed``, other graded functions the reference's, as under reference attribution), its
outputs go through the sandbox's plain-data codec, its exceptions are told as the sandboxed
child tells them; the FunctionRun is then diagnosed by the batch's real MistakeBook (whose
models run in the real worker process). The end-to-end tests grade through the sandbox instead.

Sources measured (``python tests/mistakes_corpus/harness.py`` prints the figures):
- this folder's corpus: ``<assignment>/*.py``, each one submission whose first line says what
  it is: ``# mistake: FUNCTION ID`` (one known mistake, the id that must name it),
  ``# unmodelled: FUNCTION`` (a real mistake no model covers: nothing may be named) or
  ``# correct: FUNCTION`` (correct work in a student's style: nothing may be named);
- every assignment's examples (``solutions/<a>/examples.py``: ``variants`` and ``DIAGNOSED``);
- the benchmark's variants (``bench/variants.py``), with the ids in :data:`BENCH_EXPECTED`;
- ``tests/variants/``: correct styles (nothing named) and the teaching checks' catches.
"""
from __future__ import annotations

import copy
import re
import sys
import traceback
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

CORPUS = Path(__file__).resolve().parent
ROOT = CORPUS.parents[1]
HEAD = re.compile(r"^# (mistake|unmodelled|correct): (\w+)(?: (.+?))?\s*$")
PRELUDE = "import math\nimport numpy as np\n\n"

# bench/variants.py: (function, kind) -> the id that must name it, or None (nothing may be named).
BENCH_EXPECTED = {
    ("sigmoid", "wrong"): "minus:s:-z",
    ("initialize_with_zeros", "wrong"): "int_literal:b",
    ("initialize_with_zeros", "rank1"): "rank1:w",
    ("propagate", "wrong"): "sign:dw",
    ("propagate", "rank1"): "rank1:dw:flattened",
    ("propagate", "error"): "transposed:A:w",
    ("optimize", "wrong"): "update:all",
    ("predict", "wrong"): "comparison:Y_prediction:>=",
    ("model", "wrong"): "default:optimize(num_iterations, learning_rate, print_cost)",
    ("model", "error"): "shape_index:w, b:X_train.shape[1]",
}
# tests/variants/caught: what the teaching checks catch; some of it is also a wrong shape or value.
VARIANTS_EXPECTED = {"rank1_w_initialize.py": {"initialize_with_zeros": "rank1:w"},
                     "sum_no_keepdims_propagate.py": {"propagate": "rank1:dw:flattened"}}


@dataclass
class Sample:
    """One submitted function and what must be said about it."""

    source: str                   # where it comes from (a file, an example, a bench variant)
    assignment: str
    function: str
    code: str
    expected: str | None          # the mistake id that must name it; None: nothing may be named
    mistaken: bool | None         # it makes a mistake (named or not): counts for recall; None:
                                  # whatever fails its shapes or values check (tests/variants/caught)
    named: str | None = None      # what the diagnosis named
    failed: bool = False          # the function failed its shapes or values check


@dataclass
class Figures:
    samples: list = field(default_factory=list)

    def of(self, kind: str) -> list:
        """The samples that make a mistake ("mistaken"), or none ("correct")."""
        return [s for s in self.samples if bool(s.mistaken) == (kind == "mistaken")]

    @property
    def named_right(self) -> list:
        return [s for s in self.samples if s.named is not None and s.named == s.expected]

    @property
    def named_wrong(self) -> list:
        return [s for s in self.samples if s.named is not None and s.named != s.expected]

    @property
    def missed(self) -> list:
        return [s for s in self.samples if s.mistaken and s.expected is not None and s.named is None]

    def summary(self) -> dict:
        mistaken, said = self.of("mistaken"), self.named_right + self.named_wrong
        return {"samples": len(self.samples), "mistaken": len(mistaken),
                "modelled": sum(1 for s in mistaken if s.expected is not None),
                "named_right": len(self.named_right), "named_wrong": len(self.named_wrong),
                "correct": len(self.of("correct")),
                "correct_named": sum(1 for s in self.of("correct") if s.named is not None),
                "precision": len(self.named_right) / len(said) if said else 1.0,
                "recall": len(self.named_right) / len(mistaken) if mistaken else 1.0}


class Diagnoser:
    """One assignment's reference, cases, reference outputs and MistakeBook, shared by every run."""

    def __init__(self, assignment):
        from grader.cases import make_cases
        from grader.mistakes import MistakeBook
        from grader.reference import load_reference

        self.assignment = assignment
        self.reference = load_reference(assignment.solution, list(assignment.functions))
        self.cases = {name: make_cases(spec) for name, spec in assignment.functions.items()}
        with np.errstate(all="ignore"):   # overflow in exp at |z| = 1000: expected, harmless
            self.expected = {name: [self.reference.run(name, c.args, c.kwargs, np_seed=c.np_seed) for c in cases]
                             for name, cases in self.cases.items()}
        self.book = MistakeBook.prepare(assignment, self.reference, self.cases, self.expected)

    def run(self, code: str, function: str):
        """The FunctionRun of ``function`` as defined by ``code``."""
        from grader.checks import FunctionRun
        from grader.outcomes import CaseRun

        spec = self.assignment.functions[function]
        # the notebook's given cells: the reference module's helpers that students do not write
        namespace = {name: value for name, value in vars(self.reference.module).items()
                     if callable(value) and getattr(value, "__module__", "") == self.reference.module.__name__
                     and name not in self.assignment.functions}
        namespace["__name__"] = "__student__"
        sys.path.insert(0, str(self.assignment.solution_dir))
        try:
            exec(compile(PRELUDE + code, "<cell>", "exec"), namespace)
        finally:
            sys.path.remove(str(self.assignment.solution_dir))
        namespace.update(self.reference.proxies_for(function, self.assignment.attribution))
        student = namespace[function]
        runs = [CaseRun(case, expected, _call(student, case))
                for case, expected in zip(self.cases[function], self.expected[function])]
        return FunctionRun(spec=spec, assignment=self.assignment, cases=runs,
                           output_names=self.reference.output_names.get(function), reference=self.reference)

    def diagnose(self, code: str, function: str) -> tuple:
        """(the Diagnosis or None, whether the function failed its shapes or values check)."""
        from grader.mistakes import match

        run = self.run(code, function)
        failed = any(match.failed(r, run.spec.tolerance, run.output_names) for r in run.cases)
        return self.book.diagnose(run), failed


def _call(function, case):
    """The student's call as the sandbox reports it: plain data, or the exception's text."""
    from grader import outcomes as st
    from grader.outcomes import CallOutcome
    from grader.sandbox import wire

    args, kwargs = copy.deepcopy(case.args), copy.deepcopy(case.kwargs)
    if case.np_seed is not None:
        np.random.seed(case.np_seed)
    try:
        with np.errstate(all="ignore"):
            value = function(*args, **kwargs)
    except Exception as exc:  # noqa: BLE001 - the student's code raised: its outcome
        return CallOutcome(st.ERROR, error="".join(traceback.format_exception_only(type(exc), exc)).strip())
    buffers: list = []
    try:
        tree = wire.encode(value, buffers)
    except wire.NotPlainData as exc:
        return CallOutcome(st.WRONG_TYPE, error=str(exc))
    return CallOutcome(st.OK, value=wire.decode(tree, [bytes(b) for b in buffers]))


# ------------------------------------------------------------------ the sources


def corpus_samples() -> list:
    samples = []
    for path in sorted(CORPUS.glob("*/*.py")):
        text = path.read_text(encoding="utf-8")
        head = HEAD.match(text.splitlines()[0])
        assert head, f"{path}: the first line must be '# mistake: FUNCTION ID', '# unmodelled: FUNCTION' or " \
                     f"'# correct: FUNCTION'"
        kind, function, ident = head.groups()
        samples.append(Sample(f"corpus/{path.parent.name}/{path.name}", path.parent.name, function, text,
                              ident if kind == "mistake" else None, kind != "correct"))
    return samples


def example_samples(course) -> list:
    sys.path.insert(0, str(ROOT / "examples"))
    try:
        import make_examples
    finally:
        sys.path.remove(str(ROOT / "examples"))
    samples = []
    for assignment in course.assignments.values():
        module = make_examples.examples_module(assignment)
        ref = make_examples.reference_functions(assignment.solution)
        diagnosed = getattr(module, "DIAGNOSED", {})
        for student, changes in module.variants(ref).items():
            for function, code in changes.items():
                try:
                    compile(code, student, "exec")
                except SyntaxError:
                    continue   # nothing runs: nothing to diagnose
                if "while m > 0" in code:
                    continue   # never returns (the sandbox stops it; here it would hang)
                expected = diagnosed.get(student, {}).get(function)
                mistaken = student in diagnosed or not any(w in student for w in ("correct", "loops", "imports"))
                samples.append(Sample(f"examples/{assignment.name}/{student}", assignment.name, function,
                                      code, expected, mistaken))
    return samples


def bench_samples() -> list:
    import importlib.util

    # by path: "variants" is also tests/variants, the teaching checks' package
    spec = importlib.util.spec_from_file_location("_bench_variants", ROOT / "bench" / "variants.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    VARIANTS = module.VARIANTS
    samples = []
    for function, kinds in VARIANTS.items():
        for kind, code in kinds.items():
            if kind == "timeout":
                continue
            mistaken = not kind.startswith("correct") and kind != "loop"
            samples.append(Sample(f"bench/{function}/{kind}", "logreg", function, code,
                                  BENCH_EXPECTED.get((function, kind)), mistaken))
    return samples


def variant_samples(course) -> list:
    import ast

    samples = []
    logreg = course.assignments["logreg"]
    for folder in ("correct", "caught"):
        for path in sorted((ROOT / "tests" / "variants" / folder).glob("*.py")):
            text = path.read_text(encoding="utf-8")
            names = [n.name for n in ast.parse(text).body if isinstance(n, ast.FunctionDef) and n.name in logreg.functions]
            for function in names:
                expected = VARIANTS_EXPECTED.get(path.name, {}).get(function)
                samples.append(Sample(f"variants/{folder}/{path.name}", "logreg", function, text, expected,
                                      False if folder == "correct" else None))
    return samples


def measure(samples: list, course) -> Figures:
    diagnosers: dict = {}
    for sample in samples:
        if sample.assignment not in diagnosers:
            diagnosers[sample.assignment] = Diagnoser(course.assignments[sample.assignment])
        diagnosis, sample.failed = diagnosers[sample.assignment].diagnose(sample.code, sample.function)
        sample.named = diagnosis.mistake if diagnosis is not None else None
        if sample.mistaken is None:
            sample.mistaken = sample.failed
    return Figures(samples)


def all_samples(course) -> list:
    return corpus_samples() + example_samples(course) + bench_samples() + variant_samples(course)


def main() -> int:
    from grader.config import load_config

    course = load_config(ROOT / "config.yaml")
    figures = measure(all_samples(course), course)
    for sample in figures.samples:
        mark = "ok" if sample.named == sample.expected else "WRONG" if sample.named else "missed"
        if sample.named or sample.expected or sample.mistaken:
            print(f"{mark:6} {sample.source:60} {sample.function:22} named={sample.named} expected={sample.expected}")
    print(figures.summary())
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    sys.exit(main())
