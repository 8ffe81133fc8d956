"""Near-identical graded code between submissions: ``OUT/similarity.csv``.

Each student's graded functions (as the loader finds them: the code that was graded, nothing
else of the notebook) become a token stream read off their syntax tree, so comments,
docstrings, blank lines and formatting never count, and names are replaced by their order of
first use in the function (``s = 1 / (1 + np.exp(-z))`` and ``out = 1 / (1 + np.exp(-x))``
are the same stream). Attribute names (``np.dot`` vs ``w.T @ X``) and numbers stay. The
stream's k-grams are hashed and winnowed (Schleimer, Wilkerson and Aiken, "Winnowing: local
algorithms for document fingerprinting", 2003: the scheme MOSS uses) into a set of
fingerprints; the template's own code (the stub students start from) is fingerprinted the
same way and removed, so it never counts.

Two students' similarity is the Jaccard index of their fingerprint sets; pairs at or above the
assignment's ``similarity.threshold`` (config.yaml, default 0.9) are listed with the
functions that are near-identical on their own. Short code says little (every correct
``sigmoid`` is one line), so a submission with fewer than :data:`MIN_FINGERPRINTS`
fingerprints of its own is never paired. Fingerprints are cached per submission under
``OUT/.cache/fingerprints/`` with the grading cache's key. A listed pair is a reason to
look, not a verdict: the report says so.
"""
from __future__ import annotations

import ast
import csv
import hashlib
import io
import json
from dataclasses import dataclass
from pathlib import Path

from grader import syntax
from grader.layout import CACHE, SIMILARITY
from grader.markers import make_stub
from grader.reference import parse_reference
from grader.report.files import atomic_write, make_folder
from grader.submission import load_submission

K = 5                 # tokens per k-gram: a statement like `A = sigmoid(np.dot(w.T, X) + b)` is ~15
WINDOW = 4            # winnowing window: any run of WINDOW + K - 1 shared tokens is always caught
MIN_FINGERPRINTS = 12  # below this, a submission's own code is too short to say anything
MIN_FUNCTION = 4      # a function is listed as shared only with at least this many fingerprints
COLUMNS = ("student_a", "student_b", "similarity", "functions")
FOLDER = "fingerprints"


@dataclass(frozen=True)
class Pair:
    student_a: str
    student_b: str
    similarity: float
    functions: tuple


def tokens(source: str) -> list:
    """The normalised token stream of one function's source ([] when it does not parse)."""
    try:
        tree = syntax.parse(source)
    except (SyntaxError, ValueError):
        return []
    names: dict = {}
    out: list = []
    _walk(tree, names, out)
    return out


def _walk(node: ast.AST, names: dict, out: list) -> None:
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
        out.append(type(node).__name__)
        body = node.body
        if body and isinstance(body[0], ast.Expr) and isinstance(getattr(body[0], "value", None), ast.Constant) \
                and isinstance(body[0].value.value, str):
            body = body[1:]  # the docstring: the template's words, or the student's prose
        for child in [node.args, *node.decorator_list, *body] + ([node.returns] if node.returns else []):
            _walk(child, names, out)
        return
    if isinstance(node, (ast.expr_context,)):
        return
    if isinstance(node, ast.Name):
        out.append(_name(node.id, names))
        return
    if isinstance(node, ast.arg):
        out.append(_name(node.arg, names))
        return
    if isinstance(node, ast.Constant):
        value = node.value
        out.append("S" if isinstance(value, (str, bytes)) else repr(value))
        return
    out.append(type(node).__name__)
    if isinstance(node, ast.Attribute):
        out.append("." + node.attr)
    for child in ast.iter_child_nodes(node):
        _walk(child, names, out)


def _name(name: str, names: dict) -> str:
    return names.setdefault(name, f"V{len(names)}")


def fingerprints(stream: list) -> set:
    """The winnowed hashes of the stream's k-grams (a stream shorter than K is one k-gram)."""
    if not stream:
        return set()
    grams = [" ".join(stream[i:i + K]) for i in range(max(1, len(stream) - K + 1))]
    hashes = [int.from_bytes(hashlib.blake2b(g.encode(), digest_size=8).digest(), "big") for g in grams]
    if len(hashes) <= WINDOW:
        return {min(hashes)}
    chosen = set()
    for start in range(len(hashes) - WINDOW + 1):
        window = hashes[start:start + WINDOW]
        low = min(window)
        chosen.add(low)
    return chosen


