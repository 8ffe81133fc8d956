"""Indented JSON text, exactly as ``json.dumps(value, indent=N, ...)`` writes it, faster.

An ``indent`` makes the standard library fall back from its C encoder to its pure-Python
one (a generator per container, several calls per value), which made writing each
student's results.json and cache entry cost more than rendering them. Here containers are
walked by one plain recursive function, and every leaf is encoded by the same functions
``json`` uses (its C string encoders, ``float.__repr__``), so the text is the same byte for
byte. Anything outside plain JSON data (a subclass, a non-string key, a cycle) is left to
``json.dumps`` itself: the same text, or the same error, as before.
"""
from __future__ import annotations

import dataclasses
import json
from json import encoder

_SPECIAL_FLOATS = {"nan": "NaN", "inf": "Infinity", "-inf": "-Infinity"}   # json's words for them


class _Unusual(Exception):
    """A value this encoder leaves to ``json.dumps``."""


def dumps(value, *, indent: int, sort_keys: bool = False, ensure_ascii: bool = True,
          as_dicts: bool = False) -> str:
    """``json.dumps(value, indent=indent, sort_keys=sort_keys, ensure_ascii=ensure_ascii)``;
    ``as_dicts``: dataclass instances are written as ``dataclasses.asdict`` makes them, without
    copying them first."""
    string = encoder.encode_basestring_ascii if ensure_ascii else encoder.encode_basestring
    leaves = {str: string, int: int.__repr__, float: _float, bool: _bool, type(None): _null}
    step = " " * indent

    def encode(value, parts: list, newline: str) -> None:
        """Appends ``value``'s text to ``parts``; ``newline``: a line break and the current indentation."""
        kind = type(value)
        if kind is dict:
            items = sorted(value.items()) if sort_keys else value.items()
            opening, closing = "{", "}"
        elif kind is list or kind is tuple:
            items, opening, closing = value, "[", "]"
        elif as_dicts and hasattr(kind, "__dataclass_fields__") and not isinstance(value, type):
            return encode({field.name: getattr(value, field.name) for field in dataclasses.fields(value)},
                          parts, newline)
        else:
            raise _Unusual
        if not value:
            parts.append(opening + closing)
            return
        inner = newline + step
        separator = opening + inner
        for item in items:
            if kind is dict:
                key, item = item
                if type(key) is not str:
                    raise _Unusual
                head = separator + string(key) + ": "
            else:
                head = separator
            leaf = leaves.get(type(item))
            if leaf is not None:
                parts.append(head + leaf(item))
            else:
                parts.append(head)
                encode(item, parts, inner)
            separator = "," + inner
        parts.append(newline + closing)

    parts: list = []
    try:
        leaf = leaves.get(type(value))
        if leaf is not None:
            return leaf(value)
        encode(value, parts, "\n")
    except (_Unusual, RecursionError, TypeError):
        return json.dumps(value, indent=indent, sort_keys=sort_keys, ensure_ascii=ensure_ascii,
                          default=_asdict if as_dicts else None)
    return "".join(parts)


def _asdict(value) -> dict:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.asdict(value)
    raise TypeError(f"Object of type {value.__class__.__name__} is not JSON serializable")


def _float(value: float) -> str:
    text = float.__repr__(value)
    return _SPECIAL_FLOATS.get(text, text)


def _bool(value: bool) -> str:
    return "true" if value else "false"


def _null(value) -> str:
    return "null"
