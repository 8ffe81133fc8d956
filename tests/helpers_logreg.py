"""Shared by the authoring tests: paths, and the logreg assignment of the project's config.yaml."""
from pathlib import Path

from grader.config import load_config

ROOT = Path(__file__).resolve().parents[1]
CONFIG = ROOT / "config.yaml"
ASSIGNMENTS = ROOT / "assignments"
SHARED_DATASETS = ROOT.parent / "shared" / "datasets"


def logreg_assignment():
    return load_config(CONFIG).assignment("logreg")
