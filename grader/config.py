"""Load and validate ``config.yaml`` into plain, frozen dataclasses.

Validation happens in two passes: a JSON schema (``grader.config_schema``: structure and types,
checked with ``jsonschema`` so every error carries its key path), then cross-field rules the
schema cannot express (a case gives every size its inputs use, a file exists...).
Every problem becomes a :class:`ConfigError` naming the file and the key path.
"""
from __future__ import annotations

import copy
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from grader import config_schema
from grader.errors import ConfigError
from grader.versions import VersionSpec, parse_template
from grader.wording import Words, function_words

DEFAULT_CONFIG = "config.yaml"


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
    """How to make one argument: a seeded random array, a named size, a literal, or a dict
    whose entries (``fields``, InputSpecs named by their keys) are made the same way."""

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
    fields: tuple = ()  # InputSpec per key of a dict input, in config order (empty: not a dict)

    @property
    def size_names(self) -> tuple[str, ...]:
        names = [d for d in self.shape if isinstance(d, str)]
        if self.size:
            names.append(self.size)
        for spec in self.fields:
            names.extend(n for n in spec.size_names if n not in names)
        return tuple(names)

    def field(self, key: str) -> "InputSpec | None":
        return next((spec for spec in self.fields if spec.name == key), None)


@dataclass(frozen=True)
class CaseSpec:
    """One call of a function: seeded (inputs generated) or explicit (literal args)."""

    name: str
    hidden: bool
    seed: int | None = None
    sizes: dict = field(default_factory=dict)
    kwargs: dict = field(default_factory=dict)
    args: dict | None = None  # literal arguments of an explicit (edge) case
    np_seed: int | None = None  # numpy's global RandomState is seeded with it before each call

    @property
    def visibility(self) -> str:
        return "hidden" if self.hidden else "public"


@dataclass(frozen=True)
class DeclaredMistake:
    """A mistake the instructor names in config.yaml: the reference with text replaced."""

    id: str
    message: str
    replace: tuple = ()           # (old, new) pairs, applied in order to the reference function's text


@dataclass(frozen=True)
class MistakeSpec:
    """A function's mistake models (grader/mistakes): generated ones (unless off or ignored by
    kind or id) and declared ones."""

    generated: bool = True
    ignore: tuple = ()
    declared: tuple = ()          # DeclaredMistake


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
    np_seed: int | None = None  # the default of the cases' np_seed (probes use it too)
    mistakes: MistakeSpec = MistakeSpec()  # which mistake models name a failed function's mistake

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
    similarity_threshold: float = 0.9  # pairs of submissions this similar are listed (grader.similarity)
    versions: tuple = ()  # VersionSpec of each earlier notebook it accepts (grader/versions.py)

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
        text = path.read_text(encoding="utf-8")
        raw = _yaml_load(text)
    except UnicodeDecodeError as exc:
        raise ConfigError(f"not UTF-8 text ({exc.reason} at byte {exc.start})", path=path) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise ConfigError(f"not valid YAML{where}: {problem}", path=path, hint="check the indentation and quoting there") from None
    return parse_config(raw, path, text)


def _yaml_load(text: str) -> Any:
    """``yaml.safe_load``, by libyaml's parser where PyYAML has it (the pure-Python one takes
    about 0.4 s on the course's config.yaml); the same constructor, so the same values. A
    document libyaml rejects is parsed again by the pure-Python parser, whose messages (and
    line numbers) are the ones the configuration's errors have always quoted."""
    loader = getattr(yaml, "CSafeLoader", None)
    if loader is None:
        return yaml.safe_load(text)
    try:
        return yaml.load(text, Loader=loader)
    except yaml.YAMLError:
        return yaml.safe_load(text)


