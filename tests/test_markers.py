"""Solution markers: finding regions, making stubs, and the instructor's errors."""
import ast
import textwrap
from pathlib import Path

import pytest

from grader.errors import SolutionError
from grader.markers import find_regions, make_stub, solution_lines

ROOT = Path(__file__).resolve().parents[1]


def src(text: str) -> str:
    return textwrap.dedent(text).lstrip("\n")


def test_nbgrader_block_becomes_stub_at_its_indentation():
    source = src('''
        import numpy as np


        def f(x):
            """Doc."""
            y = x + 1
            ### BEGIN SOLUTION
            z = np.exp(y)
            z = z * 2
            ### END SOLUTION
            return z
        ''')
    assert make_stub(source, "f.py") == src('''
        import numpy as np


        def f(x):
            """Doc."""
            y = x + 1
            # YOUR CODE HERE
            raise NotImplementedError()
            return z
        ''')


def test_otter_markers_and_nested_indentation():
    source = src('''
        def g(xs):
            total = 0
            for x in xs:
                # BEGIN SOLUTION
                total += x
                # END SOLUTION
            return total
        ''')
    stub = make_stub(source, "g.py")
    assert "        # YOUR CODE HERE\n        raise NotImplementedError()\n    return total\n" in stub
    assert "total += x" not in stub
    [region] = find_regions(source, "g.py")
    assert (region.kind, region.function, region.solution) == ("block", "g", ("        total += x",))


def test_trailing_solution_marker_consecutive_lines_form_one_region():
    source = src('''
        def h(a, b):
            c = a * b  # SOLUTION
            d = c + 1  # SOLUTION
            e = 3
            f = e - a  # SOLUTION
            return d + f
        ''')
    regions = find_regions(source, "h.py")
    assert [(r.kind, r.start, r.end) for r in regions] == [("inline", 2, 3), ("inline", 5, 5)]
    stub = make_stub(source, "h.py")
    assert stub == src('''
        def h(a, b):
            # YOUR CODE HERE
            raise NotImplementedError()
            e = 3
            # YOUR CODE HERE
            raise NotImplementedError()
            return d + f
        ''')


def test_markers_inside_strings_are_text_and_end_after_return_belongs_to_function():
    source = src('''
        """Mentions ### BEGIN SOLUTION in prose only."""


        def k():
            text = "# SOLUTION"
            ### BEGIN SOLUTION
            return 1
            ### END SOLUTION
        ''')
    [region] = find_regions(source, "k.py")
    assert (region.start, region.end, region.function) == (6, 8, "k")
    assert 'text = "# SOLUTION"' in make_stub(source, "k.py")


def test_region_in_a_method_uses_the_innermost_function():
    source = src('''
        class A:
            def m(self):
                def inner():
                    ### BEGIN SOLUTION
                    return 2
                    ### END SOLUTION
                return inner()
        ''')
    [region] = find_regions(source, "a.py")
    assert region.function == "inner" and region.indent == " " * 12
    ast.parse(make_stub(source, "a.py"))


def test_reference_solution_stub_keeps_signatures_and_drops_every_solution_line():
    path = ROOT / "solutions" / "logreg" / "logreg.py"
    source = path.read_text()
    stub = make_stub(source, path)
    ref_defs = {n.name: ast.unparse(n.args) for n in ast.parse(source).body if isinstance(n, ast.FunctionDef)}
    stub_defs = {n.name: ast.unparse(n.args) for n in ast.parse(stub).body if isinstance(n, ast.FunctionDef)}
    assert stub_defs == ref_defs
    stub_lines = {line.strip() for line in stub.splitlines()}
    leaked = [line for line in solution_lines(source, path) if line.strip() and line.strip() in stub_lines]
    assert leaked == []
    assert stub.count("raise NotImplementedError()") == len(find_regions(source, path)) == 7


@pytest.mark.parametrize("source, line, words", [
    ("def f():\n    ### BEGIN SOLUTION\n    x = 1\n    return x\n", 2, "never closed"),
    ("def f():\n    ### BEGIN SOLUTION\n    ### BEGIN SOLUTION\n    x = 1\n    ### END SOLUTION\n", 3, "nested"),
    ("def f():\n    x = 1\n    ### END SOLUTION\n    return x\n", 3, "without a BEGIN"),
    ("### BEGIN SOLUTION\nX = 1\n### END SOLUTION\n\ndef f():\n    return X\n", 1, "outside a function"),
    ("def f():\n    ### BEGIN SOLUTION\n    x = 1  # SOLUTION\n    ### END SOLUTION\n", 3, "nested"),
    ("def f():\n    x = 1\n    ### BEGIN SOLUTION\n    return x\n\n\ny = 2\n### END SOLUTION\n", 3, "outside a function"),
    ("def f():\n    x = 1\n    # SOLUTION\n    return x\n", 3, "must end a line of code"),
    ("X = 3  # SOLUTION\n", 1, "outside a function"),
])
def test_malformed_regions_name_file_line_and_fix(source, line, words):
    with pytest.raises(SolutionError) as info:
        find_regions(source, "solutions/demo/demo.py")
    message = str(info.value)
    assert message.startswith("solutions/demo/demo.py: ")
    assert f"line {line}" in message
    assert words in message
    assert "how to fix:" in message


def test_region_cutting_a_statement_in_half_is_reported():
    source = src('''
        def f(a):
            y = max(a,
                    ### BEGIN SOLUTION
                    3)
                    ### END SOLUTION
            return y
        ''')
    with pytest.raises(SolutionError, match="not valid Python"):
        make_stub(source, "f.py")
