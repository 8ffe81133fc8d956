"""Write the student material of an assignment from its reference solution and config.

``generate_assignment(assignment, out_dir)`` writes into ``out_dir``:

- ``<solution>.py``: the stub module (every solution region replaced, see ``grader.markers``);
- ``<assignment>.ipynb``: the student notebook, built from the notebook source (Markdown,
  see :func:`parse_notebook_source`): explanations, a cell importing ``check`` and
  ``check_all`` after the first one, one graded cell per function (the stub, with
  ``# GRADED FUNCTION: <name>``, a line saying what it is worth and which checks count, and
  metadata ``{"grader": {"function": name, "graded": true, "points": {...}}}`` plus nbgrader's,
  as a solution cell), a cell running ``check("<name>")`` after each (nbgrader's autograded
  cell, worth the function's points), then the author's own code cells;
- ``grader_check.py``: ``check`` and ``check_all``, the grader's own checks bundled to run in
  the student's kernel with numpy alone, and the public cases as data (see
  :mod:`grader.check_module`);
- ``public_tests.py``: the public cases with expected values computed here from the
  reference and written as literals; they are judged by
- ``grader_compare.py``: :mod:`grader.checks.analysis.compare` copied byte for byte, the
  comparison the grader's shapes and values checks use (numpy and the standard library only);
- the ``extra_files``, copied byte for byte.

Everything is deterministic: fixed cell ids, no timestamps, no outputs; a rerun writes
the same bytes. Only public cases are used: hidden seeds, hidden cases and hidden test
files are never read here.
"""
from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from grader.cases import make_cases
from grader.check_module import CHECK_MODULE, check_module_source
from grader.checks.analysis import compare
from grader.errors import SolutionError
from grader.markers import find_regions, make_stub
from grader.reference import load_reference

GRADED_HEADER = "# GRADED FUNCTION: {name}"
PUBLIC_TESTS_MODULE = "public_tests"
RUNTIME_MODULE = "grader_compare"  # the grader's comparison, shipped next to the public tests


def generate_assignment(assignment, out_dir) -> list[Path]:
    """Write the student material of ``assignment`` (an AssignmentSpec) into ``out_dir``."""
    out_dir = Path(out_dir)
    files = build_assignment(assignment)
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for name, data in files.items():
        path = out_dir / name
        if not path.is_file() or path.read_bytes() != data:  # leave unchanged files untouched
            path.write_bytes(data)
        written.append(path)
    return written


def build_assignment(assignment) -> dict[str, bytes]:
    """File name -> content of every generated file, in a fixed order."""
    solution = Path(assignment.solution)
    source = solution.read_text(encoding="utf-8")
    shown = _shown(solution, assignment.root)
    check_solution(assignment, source, shown)
    stub = make_stub(source, shown)
    reference = load_reference(solution, list(assignment.functions))

    files: dict[str, bytes] = {}

    def add(name: str, data: bytes, origin: str) -> None:
        if name in files:
            raise SolutionError(f"two generated files would be named {name!r} ({origin} and an earlier one)",
                                path=shown, hint="rename one of them (extra_files keep their file names)")
        files[name] = data

    add(solution.name, stub.encode("utf-8"), "the stub module")
    add(f"{PUBLIC_TESTS_MODULE}.py", render_public_tests(assignment, reference).encode("utf-8"), "the public tests")
    add(f"{RUNTIME_MODULE}.py", runtime_source(), "the public tests' comparison")
    add(f"{CHECK_MODULE}.py", check_module_source(assignment, reference, literal, EXPECTED_DIGITS).encode("utf-8"),
        "the notebook's check()")
    if assignment.notebook is not None:
        notebook = render_notebook(assignment, stub)
        add(f"{assignment.name}.ipynb", notebook.encode("utf-8"), "the notebook")
    for extra in assignment.extra_files:
        add(Path(extra).name, Path(extra).read_bytes(), f"extra file {_shown(extra, assignment.root)}")
    return files


def _shown(path, root) -> str:
    """A path as the instructor knows it: relative to the course folder when inside it."""
    try:
        return str(Path(path).resolve().relative_to(Path(root).resolve()))
    except ValueError:
        return str(path)


# --------------------------------------------------------------------------- checks


