"""``grader import KIND SOURCE.ipynb --name NAME``: an assignment from an nbgrader source notebook,
an Otter-Grader assign notebook, or the course's own solved notebook."""
from __future__ import annotations

import importlib
from pathlib import Path

from grader.importers import KINDS


def add_parser(commands) -> None:
    parser = commands.add_parser(
        "import", help="make an assignment from an nbgrader, Otter or solved notebook",
        description="Read SOURCE.ipynb (an nbgrader source notebook, an Otter-Grader assign notebook, or a solved "
                    "notebook with '# GRADED FUNCTION:' cells) and write solutions/NAME/ (the reference with its "
                    "solution regions, the notebook's text, the source's tests as hidden instructor tests with "
                    "their points) and NAME's entry in config.yaml, with inputs and cases inferred from what the "
                    "tests call, TODO where they cannot be. Nothing is overwritten without --force.")
    parser.add_argument("kind", choices=KINDS, help="what SOURCE is")
    parser.add_argument("source", type=Path, help="the notebook to import")
    parser.add_argument("--name", required=True, help="the assignment's name (solutions/NAME/, config.yaml)")
    parser.add_argument("--config", default="config.yaml", type=Path,
                        help="the course configuration to add it to (default: %(default)s; made if missing)")
    parser.add_argument("--force", action="store_true", help="replace an assignment of that name")


def run(args) -> int:
    from grader.config import load_config
    from grader.errors import ConfigError, UserError
    from grader.importers.write import write

    if not args.source.is_file():
        raise UserError("file not found", path=args.source, hint="give the path of the notebook to import")
    imported = importlib.import_module(f"grader.importers.{args.kind}").read(args.source)
    written, todo = write(imported, args.name, args.config, force=args.force)
    for path in written:
        print(f"wrote {path}")
    print(f"{args.name}: {len(imported.functions)} function(s) ({', '.join(imported.functions)}), "
          f"{len(imported.tests)} test(s) worth {sum(t.points for t in imported.tests):g} point(s)")
    if todo:
        print(f"config.yaml: {len(todo)} key(s) to fill in (marked TODO):")
        for key, why in todo:
            print(f"  {key}: {why}")
        return 1
    try:
        load_config(args.config).assignment(args.name)
    except ConfigError as exc:
        print(f"config.yaml does not validate yet: {exc}")
        return 1
    print(f"next: grader generate --assignment {args.name} --config {args.config}")
    return 0
