"""Shared fixtures: the public test numbers in crates/barnvern-core/testdata, the example
bundles, the hand-checked trial and a small synthetic research dataset.

The tests run with ``--import-mode=importlib`` (test files in different folders may share a name),
so test modules do not import each other or this file: share data through fixtures.
"""

from __future__ import annotations

import datetime
import json
from pathlib import Path

import barnvern as bv
import pytest
from hypothesis import settings

# No example database (it would write .hypothesis/ into the working tree) and no per-example
# deadline (a debug build on a busy 2-core CI machine is slow, not wrong).
settings.register_profile("barnvern", database=None, deadline=None, print_blob=True)
settings.load_profile("barnvern")

REPO_ROOT = Path(__file__).resolve().parents[3]
TESTDATA = REPO_ROOT / "crates" / "barnvern-core" / "testdata"


def _load_json_list(name: str) -> list[str]:
    with (TESTDATA / name).open(encoding="utf-8") as f:
        numbers = json.load(f)
    assert isinstance(numbers, list)
    return [str(n) for n in numbers]


@pytest.fixture(scope="session")
def se_personnummer() -> list[str]:
    """Skatteverket's test personnummer, 12 digits."""
    return _load_json_list("se-test-personnummer.json")


@pytest.fixture(scope="session")
def se_samordningsnummer() -> list[str]:
    """Skatteverket's test samordningsnummer, 12 digits."""
    return _load_json_list("se-test-samordningsnummer.json")


EXAMPLES = REPO_ROOT / "examples"


@pytest.fixture(scope="session")
def se_case_json() -> str:
    """The shipped Swedish example case bundle."""
    return (EXAMPLES / "se-case.json").read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def no_case_json() -> str:
    """The shipped Norwegian example case bundle."""
    return (EXAMPLES / "no-case.json").read_text(encoding="utf-8")


FP_DATA = REPO_ROOT / "crates" / "barnvern-familypartner" / "tests" / "data"


@pytest.fixture(scope="session")
def trial_json() -> str:
    """The hand-checked Family Partner trial (12 families, worked out on paper)."""
    return (FP_DATA / "hand-checked-trial.json").read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def progression_json() -> str:
    """Progression criteria of the hand-checked trial, with values on each bound."""
    return (FP_DATA / "progression-criteria.json").read_text(encoding="utf-8")


SMALL_KEY = b"x" * 32
SMALL_AS_OF = datetime.date(2026, 6, 30)


@pytest.fixture(scope="session")
def small_dataset_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A research dataset of 200 synthetic children (seed 3), extracted as of 2026-06-30."""
    root = tmp_path_factory.mktemp("small")
    bv.synth(root / "c.jsonl", children=200, seed=3)
    bv.extract(root / "c.jsonl", root / "dataset", key=SMALL_KEY, as_of=SMALL_AS_OF)
    return root / "dataset"


@pytest.fixture(scope="session")
def small_dataset(small_dataset_dir: Path) -> bv.Dataset:
    """The small synthetic research dataset, read."""
    return bv.read_dataset(small_dataset_dir)
