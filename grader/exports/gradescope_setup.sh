#!/usr/bin/env bash
# Gradescope's setup step (written by `grader export gradescope`): runs once when the
# autograder image is built, from the unzipped autograder in $AUTOGRADER_ROOT/source.
# It makes a virtual environment with Python 3.11 or newer and installs the grader's wheel
# (which brings its dependencies from PyPI) into it.
set -euo pipefail
ROOT="${AUTOGRADER_ROOT:-/autograder}"
SOURCE="$(cd "$(dirname "$0")" && pwd)"

recent_enough() {
  "$1" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' 2>/dev/null
}

PYTHON="${GRADER_PYTHON:-}"
if [ -z "$PYTHON" ]; then
  for candidate in python3.13 python3.12 python3.11 python3; do
    if command -v "$candidate" >/dev/null && recent_enough "$candidate"; then
      PYTHON="$(command -v "$candidate")"
      break
    fi
  done
fi
if [ -z "$PYTHON" ] && command -v apt-get >/dev/null; then
  # Gradescope's Ubuntu images: python3.11 is in Ubuntu's own archive from 22.04 on.
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3.11 python3.11-venv libseccomp2
  PYTHON="$(command -v python3.11)"
fi
if [ -z "$PYTHON" ] || ! recent_enough "$PYTHON"; then
  echo "setup.sh: the grader needs Python 3.11 or newer and none was found (set GRADER_PYTHON)" >&2
  exit 1
fi
if command -v apt-get >/dev/null && [ "$(id -u)" = 0 ] && ! ldconfig -p 2>/dev/null | grep -q libseccomp; then
  # The sandbox's system-call filter uses the system's libseccomp (it works without, with a warning).
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libseccomp2 || true
fi

"$PYTHON" -m venv "$SOURCE/venv"
"$SOURCE/venv/bin/python" -m pip install --quiet --disable-pip-version-check "$SOURCE"/wheels/grader-*.whl
"$SOURCE/venv/bin/python" -m grader doctor || true   # which protections this image allows, for the log
echo "setup.sh: grader installed in $SOURCE/venv (autograder root: $ROOT)"
