"""Make the inputs of each case from its spec: seeded, deterministic, plain data.

A seeded case draws every argument from ``numpy.random.default_rng(seed)`` in the
order the inputs are listed in config.yaml (a dict input's fields in their order, one after
the other), so the same config gives the same inputs on every machine and every run.
Explicit (edge) cases turn their literal YAML values into arrays (lists, also inside dicts,
with the dtype of the field they are given for) or Python scalars.
"""
from __future__ import annotations

import numpy as np

from grader.config import CaseSpec, FunctionSpec, InputSpec
from grader.outcomes import Case


def make_cases(spec: FunctionSpec, *, hidden: bool | None = None) -> list[Case]:
    """The function's cases (public first, then hidden); ``hidden`` filters one group."""
    return [make_case(spec, case) for case in spec.cases if hidden is None or case.hidden == hidden]


def make_case(spec: FunctionSpec, case: CaseSpec) -> Case:
    if case.args is not None:
        args = tuple(literal(case.args[name], spec.inputs[name]) for name in spec.inputs)
    else:
        args = make_args(spec, case.sizes, case.seed)
    return Case(function=spec.name, name=case.name, hidden=case.hidden, args=args,
                kwargs=dict(case.kwargs), sizes=dict(case.sizes), np_seed=case.np_seed)


def make_args(spec: FunctionSpec, sizes: dict, seed: int) -> tuple:
    """Draw every input of ``spec`` at these sizes; used by cases and by checks' probes."""
    rng = np.random.default_rng(seed)
    return tuple(draw(rng, inp, sizes) for inp in spec.inputs.values())


def draw(rng: np.random.Generator, inp: InputSpec, sizes: dict):
    if inp.has_value:
        return literal(inp.value, inp)
    if inp.fields:
        return {field.name: draw(rng, field, sizes) for field in inp.fields}
    if inp.size is not None:
        return int(sizes[inp.size])
    shape = tuple(sizes[d] if isinstance(d, str) else int(d) for d in inp.shape)
    if inp.dist == "normal":
        value = inp.loc + inp.scale * rng.standard_normal(shape)
    elif inp.dist == "uniform":
        value = rng.uniform(inp.low, inp.high, shape)
    elif inp.dist == "bernoulli":
        value = (rng.random(shape) < inp.p).astype(np.float64)
    elif inp.dist == "zeros":
        value = np.zeros(shape)
    elif inp.dist == "ones":
        value = np.ones(shape)
    elif inp.dist == "randint":
        value = rng.integers(int(inp.low), int(inp.high), shape)
    else:  # the schema allows only the names above
        raise ValueError(f"unknown distribution {inp.dist!r}")
    return _as(np.asarray(value).astype(inp.dtype, copy=False), inp)


def literal(value, inp: InputSpec):
    """A YAML literal as the function receives it: lists become arrays of the input's dtype;
    in a dict, each entry is made by the spec of its field (or, without fields, as the dict's)."""
    if isinstance(value, dict):
        return {key: literal(item, inp.field(key) or inp) for key, item in value.items()}
    if isinstance(value, list):
        return np.array(value, dtype=inp.dtype)
    if inp.as_ == "float":
        return float(value)
    if inp.as_ == "int":
        return int(value)
    return value


def _as(value: np.ndarray, inp: InputSpec):
    if inp.as_ == "float":
        return float(value)
    if inp.as_ == "int":
        return int(value)
    return value