def parse_config(raw: Any, path: Path, text: str | None = None) -> CourseConfig:
    """``text``: the YAML ``raw`` was read from; one found valid before is not validated again."""
    from grader.checks import all_checks  # the schema lists the checks that exist

    checks = all_checks()
    schema, root = config_schema.schema(list(checks)), path.parent.resolve()
    mark = config_schema.validity_mark(text, schema, root) if text is not None else None
    if mark is None or not mark.is_file():
        _validate_schema(raw, schema, path)
        config_schema.remember_valid(mark)
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
             ("edge", "Cases"), ("hints", "Feedback words"), ("similarity", "Similarity"), ("versions", "Versions"),
             ("mistakes", "Mistakes"), ("functions", "Function"), ("assignments", "Assignment"))


def section_hint(key_path) -> str:
    """``see docs/config.md, section "Inputs"`` for a key path like assignments.a.functions.f.inputs.X."""
    parts = [str(p) for p in key_path]
    # An assignment's or a function's own name never names a section.
    named = [p for i, p in enumerate(parts)
             if not (i and parts[i - 1] in ("assignments", "functions", "hints", "versions", "types", "declared"))]
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
    if solution.suffix == ".ipynb":   # authored as a notebook: the .py and the text are made from it
        from grader.authoring import paired
        solution, made = paired(solution, f"{key}.solution", path)
        notebook = notebook or made
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
        functions=functions, similarity_threshold=float(data.get("similarity", {}).get("threshold", 0.9)),
        versions=tuple(_version(version, entry, f"{key}.versions.{version}", functions, path)
                       for version, entry in (data.get("versions") or {}).items()),
    )


def _version(name: str, data: dict, key: str, functions: dict, path: Path) -> VersionSpec:
    """One earlier notebook the assignment accepts: its template file read and checked."""
    hint = section_hint(["versions"])
    template = (path.parent.resolve() / data["template"]).resolve()
    if not template.is_file():
        raise ConfigError(f"{key}.template: file {data['template']!r} not found (looked in {path.parent.resolve()})",
                          path=path, hint=f"fix the path; paths are relative to the folder of config.yaml ({hint})")
    names = dict(data.get("names") or {})
    unknown = sorted(set(names) - set(functions))
    if unknown:
        raise ConfigError(f"{key}.names: unknown function(s) {', '.join(unknown)}", path=path,
                          hint=f"map graded functions of this assignment to the names this version gave them ({hint})")
    try:
        defined = parse_template(template.read_text(encoding="utf-8"), str(template), functions, names)
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise ConfigError(f"{key}.template: {data['template']} cannot be read as Python ({exc})", path=path,
                          hint=f"the template holds the functions as that version handed them out ({hint})") from None
    if not defined:
        raise ConfigError(f"{key}.template: {data['template']} defines none of the graded functions "
                          f"({', '.join(functions)})", path=path,
                          hint=f"write each graded function's def line and template code there ({hint})")
    unknown = sorted(set(data.get("types") or {}) - set(functions))
    if unknown:
        raise ConfigError(f"{key}.types: unknown function(s) {', '.join(unknown)}", path=path,
                          hint=f"name graded functions of this assignment: {', '.join(functions)} ({hint})")
    arguments = {}
    for function, given in (data.get("arguments") or {}).items():
        if function not in defined:
            raise ConfigError(f"{key}.arguments: {function} is not a function of {data['template']}", path=path,
                              hint=f"name a graded function whose def line this version's template holds ({hint})")
        params = defined[function].signature.params
        arguments[function] = {}
        for param, spec in given.items():
            where = f"{key}.arguments.{function}.{param}"
            if param not in params:
                raise ConfigError(f"{where}: {function}({', '.join(params)}) in {data['template']} has no parameter "
                                  f"{param}", path=path, hint=f"give values for the parameters this version's def "
                                                              f"line has and the reference's lacks ({hint})")
            made = _input(param, spec, where, path)
            if made.size_names:
                raise ConfigError(f"{where}: uses the size(s) {', '.join(made.size_names)}", path=path,
                                  hint="one value serves every case of the function: give numbers as shapes, "
                                       f"or a value ({hint})")
            arguments[function][param] = made
    return VersionSpec(name=name, title=data["title"], functions=defined, clues=tuple(data.get("clues") or ()),
                       types={f: dict(kinds) for f, kinds in (data.get("types") or {}).items()}, names=names,
                       arguments=arguments)


