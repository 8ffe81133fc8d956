"""The JSON schema of ``config.yaml``: structure and types (``grader.config`` validates with it).

Cross-field rules the schema cannot express (a case gives every size its inputs use, an edge
case's literal dict has the configured fields, a file exists...) live in ``grader.config``.
"""
from __future__ import annotations

import hashlib
import json
import os
from importlib.util import find_spec
from pathlib import Path

from grader.versions import CURRENT, TYPE_KINDS
from grader.wording import words_schema

ATTRIBUTIONS = ("reference", "as_submitted")
DISTRIBUTIONS = ("normal", "uniform", "bernoulli", "zeros", "ones", "randint")
SCALAR_TYPES = ("float", "int", "array")

_NUMBER = {"type": "number"}
# An earlier version of the assignment's notebook that students may submit (grader/versions.py).
_VERSION = {
    "type": "object",
    "additionalProperties": False,
    "required": ["title", "template"],
    "properties": {
        "title": {"type": "string", "minLength": 1},
        "template": {"type": "string"},
        "clues": {"type": "array", "items": {"type": "string", "minLength": 4}},
        # graded function -> the name this version gave it (normalize_rows: normalizeRows)
        "names": {"type": "object", "additionalProperties": {"type": "string", "pattern": r"^[A-Za-z_]\w*$"}},
        "types": {"type": "object", "additionalProperties": {
            "type": "object", "minProperties": 1, "additionalProperties": {"enum": list(TYPE_KINDS)}}},
        # graded function -> {a parameter only this version's def line has -> the input it is given}
        "arguments": {"type": "object", "additionalProperties": {
            "type": "object", "minProperties": 1, "additionalProperties": {"$ref": "#/$defs/input"}}},
    },
}
_VERSIONS = {"type": "object", "additionalProperties": _VERSION,
             "propertyNames": {"pattern": r"^[A-Za-z0-9_][\w.-]*$", "not": {"const": CURRENT}}}
_SIZE = {"oneOf": [{"type": "integer", "minimum": 0}, {"type": "string", "pattern": r"^[A-Za-z_]\w*$"}]}

_LIMITS = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "call_seconds": {"type": "number", "exclusiveMinimum": 0},
        "submission_seconds": {"type": "number", "exclusiveMinimum": 0},
        "cpu_seconds": {"type": "integer", "minimum": 1},
        "memory_mib": {"type": "integer", "minimum": 256},
        "output_kib": {"type": "integer", "minimum": 1},
        "file_size_mib": {"type": "integer", "minimum": 1},
        "open_files": {"type": "integer", "minimum": 16},
        "value_mib": {"type": "integer", "minimum": 1},
        "submission_mib": {"type": "integer", "minimum": 1},
    },
}
_TOLERANCE = {
    "type": "object",
    "additionalProperties": False,
    "properties": {"rtol": {"type": "number", "minimum": 0}, "atol": {"type": "number", "minimum": 0}},
}
_INPUT = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "dist": {"enum": list(DISTRIBUTIONS)},
        "shape": {"type": "array", "items": _SIZE},
        "scale": _NUMBER,
        "loc": _NUMBER,
        "low": _NUMBER,
        "high": _NUMBER,
        "p": {"type": "number", "minimum": 0, "maximum": 1},
        "dtype": {"enum": ["float64", "float32", "int64", "bool"]},
        "as": {"enum": list(SCALAR_TYPES)},
        "size": {"type": "string"},
        "value": {},
        # A dict whose entries are inputs themselves (recursively), drawn in the order listed.
        "fields": {"type": "object", "minProperties": 1, "additionalProperties": {"$ref": "#/$defs/input"}},
    },
    "oneOf": [{"required": ["dist", "shape"]}, {"required": ["size"]}, {"required": ["value"]},
              {"required": ["fields"]}],
}
# numpy's legacy global RandomState accepts seeds 0 .. 2**32 - 1.
_NP_SEED = {"type": "integer", "minimum": 0, "maximum": 2**32 - 1}
_KWARGS = {"type": "object", "propertyNames": {"pattern": r"^[A-Za-z_]\w*$"}}
_SEEDED_CASE = {
    "type": "object",
    "additionalProperties": False,
    "required": ["seed", "sizes"],
    "properties": {
        "name": {"type": "string"},
        "seed": {"type": "integer", "minimum": 0},
        "sizes": {"type": "object", "additionalProperties": {"type": "integer", "minimum": 1}},
        "kwargs": _KWARGS,
        "np_seed": _NP_SEED,
    },
}
_EDGE_CASE = {
    "type": "object",
    "additionalProperties": False,
    "required": ["name", "args"],
    "properties": {
        "name": {"type": "string"},
        "hidden": {"type": "boolean"},
        "args": {"type": "object"},
        "kwargs": _KWARGS,
        "np_seed": _NP_SEED,
    },
}


