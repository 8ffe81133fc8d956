"""Load and validate ``config.yaml`` into plain, frozen dataclasses.

Validation happens in two passes: a JSON schema (structure and types, checked with
``jsonschema`` so every error carries its key path), then cross-field rules the
schema cannot express (a case gives every size its inputs use, a file exists...).
Every problem becomes a :class:`ConfigError` naming the file and the key path.
"""
from __future__ import annotations

import copy
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from grader.errors import ConfigError
from grader.wording import Words, function_words, words_schema

DEFAULT_CONFIG = "config.yaml"

ATTRIBUTIONS = ("reference", "as_submitted")
DISTRIBUTIONS = ("normal", "uniform", "bernoulli", "zeros", "ones", "randint")
SCALAR_TYPES = ("float", "int", "array")

_NUMBER = {"type": "number"}
_SIZE = {"oneOf": [{"type": "integer", "minimum": 0}, {"type": "string", "pattern": r"^[A-Za-z_]\w*$"}]}

_LIMITS = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "call_seconds": {"type": "number", "exclusiveMinimum": 0},
        "submission_seconds": {"type": "number", "exclusiveMinimum": 0},
        "cpu_seconds": {"type": "integer", "minimum": 1},
        "memory_mib": {"type": "integer", "minimum": 256},
        "output_kib": {"type": "integer", "minimum": 1},
        "file_size_mib": {"type": "integer", "minimum": 1},
        "open_files": {"type": "integer", "minimum": 16},
        "value_mib": {"type": "integer", "minimum": 1},
        "submission_mib": {"type": "integer", "minimum": 1},
    },
}
_TOLERANCE = {
    "type": "object",
    "additionalProperties": False,
    "properties": {"rtol": {"type": "number", "minimum": 0}, "atol": {"type": "number", "minimum": 0}},
}
_INPUT = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "dist": {"enum": list(DISTRIBUTIONS)},
        "shape": {"type": "array", "items": _SIZE},
        "scale": _NUMBER,
        "loc": _NUMBER,
        "low": _NUMBER,
        "high": _NUMBER,
        "p": {"type": "number", "minimum": 0, "maximum": 1},
        "dtype": {"enum": ["float64", "float32", "int64", "bool"]},
        "as": {"enum": list(SCALAR_TYPES)},
        "size": {"type": "string"},
        "value": {},
    },
    "oneOf": [{"required": ["dist", "shape"]}, {"required": ["size"]}, {"required": ["value"]}],
}
_KWARGS = {"type": "object", "propertyNames": {"pattern": r"^[A-Za-z_]\w*$"}}
_SEEDED_CASE = {
    "type": "object",
    "additionalProperties": False,
    "required": ["seed", "sizes"],
    "properties": {
        "name": {"type": "string"},
        "seed": {"type": "integer", "minimum": 0},
        "sizes": {"type": "object", "additionalProperties": {"type": "integer", "minimum": 1}},
        "kwargs": _KWARGS,
    },
}
_EDGE_CASE = {
    "type": "object",
    "additionalProperties": False,
    "required": ["name", "args"],
    "properties": {
        "name": {"type": "string"},
        "hidden": {"type": "boolean"},
        "args": {"type": "object"},
        "kwargs": _KWARGS,
    },
}


def _function_schema(check_names: list[str]) -> dict:
    return {
        "type": "object",
        "additionalProperties": False,
        "required": ["points", "inputs"],
        "properties": {
            "points": {
                "type": "object",
                "additionalProperties": False,
                "properties": {name: {"type": "number", "minimum": 0} for name in check_names},
            },
            "inputs": {"type": "object", "additionalProperties": _INPUT},
            "public": {"type": "array", "items": _SEEDED_CASE},
            "hidden": {"type": "array", "items": _SEEDED_CASE},
            "edge": {"type": "array", "items": _EDGE_CASE},
            "tolerance": _TOLERANCE,
            "timeout_seconds": {"type": "number", "exclusiveMinimum": 0},
            # Per-check options; each check validates its own (see grader/checks/).
            "checks": {
                "type": "object",
                "additionalProperties": False,
                "properties": {name: {"type": "object"} for name in check_names},
            },
            **words_schema(check_names),  # sizes: what each counts; hints: the assignment's advice
        },
    }


