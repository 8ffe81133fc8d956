"""config.yaml validation: every mistake is a ConfigError naming the file and the key path."""
import copy
import re
import subprocess
import sys

import pytest
import yaml

from grader.config import load_config
from grader.errors import ConfigError
from helpers_logreg import CONFIG, ROOT

SOLUTION = "def f(x):\n    ### BEGIN SOLUTION\n    return 2 * x\n    ### END SOLUTION\n"
BASE = {
    "course": {"name": "C", "defaults": {"limits": {"call_seconds": 5}}},
    "assignments": {
        "demo": {
            "title": "Demo",
            "solution": "sol.py",
            "functions": {
                "f": {
                    "points": {},
                    "inputs": {"x": {"dist": "normal", "shape": ["n", 1]}},
                    "public": [{"seed": 1, "sizes": {"n": 2}}],
                    "hidden": [{"seed": 99, "sizes": {"n": 3}}],
                },
            },
        },
    },
}


def write(tmp_path, data, name="course.yaml"):
    (tmp_path / "sol.py").write_text(SOLUTION)
    path = tmp_path / name
    path.write_text(data if isinstance(data, str) else yaml.safe_dump(data, sort_keys=False))
    return path


def changed(edit):
    data = copy.deepcopy(BASE)
    edit(data)
    return data


def error_for(tmp_path, data) -> str:
    path = write(tmp_path, data)
    with pytest.raises(ConfigError) as info:
        load_config(path)
    message = str(info.value)
    assert message.startswith(f"{path}: "), message  # names the file
    assert "Traceback" not in message
    return message


def test_a_valid_config_loads(tmp_path):
    config = load_config(write(tmp_path, BASE))
    spec = config.assignment("demo")
    assert spec.solution == (tmp_path / "sol.py").resolve()
    assert spec.limits.call_seconds == 5
    assert [c.hidden for c in spec.functions["f"].cases] == [False, True]


def test_the_project_config_is_valid():
    spec = load_config(CONFIG).assignment("logreg")
    assert list(spec.functions) == ["sigmoid", "initialize_with_zeros", "propagate", "optimize", "predict", "model"]


@pytest.mark.parametrize("edit, expected", [
    (lambda d: d["assignments"]["demo"]["functions"]["f"].update(colour="red"),
     "assignments.demo.functions.f: unknown key 'colour'"),
    (lambda d: d["course"]["defaults"]["limits"].update(cpu_secs=3),
     "course.defaults.limits: unknown key 'cpu_secs'"),
    (lambda d: d["assignments"]["demo"].update(soluton="sol.py"),
     "assignments.demo: unknown key 'soluton'"),
])
def test_wrong_key_names_the_key_path(tmp_path, edit, expected):
    message = error_for(tmp_path, changed(edit))
    assert expected in message
    assert "how to fix:" in message


@pytest.mark.parametrize("edit, expected", [
    (lambda d: d["assignments"]["demo"]["functions"]["f"]["public"][0].update(seed="one"),
     "assignments.demo.functions.f.public[0].seed: expected integer, got str 'one'"),
    (lambda d: d["course"]["defaults"]["limits"].update(call_seconds="fast"),
     "course.defaults.limits.call_seconds: expected number"),
    (lambda d: d["assignments"]["demo"].update(extra_files="lr_utils.py"),
     "assignments.demo.extra_files: expected array"),
    (lambda d: d["assignments"]["demo"]["functions"]["f"]["inputs"]["x"].update(dist="gauss"),
     "assignments.demo.functions.f.inputs.x.dist: 'gauss' is not one of"),
])
def test_wrong_type_names_the_key_path(tmp_path, edit, expected):
    assert expected in error_for(tmp_path, changed(edit))


@pytest.mark.parametrize("edit, expected", [
    (lambda d: d["assignments"]["demo"].update(solution="missing.py"),
     "assignments.demo.solution: file 'missing.py' not found"),
    (lambda d: d["assignments"]["demo"].update(notebook="nb.md"),
     "assignments.demo.notebook: file 'nb.md' not found"),
    (lambda d: d["assignments"]["demo"].update(extra_files=["sol.py", "helpers.py"]),
     "assignments.demo.extra_files[1]: file 'helpers.py' not found"),
])
def test_missing_file_names_the_key_path(tmp_path, edit, expected):
    message = error_for(tmp_path, changed(edit))
    assert expected in message
    assert "relative to the folder of config.yaml" in message


