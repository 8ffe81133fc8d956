"""Generate N realistic student submissions of an assignment, deterministically.

Starts from the student notebook (``assignments/<a>/<a>.ipynb``, or built in memory from
``solutions/`` + ``config.yaml`` when it has not been generated) and replaces each graded
function's stub with one of the variants in ``bench/variants.py``. The mix (fixed by the
seed) is what a real class hands in: mostly correct work in several styles, wrong values,
rank-1 arrays, loops over examples, exceptions, stubs left in place, a syntax error, a
deleted cell, an unreadable file, a few ``.py`` exports, output cells with text and
pictures, and one or two ``predict`` that never return.

    python bench/make_submissions.py OUT_DIR --n 200

writes ``OUT_DIR/student0001.ipynb``... and ``OUT_DIR/_manifest.json`` (what each one is;
the grader skips names starting with ``_``).
"""
from __future__ import annotations

import argparse
import ast
import base64
import json
import random
import sys
from pathlib import Path

import nbformat

sys.path.insert(0, str(Path(__file__).resolve().parent))
from variants import VARIANTS  # noqa: E402

# (profile, weight): what is wrong with a submission. "timeout" is placed separately.
PROFILES = [
    ("correct", 40), ("wrong", 14), ("loop", 12), ("rank1", 10), ("error", 8), ("mixed", 6),
    ("stub", 4), ("syntax", 2), ("missing", 2), ("module", 2), ("unreadable", 1), ("chatty", 1),
]


def student_notebook(assignment) -> nbformat.NotebookNode:
    """The notebook students start from: the generated one, or built now from the sources."""
    generated = assignment.root / "assignments" / assignment.name / f"{assignment.name}.ipynb"
    if generated.is_file():
        return nbformat.reads(generated.read_text(encoding="utf-8"), as_version=4)
    from grader.generate import build_assignment

    files = build_assignment(assignment)
    return nbformat.reads(files[f"{assignment.name}.ipynb"].decode("utf-8"), as_version=4)


def graded_function_of(cell) -> str | None:
    meta = cell.get("metadata", {}).get("grader", {})
    if meta.get("function"):
        return meta["function"]
    first = cell.source.lstrip().splitlines()[0] if cell.source.strip() else ""
    if first.startswith("# GRADED FUNCTION:"):
        return first.split(":", 1)[1].strip()
    return None


def _docstring_lines(stub_source: str, name: str) -> list:
    """The stub's docstring lines (students keep them), or none."""
    try:
        tree = ast.parse(stub_source)
    except SyntaxError:
        return []
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and node.name == name and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(getattr(first, "value", None), ast.Constant) \
                    and isinstance(first.value.value, str):
                return stub_source.splitlines()[first.lineno - 1:first.end_lineno]
    return []


def cell_source(name: str, variant: str, stub_source: str) -> str:
    """A graded cell: header, the variant's code, with the stub's docstring kept."""
    lines = VARIANTS[name][variant].strip("\n").splitlines()
    doc = _docstring_lines(stub_source, name)
    for i, line in enumerate(lines):
        if line.startswith(f"def {name}("):
            lines[i + 1:i + 1] = doc
            break
    return f"# GRADED FUNCTION: {name}\n\n" + "\n".join(lines)


def _break_syntax(source: str, name: str) -> str:
    """A typo students make: a dangling operator at the end of the function's first statement."""
    tree = ast.parse(source)
    func = next(node for node in tree.body if isinstance(node, ast.FunctionDef) and node.name == name)
    body = func.body[1:] if len(func.body) > 1 and isinstance(func.body[0], ast.Expr) else func.body
    lines = source.splitlines()
    at = body[0].lineno - 1
    lines[at] = lines[at].rstrip() + " +"
    return "\n".join(lines)


def _correct_style(rng: random.Random, name: str) -> str:
    styles = sorted(k for k in VARIANTS[name] if k.startswith("correct"))
    return rng.choice(styles)


