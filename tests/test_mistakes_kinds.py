"""Every kind of generated mistake model (grader/mistakes): which models a reference yields, what
each computes, and what its message says (names of the reference's code, never a formula)."""
from __future__ import annotations

import math
import textwrap

import numpy as np
import pytest

from grader.mistakes.models import KINDS, TEMPLATES, generated
from grader.reference import parse_reference

REFERENCE = textwrap.dedent('''
    import numpy as np


    def helper(a, scale=2.0, shift=0.0):
        return a * scale + shift


    def gradients(w, b, X, Y):
        m = X.shape[1]
        ### BEGIN SOLUTION
        A = 1 / (1 + np.exp(-(np.dot(w.T, X) + b)))
        cost = -np.sum(Y * np.log(A) + (1 - Y) * np.log(1 - A)) / m
        dw = np.dot(X, (A - Y).T) / m
        db = float(np.mean(A - Y))
        ### END SOLUTION
        return dw, db, cost


    def step(w, b, dw, db, learning_rate=0.1):
        ### BEGIN SOLUTION
        w = w - learning_rate * dw
        b = b - learning_rate * db
        ### END SOLUTION
        return w, b


    def rows(x):
        ### BEGIN SOLUTION
        norms = np.linalg.norm(x, ord=2, axis=1, keepdims=True)
        total = np.sum(x, axis=1, keepdims=True)
        ### END SOLUTION
        return x / norms, total


    def shapes(X, n):
        ### BEGIN SOLUTION
        w = np.zeros((n, 1))
        v = X.reshape(X.shape[0] * X.shape[1], 1)
        k = X.shape[0]
        c = 0.0
        s = np.squeeze(np.sum(X, keepdims=True))
        ### END SOLUTION
        return w, v, k, c, s


    def labels(A, threshold=0.5):
        ### BEGIN SOLUTION
        out = (A > threshold).astype(float)
        e = np.exp(A)
        ### END SOLUTION
        return out, e


    def train(X, iterations=5, scale=3.0):
        costs = []
        x = X
        for i in range(iterations):
            ### BEGIN SOLUTION
            x = helper(x, scale)
            ### END SOLUTION
            if i % 2 == 0:
                costs.append(float(np.sum(x)))
        return x, costs
''')


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    path = tmp_path_factory.mktemp("mistakes") / "ref.py"
    path.write_text(REFERENCE, encoding="utf-8")
    namespace: dict = {}
    exec(compile(REFERENCE, str(path), "exec"), namespace)
    return parse_reference(path, ["gradients", "step", "rows", "shapes", "labels", "train"]), namespace


def models(reference, function) -> dict:
    return {m.id: m for m in generated(reference[0], function)}


def run(reference, mistake, function, *args, **kwargs):
    """The model's output (run here: the test is trusted; the grader runs models in its worker)."""
    namespace = dict(reference[1], math=math)
    exec(compile(mistake.source, "<mistake>", "exec"), namespace)
    return namespace[function](*args, **kwargs)


def reference_output(reference, function, *args, **kwargs):
    return reference[1][function](*args, **kwargs)


RNG = np.random.default_rng(0)
W, B, X, Y = RNG.normal(size=(3, 1)), 0.3, RNG.normal(size=(3, 4)), (RNG.random((1, 4)) > 0.5).astype(float)


def test_every_kind_has_a_template_and_a_place_in_the_naming_order():
    kinds = {key.split("/")[0] for key in TEMPLATES}
    assert kinds == set(KINDS)


def test_sign_of_a_gradient_and_of_another_value(reference):
    found = models(reference, "gradients")
    dw, db, cost = reference_output(reference, "gradients", W, B, X, Y)
    out = run(reference, found["sign:dw"], "gradients", W, B, X, Y)
    assert np.allclose(out[0], -dw) and out[1] == db
    assert "dw has the opposite sign" in found["sign:dw"].message and "gradient" in found["sign:dw"].message
    assert np.isclose(run(reference, found["sign:cost"], "gradients", W, B, X, Y)[2], -cost)
    assert "cost has the wrong sign" in found["sign:cost"].message


def test_updates_flipped_one_by_one_and_all_at_once(reference):
    found = models(reference, "step")
    w, b = run(reference, found["update:w"], "step", W, B, W, 0.5)
    assert np.allclose(w, W + 0.1 * W) and np.isclose(b, B - 0.05)
    w, b = run(reference, found["update:all"], "step", W, B, W, 0.5)
    assert np.allclose(w, W + 0.1 * W) and np.isclose(b, B + 0.05)
    assert found["update:all"].message.startswith("the updates of w, b go the wrong way")