def _function(name, data, tolerance, limits, key, path, checks, assignment) -> FunctionSpec:
    inputs = {arg: _input(arg, spec, f"{key}.inputs.{arg}", path) for arg, spec in data["inputs"].items()}
    default_seed = data.get("np_seed")

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
                                  sizes=dict(case["sizes"]), kwargs=dict(case.get("kwargs", {})),
                                  np_seed=case.get("np_seed", default_seed)))
    for i, case in enumerate(data.get("edge", [])):
        where = f"{key}.edge[{i}]"
        _exact_keys(case["args"], list(inputs), f"{where}.args", "argument", path)
        for arg, value in case["args"].items():
            _check_literal(value, inputs[arg], f"{where}.args.{arg}", path)
        cases.append(CaseSpec(name=case["name"], hidden=case.get("hidden", True), args=dict(case["args"]),
                              kwargs=dict(case.get("kwargs", {})), np_seed=case.get("np_seed", default_seed)))
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
        checks=check_options, np_seed=default_seed,
        words=function_words(data, assignment, inputs, checks, key, path, section_hint),
        mistakes=_mistakes(data.get("mistakes") or {}),
    )


def _mistakes(data: dict) -> MistakeSpec:
    declared = tuple(DeclaredMistake(id=ident, message=entry["message"], replace=tuple(entry["replace"].items()))
                     for ident, entry in (data.get("declared") or {}).items())
    return MistakeSpec(generated=data.get("generated", True), ignore=tuple(data.get("ignore", ())), declared=declared)


def _input(name: str, data: dict, key: str, path: Path) -> InputSpec:
    """One input's spec; a dict input's fields recursively (their key paths in errors)."""
    spec = dict(data)
    has_value = "value" in spec
    as_ = spec.pop("as", "array")
    if "shape" in spec:
        spec["shape"] = tuple(spec["shape"])
    if "fields" in spec:
        spec["fields"] = tuple(_input(field_name, field_data, f"{key}.fields.{field_name}", path)
                               for field_name, field_data in spec["fields"].items())
    made = InputSpec(name=name, as_=as_, has_value=has_value, **spec)
    if as_ in ("float", "int") and made.shape:
        raise ConfigError(f"{key}: 'as: {as_}' needs shape []", path=path,
                          hint=f"a Python scalar has no shape; use shape: [] ({section_hint(['inputs'])})")
    return made


def _check_literal(value, spec: InputSpec, where: str, path: Path) -> None:
    """An edge case's literal for a dict input has exactly the configured fields, recursively."""
    if not spec.fields:
        return
    keys = [f.name for f in spec.fields]
    if not isinstance(value, dict):
        raise ConfigError(f"{where}: expected a dict with the keys {', '.join(keys)}, got {type(value).__name__}",
                          path=path, hint=f"give the dict's entries as under inputs (fields:) "
                                          f"({section_hint(['edge'])})")
    _exact_keys(value, keys, where, "key", path)
    for field_spec in spec.fields:
        _check_literal(value[field_spec.name], field_spec, f"{where}.{field_spec.name}", path)


def _exact_keys(given: dict, wanted: list, where: str, what: str, path: Path) -> None:
    """``given`` has exactly the keys ``wanted``, else a ConfigError naming the unknown and the missing."""
    unknown = sorted(str(k) for k in given if k not in wanted)
    missing = sorted(k for k in wanted if k not in given)
    if unknown or missing:
        raise ConfigError(f"{where}: " + "; ".join(
            ([f"unknown {what}(s) {', '.join(unknown)}"] if unknown else [])
            + ([f"missing {what}(s) {', '.join(missing)}"] if missing else [])), path=path,
            hint=f"give exactly the {what}s under inputs: {', '.join(wanted)} ({section_hint(['edge'])})")
