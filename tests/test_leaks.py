"""Nothing hidden reaches students: no solution line, no hidden seed, case, value or test file.

``find_leaks`` scans every file under a folder of student material. The first test runs it on
the committed ``assignments/``; the others plant each kind of leak in a copy and check that it
is found, so the scan cannot silently pass.
"""
import json
import re
import shutil
from pathlib import Path

import numpy as np
import pytest

from grader.bundle import without_sources
from grader.cases import make_cases
from grader.markers import solution_lines
from grader.reference import load_reference
from grader.config import load_config
from helpers_logreg import ASSIGNMENTS, CONFIG, logreg_assignment

_NUMBER = re.compile(r"(?<![\w.])[-+]?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?(?![\w.])")
_FLOAT = re.compile(r"(?<![\w.])[-+]?(?:\d+\.\d+)(?:[eE][-+]?\d+)?(?![\w.])")
_MIN_DIGITS = 8  # a float literal with fewer significant digits can match by chance


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def student_texts(folder: Path) -> dict:
    """path -> every text a student sees in that file (for a notebook: the raw JSON and its cells)."""
    texts = {}
    for path in sorted(folder.rglob("*")):
        if not path.is_file():
            continue
        raw = path.read_bytes().decode("utf-8", errors="replace")
        if path.name == "grader_check.py":
            # The grader's own modules, bundled (test_notebook_check.py proves they are exactly
            # those): its code's numbers match short hidden sequences by chance. Its data is scanned.
            raw = without_sources(raw)
        if path.suffix == ".ipynb":
            notebook = json.loads(raw)
            parts = []
            for cell in notebook["cells"]:
                parts.append("".join(cell["source"]))
                for output in cell.get("outputs", []):
                    parts.append("".join(output.get("text", "")))
                    parts.append(json.dumps(output.get("data", {})))
            raw = raw + "\n" + "\n".join(parts)
        texts[path] = raw
    return texts


def hidden_files(assignment) -> list:
    """The instructor's hidden test files: configured ones and test files next to the solution."""
    found = set(map(Path, assignment.hidden_tests))
    directory = assignment.solution_dir
    for pattern in ("test_*.py", "*_test.py", "hidden*/**/*", "tests/**/*"):
        found |= {p for p in directory.glob(pattern) if p.is_file()}
    return sorted(found)


def _significant_digits(text: str) -> int:
    mantissa = re.split(r"[eE]", text)[0].lstrip("+-").replace(".", "").lstrip("0")
    return len(mantissa)


def _secret_floats(value):
    """The float values inside a (possibly nested) result that look random, not 0 / 1 / 0.5."""
    if isinstance(value, dict):
        for item in value.values():
            yield from _secret_floats(item)
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from _secret_floats(item)
    elif isinstance(value, (float, np.floating, np.ndarray)):
        for x in np.asarray(value, dtype=float).ravel():
            if np.isfinite(x) and x != round(x * 2) / 2:  # skip 0, 1, 0.5, 2.0 ...: common everywhere
                yield float(x)


def _all_floats(value) -> list:
    """Every number inside a (possibly nested) input, in order."""
    if isinstance(value, dict):
        return [x for item in value.values() for x in _all_floats(item)]
    if isinstance(value, (list, tuple)) and not all(isinstance(v, (int, float)) for v in value):
        return [x for item in value for x in _all_floats(item)]
    try:
        return [float(x) for x in np.ravel(np.asarray(value, dtype=float))]
    except (TypeError, ValueError):
        return []