def _schema(check_names: list[str]) -> dict:
    assignment = {
        "type": "object",
        "additionalProperties": False,
        "required": ["title", "solution", "functions"],
        "properties": {
            "title": {"type": "string"},
            "solution": {"type": "string"},
            "notebook": {"type": "string"},
            "extra_files": {"type": "array", "items": {"type": "string"}},
            "hidden_tests": {"type": "array", "items": {"type": "string"}},
            "examples": {"type": "string"},
            "attribution": {"enum": list(ATTRIBUTIONS)},
            "limits": _LIMITS,
            "tolerance": _TOLERANCE,
            **words_schema(check_names, "assignment"),
            "functions": {
                "type": "object",
                "minProperties": 1,
                "additionalProperties": _function_schema(check_names),
            },
        },
    }
    return {
        "type": "object",
        "additionalProperties": False,
        "required": ["course", "assignments"],
        "properties": {
            "course": {
                "type": "object",
                "additionalProperties": False,
                "required": ["name"],
                "properties": {
                    "name": {"type": "string"},
                    "defaults": {
                        "type": "object",
                        "additionalProperties": False,
                        "properties": {"limits": _LIMITS, "tolerance": _TOLERANCE},
                    },
                },
            },
            "assignments": {
                "type": "object",
                "minProperties": 1,
                "propertyNames": {"pattern": r"^[A-Za-z_][\w-]*$"},
                "additionalProperties": assignment,
            },
        },
    }


# --------------------------------------------------------------------------- dataclasses


@dataclass(frozen=True)
class Tolerance:
    rtol: float = 1e-5
    atol: float = 1e-7


@dataclass(frozen=True)
class Limits:
    call_seconds: float = 10.0
    submission_seconds: float = 60.0
    cpu_seconds: int = 60
    memory_mib: int = 1024
    output_kib: int = 64
    file_size_mib: int = 16
    open_files: int = 64
    value_mib: int = 64           # plain data one call (or call-back) may send to the grader
    submission_mib: int = 32      # bytes of one submission the grader reads


@dataclass(frozen=True)
class InputSpec:
    """How to make one argument: a seeded random array, a named size, or a literal."""

    name: str
    dist: str | None = None
    shape: tuple = ()
    scale: float = 1.0
    loc: float = 0.0
    low: float = -1.0
    high: float = 1.0
    p: float = 0.5
    dtype: str = "float64"
    as_: str = "array"  # "float"/"int": a Python scalar instead of an array
    size: str | None = None  # the argument is the value of this named size (e.g. dim = n)
    value: Any = None
    has_value: bool = False

    @property
    def size_names(self) -> tuple[str, ...]:
        names = [d for d in self.shape if isinstance(d, str)]
        if self.size:
            names.append(self.size)
        return tuple(names)


@dataclass(frozen=True)
class CaseSpec:
    """One call of a function: seeded (inputs generated) or explicit (literal args)."""

    name: str
    hidden: bool
    seed: int | None = None
    sizes: dict = field(default_factory=dict)
    kwargs: dict = field(default_factory=dict)
    args: dict | None = None  # literal arguments of an explicit (edge) case

    @property
    def visibility(self) -> str:
        return "hidden" if self.hidden else "public"


@dataclass(frozen=True)
class FunctionSpec:
    name: str
    points: dict  # check name -> points
    inputs: dict  # argument name -> InputSpec, in call order
    cases: tuple  # CaseSpec, public first, then hidden
    tolerance: Tolerance
    timeout_seconds: float
    checks: dict  # check name -> its options (dict)
    words: Words = field(default_factory=Words)  # size meanings and hints for feedback (grader/wording.py)

    @property
    def max_points(self) -> float:
        return float(sum(self.points.values()))

    @property
    def size_names(self) -> tuple[str, ...]:
        seen: dict[str, None] = {}
        for spec in self.inputs.values():
            for name in spec.size_names:
                seen[name] = None
        return tuple(seen)


@dataclass(frozen=True)
class AssignmentSpec:
    name: str
    title: str
    root: Path  # the directory config.yaml lives in; all paths are relative to it
    solution: Path
    notebook: Path | None
    extra_files: tuple
    hidden_tests: tuple
    attribution: str
    examples: Path  # example submissions, graded by `grader grade` with no folder named
    limits: Limits
    tolerance: Tolerance
    functions: dict  # name -> FunctionSpec, in config order

    @property
    def max_points(self) -> float:
        return float(sum(f.max_points for f in self.functions.values()))

    @property
    def solution_dir(self) -> Path:
        return self.solution.parent


@dataclass(frozen=True)
class CourseConfig:
    name: str
    path: Path
    assignments: dict  # name -> AssignmentSpec

    @property
    def root(self) -> Path:
        return self.path.parent

    def assignment(self, name: str | None = None) -> AssignmentSpec:
        if name is None:
            if len(self.assignments) == 1:
                return next(iter(self.assignments.values()))
            raise ConfigError(
                f"several assignments are configured ({', '.join(self.assignments)})",
                path=self.path,
                hint="name one with --assignment NAME",
            )
        try:
            return self.assignments[name]
        except KeyError:
            raise ConfigError(
                f"no assignment named {name!r} (configured: {', '.join(self.assignments)})",
                path=self.path,
                hint="use one of the names under 'assignments:'",
            ) from None


