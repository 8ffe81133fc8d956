"""An assignment's own words for its feedback, from ``config.yaml``: what sizes count, and hints.

The checks' texts are generic: they name no function and no formula of any assignment. What a
student reads about *this* assignment comes from here (and from the reference's docstrings):

- ``sizes: {m: examples, n: features}`` (per assignment, and per function to add or override):
  what each named size counts, in the plural. A message that says what a loop runs over, or
  which sizes the public cases leave untried, uses these words ("runs once for each of the m
  examples"); without them it names the size alone.
- ``hints:`` (per function): the assignment's own advice, added to a check's generic fix. A
  string for every finding of a check (``vectorized: "..."``), or a mapping from the kinds of
  mistake the check tells apart (``Check.hint_kinds``) to a string (``shapes: {dtype: "..."}``);
  ``hidden: "..."`` says what to try when hidden cases fail while the public ones pass.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from grader.errors import ConfigError

HIDDEN = "hidden"       # the hints key for advice on failed hidden cases
EVERY = ""              # the kind under which a check's hint for every finding is kept
_TEXT = {"type": "string", "minLength": 1}
_SIZES = {"type": "object", "propertyNames": {"pattern": r"^[A-Za-z_]\w*$"}, "additionalProperties": _TEXT}


def words_schema(check_names, level: str = "function") -> dict:
    """The schema of the keys this module reads: ``sizes`` (both levels) and ``hints`` (functions)."""
    if level == "assignment":
        return {"sizes": _SIZES}
    per_check = {"oneOf": [_TEXT, {"type": "object", "minProperties": 1, "additionalProperties": _TEXT}]}
    hints = {"type": "object", "additionalProperties": False,
             "properties": {HIDDEN: _TEXT, **{name: per_check for name in check_names}}}
    return {"sizes": _SIZES, "hints": hints}


@dataclass(frozen=True)
class Words:
    """One function's words: ``sizes`` size -> what it counts; ``hints`` check (or "hidden") ->
    {kind: text}, the kind "" holding the hint for every finding of that check."""

    sizes: dict = field(default_factory=dict)
    hints: dict = field(default_factory=dict)

    def meaning(self, size: str) -> str:
        return self.sizes.get(size, "")

    def hint(self, check: str, kind: str = EVERY) -> str:
        """The most specific hint for a finding of ``check`` of this ``kind`` ("" when none)."""
        given = self.hints.get(check, {})
        return given.get(kind) or given.get(EVERY, "")


def function_words(data: dict, assignment: dict, inputs: dict, checks: dict, key: str, path, section_hint) -> Words:
    """A function's :class:`Words` from its config entry ``data`` and its assignment's ``assignment``
    (both validated by the schema); ``inputs``: its InputSpecs. Raises ConfigError naming the key and
    the section of the configuration reference (``section_hint(key_path)``)."""
    hint = section_hint(["hints"])
    owner = key.rsplit(".functions.", 1)[0]
    everywhere = {s for f in assignment["functions"].values() for spec in f["inputs"].values()
                  for s in [*(d for d in spec.get("shape", ()) if isinstance(d, str)), spec.get("size")] if s}
    own = {s for spec in inputs.values() for s in spec.size_names}
    for where, given, used in ((f"{owner}.sizes", assignment.get("sizes", {}), everywhere),
                               (f"{key}.sizes", data.get("sizes", {}), own)):
        unknown = sorted(set(given) - used)
        if unknown:
            raise ConfigError(f"{where}: no input uses the size(s) {', '.join(unknown)}", path=path,
                              hint=f"name the sizes the inputs' shapes use: {', '.join(sorted(used)) or 'none'} "
                                   f"({hint})")
    sizes = {s: text for s, text in {**assignment.get("sizes", {}), **data.get("sizes", {})}.items() if s in own}
    hints = {}
    for check, given in (data.get("hints") or {}).items():
        if isinstance(given, str):
            hints[check] = {EVERY: given}
            continue
        allowed = () if check == HIDDEN else checks[check].hint_kinds
        unknown = sorted(set(given) - set(allowed))
        if unknown:
            raise ConfigError(f"{key}.hints.{check}: unknown kind(s) of mistake {', '.join(unknown)}", path=path,
                              hint=f"the {check} check tells apart: {', '.join(allowed) or 'no kinds'}; or give one "
                                   f"string for all its findings ({hint})")
        hints[check] = dict(given)
    return Words(sizes=sizes, hints=hints)