def test_a_config_found_valid_is_not_validated_again_and_an_edited_one_is(tmp_path, monkeypatch):
    from grader import config as config_module

    path = write(tmp_path, BASE)
    load_config(path)
    assert len(list((tmp_path / "build" / ".cache" / "valid-config").iterdir())) == 1
    validated = []
    monkeypatch.setattr(config_module, "_validate_schema", lambda *args: validated.append(args))
    load_config(path)
    assert validated == []     # the same text, the same schema: marked valid before
    monkeypatch.undo()
    path.write_text(yaml.safe_dump(changed(lambda d: d["assignments"]["demo"]["functions"]["f"]["public"][0]
                                           .update(seed=-1)), sort_keys=False))
    with pytest.raises(ConfigError, match=r"assignments\.demo\.functions\.f\.public\[0\]\.seed"):
        load_config(path)
    path.write_text(path.read_text() + "# a comment\n")
    with pytest.raises(ConfigError, match="seed"):
        load_config(path)


def test_a_read_only_course_folder_still_loads_its_config(tmp_path):
    path = write(tmp_path, BASE)
    (tmp_path / "build").write_text("a file where the marks' folder would be")
    assert load_config(path).assignment("demo").name == "demo"
    assert load_config(path).assignment("demo").name == "demo"


def test_missing_required_key(tmp_path):
    message = error_for(tmp_path, changed(lambda d: d["assignments"]["demo"].pop("title")))
    assert "assignments.demo: 'title' is a required property" in message


def test_invalid_yaml_names_the_line(tmp_path):
    message = error_for(tmp_path, "course:\n  name: C\nassignments: [\n  demo: {\n")
    assert "not valid YAML at line" in message


def test_config_file_not_found(tmp_path):
    with pytest.raises(ConfigError, match="file not found"):
        load_config(tmp_path / "nope.yaml")


# --------------------------------------------------------------------------- the command line


def run_generate(tmp_path, config, *extra):
    return subprocess.run([sys.executable, "-m", "grader", "generate", "--config", str(config), *extra],
                          capture_output=True, text=True, cwd=tmp_path, timeout=60)


@pytest.mark.parametrize("text, expected", [
    ("course: [unclosed\n", "not valid YAML"),
    (yaml.safe_dump(changed(lambda d: d["assignments"]["demo"]["functions"]["f"]["public"][0].update(seed=-1))),
     "assignments.demo.functions.f.public[0].seed"),
    (yaml.safe_dump(changed(lambda d: d["assignments"]["demo"].update(solution="gone.py"))),
     "assignments.demo.solution: file 'gone.py' not found"),
])
def test_generate_with_a_bad_config_prints_no_traceback_and_exits_2(tmp_path, text, expected):
    result = run_generate(tmp_path, write(tmp_path, text, "bad.yaml"))
    assert result.returncode == 2
    assert "Traceback" not in result.stderr + result.stdout
    assert result.stderr.startswith(f"error: {tmp_path / 'bad.yaml'}: ")
    assert expected in result.stderr


def test_generate_with_a_function_missing_from_the_solution_exits_2(tmp_path):
    data = changed(lambda d: d["assignments"]["demo"]["functions"].update(g=copy.deepcopy(
        d["assignments"]["demo"]["functions"]["f"])))
    result = run_generate(tmp_path, write(tmp_path, data))
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "error: sol.py: function 'g' is named in config.yaml (assignments.demo.functions.g)" in result.stderr


def test_generate_writes_assignments_next_to_the_config(tmp_path):
    result = run_generate(tmp_path, write(tmp_path, BASE))
    assert result.returncode == 0, result.stderr
    out = tmp_path / "assignments" / "demo"
    assert sorted(p.name for p in out.iterdir()) == ["grader_check.py", "grader_compare.py", "public_tests.py", "sol.py"]
    assert "raise NotImplementedError()" in (out / "sol.py").read_text()
    assert "2 * x" not in (out / "sol.py").read_text()
    for shipped in ("public_tests.py", "grader_check.py"):
        assert not re.search(r"(?<![\w.])99(?![\w.])", (out / shipped).read_text())  # the hidden seed


def test_every_section_a_config_error_points_to_exists():
    from grader.config import _SECTIONS, REFERENCE, section_hint

    text = (ROOT / REFERENCE).read_text(encoding="utf-8")
    headings = {line.lstrip("#").strip() for line in text.splitlines() if line.startswith("## ")}
    for title in {"Top level", *dict(_SECTIONS).values()}:
        assert title in headings, title
    assert section_hint(["assignments", "a", "functions", "f", "inputs", "X"]) == f'see {REFERENCE}, section "Inputs"'