# --------------------------------------------------------------------------- loading


def load_config(path: str | Path = DEFAULT_CONFIG) -> CourseConfig:
    """Read, validate and return the course configuration, or raise ConfigError."""
    path = Path(path)
    if not path.is_file():
        raise ConfigError("file not found", path=path, hint="run from the course folder or pass --config PATH")
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError as exc:
        raise ConfigError(f"not UTF-8 text ({exc.reason} at byte {exc.start})", path=path) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise ConfigError(f"not valid YAML{where}: {problem}", path=path, hint="check the indentation and quoting there") from None
    return parse_config(raw, path)


def parse_config(raw: Any, path: Path) -> CourseConfig:
    from grader.checks import all_checks  # the schema lists the checks that exist

    checks = all_checks()
    _validate_schema(raw, _schema(list(checks)), path)
    root = path.parent.resolve()
    course = raw["course"]
    defaults = course.get("defaults", {})
    assignments = {}
    for name, data in raw["assignments"].items():
        assignments[name] = _assignment(name, data, defaults, root, path, checks)
    return CourseConfig(name=course["name"], path=path, assignments=assignments)


def _validate_schema(raw: Any, schema: dict, path: Path) -> None:
    import jsonschema

    validator = jsonschema.Draft202012Validator(schema)
    errors = sorted(validator.iter_errors(raw), key=lambda e: (list(map(str, e.absolute_path)), e.message))
    if not errors:
        return
    lines = [_describe(_deepest(error)) for error in errors[:10]]
    if len(errors) > 10:
        lines.append(f"... and {len(errors) - 10} more")
    raise ConfigError("invalid configuration:\n  " + "\n  ".join(lines), path=path,
                      hint=section_hint(_deepest(errors[0]).absolute_path))


REFERENCE = "docs/config.md"
# Which section of the configuration reference explains a key, by the key's path.
_SECTIONS = (("limits", "Limits"), ("tolerance", "Tolerance"), ("points", "Points and checks"),
             ("checks", "Points and checks"), ("inputs", "Inputs"), ("public", "Cases"), ("hidden", "Cases"),
             ("edge", "Cases"), ("hints", "Feedback words"), ("functions", "Function"), ("assignments", "Assignment"))


def section_hint(key_path) -> str:
    """"see docs/config.md, section "Inputs"" for a key path like assignments.a.functions.f.inputs.X."""
    parts = [str(p) for p in key_path]
    # The deepest key that names a section; an assignment's or a function's own name (or a hint's) never does.
    named = [p for i, p in enumerate(parts) if not (i and parts[i - 1] in ("assignments", "functions", "hints"))]
    titles = dict(_SECTIONS)
    section = next((titles[part] for part in reversed(named) if part in titles), "Top level")
    return f"see {REFERENCE}, section \"{section}\""


def _deepest(error):
    # For oneOf/anyOf, the most specific sub-error usually says what is really wrong.
    while error.context:
        error = max(error.context, key=lambda e: len(e.absolute_path))
    return error


def _key_path(parts) -> str:
    text = ""
    for part in parts:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "(top level)"


def _describe(error) -> str:
    where = _key_path(error.absolute_path)
    validator = error.validator
    if validator == "additionalProperties":
        extra = sorted(set(error.instance) - set(error.schema.get("properties", {})))
        allowed = ", ".join(sorted(error.schema.get("properties", {}))) or "none"
        return f"{where}: unknown key {', '.join(map(repr, extra))} (allowed here: {allowed})"
    if validator == "required":
        return f"{where}: {error.message}"
    if validator == "type":
        return f"{where}: expected {error.validator_value}, got {type(error.instance).__name__} {error.instance!r}"
    if validator == "enum":
        return f"{where}: {error.instance!r} is not one of {', '.join(map(repr, error.validator_value))}"
    return f"{where}: {error.message}"


def _merge(base: dict, override: dict | None) -> dict:
    merged = copy.deepcopy(base)
    merged.update(override or {})
    return merged


