#!/usr/bin/env bash
# Gradescope's per-submission step (written by `grader export gradescope`): grades the files in
# $AUTOGRADER_ROOT/submission and writes $AUTOGRADER_ROOT/results/results.json.
set -uo pipefail
ROOT="${AUTOGRADER_ROOT:-/autograder}"
SOURCE="$(cd "$(dirname "$0")" && pwd)"
exec "$SOURCE/venv/bin/python" -m grader.exports.gradescope_run --root "$ROOT" \
  --config "$SOURCE/course/config.yaml" --assignment "@ASSIGNMENT@"
