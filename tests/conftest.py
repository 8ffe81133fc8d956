"""Shared fixtures of the project's own tests."""
from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED_DATASETS = ROOT.parent / "shared" / "datasets"


@pytest.fixture(scope="session")
def project_root() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def assignment():
    """The logreg assignment as configured in the project's config.yaml."""
    from grader.config import load_config

    return load_config(ROOT / "config.yaml").assignment("logreg")
