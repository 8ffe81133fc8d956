"""Nothing of one assignment in the grader: its texts are generic, and the assignment's own words
(size meanings, hints, docstrings) come from config.yaml and the reference (issue 11)."""
from __future__ import annotations

import ast
import dataclasses
import re
from pathlib import Path

import pytest
import yaml

from grader.checks.analysis.advice import documented, hidden_advice, once_per, sizes_named, untried_sizes, with_hint
from grader.config import load_config, parse_config
from grader.errors import ConfigError
from grader.reference import parse_reference
from grader.wording import Words

ROOT = Path(__file__).resolve().parents[1]
GRADER = ROOT / "grader"
COURSE = load_config(ROOT / "config.yaml")
# Formulas the grader's generic texts once held, written as an assignment writes them.
KNOWN_FORMULAS = ("np.exp(z)", "np.exp(-z)", "np.log(a)", "a > 0.5", "A > 0.5", "(A - Y).T", "np.dot(X,",
                  "np.zeros((dim, 1))", "np.zeros(dim)", ".astype(float) for predictions", "n or m equal to 1",
                  "n different from m", "example (m)", "feature (n)")


def docstrings(tree: ast.AST) -> set:
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant) and isinstance(first.value.value, str):
                found.add(id(first.value))
    return found


def literals_and_identifiers(path: Path) -> tuple[list, set]:
    """The string literals of a module (f-strings' literal parts included, docstrings left out) and
    every identifier it uses or defines. Comments are not in the syntax tree."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skip = docstrings(tree)
    strings, names = [], set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in skip:
            strings.append(node.value)
        elif isinstance(node, ast.Name):
            names.add(node.id)
        elif isinstance(node, ast.Attribute):
            names.add(node.attr)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, ast.arg):
            names.add(node.arg)
        elif isinstance(node, ast.keyword) and node.arg:
            names.add(node.arg)
        elif isinstance(node, ast.alias):
            names.add(node.asname or node.name.split(".")[-1])
    return strings, names


def formula_fragments(assignment) -> set:
    """Expressions of the reference's graded functions that compute something from their own
    names (``np.dot(w.T, X)``, ``A2 > 0.5``, ``x_exp / x_sum``), as the solution writes them."""
    source = parse_reference(assignment.solution, list(assignment.functions))
    fragments = set()
    for name in assignment.functions:
        definition = source.def_of(name)
        own = {a.arg for a in definition.args.args} | {n.id for n in ast.walk(definition) if isinstance(n, ast.Name)}
        for node in ast.walk(definition):
            if isinstance(node, (ast.Call, ast.BinOp, ast.Compare)):
                text = ast.unparse(node)
                if len(text) >= 6 and any(isinstance(n, ast.Name) and n.id in own - {"np"} for n in ast.walk(node)):
                    fragments.add(text)
    return fragments


MODULES = sorted(GRADER.rglob("*.py"))
SCANNED = {path: literals_and_identifiers(path) for path in MODULES}


@pytest.mark.parametrize("assignment", list(COURSE.assignments.values()), ids=lambda a: a.name)
def test_no_string_or_identifier_in_the_grader_names_a_function_of_an_assignment(assignment):
    found = []
    for path, (strings, names) in SCANNED.items():
        for function in assignment.functions:
            word = re.compile(rf"(?<![\w.]){re.escape(function)}(?!\w)")
            found += [f"{path.relative_to(ROOT)}: {text!r}" for text in strings if word.search(text)]
            if function in names:
                found.append(f"{path.relative_to(ROOT)}: the identifier {function}")
    assert not found, "\n".join(found)


@pytest.mark.parametrize("assignment", list(COURSE.assignments.values()), ids=lambda a: a.name)
def test_no_string_in_the_grader_holds_a_formula_of_an_assignment(assignment):
    fragments = formula_fragments(assignment) | set(KNOWN_FORMULAS)
    assert len(fragments) > 10, "the scan must have formulas to look for"
    found = [f"{path.relative_to(ROOT)}: {fragment!r} in {text!r}" for path, (strings, _) in SCANNED.items()
             for text in strings for fragment in fragments if fragment in text]
    assert not found, "\n".join(found)


def test_the_scan_sees_what_it_must_and_leaves_docstrings_and_comments(tmp_path):
    module = tmp_path / "m.py"
    module.write_text('"""propagate in a docstring."""\n# sigmoid in a comment\n'
                      'def f(softmax):\n    """np.exp(z) in a docstring."""\n'
                      '    return f"{softmax} calls propagate", "np.dot(X, (A - Y).T)"\n', encoding="utf-8")
    strings, names = literals_and_identifiers(module)
    assert "softmax" in names and " calls propagate" in strings and "np.dot(X, (A - Y).T)" in strings
    assert not any("docstring" in s or "comment" in s for s in strings)
    logreg = COURSE.assignments["logreg"]
    assert "np.dot(X, (A - Y).T)" in formula_fragments(logreg) or "np.dot(X, (A - Y).T) / m" in formula_fragments(logreg)


# ------------------------------------------------------------------ the assignment's words


def test_every_configured_function_has_size_words_for_each_of_its_sizes():
    for assignment in COURSE.assignments.values():
        for spec in assignment.functions.values():
            missing = [s for s in spec.size_names if not spec.words.meaning(s)]
            assert not missing, (assignment.name, spec.name, missing)


def test_a_function_may_give_its_sizes_other_words_than_its_assignment():
    basics = COURSE.assignments["numpy_basics"]
    assert basics.functions["normalize_rows"].words.sizes == {"n": "rows", "m": "columns"}
    assert basics.functions["softmax"].words.sizes == {"m": "rows", "n": "columns"}
    assert once_per(basics.functions["softmax"], ["m"]) == "once for each of the m rows"
    assert once_per(COURSE.assignments["logreg"].functions["propagate"], ["m"]) == "once for each of the m examples"
    assert once_per(basics.functions["softmax"], ["m", "n"]) == "once per element (it grows with m and n)"
    plain = dataclasses.replace(basics.functions["softmax"], words=Words())
    assert once_per(plain, ["m"]) == "once for each unit of m" and sizes_named(plain, ["m", "n"]) == "m, n"
    assert sizes_named(basics.functions["softmax"], ["m", "n"]) == "m (rows), n (columns)"


def test_hints_follow_the_generic_fix_by_kind_then_by_check():
    spec = COURSE.assignments["numpy_basics"].functions["softmax"]
    assert with_hint("generic", spec, "vectorized", "sum").endswith(
        "; np.sum(..., axis=1, keepdims=True) sums every row in one call")
    assert "np.exp(x)" in with_hint("generic", spec, "vectorized", "elementwise")
    assert with_hint("generic", spec, "vectorized", "product") == "generic"   # no hint for that kind, none at all
    assert with_hint("generic", spec, "rank1", "local").startswith("generic; np.sum(")  # one text for every kind
    assert with_hint("generic", spec, "shapes", "rank1") == "generic"


def test_the_advice_for_hidden_cases_comes_from_the_public_sizes_only():
    spec = COURSE.assignments["logreg"].functions["propagate"]
    advice = hidden_advice(spec)
    assert "n = 1" not in advice or "public" in advice
    assert untried_sizes(spec) == ["n = 1", "m = 1", "n equal to m"]   # the public case is n=2, m=3
    assert "(n counts the features; m counts the examples)" in advice
    other_hidden = tuple(c if not c.hidden else dataclasses.replace(c, sizes={"n": 1, "m": 1})
                         for c in spec.cases)
    assert hidden_advice(dataclasses.replace(spec, cases=other_hidden)) == advice
    scalar = COURSE.assignments["numpy_basics"].functions["basic_sigmoid"]
    assert untried_sizes(scalar) == [] and "try other inputs of your own" in hidden_advice(scalar)


def test_a_docstring_line_names_an_output_for_hidden_shape_problems():
    assignment = COURSE.assignments["numpy_basics"]

    class Reference:
        source = parse_reference(assignment.solution, list(assignment.functions))

    assert documented(Reference, "normalize_rows", "x") == "x -- the row-normalized matrix, of shape (n, m)"
    assert documented(Reference, "normalize_rows", "y") == ""
    assert documented(None, "normalize_rows", "x") == ""
    logreg = COURSE.assignments["logreg"]

    class LogregReference:
        source = parse_reference(logreg.solution, list(logreg.functions))

    assert documented(LogregReference, "propagate", "grads['dw']").startswith("grads -- dictionary with the gradients")


def raw_config() -> dict:
    return yaml.safe_load((ROOT / "config.yaml").read_text(encoding="utf-8"))


def test_a_size_no_input_uses_is_a_config_error(tmp_path):
    raw = raw_config()
    raw["assignments"]["logreg"]["functions"]["sigmoid"]["sizes"] = {"k": "kernels"}
    with pytest.raises(ConfigError) as caught:
        parse_config(raw, ROOT / "config.yaml")
    assert "assignments.logreg.functions.sigmoid.sizes: no input uses the size(s) k" in str(caught.value)
    assert "Feedback words" in str(caught.value)
    raw = raw_config()
    raw["assignments"]["planar"]["sizes"]["q"] = "queries"
    with pytest.raises(ConfigError, match=r"assignments\.planar\.sizes: no input uses the size\(s\) q"):
        parse_config(raw, ROOT / "config.yaml")


def test_a_hint_for_a_kind_the_check_does_not_tell_apart_is_a_config_error():
    raw = raw_config()
    raw["assignments"]["logreg"]["functions"]["sigmoid"]["hints"] = {"vectorized": {"loops": "no"}}
    with pytest.raises(ConfigError) as caught:
        parse_config(raw, ROOT / "config.yaml")
    assert "sigmoid.hints.vectorized: unknown kind(s) of mistake loops" in str(caught.value)
    assert "sum, product, elementwise" in str(caught.value)
    raw = raw_config()
    raw["assignments"]["logreg"]["functions"]["sigmoid"]["hints"] = {"speed": "no"}
    with pytest.raises(ConfigError, match="unknown key 'speed'"):
        parse_config(raw, ROOT / "config.yaml")


def test_a_wrong_hint_points_to_the_feedback_words_section():
    from grader.config import section_hint

    for key in ("hidden", "shapes", "values"):
        path = ["assignments", "logreg", "functions", "sigmoid", "hints", key]
        assert section_hint(path) == 'see docs/config.md, section "Feedback words"', key
    raw = raw_config()
    raw["assignments"]["logreg"]["functions"]["sigmoid"]["hints"] = {"hidden": 3}
    with pytest.raises(ConfigError, match="Feedback words"):
        parse_config(raw, ROOT / "config.yaml")
