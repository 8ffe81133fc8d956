"""``grader export nbgrader --assignment NAME --out DIR``: the assignment as an nbgrader source notebook.

``DIR/<NAME>.ipynb`` holds the notebook's text and code, each graded function as an nbgrader
solution cell (the reference, its regions as ``### BEGIN SOLUTION`` / ``### END SOLUTION``),
and autograded test cells for the values and shapes checks: one per check and case, each worth
that case's share of the check's points (as the grader shares them), public cases visible and
hidden ones inside ``### BEGIN HIDDEN TESTS``. The cells judge with the grader's own comparison
(``grader_compare.py``, written beside the notebook with the assignment's extra files), so a
case fails under nbgrader exactly when that check fails it here. What nbgrader cannot run the
same way: the rank-1 and vectorization checks, and reference attribution (nbgrader runs each
function with the student's own callees: grade with ``attribution: as_submitted`` to compare).
"""
from __future__ import annotations

import shutil
from pathlib import Path

from grader.commands import add_common

CHECKS = ("values", "shapes")

SETUP = '''import contextlib
import copy
import io
import warnings

import numpy as np

from grader_compare import compare


def grader_case(function, check, args, kwargs, expected, rtol, atol, output_names=None, np_seed=None):
    """Call the function on one case and fail when the grader's {check} check would fail it.
    What the call prints and warns is kept out of the cell's output: nbgrader fails a test cell
    that writes to stderr, and the grader judges the result alone."""
    if np_seed is not None:
        np.random.seed(np_seed)
    with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()), \\
            contextlib.redirect_stderr(io.StringIO()):
        warnings.simplefilter("ignore")
        got = function(*copy.deepcopy(args), **copy.deepcopy(kwargs))
    problems = [p for p in compare(expected, got, rtol, atol, output_names) if p.check == check]
    assert not problems, "\\n".join(p.what for p in problems)'''


def add_arguments(kinds) -> None:
    parser = kinds.add_parser("nbgrader", help="an assignment as an nbgrader source notebook",
                              description="Write DIR/NAME.ipynb, an nbgrader source notebook of the assignment: "
                                          "solution cells with the reference, autograded test cells for the "
                                          "values and shapes checks on the public and hidden cases, worth the "
                                          "configured points, and grader_compare.py and the extra files beside it.")
    add_common(parser, "the assignment to export (default: the only one)")
    parser.add_argument("--out", type=Path, required=True, metavar="DIR", help="the folder to write into")


def run(args) -> int:
    from grader.config import load_config

    assignment = load_config(args.config).assignment(args.assignment)
    written = export(assignment, args.out)
    for path in written:
        print(f"wrote {path}")
    return 0


def nbgrader_regions(source: str, filename) -> str:
    """``source`` with every solution region marked as nbgrader marks it."""
    from grader.markers import find_regions

    lines = source.splitlines()
    out, position = [], 1
    for region in find_regions(source, filename):
        out.extend(lines[position - 1:region.start - 1])
        body = list(region.solution) if region.kind == "block" else [
            line[:line.rfind("#")].rstrip() for line in lines[region.start - 1:region.end]]
        out += [f"{region.indent}### BEGIN SOLUTION", *body, f"{region.indent}### END SOLUTION"]
        position = region.end + 1
    out.extend(lines[position - 1:])
    return "\n".join(out)


def _meta(grade_id: str, *, solution=False, points=None, locked=False) -> dict:
    data = {"grade": points is not None, "grade_id": grade_id, "locked": locked, "schema_version": 3,
            "solution": solution}
    if points is not None:
        data["points"] = points
    return {"nbgrader": data}


def test_cells(assignment, name: str, reference) -> list:
    """The autograded cells of one function: one per (check, case), worth the case's share."""
    from nbformat import v4

    from grader.cases import make_cases
    from grader.generate import EXPECTED_DIGITS, literal

    spec = assignment.functions[name]
    cases = make_cases(spec)
    cells = []
    for check in CHECKS:
        points = float(spec.points.get(check, 0))
        if not points:
            continue
        for number, case in enumerate(cases, 1):
            expected = reference.run(name, case.args, case.kwargs, np_seed=case.np_seed)
            call = (f"grader_case({name}, {check!r}, {literal(tuple(case.args))}, {literal(dict(case.kwargs))},\n"
                    f"            {literal(expected, EXPECTED_DIGITS)},\n"
                    f"            rtol={spec.tolerance.rtol!r}, atol={spec.tolerance.atol!r}, "
                    f"output_names={reference.output_names.get(name)!r}, np_seed={case.np_seed!r})")
            if case.hidden:
                source = f"# {check} of {name}, a hidden case\n### BEGIN HIDDEN TESTS\n{call}\n### END HIDDEN TESTS"
            else:
                source = f"# {check} of {name}, {case.name}\n{call}"
            cells.append(v4.new_code_cell(source, id=f"{check}-{name}-{number}", metadata=_meta(
                f"{check}-{name}-{number}", points=round(points / len(cases), 6), locked=True)))
    return cells


def export(assignment, out) -> list:
    import nbformat
    from nbformat import v4

    from grader.checks.analysis import compare
    from grader.generate import _shown, graded_cell_source, parse_notebook_source
    from grader.reference import load_reference

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    reference = load_reference(assignment.solution, list(assignment.functions))
    source = nbgrader_regions(Path(assignment.solution).read_text(encoding="utf-8"), assignment.solution)
    specs = parse_notebook_source(Path(assignment.notebook).read_text(encoding="utf-8"),
                                  _shown(assignment.notebook, assignment.root)) if assignment.notebook else \
        [_Graded(name) for name in assignment.functions]
    cells = [v4.new_code_cell(SETUP, id="grader-setup", metadata=_meta("grader-setup", locked=True))]
    for index, spec in enumerate(specs, 1):
        if spec.kind == "markdown":
            cells.append(v4.new_markdown_cell(spec.source, id=f"md-{index:02d}"))
        elif spec.kind == "code":
            cells.append(v4.new_code_cell(spec.source, id=f"code-{index:02d}"))
        else:
            name = spec.function
            cells.append(v4.new_code_cell(graded_cell_source(source, name), id=f"solution-{name}",
                                          metadata=_meta(name, solution=True)))
            cells.extend(test_cells(assignment, name, reference))
    notebook = v4.new_notebook(cells=cells, metadata={
        "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
        "language_info": {"name": "python"}, "title": assignment.title})
    nbformat.validate(notebook)
    path = out / f"{assignment.name}.ipynb"
    path.write_text(nbformat.writes(notebook) + "\n", encoding="utf-8")
    written = [path, out / "grader_compare.py"]
    shutil.copyfile(compare.__file__, out / "grader_compare.py")
    for extra in assignment.extra_files:
        shutil.copyfile(extra, out / Path(extra).name)
        written.append(out / Path(extra).name)
    return written


class _Graded:
    kind = "graded"

    def __init__(self, function: str):
        self.function = function