def check_solution(assignment, source: str, shown: str) -> None:
    """Every configured function is defined at the top level and has a solution region."""
    try:
        tree = ast.parse(source, filename=shown)
    except SyntaxError as exc:
        raise SolutionError(f"line {exc.lineno}: syntax error: {exc.msg}", path=shown) from None
    defs = {node.name: node for node in tree.body if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))}
    for name in assignment.functions:
        if name not in defs:
            raise SolutionError(
                f"function {name!r} is named in config.yaml (assignments.{assignment.name}.functions.{name}) "
                f"but not defined at the top level of this file", path=shown,
                hint=f"define 'def {name}(...)' in {shown}, or remove {name} from config.yaml")
    with_regions = {region.function for region in find_regions(source, shown)}
    for name in assignment.functions:
        node = defs[name]
        inner = {n.name for n in ast.walk(node) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))}
        if not inner & with_regions:
            raise SolutionError(
                f"line {node.lineno}: graded function {name!r} has no solution region, so students would "
                "receive the complete reference", path=shown,
                hint="mark the code students must write with ### BEGIN SOLUTION / ### END SOLUTION")


# --------------------------------------------------------------------------- notebook


@dataclass
class CellSpec:
    kind: str                 # "markdown", "code" or "graded"
    source: str = ""
    function: str = ""        # for graded cells
    line: int = 0             # where it starts in the notebook source
    metadata: dict = field(default_factory=dict)


_GRADED = re.compile(r"^<!--\s*graded:\s*(\S+)\s*-->\s*$")
_SPLIT = re.compile(r"^<!--\s*cell\s*-->\s*$")
_DIRECTIVE = re.compile(r"^<!--\s*(\w+)\s*:")
_FENCE = re.compile(r"^(`{3,}|~{3,})\s*([\w+-]*)")


def parse_notebook_source(text: str, shown: str) -> list[CellSpec]:
    """Cells of a notebook source in Markdown.

    - ```` ```python ```` fenced blocks become code cells (other fences stay in the Markdown);
    - ``<!-- graded: NAME -->`` on its own line places the graded cell of NAME (followed by
      the cell running its public tests);
    - ``<!-- cell -->`` starts a new Markdown cell; other HTML comments are the author's
      notes and are dropped; all other text is Markdown.
    """
    cells: list[CellSpec] = []
    markdown: list[str] = []
    markdown_line = 1
    lines = text.splitlines()

    def flush(next_line: int) -> None:
        nonlocal markdown, markdown_line
        body = "\n".join(markdown).strip("\n")
        if body.strip():
            cells.append(CellSpec("markdown", body, line=markdown_line))
        markdown = []
        markdown_line = next_line

    i = 0
    while i < len(lines):
        line = lines[i]
        number = i + 1
        fence = _FENCE.match(line)
        if fence:
            marker, language = fence.groups()
            end = next((j for j in range(i + 1, len(lines))
                        if lines[j].strip().startswith(marker[0] * len(marker))
                        and not lines[j].strip().strip(marker[0])), None)
            if end is None:
                raise SolutionError(f"line {number}: code fence {marker} is never closed", path=shown,
                                    hint=f"add a line {marker} after the end of the code")
            if language in ("python", "py", "python3"):
                flush(end + 2)
                code = "\n".join(lines[i + 1:end]).strip("\n")
                cells.append(CellSpec("code", code, line=number))
            else:
                markdown.extend(lines[i:end + 1])
            i = end + 1
            continue
        graded = _GRADED.match(line)
        if graded:
            flush(number + 1)
            cells.append(CellSpec("graded", function=graded.group(1), line=number))
        elif _SPLIT.match(line):
            flush(number + 1)
        elif _DIRECTIVE.match(line):
            raise SolutionError(f"line {number}: unknown directive {line.strip()!r}", path=shown,
                                hint="the directives are <!-- graded: NAME --> and <!-- cell -->")
        elif line.lstrip().startswith("<!--"):  # the author's notes: not shown to students
            end = next((j for j in range(i, len(lines)) if "-->" in lines[j]), None)
            if end is None:
                raise SolutionError(f"line {number}: HTML comment is never closed", path=shown, hint="add -->")
            i = end + 1
            continue
        else:
            markdown.append(line)
        i += 1
    flush(len(lines) + 1)
    return cells


def graded_cell_source(stub: str, name: str) -> str:
    """``# GRADED FUNCTION: name`` then the stub's definition of ``name`` (with decorators)."""
    tree = ast.parse(stub)
    node = next(n for n in tree.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)) and n.name == name)
    first = min([node.lineno] + [d.lineno for d in node.decorator_list])
    body = "\n".join(stub.splitlines()[first - 1:node.end_lineno])
    return GRADED_HEADER.format(name=name) + "\n\n" + body


def test_function_name(name: str) -> str:
    return f"{name}_test"


CHECK_INTRO = """### Checking your work

Each exercise is followed by a cell running `check("<name>")`: it runs your function on the
public cases and judges it with the grader's own checks (values, shapes, rank-1 arrays,
vectorization), in the grader's words, with the points each check gives. The grader also uses
hidden cases and other sizes, so passing `check` is a good sign, not a guarantee.
`check_all()` sums up every function. The assignment is worth {total} points."""