def _assignment(name, data, defaults, root, path, checks) -> AssignmentSpec:
    key = f"assignments.{name}"
    limits = Limits(**_merge(defaults.get("limits", {}), data.get("limits")))
    tolerance = Tolerance(**_merge(defaults.get("tolerance", {}), data.get("tolerance")))

    def existing(rel: str, where: str) -> Path:
        file = (root / rel).resolve()
        if not file.is_file():
            raise ConfigError(f"{where}: file {rel!r} not found (looked in {root})", path=path,
                              hint=f"fix the path; paths are relative to the folder of config.yaml "
                                   f"({section_hint(['assignments', name, 'title'])})")
        return file

    solution = existing(data["solution"], f"{key}.solution")
    notebook = existing(data["notebook"], f"{key}.notebook") if "notebook" in data else None
    extra = tuple(existing(rel, f"{key}.extra_files[{i}]") for i, rel in enumerate(data.get("extra_files", [])))
    hidden_tests = tuple(existing(rel, f"{key}.hidden_tests[{i}]") for i, rel in enumerate(data.get("hidden_tests", [])))

    functions = {}
    for fname, fdata in data["functions"].items():
        functions[fname] = _function(fname, fdata, tolerance, limits, f"{key}.functions.{fname}", path, checks,
                                     data)
    return AssignmentSpec(
        name=name, title=data["title"], root=root, solution=solution, notebook=notebook,
        extra_files=extra, hidden_tests=hidden_tests,
        examples=(root / data.get("examples", f"examples/{name}")).resolve(),
        attribution=data.get("attribution", "reference"), limits=limits, tolerance=tolerance,
        functions=functions,
    )


def _function(name, data, tolerance, limits, key, path, checks, assignment) -> FunctionSpec:
    inputs = {}
    for arg, spec in data["inputs"].items():
        spec = dict(spec)
        has_value = "value" in spec
        as_ = spec.pop("as", "array")
        if "shape" in spec:
            spec["shape"] = tuple(spec["shape"])
        inputs[arg] = InputSpec(name=arg, as_=as_, has_value=has_value, **spec)
        if as_ in ("float", "int") and inputs[arg].shape:
            raise ConfigError(f"{key}.inputs.{arg}: 'as: {as_}' needs shape []", path=path,
                              hint=f"a Python scalar has no shape; use shape: [] ({section_hint(['inputs'])})")

    cases = []
    for visibility in ("public", "hidden"):
        for i, case in enumerate(data.get(visibility, [])):
            where = f"{key}.{visibility}[{i}]"
            needed = {s for spec in inputs.values() for s in spec.size_names}
            missing = sorted(needed - set(case["sizes"]))
            if missing:
                raise ConfigError(f"{where}.sizes: missing size(s) {', '.join(missing)} used by the inputs", path=path,
                                  hint=f"give every size the inputs use: {', '.join(sorted(needed))} "
                                       f"({section_hint(['public'])})")
            sizes = ", ".join(f"{k}={v}" for k, v in case["sizes"].items())
            # A hidden case's name is shown to students: it must not reveal its sizes.
            label = case.get("name") or (f"hidden case {i + 1}" if visibility == "hidden"
                                         else f"public case {i + 1} ({sizes})")
            cases.append(CaseSpec(name=label, hidden=visibility == "hidden", seed=case["seed"],
                                  sizes=dict(case["sizes"]), kwargs=dict(case.get("kwargs", {}))))
    for i, case in enumerate(data.get("edge", [])):
        where = f"{key}.edge[{i}]"
        unknown = sorted(set(case["args"]) - set(inputs))
        missing = sorted(set(inputs) - set(case["args"]))
        if unknown or missing:
            raise ConfigError(f"{where}.args: " + "; ".join(
                ([f"unknown argument(s) {', '.join(unknown)}"] if unknown else [])
                + ([f"missing argument(s) {', '.join(missing)}"] if missing else [])), path=path,
                hint=f"give exactly the arguments under inputs: {', '.join(inputs)} ({section_hint(['edge'])})")
        cases.append(CaseSpec(name=case["name"], hidden=case.get("hidden", True), args=dict(case["args"]),
                              kwargs=dict(case.get("kwargs", {}))))
    if not cases:
        raise ConfigError(f"{key}: no cases (public, hidden or edge)", path=path,
                          hint=f"add at least one public and one hidden case ({section_hint(['public'])})")

    check_options = {}
    for check_name, options in (data.get("checks") or {}).items():
        try:
            check_options[check_name] = checks[check_name].parse_options(options)
        except ValueError as exc:
            raise ConfigError(f"{key}.checks.{check_name}: {exc}", path=path) from None
    return FunctionSpec(
        name=name, points=dict(data["points"]), inputs=inputs, cases=tuple(cases),
        tolerance=Tolerance(**_merge(vars(tolerance), data.get("tolerance"))),
        timeout_seconds=float(data.get("timeout_seconds", limits.call_seconds)),
        checks=check_options, words=function_words(data, assignment, inputs, checks, key, path, section_hint),
    )