def test_a_division_by_a_size_dropped_doubled_and_a_mean_taken_as_a_sum(reference):
    found = models(reference, "gradients")
    dw = reference_output(reference, "gradients", W, B, X, Y)[0]
    assert np.allclose(run(reference, found["division:dw/m"], "gradients", W, B, X, Y)[0], dw * 4)
    assert np.allclose(run(reference, found["division:dw/m/m"], "gradients", W, B, X, Y)[0], dw / 4)
    assert found["division:dw/m"].message.startswith("dw is not divided by m: it comes out m times too large")
    db = reference_output(reference, "gradients", W, B, X, Y)[1]
    assert np.isclose(run(reference, found["division:db:mean"], "gradients", W, B, X, Y)[1], db * 4)
    assert "np.mean" in found["division:db:mean"].message


def test_a_comparison_that_includes_its_threshold(reference):
    found = models(reference, "labels")
    out, _ = run(reference, found["comparison:out:>="], "labels", np.array([[0.5, 0.7, 0.2]]))
    assert out.tolist() == [[1.0, 1.0, 0.0]]
    assert "compares with >= where > is meant" in found["comparison:out:>="].message
    assert "threshold" in found["comparison:out:>="].message


def test_a_reduction_over_the_other_axis_or_over_everything(reference):
    found = models(reference, "rows")
    x = RNG.normal(size=(3, 4))
    _, total = run(reference, found["axis:total:np.sum:0"], "rows", x)
    assert np.allclose(total, x.sum(axis=0, keepdims=True))
    _, total = run(reference, found["axis:total:np.sum:none"], "rows", x)
    assert np.allclose(total, x.sum())
    # a norm without its axis is the norm of all the entries (its ord=2 dropped too: not the spectral norm)
    normalized, _ = run(reference, found["axis:norms:np.linalg.norm:none"], "rows", x)
    assert np.allclose(normalized, x / np.sqrt((x ** 2).sum()))
    assert found["axis:total:np.sum:0"].message.startswith("total: np.sum runs over axis 0 where axis 1 is meant")


def test_keepdims_left_out(reference):
    found = models(reference, "rows")
    x = RNG.normal(size=(3, 4))
    _, total = run(reference, found["keepdims:total:np.sum"], "rows", x)
    assert total.shape == (3,)
    assert "keepdims=True" in found["keepdims:total:np.sum"].message


def test_a_rank1_shape_from_a_tuple_and_from_separate_dimensions(reference):
    found = models(reference, "shapes")
    w, v, *_ = run(reference, found["rank1:w"], "shapes", X, 3)
    assert w.shape == (3,)
    w, v, *_ = run(reference, found["rank1:v"], "shapes", X, 3)
    assert v.shape == (12,)
    assert "rank-1" in found["rank1:w"].message and "column" in found["rank1:w"].message
    # a result flattened (a reduction without keepdims written some other way, a ravel)
    rows = models(reference, "rows")
    _, total = run(reference, rows["rank1:total:flattened"], "rows", X)
    assert total.shape == (3,) and "flattened to one dimension" in rows["rank1:total:flattened"].message
    assert "rank1:k:flattened" not in found      # k = X.shape[0] holds no reduction or product


def test_transposed_operands_and_results(reference):
    found = models(reference, "gradients")
    with pytest.raises(ValueError):  # w (3, 1) against X (3, 4): the .T left out
        run(reference, found["transposed:A:w"], "gradients", W, B, X, Y)
    assert found["transposed:A:w"].message.startswith("A uses w where its transpose is meant")
    dw = run(reference, found["transposed:dw:result"], "gradients", W, B, X, Y)[0]
    assert dw.shape == (1, 3)
    assert "the second operand of the product" in found["transposed:dw:second"].message
    assert found["transposed:A:X.T"].message.startswith("A uses the transpose of X where X itself is meant")


def test_elementwise_for_matrix_product_and_back(reference):
    found = models(reference, "gradients")
    with pytest.raises(ValueError):
        run(reference, found["product:dw:*"], "gradients", W, B, X, Y)
    assert "element-wise product where a matrix product is meant" in found["product:dw:*"].message
    assert "matrix product where an element-wise product is meant" in found["product:cost:dot"].message


def test_squeeze_and_float_left_out(reference):
    shaped = models(reference, "shapes")
    assert np.shape(run(reference, shaped["squeeze:s:squeeze"], "shapes", X, 3)[4]) == (1, 1)
    found = models(reference, "gradients")
    assert isinstance(run(reference, found["squeeze:db:float"], "gradients", W, B, X, Y)[1], np.floating)