# How the checks are named to students, in the line saying what a graded cell is worth.
CHECK_WORDS = {"rank1": "rank-1 arrays", "vectorized": "vectorized"}


def _points(value: float) -> str:
    return f"{value:g}"


def points_line(spec) -> str:
    """``# Worth 7 points: values 3, shapes 1, rank-1 arrays 1, vectorized 1.`` (checks with points)."""
    counted = [f"{CHECK_WORDS.get(check, check)} {_points(points)}" for check, points in spec.points.items() if points]
    if not counted:
        return "# Graded by the instructor's tests: no check of the grader gives it points."
    return f"# Worth {_points(spec.max_points)} point{'s' if spec.max_points != 1 else ''}: {', '.join(counted)}."


def nbgrader_metadata(grade_id: str, *, solution: bool, points: float | None = None) -> dict:
    """nbgrader's cell metadata: a solution cell (the student's code), or an autograded cell
    worth ``points`` (the check), so the notebook opens in nbgrader's tools too."""
    data = {"grade": points is not None, "grade_id": grade_id, "locked": not solution, "schema_version": 3,
            "solution": solution}
    if points is not None:
        data["points"] = points
    return data


def graded_cells(assignment, stub: str, name: str) -> list:
    """The graded cell of ``name`` (its stub, what it is worth) and the cell checking it."""
    from nbformat import v4

    spec = assignment.functions[name]
    source = graded_cell_source(stub, name)
    header, rest = source.split("\n", 1)
    graded = v4.new_code_cell(
        f"{header}\n{points_line(spec)}\n{rest}", id=f"graded-{name}",
        metadata={"deletable": False, "nbgrader": nbgrader_metadata(name, solution=True),
                  "grader": {"function": name, "graded": True, "points": dict(spec.points)}})
    check = v4.new_code_cell(
        f'check("{name}")', id=f"tests-{name}",
        metadata={"deletable": False, "tags": ["public-tests"],
                  "nbgrader": nbgrader_metadata(f"check-{name}", solution=False, points=spec.max_points)})
    return [graded, check]


def render_notebook(assignment, stub: str) -> str:
    import nbformat
    from nbformat import v4

    shown = _shown(assignment.notebook, assignment.root)
    specs = parse_notebook_source(Path(assignment.notebook).read_text(encoding="utf-8"), shown)
    placed: dict[str, int] = {}
    for spec in specs:
        if spec.kind != "graded":
            continue
        if spec.function not in assignment.functions:
            raise SolutionError(
                f"line {spec.line}: <!-- graded: {spec.function} --> names a function that is not graded "
                f"(config.yaml grades: {', '.join(assignment.functions)})", path=shown,
                hint="fix the name, or add the function under functions: in config.yaml")
        if spec.function in placed:
            raise SolutionError(f"line {spec.line}: {spec.function} is already placed at line {placed[spec.function]}",
                                path=shown, hint="place each graded function once")
        placed[spec.function] = spec.line
    unplaced = [name for name in assignment.functions if name not in placed]
    if unplaced:
        raise SolutionError(f"graded function(s) {', '.join(unplaced)} are not placed in the notebook", path=shown,
                            hint="add a line <!-- graded: NAME --> where each exercise goes")

    cells = []
    for index, spec in enumerate(specs, start=1):
        if spec.kind == "markdown":
            cells.append(v4.new_markdown_cell(spec.source, id=f"md-{index:02d}"))
        elif spec.kind == "code":
            cells.append(v4.new_code_cell(spec.source, id=f"code-{index:02d}"))
        else:
            cells.extend(graded_cells(assignment, stub, spec.function))
    at = 1 if cells and cells[0].cell_type == "markdown" else 0
    cells[at:at] = [v4.new_markdown_cell(CHECK_INTRO.format(total=_points(assignment.max_points)), id="check-intro"),
                    v4.new_code_cell(f"from {CHECK_MODULE} import check, check_all", id="check-import",
                                     metadata={"deletable": False, "tags": ["check"]})]
    notebook = v4.new_notebook(cells=cells, metadata={
        "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
        "language_info": {"name": "python"},
        "title": assignment.title,
        "grader": {"assignment": assignment.name},
    })
    nbformat.validate(notebook)
    return nbformat.writes(notebook) + "\n"


# --------------------------------------------------------------------------- public tests


# Expected values are written to this many significant digits: far finer than any tolerance,
# and coarse enough that the last-bit differences between numpy and BLAS builds do not change
# the generated file (it is committed, and must be byte-identical wherever it is regenerated).
EXPECTED_DIGITS = 12


