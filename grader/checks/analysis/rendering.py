"""Public cases' inputs and outputs as text the student can read (and paste)."""
from __future__ import annotations

from grader.checks.analysis.compare import preview


def render_inputs(spec, case) -> str:
    """The arguments of a public case, as the student would write the call."""
    parts = [f"{name} = {render(value)}" for name, value in zip(spec.inputs, case.args)]
    parts += [f"{name} = {value!r}" for name, value in case.kwargs.items()]
    return "\n".join(parts)


def render(value, output_names=None) -> str:
    """A readable, deterministic text of a public output."""
    if isinstance(value, tuple) and output_names and len(output_names) == len(value):
        return "\n".join(f"{name} = {render(v)}" for name, v in zip(output_names, value))
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k!r}: {render(v)}" for k, v in value.items()) + "}"
    if isinstance(value, (list, tuple)):
        inner = ", ".join(render(v) for v in value)
        return f"[{inner}]" if isinstance(value, list) else f"({inner})"
    return preview(value)