# Which mistake models name a failed function's mistake (grader/mistakes): the generated ones
# unless switched off or ignored (by kind, e.g. "factor", or id, e.g. "sign:dw"), and declared ones.
_MISTAKES = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "generated": {"type": "boolean"},
        "ignore": {"type": "array", "items": {"type": "string", "minLength": 1}},
        "declared": {
            "type": "object",
            "propertyNames": {"pattern": r"^[A-Za-z_][\w:.-]*$"},
            "additionalProperties": {
                "type": "object",
                "additionalProperties": False,
                "required": ["message", "replace"],
                "properties": {
                    "message": {"type": "string", "minLength": 1},
                    "replace": {"type": "object", "minProperties": 1, "additionalProperties": {"type": "string"}},
                },
            },
        },
    },
}


def _function_schema(check_names: list[str]) -> dict:
    return {
        "type": "object",
        "additionalProperties": False,
        "required": ["points", "inputs"],
        "properties": {
            "points": {
                "type": "object",
                "additionalProperties": False,
                "properties": {name: {"type": "number", "minimum": 0} for name in check_names},
            },
            "inputs": {"type": "object", "additionalProperties": {"$ref": "#/$defs/input"}},
            "public": {"type": "array", "items": _SEEDED_CASE},
            "hidden": {"type": "array", "items": _SEEDED_CASE},
            "edge": {"type": "array", "items": _EDGE_CASE},
            "tolerance": _TOLERANCE,
            "timeout_seconds": {"type": "number", "exclusiveMinimum": 0},
            # Seeds numpy's global RandomState right before every call of every case (a case's
            # own np_seed wins): for code that draws with np.random.randn and friends.
            "np_seed": _NP_SEED,
            # Per-check options; each check validates its own (see grader/checks/).
            "checks": {
                "type": "object",
                "additionalProperties": False,
                "properties": {name: {"type": "object"} for name in check_names},
            },
            "mistakes": _MISTAKES,
            **words_schema(check_names),  # sizes: what each counts; hints: the assignment's advice
        },
    }


def schema(check_names: list[str]) -> dict:
    assignment = {
        "type": "object",
        "additionalProperties": False,
        "required": ["title", "solution", "functions"],
        "properties": {
            "title": {"type": "string"},
            "solution": {"type": "string"},
            "notebook": {"type": "string"},
            "extra_files": {"type": "array", "items": {"type": "string"}},
            "hidden_tests": {"type": "array", "items": {"type": "string"}},
            "examples": {"type": "string"},
            "attribution": {"enum": list(ATTRIBUTIONS)},
            "similarity": {
                "type": "object",
                "additionalProperties": False,
                "properties": {"threshold": {"type": "number", "minimum": 0, "maximum": 1}},
            },
            "versions": _VERSIONS,
            "limits": _LIMITS,
            "tolerance": _TOLERANCE,
            **words_schema(check_names, "assignment"),
            "functions": {
                "type": "object",
                "minProperties": 1,
                "additionalProperties": _function_schema(check_names),
            },
        },
    }
    return {
        "$defs": {"input": _INPUT},
        "type": "object",
        "additionalProperties": False,
        "required": ["course", "assignments"],
        "properties": {
            "course": {
                "type": "object",
                "additionalProperties": False,
                "required": ["name"],
                "properties": {
                    "name": {"type": "string"},
                    "defaults": {
                        "type": "object",
                        "additionalProperties": False,
                        "properties": {"limits": _LIMITS, "tolerance": _TOLERANCE},
                    },
                },
            },
            "assignments": {
                "type": "object",
                "minProperties": 1,
                "propertyNames": {"pattern": r"^[A-Za-z_][\w-]*$"},
                "additionalProperties": assignment,
            },
        },
    }


# Marks of the configuration texts found valid, under the course folder (build/ is the course's
# own work folder, never graded or shipped to students).
VALID_MARKS = Path("build") / ".cache" / "valid-config"


def validity_mark(text: str, schema: dict, folder: Path) -> Path:
    """Where a mark says that ``text`` (a config.yaml) is valid against ``schema``. Importing
    jsonschema and running it is about half of loading the course's config.yaml, and a course
    grades many batches with one config. The mark is named by a digest of the text, the schema
    and the installed jsonschema: another text, another schema (a check added) or another
    jsonschema is validated again. Only a valid text is ever marked, so every error comes from
    jsonschema as before."""
    digest = hashlib.sha256()
    for part in (text, json.dumps(schema, sort_keys=True), _jsonschema_identity()):
        digest.update(hashlib.sha256(part.encode("utf-8", "surrogatepass")).digest())
    return Path(folder) / VALID_MARKS / digest.hexdigest()


def remember_valid(mark: Path | None) -> None:
    if mark is None:
        return
    try:
        mark.parent.mkdir(parents=True, exist_ok=True)
        mark.touch()
    except OSError:
        pass   # a read-only course folder: its config is validated at every load, as it always was


def _jsonschema_identity() -> str:
    """The installed jsonschema's package file, its size and time (found without importing it)."""
    spec = find_spec("jsonschema")
    if spec is None or not spec.origin:
        return ""
    try:
        stat = os.stat(spec.origin)
    except OSError:
        return spec.origin
    return f"{spec.origin}:{stat.st_size}:{stat.st_mtime_ns}"