def plan(n: int, seed: int = 0) -> list:
    """What each of the n students hands in: [{"profile", "variants": {function: kind}, ...}]."""
    rng = random.Random(seed)
    functions = list(VARIANTS)
    names, weights = zip(*PROFILES)
    timeouts = max(1, n // 500)
    # Spread the never-ending submissions through the batch (not all at the end).
    timeout_at = {round((k + 0.5) * n / timeouts) for k in range(timeouts)}
    plans = []
    for i in range(n):
        profile = "timeout" if i in timeout_at else rng.choices(names, weights)[0]
        variants = {f: _correct_style(rng, f) for f in functions}
        extra: dict = {}
        if profile in ("wrong", "loop", "rank1", "error"):
            candidates = [f for f in functions if profile in VARIANTS[f]]
            variants[rng.choice(candidates)] = profile
        elif profile == "mixed":
            for f in rng.sample(functions, rng.choice((2, 3))):
                kinds = sorted(k for k in VARIANTS[f] if not k.startswith("correct") and k != "timeout")
                variants[f] = rng.choice(kinds)
        elif profile == "timeout":
            variants["predict"] = "timeout"
        elif profile == "stub":
            variants[rng.choice(functions)] = "stub"
        elif profile == "syntax":
            extra["syntax_in"] = rng.choice(functions)
        elif profile == "missing":
            extra["missing"] = rng.choice(functions)
        elif profile == "chatty":
            variants["optimize"] = "correct"
            extra["chatty"] = True
        plans.append({"profile": profile, "variants": variants, "pictures": rng.random() < 0.5,
                      "seed": rng.randrange(2 ** 31), **extra})
    return plans


def _picture(rng: random.Random, kib: int) -> str:
    return base64.b64encode(rng.randbytes(kib * 1024)).decode("ascii")


def render(template: nbformat.NotebookNode, item: dict) -> str:
    """One student's notebook (or .py module) as text."""
    rng = random.Random(item["seed"])
    nb = nbformat.from_dict(json.loads(json.dumps(template)))  # a deep copy
    cells = []
    counter = 0
    for cell in nb.cells:
        if cell.cell_type != "code":
            cells.append(cell)
            continue
        counter += 1
        name = graded_function_of(cell)
        if name is not None and name in item["variants"]:
            if item.get("missing") == name:
                continue
            kind = item["variants"][name]
            if kind != "stub":
                cell.source = cell_source(name, kind, cell.source)
            if item.get("syntax_in") == name:
                cell.source = _break_syntax(cell.source, name)
            if item.get("chatty") and name == "optimize":
                cell.source = cell.source.replace("if print_cost:", "if True:")
        cell.execution_count = counter
        if "plt.show()" in cell.source and item["pictures"]:
            cell.outputs = [nbformat.v4.new_output(
                "display_data", data={"image/png": _picture(rng, 24), "text/plain": "<Figure size 864x180>"})]
        elif "print(" in cell.source:
            cell.outputs = [nbformat.v4.new_output("stream", name="stdout",
                                                   text="".join(f"Cost after iteration {k * 100}: {rng.random():f}\n"
                                                                for k in range(rng.randrange(1, 20))))]
        cells.append(cell)
    nb.cells = cells
    if item["profile"] == "module":
        return "import numpy as np\n\n\n" + "\n\n\n".join(
            c.source for c in cells if c.cell_type == "code" and graded_function_of(c)) + "\n"
    text = nbformat.writes(nb)
    if item["profile"] == "unreadable":
        text = text[: len(text) // 2]  # a notebook cut short by a failed upload: invalid JSON
    return text


def make_submissions(assignment, out: Path, n: int, seed: int = 0) -> list:
    """Write n submissions into ``out``; return [(path, plan item)] in order."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    for old in out.iterdir():
        if old.is_file() and (old.suffix in (".ipynb", ".py") or old.name == "_manifest.json"):
            old.unlink()
    template = student_notebook(assignment)
    written = []
    for i, item in enumerate(plan(n, seed), start=1):
        suffix = ".py" if item["profile"] == "module" else ".ipynb"
        path = out / f"student{i:04d}{suffix}"
        path.write_text(render(template, item), encoding="utf-8")
        written.append((path, item))
    manifest = {path.name: item for path, item in written}
    (out / "_manifest.json").write_text(json.dumps(manifest, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    return written


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path, help="folder to write the submissions into (emptied of old ones)")
    parser.add_argument("--n", type=int, default=200, help="number of submissions (default: %(default)s)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the mix (default: %(default)s)")
    parser.add_argument("--config", type=Path, default=Path("config.yaml"))
    parser.add_argument("--assignment", default="logreg")
    args = parser.parse_args(argv)
    from grader.config import load_config

    assignment = load_config(args.config).assignment(args.assignment)
    written = make_submissions(assignment, args.out, args.n, args.seed)
    print(f"wrote {len(written)} submissions to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