def literal(value, digits: int | None = None) -> str:
    """Python source that rebuilds ``value``: floats at full precision, or rounded to
    ``digits`` significant digits."""
    if value is None or isinstance(value, (bool, str, bytes)):
        return repr(value)
    if isinstance(value, np.bool_):
        return f"np.bool_({bool(value)!r})"
    if isinstance(value, int):
        return repr(value)
    if isinstance(value, float):  # np.float64 is a float too
        text = _float(value, digits)
        return f"np.float64({text})" if isinstance(value, np.floating) else text
    if isinstance(value, np.integer):
        return f"np.{value.dtype.name}({int(value)})"
    if isinstance(value, np.floating):
        return f"np.{value.dtype.name}({_float(float(value), digits)})"
    if isinstance(value, np.ndarray):
        if value.dtype.kind not in "biuf":
            raise TypeError(f"cannot write an array of dtype {value.dtype} as a literal")
        items = _nested(value.tolist(), digits) if value.ndim else _scalar_text(value.item(), digits)
        text = f"np.array({items}, dtype=np.{value.dtype.name})"
        if value.size == 0:
            text += f".reshape({value.shape!r})"
        return text
    if isinstance(value, dict):
        return "{" + ", ".join(f"{literal(k, digits)}: {literal(v, digits)}" for k, v in value.items()) + "}"
    if isinstance(value, tuple):
        items = [literal(v, digits) for v in value]
        return f"({items[0]},)" if len(items) == 1 else "(" + ", ".join(items) + ")"
    if isinstance(value, list):
        return "[" + ", ".join(literal(v, digits) for v in value) + "]"
    raise TypeError(f"cannot write a {type(value).__name__} as a literal")


def _float(x: float, digits: int | None = None) -> str:
    if x != x:
        return "float('nan')"
    if x in (float("inf"), float("-inf")):
        return "float('inf')" if x > 0 else "-float('inf')"
    return repr(float(f"{x:.{digits}g}") if digits else float(x))


def _scalar_text(x, digits: int | None = None) -> str:
    return _float(x, digits) if isinstance(x, float) else repr(x)


def _nested(items, digits: int | None = None) -> str:
    if isinstance(items, list):
        return "[" + ", ".join(_nested(v, digits) for v in items) + "]"
    return _scalar_text(items, digits)


_TESTS_DOCSTRING = """Public tests of "{title}".

Run them from the notebook: each exercise is followed by a cell calling ``<function>_test``.
Passing them is a good sign, not a guarantee: the grader also runs hidden tests (other
inputs and sizes), checks exact shapes and dtypes, rank-1 arrays, and that the code is
vectorized. The comparison is the grader's own, in ``{runtime}.py``.

Generated by ``grader generate`` from the reference solution; do not edit.
"""


def render_public_tests(assignment, reference) -> str:
    """``public_tests.py``: one ``<function>_test(target)`` per graded function, holding its public
    cases as literals, each calling the shipped comparison (:mod:`grader.checks.analysis.compare`)."""
    docstring = _TESTS_DOCSTRING.format(title=assignment.title, runtime=RUNTIME_MODULE)
    parts = [f'"""{docstring}"""\nimport numpy as np\n\nfrom {RUNTIME_MODULE} import run_public_tests\n']
    for name, spec in assignment.functions.items():
        cases = make_cases(spec, hidden=False)
        rows = []
        for case in cases:
            assert not case.hidden  # only public cases are ever written for students
            expected = reference.run(name, case.args, case.kwargs, np_seed=case.np_seed)
            args = "".join(f"             {literal(arg)},\n" for arg in case.args)
            end = "),  # expected result\n" if case.np_seed is None else \
                f",  # expected result\n         {case.np_seed!r}),  # np.random.seed(...) right before the call\n"
            rows.append(
                f"        ({case.name!r},\n"
                f"         (  # arguments\n{args}         ),\n"
                f"         {literal(dict(case.kwargs))},  # keyword arguments\n"
                f"         {literal(expected, EXPECTED_DIGITS)}{end}")
        output_names = reference.output_names.get(name)
        parts.append(
            f"\n\ndef {test_function_name(name)}(target):\n"
            f'    """Call {name} on its public cases and compare with the reference\'s results."""\n'
            f"    cases = [\n{''.join(rows)}    ]\n"
            f"    run_public_tests({name!r}, target, cases, rtol={spec.tolerance.rtol!r}, atol={spec.tolerance.atol!r},\n"
            f"                     output_names={output_names!r})\n")
    return "".join(parts)


def runtime_source() -> bytes:
    """The comparison the public tests run: the grader's own module, byte for byte."""
    return Path(compare.__file__).read_bytes()