def find_leaks(assignment, folder: Path) -> list:
    texts = student_texts(folder)
    leaks = []
    lines_of = {path: {_squash(line) for line in text.splitlines()} - {""} for path, text in texts.items()}
    squashed = {path: _squash(text) for path, text in texts.items()}

    # 1. Solution lines.
    source = assignment.solution.read_text(encoding="utf-8")
    for line in solution_lines(source, assignment.solution):
        needle = _squash(line)
        if not needle:
            continue
        for path in texts:
            if needle in lines_of[path] or (len(needle) >= 16 and needle in squashed[path]):
                leaks.append(f"{path.name}: solution line {line.strip()!r}")

    # 2. Hidden seeds and hidden edge-case names.
    reference = load_reference(assignment.solution, list(assignment.functions))
    for name, spec in assignment.functions.items():
        for case in spec.cases:
            if not case.hidden:
                continue
            for path, text in texts.items():
                if case.seed is not None and re.search(rf"(?<![\w.]){case.seed}(?![\w.])", text):
                    leaks.append(f"{path.name}: hidden seed {case.seed} of {name}")
                if case.args is not None and case.name in text:
                    leaks.append(f"{path.name}: name of hidden edge case {case.name!r} of {name}")

    # 3. Hidden inputs and the reference's results on them.
    floats = {path: [(m, float(m)) for m in _FLOAT.findall(text) if _significant_digits(m) >= _MIN_DIGITS]
              for path, text in texts.items()}
    numbers = {path: [float(m) for m in _NUMBER.findall(text)] for path, text in texts.items()}
    for name, spec in assignment.functions.items():
        # Values that public cases also produce (e.g. the first cost, log 2) are no secret.
        public = {f"{x:.12g}" for case in make_cases(spec, hidden=False)
                  for x in [*_secret_floats(case.args),
                            *_secret_floats(reference.run(name, case.args, case.kwargs, case.np_seed))]}
        case_specs = [c for c in spec.cases if c.hidden]
        for case_spec, case in zip(case_specs, make_cases(spec, hidden=True), strict=True):
            secrets = [x for x in _secret_floats(case.args) if f"{x:.12g}" not in public]
            secrets += [x for x in _secret_floats(reference.run(name, case.args, case.kwargs, case.np_seed))
                        if f"{x:.12g}" not in public]
            for path in texts:
                for text, value in floats[path]:
                    digits = _significant_digits(text)
                    if any(float(f"{s:.{digits}g}") == value for s in secrets):
                        leaks.append(f"{path.name}: {text} is a hidden input or result of {name} ({case.name})")
            if case_spec.args is None:
                continue
            # Literal (edge) inputs: look for the sequence of their numbers, in order.
            for arg in case.args:
                sequence = _all_floats(arg)
                if len(sequence) < 3:
                    continue
                for path in texts:
                    found = numbers[path]
                    if any(found[i:i + len(sequence)] == sequence for i in range(len(found) - len(sequence) + 1)):
                        leaks.append(f"{path.name}: the input {sequence} of hidden case {case.name!r} of {name}")

    # 4. Hidden test files.
    public = _squash(source) + "".join(_squash(Path(p).read_text(errors="replace")) for p in assignment.extra_files)
    for hidden in hidden_files(assignment):
        for line in hidden.read_text(encoding="utf-8", errors="replace").splitlines():
            needle = _squash(line)
            if len(needle) < 12 or needle.startswith(("import", "from", "#", "def", "@")) or needle in public:
                continue
            for path in texts:
                if needle in lines_of[path] or (len(needle) >= 30 and needle in squashed[path]):
                    leaks.append(f"{path.name}: line of hidden test file {hidden.name}: {line.strip()!r}")
    return sorted(set(leaks))


# --------------------------------------------------------------------------- tests


@pytest.fixture(scope="module")
def assignment():
    return logreg_assignment()


@pytest.mark.parametrize("name", list(load_config(CONFIG).assignments))
def test_no_hidden_material_in_assignments(name):
    assignment = load_config(CONFIG).assignment(name)
    folder = ASSIGNMENTS / name
    assert sorted(p.name for p in folder.iterdir()), "nothing generated"
    assert find_leaks(assignment, folder) == []


def test_the_scan_looks_at_real_data(assignment):
    """Guard against a scan that passes because it sees nothing."""
    folder = ASSIGNMENTS / "logreg"
    texts = student_texts(folder)
    assert {p.name for p in texts} >= {"logreg.py", "logreg.ipynb", "public_tests.py"}
    assert len(solution_lines(assignment.solution.read_text(), assignment.solution)) >= 10
    hidden_cases = [c for spec in assignment.functions.values() for c in make_cases(spec, hidden=True)]
    assert len(hidden_cases) >= 10
    assert sum(len(list(_secret_floats(c.args))) for c in hidden_cases) >= 100


