"""The isolation report and the normal-user run (issue 5, parts 1 and 4).

- ``grader doctor`` names every protection the threat model (docs/threats.md) relies on, says
  whether it runs as root, and warns about each inactive layer;
- as root (CI), the hostile batch is graded again as an unprivileged user (uid 65534): the
  namespaces then come from a user namespace, and every outcome must be the same.
"""
from __future__ import annotations

import os
import re
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from advkit import ROOT, _env

pytestmark = [pytest.mark.adversarial]

LAYERS = ("network_namespace", "mount_namespace", "landlock", "seccomp", "rlimits")
NOBODY = 65534


def test_doctor_reports_every_layer_of_the_threat_model():
    threats = (ROOT / "docs" / "threats.md").read_text(encoding="utf-8")
    run = subprocess.run([sys.executable, "-m", "grader", "doctor"], cwd=ROOT, env=_env(None),
                         capture_output=True, text=True, timeout=120)
    assert run.returncode in (0, 1), run.stderr
    table = {}
    for line in run.stdout.splitlines():
        parts = line.split()
        if len(parts) >= 2 and parts[1] in ("active", "inactive", "missing", "off"):
            table[parts[0]] = parts[1]
    for layer in LAYERS:
        assert f"`{layer}`" in threats, f"docs/threats.md does not mention {layer}"
        assert layer in table, f"grader doctor does not report {layer}:\n{run.stdout}"
    root = re.search(r"running as root\s+(yes|no)", run.stdout)
    assert root and root.group(1) == ("yes" if os.geteuid() == 0 else "no"), run.stdout
    inactive = [layer for layer, state in table.items() if state != "active"]
    if inactive:
        assert run.returncode == 1 and "WARNING" in run.stdout, run.stdout
    else:
        assert run.returncode == 0 and "all protections active" in run.stdout


def _blocked_ancestor(path: Path) -> Path | None:
    """The first folder above ``path`` that other users cannot enter (e.g. /root, mode 700)."""
    for parent in reversed(path.parents):
        if parent != Path("/") and not os.stat(parent).st_mode & stat.S_IXOTH:
            return parent
    return None


@pytest.mark.slow
@pytest.mark.skipif(os.geteuid() != 0, reason="already unprivileged: the suite itself is the normal-user run")
@pytest.mark.skipif(os.environ.get("ADVERSARIAL_INNER") == "1", reason="inside the normal-user run")
@pytest.mark.skipif(not (shutil.which("unshare") and shutil.which("setpriv")), reason="needs unshare and setpriv")
def test_the_hostile_batch_as_a_normal_user(tmp_path):
    """Grade the hostile batch as uid 65534 (CI runs as root): same outcomes, doctor says not root.

    Python or the project may live in a folder other users cannot enter: in a private mount
    namespace of this test only, that folder is replaced by an open one holding just what is
    needed, then privileges are dropped for good.
    """
    import tempfile

    home = Path(tempfile.mkdtemp(prefix="grader-adversarial-user-"))   # tmp_path is mode 700
    os.chown(home, NOBODY, NOBODY)
    request_cleanup = lambda: shutil.rmtree(home, ignore_errors=True)  # noqa: E731
    binds, shims = [], {}
    for needed in (Path(os.path.realpath(sys.base_prefix)), Path(os.path.realpath(ROOT))):
        blocked = _blocked_ancestor(needed)
        if blocked is None:
            continue
        shim = shims.setdefault(blocked, tmp_path / f"shim{len(shims)}")
        inner = shim / needed.relative_to(blocked)
        inner.mkdir(parents=True, exist_ok=True)
        folder = inner
        while folder != shim.parent:
            os.chmod(folder, 0o755)
            folder = folder.parent
        binds.append(f"mount --bind {needed} {inner}")
    setup = binds + [f"mount --rbind {shim} {blocked}" for blocked, shim in shims.items()]
    inner_env = f"env HOME={home} PYTHONDONTWRITEBYTECODE=1 ADVERSARIAL_INNER=1 PYTHONPATH={ROOT}"
    drop = f"setpriv --reuid={NOBODY} --regid={NOBODY} --clear-groups --inh-caps=-all --bounding-set=-all"
    python = f"{ROOT}/.venv/bin/python" if (ROOT / ".venv/bin/python").exists() else sys.executable
    command = " && ".join(setup + [
        f"{drop} {inner_env} {python} -m grader doctor; "
        f"exec {drop} {inner_env} {python} -m pytest {ROOT}/tests/adversarial/test_hostile.py -q "
        f"-p no:cacheprovider -m adversarial --basetemp={home}/pytest"])
    try:
        run = subprocess.run(["unshare", "-m", "--propagation", "private", "sh", "-c", command], cwd=home,
                             capture_output=True, text=True, timeout=400)
    finally:
        request_cleanup()
    print(run.stdout[-6000:])
    assert "running as root      no" in run.stdout, run.stdout[-4000:] + run.stderr[-2000:]
    assert re.search(r"user_namespace\s+active", run.stdout), run.stdout[-4000:]
    assert run.returncode == 0, run.stdout[-6000:] + run.stderr[-3000:]
    assert re.search(r"\d+ passed", run.stdout) and " failed" not in run.stdout
