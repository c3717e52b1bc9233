"""The research notebooks (notebooks/*.ipynb) run from top to bottom, and are stored clean.

Each notebook makes its own synthetic cohort in a temporary directory, so running it needs
nothing but the installed ``barnvern`` package. Here each one is executed with nbclient on a
``python3`` kernel that is this interpreter (a kernelspec written into the test's temporary
directory and put first on ``JUPYTER_PATH``, so no other installed kernel can be picked), in a
temporary working directory, with ``TMPDIR`` pointing into it: nothing is written into the
repository, and nothing is left behind when a notebook fails half way.

A notebook passes when every cell runs without an error and it draws at least one figure. Its
wall time is printed and recorded (``record_property``), never judged: the machine is shared.

Notebooks are committed without outputs or execution counts (outputs hold figures and numbers
that change with every release and make diffs unreadable); ``test_stored_without_outputs``
checks that.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import nbformat
import pytest
from nbclient import NotebookClient

REPO_ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS_DIR = REPO_ROOT / "notebooks"
NOTEBOOKS = sorted(NOTEBOOKS_DIR.glob("*.ipynb"))
EXPECTED = [
    "01-quickstart.ipynb",
    "02-case-process.ipynb",
    "03-family-partner-trial.ipynb",
    "04-outcomes-and-costs.ipynb",
]
# Per cell, generous: a debug build of the extension module on a loaded 2-core machine.
CELL_TIMEOUT_SECONDS = 600


def _read(path: Path) -> Any:
    """The notebook as an nbformat NotebookNode (nbformat.read has no annotations)."""
    return nbformat.read(path, as_version=4)  # type: ignore[no-untyped-call]


def test_the_four_notebooks_are_there() -> None:
    assert [p.name for p in NOTEBOOKS] == EXPECTED


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_stored_without_outputs(path: Path) -> None:
    nb = _read(path)
    nbformat.validate(nb)
    assert nb.metadata.get("kernelspec", {}).get("name") == "python3"
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        where = f"{path.name} cell {index}"
        assert cell.outputs == [], f"{where} has outputs: clear them before committing"
        assert cell.execution_count is None, f"{where} has an execution count"
        assert "execution" not in cell.metadata, f"{where} has execution timings in its metadata"


def _python3_kernel_here(root: Path) -> Path:
    """A kernelspec named python3 that runs this interpreter; returns the JUPYTER_PATH dir."""
    spec_dir = root / "jupyter" / "kernels" / "python3"
    spec_dir.mkdir(parents=True)
    spec = {
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "Python 3 (barnvern tests)",
        "language": "python",
    }
    (spec_dir / "kernel.json").write_text(json.dumps(spec), encoding="utf-8")
    return root / "jupyter"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_runs_top_to_bottom(
    path: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    record_property: Callable[[str, object], None],
) -> None:
    workdir = tmp_path / "work"
    scratch = tmp_path / "tmp"
    workdir.mkdir()
    scratch.mkdir()
    monkeypatch.setenv("JUPYTER_PATH", str(_python3_kernel_here(tmp_path)))
    monkeypatch.setenv("TMPDIR", str(scratch))  # the kernel inherits it: tempfile writes here
    monkeypatch.delenv("BARNVERN_KEY", raising=False)

    nb = _read(path)
    client = NotebookClient(
        nb,
        kernel_name="python3",
        timeout=CELL_TIMEOUT_SECONDS,
        resources={"metadata": {"path": str(workdir)}},
    )
    start = time.perf_counter()
    client.execute()  # raises CellExecutionError, naming the cell, when a cell fails
    seconds = time.perf_counter() - start

    record_property("wall_seconds", round(seconds, 1))
    print(f"\n{path.name}: {seconds:.1f} s")
    figures = [
        output
        for cell in nb.cells
        if cell.cell_type == "code"
        for output in cell.outputs
        if "image/png" in output.get("data", {})
    ]
    assert figures, f"{path.name} drew no figure"
    assert not any(workdir.iterdir()), "a notebook wrote into its working directory"