def template_fingerprints(assignment) -> dict:
    """function -> fingerprints of the stub students start from."""
    stub = make_stub(Path(assignment.solution).read_text(encoding="utf-8"), assignment.solution)
    tree = syntax.parse(stub)
    found = {}
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name in assignment.functions:
            found[node.name] = fingerprints(tokens(ast.get_source_segment(stub, node) or ""))
    return found


def submission_fingerprints(assignment, path: Path, template: dict, reference=None) -> dict:
    """function -> fingerprints of the student's graded code, the template's removed.
    ``reference``: the solution as ``parse_reference(assignment.solution, ())`` reads it, which
    the loader would otherwise parse again for every submission."""
    submission = load_submission(path, assignment, reference)
    prints = {}
    for name, function in (submission.functions or {}).items():
        if name in assignment.functions and function is not None:
            own = fingerprints(tokens(function.source)) - template.get(name, set())
            if own:
                prints[name] = own
    return prints


def pairs(prints: dict, threshold: float) -> list:
    """Every pair of students at or above ``threshold``, most similar first."""
    vocabulary: dict = {}
    masks = {}
    for student, functions in prints.items():
        every = set().union(*functions.values()) if functions else set()
        if len(every) < MIN_FINGERPRINTS:
            continue
        # A bit per fingerprint: a pair's overlap is then two operations on ints.
        bits = [vocabulary.setdefault(value, len(vocabulary)) for value in sorted(every)]
        mask = bytearray(max(bits) // 8 + 1)
        for bit in bits:
            mask[bit >> 3] |= 1 << (bit & 7)
        masks[student] = int.from_bytes(mask, "little")
    students = sorted(masks)
    found = []
    for i, a in enumerate(students):
        for b in students[i + 1:]:
            union = (masks[a] | masks[b]).bit_count()
            score = (masks[a] & masks[b]).bit_count() / union
            if score >= threshold:
                found.append(Pair(a, b, round(score, 4), _shared(prints[a], prints[b], threshold)))
    return sorted(found, key=lambda p: (-p.similarity, p.student_a, p.student_b))


def _shared(a: dict, b: dict, threshold: float) -> tuple:
    shared = []
    for name in a:
        if name in b and min(len(a[name]), len(b[name])) >= MIN_FUNCTION:
            if len(a[name] & b[name]) / len(a[name] | b[name]) >= threshold:
                shared.append(name)
    return tuple(shared)


def similarity_csv(found: list) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(COLUMNS)
    for pair in found:
        writer.writerow([pair.student_a, pair.student_b, f"{pair.similarity:.4f}".rstrip("0").rstrip("."),
                         " ".join(pair.functions)])
    return buffer.getvalue()


def write_similarity(assignment, work: list, keys: list, out: Path) -> list:
    """Fingerprint each submission in ``work`` (reusing the cached ones whose key is unchanged),
    write ``OUT/similarity.csv`` and return its pairs."""
    out = Path(out)
    folder = out / CACHE / FOLDER
    make_folder(folder)
    template = reference = None
    prints = {}
    for item, key in zip(work, keys):
        cached = _load(folder / f"{item.student}.json", key)
        if cached is None:
            if template is None:
                template, reference = template_fingerprints(assignment), parse_reference(assignment.solution, ())
            cached = submission_fingerprints(assignment, item.path, template, reference)
            data = {"key": key, "functions": {n: sorted(v) for n, v in sorted(cached.items())}}
            atomic_write(folder / f"{item.student}.json", json.dumps(data) + "\n")
        # The assignment's order, whichever way they came (the notebook's order, or the cache's
        # sorted one): the functions column is then the same on a fresh run and a rerun.
        prints[item.student] = {name: cached[name] for name in assignment.functions if name in cached}
    found = pairs(prints, getattr(assignment, "similarity_threshold", 0.9))
    atomic_write(out / SIMILARITY, similarity_csv(found))
    return found


def _load(path: Path, key: str) -> dict | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("key") != key:
            return None
        return {name: set(values) for name, values in data["functions"].items()}
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None