def test_the_other_shape_index(reference):
    found = models(reference, "shapes")
    assert run(reference, found["shape_index:k:X.shape[1]"], "shapes", X, 3)[2] == 4
    assert found["shape_index:k:X.shape[1]"].message.startswith("k reads X.shape[1] where X.shape[0] is meant")


def test_an_argument_ignored_for_its_default_own_and_passed_on(reference):
    own = models(reference, "step")["default:learning_rate"]
    w, _ = run(reference, own, "step", W, B, W, 0.5, learning_rate=0.7)
    assert np.allclose(w, W - 0.1 * W)
    assert own.message.startswith("step ignores its argument learning_rate: it always uses 0.1 (the default)")
    found = models(reference, "train")
    x, _ = run(reference, found["default:helper(scale)"], "train", np.ones((1, 1)), iterations=1, scale=5.0)
    assert x.tolist() == [[2.0]]            # helper's default scale 2.0, not the 5.0 passed
    assert "the call to helper leaves out scale" in found["default:helper(scale)"].message


def test_a_recording_condition_off_by_one_anywhere_in_the_function(reference):
    found = models(reference, "train")
    _, costs = run(reference, found["recording:i+1"], "train", np.ones((1, 1)), iterations=4, scale=2.0)
    assert costs == [4.0, 16.0]             # after iterations 1 and 3
    assert reference_output(reference, "train", np.ones((1, 1)), iterations=4, scale=2.0)[1] == [2.0, 8.0]
    assert "the condition i % 2 == 0 is off by one" in found["recording:i+1"].message
    _, costs = run(reference, found["recording:i-1"], "train", np.ones((1, 1)), iterations=4, scale=2.0)
    assert costs == [4.0, 16.0]


def test_swapped_arguments_and_a_shape_the_wrong_way_round(reference):
    found = models(reference, "shapes")
    w = run(reference, found["swapped:w:np.zeros:n<>1"], "shapes", X, 3)[0]
    assert w.shape == (1, 3)
    grads = models(reference, "gradients")
    assert "np.dot gets w.T and X in the wrong order" in grads["swapped:A:np.dot:w.T<>X"].message
    # arguments that are not names are not quoted
    assert "two arguments of np.dot are in the wrong order" in grads["swapped:dw:np.dot:0<>1"].message


def test_a_factor_or_a_term_left_out_named_only_when_it_is_a_name(reference):
    found = models(reference, "gradients")
    assert "A leaves out the bias b" in found["term:A:b"].message
    unnamed = [m for i, m in found.items() if i.startswith("factor:cost:") and "second factor" in m.message]
    assert unnamed and all("np.log" not in m.message for m in unnamed)
    step = models(reference, "step")
    assert step["term:b:right"].message.startswith("b is not updated")
    assert step["factor:w:learning_rate"].message.startswith("w is missing the factor learning_rate")


def test_a_minus_sign_left_out_and_math_for_numpy(reference):
    found = models(reference, "gradients")
    assert "minus sign" in found["minus:A"].message
    labels = models(reference, "labels")
    with pytest.raises(TypeError):
        run(reference, labels["math:e:exp"], "labels", np.array([[0.5, 0.7]]))
    assert "math.exp, which takes a single number: use np.exp" in labels["math:e:exp"].message


def test_an_int_for_a_whole_float(reference):
    found = models(reference, "shapes")
    c = run(reference, found["int_literal:c"], "shapes", X, 3)[3]
    assert c == 0 and type(c) is int
    assert "write 0.0" in found["int_literal:c"].message


def test_float32_is_one_model_per_function(reference):
    found = models(reference, "gradients")
    assert found["float32"].float32 and "float32" in found["float32"].message


def test_only_the_solution_regions_are_changed(reference):
    found = models(reference, "gradients")
    # m = X.shape[1] is given code (outside the region): no shape_index model changes it
    assert not any(i.startswith("shape_index:m") for i in found)
    assert all("m = X.shape[1]" in m.source for m in found.values() if m.source)


def test_ignored_kinds_and_ids_are_left_out(reference):
    found = {m.id for m in generated(reference[0], "gradients", ignore=("term", "sign:dw", "float32"))}
    assert not any(i.startswith("term:") for i in found) and "sign:dw" not in found and "float32" not in found
    assert "sign:db" in found


def test_models_are_distinct_and_never_the_reference(reference):
    for function in ("gradients", "step", "rows", "shapes", "labels", "train"):
        found = generated(reference[0], function)
        sources = [m.source for m in found if m.source]
        assert len(sources) == len(set(sources))
        assert len({m.id for m in found}) == len(found)
