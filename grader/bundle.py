"""Several of the grader's own modules as one Python file, for a kernel that has only numpy.

The notebook's ``check()`` must judge a student's function with the grader's own checks, in
the student's kernel, where the ``grader`` package is not installed (and must not be needed).
:func:`bundle` writes one module that holds the source of each module it is given, unchanged
but for its ``grader`` imports, which are renamed to a private package (``_grader_check``) so
that an installed ``grader`` is never mixed in. On import, the file registers a finder that
serves those modules from the text it holds; a traceback through them shows their lines.

Only modules whose imports stay inside the bundle (numpy and the standard library apart) can be
bundled: :func:`bundle` refuses one that imports a ``grader`` module it was not given, so the
shipped file never fails on an import in the student's kernel.
"""
from __future__ import annotations

import ast
import re

from grader.errors import UserError

PACKAGE = "_grader_check"

_LOADER = '''
import importlib.abc
import importlib.util
import linecache
import sys


class _Bundled(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Serves the modules held in _SOURCES (named under _PACKAGE)."""

    def find_spec(self, name, path=None, target=None):
        if name not in _SOURCES:
            return None
        return importlib.util.spec_from_loader(name, self, is_package=name in _PACKAGES)

    def create_module(self, spec):
        return None

    def exec_module(self, module):
        name = module.__name__
        # A file name that does not start with "<": the checks' observers count such code as
        # the student's, and this is the grader's.
        filename = f"{__file__}#{name}"
        source = _SOURCES[name]
        linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
        if name in _PACKAGES:
            module.__path__ = []
        module.__file__ = filename
        exec(compile(source, filename, "exec"), module.__dict__)


if not any(type(finder).__name__ == "_Bundled" and getattr(finder, "sources", None) is _SOURCES
           for finder in sys.meta_path):
    for _old in [f for f in sys.meta_path if type(f).__name__ == "_Bundled"]:
        sys.meta_path.remove(_old)   # a regenerated file replaces the modules of the old one
        for _name in [n for n in sys.modules if n == _PACKAGE or n.startswith(_PACKAGE + ".")]:
            del sys.modules[_name]
    _finder = _Bundled()
    _finder.sources = _SOURCES
    sys.meta_path.insert(0, _finder)
'''


def rename_imports(source: str, name: str, known: set) -> str:
    """``source`` with every ``from grader...``/``import grader...`` naming the private package;
    a ``grader`` module outside ``known`` is refused (it would not import in the kernel)."""
    tree = ast.parse(source, filename=name)
    lines = source.splitlines(True)
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level == 0 and _ours(node.module):
            modules = [node.module] if node.module != "grader" else [f"grader.{a.name}" for a in node.names]
            missing = [m for m in modules if m not in known and not (node.module in known and m != node.module)]
            pattern = r"\bfrom\s+grader\b"
        elif isinstance(node, ast.Import) and any(_ours(a.name) for a in node.names):
            missing = [a.name for a in node.names if _ours(a.name) and a.name not in known]
            pattern = r"\bimport\s+grader\b"
        else:
            continue
        if missing:
            raise UserError(f"{name} imports {', '.join(missing)}, which is not bundled",
                            hint="add the module to the bundle, or import it only where the kernel never goes")
        index = node.lineno - 1
        head, tail = lines[index][:node.col_offset], lines[index][node.col_offset:]
        renamed, count = re.subn(pattern, lambda m: m.group(0).replace("grader", PACKAGE), tail, count=1)
        if count != 1:
            raise UserError(f"{name}, line {node.lineno}: an import of grader this bundler cannot rename",
                            hint="write it on one line as 'from grader.x import y'")
        lines[index] = head + renamed
    return "".join(lines)


def _ours(module: str | None) -> bool:
    return module == "grader" or bool(module) and module.startswith("grader.")


def private_name(module: str) -> str:
    """"grader.checks.rank1" -> "_grader_check.checks.rank1"."""
    return PACKAGE + module[len("grader"):]


def bundle(modules: dict, packages: set, docstring: str, tail: str) -> str:
    """One module's source: ``docstring``, the loader, ``modules`` (``grader.x`` -> source;
    ``packages`` are the ones that are packages) renamed into the private package, then ``tail``
    (the module's own code, which imports them as ``_grader_check.x``)."""
    known = set(modules)
    sources = {private_name(name): rename_imports(text, name, known) for name, text in sorted(modules.items())}
    body = ["_PACKAGE = " + repr(PACKAGE), "_PACKAGES = {" + ", ".join(repr(private_name(p)) for p in sorted(packages))
            + "}", "_SOURCES = {"]
    for name, text in sources.items():
        body.append(f"    {name!r}: {text!r},")
    body.append("}")
    return f'"""{docstring}"""\n' + "\n".join(body) + "\n" + _LOADER + "\n" + tail


def bundled_sources(text: str) -> dict:
    """The modules a bundled file holds (private name -> source), read back from its text."""
    start = text.index("\n_SOURCES = {\n") + len("\n_SOURCES = {\n")
    end = text.index("\n}\n", start)
    return ast.literal_eval("{" + text[start:end] + "}")


def without_sources(text: str) -> str:
    """A bundled file without the modules it holds: what it adds of its own (its data and code)."""
    start = text.index("\n_SOURCES = {\n")
    end = text.index("\n}\n", start) + len("\n}\n")
    return text[:start] + "\n_SOURCES = {}\n" + text[end:]