@pytest.fixture
def copy(tmp_path):
    target = tmp_path / "logreg"
    shutil.copytree(ASSIGNMENTS / "logreg", target)
    return target


def _append(path: Path, text: str) -> None:
    path.write_text(path.read_text() + text)


def _add_to_cell(folder: Path, cell_id: str, text: str) -> None:
    path = folder / "logreg.ipynb"
    notebook = json.loads(path.read_text())
    cell = next(c for c in notebook["cells"] if c["id"] == cell_id)
    cell["source"] = "".join(cell["source"]) + text
    path.write_text(json.dumps(notebook, indent=1))


def test_finds_a_solution_line_in_a_notebook_cell(assignment, copy):
    _add_to_cell(copy, "graded-propagate", "\n    dw = np.dot(X,(A - Y).T) / m\n")
    assert any("solution line 'dw = np.dot(X, (A - Y).T) / m'" in leak for leak in find_leaks(assignment, copy))


def test_finds_a_short_solution_line_in_the_stub(assignment, copy):
    _append(copy / "logreg.py", "\n# b = 0.0\n")
    assert find_leaks(assignment, copy) == []  # a comment line is not the solution line ...
    _append(copy / "logreg.py", "\nb = 0.0\n")
    assert any("solution line 'b = 0.0'" in leak for leak in find_leaks(assignment, copy))  # ... this is


def test_finds_a_hidden_seed(assignment, copy):
    _append(copy / "public_tests.py", "\nrng = np.random.default_rng(1301)\n")
    assert any("hidden seed 1301 of propagate" in leak for leak in find_leaks(assignment, copy))


def test_finds_a_hidden_input_even_rounded(assignment, copy):
    spec = assignment.functions["sigmoid"]
    hidden = make_cases(spec, hidden=True)[0]
    value = float(np.ravel(hidden.args[0])[3])
    _add_to_cell(copy, "md-01", f"\nTry z = {value:.8f}\n")
    assert any("hidden input or result of sigmoid" in leak for leak in find_leaks(assignment, copy))


def test_finds_a_hidden_expected_result(assignment, copy):
    spec = assignment.functions["propagate"]
    hidden = make_cases(spec, hidden=True)[1]
    ref = load_reference(assignment.solution, list(assignment.functions))
    grads, cost = ref.run("propagate", hidden.args, hidden.kwargs)
    _append(copy / "lr_utils.py", f"\nEXPECTED_COST = {float(cost)!r}\n")
    assert any("hidden input or result of propagate" in leak for leak in find_leaks(assignment, copy))


def test_finds_a_hidden_edge_case(assignment, copy):
    _append(copy / "public_tests.py", "\nZ = np.array([[1000.0, -1000.0, 0.0]])\n")
    leaks = find_leaks(assignment, copy)
    assert any("hidden case 'saturation |z| = 1000' of sigmoid" in leak for leak in leaks)
    _append(copy / "public_tests.py", "\n# an activation of exactly 0.5 predicts 0\n")
    assert any("name of hidden edge case" in leak for leak in find_leaks(assignment, copy))


def test_finds_a_line_of_a_hidden_test_file(assignment, copy, tmp_path):
    import dataclasses

    hidden = tmp_path / "test_hidden_logreg.py"
    hidden.write_text("import numpy as np\n\ndef test_secret():\n    assert secret_score(42) == 17.25\n")
    with_hidden = dataclasses.replace(assignment, hidden_tests=(hidden,))
    assert find_leaks(with_hidden, copy) == []
    _append(copy / "public_tests.py", "\n    assert secret_score(42) == 17.25\n")
    assert any("hidden test file test_hidden_logreg.py" in leak for leak in find_leaks(with_hidden, copy))
