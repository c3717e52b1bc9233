"""Every code example in the guides (docs/python.md, docs/extracts.md, docs/services.md) runs,
in the order it appears, as a reader following the page would run it.

Conventions, for whoever writes a guide:

- A fence opened with ```` ```python ```` is run. All Python blocks of one page run in order in
  one namespace, so a block may use the names an earlier block made.
- A fence opened with ```` ```sh ```` is run by ``bash -e -o pipefail``, each block in its own
  shell (set variables again where a later block needs them). The ``barnvern`` command is the one
  ``cargo build -p barnvern-cli`` makes: ``${CARGO_TARGET_DIR:-<repo>/target}/debug/barnvern``,
  put first on ``PATH``. ``BARNVERN_KEY`` is not set unless the block sets it.
- A block must exit with status 0, unless the line just before its fence is an HTML comment
  ``<!-- expect-exit: N -->`` (invisible on the rendered page): then it must exit with N. Put
  the command expected to fail last in such a block, since ``-e`` stops at the first failure.
- Any other fence (```` ```text ````, ```` ```console ````, ```` ```json ````, ...) is shown,
  never run: use it for output, installation commands and file formats.

Python and shell blocks of a page share one temporary working directory, created empty for the
page, so a shell block can write a dataset that a later Python block reads. Nothing is written
into the repository.
"""

from __future__ import annotations

import os
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
DOCS = REPO_ROOT / "docs"
PAGES = ["python.md", "extracts.md", "services.md"]
SHELL_TIMEOUT_SECONDS = 600

FENCE = re.compile(r"^```(?P<info>[^\n`]*)\n(?P<body>.*?)^```[ \t]*$", re.MULTILINE | re.DOTALL)
EXPECT_EXIT = re.compile(r"<!--\s*expect-exit:\s*(?P<status>\d+)\s*-->\s*\Z")


@dataclass(frozen=True)
class Block:
    """One fenced code block of a page."""

    language: str
    code: str
    line: int
    expect_exit: int


def blocks(page: Path) -> list[Block]:
    """The fenced blocks of a page, in order, with the exit status each must end with."""
    text = page.read_text(encoding="utf-8")
    found = []
    for match in FENCE.finditer(text):
        before = text[: match.start()].rstrip("\n")
        last_line = before.rsplit("\n", 1)[-1]
        expected = EXPECT_EXIT.search(last_line)
        found.append(
            Block(
                language=match["info"].strip().split(" ")[0],
                code=match["body"],
                line=text.count("\n", 0, match.start()) + 1,
                expect_exit=int(expected["status"]) if expected else 0,
            )
        )
    return found


def barnvern_binary() -> Path:
    target = Path(os.environ.get("CARGO_TARGET_DIR") or REPO_ROOT / "target")
    return target / "debug" / "barnvern"


def run_python(block: Block, namespace: dict[str, object], page: str) -> None:
    if block.expect_exit != 0:
        pytest.fail(f"{page}:{block.line}: expect-exit applies to sh blocks only")
    code = compile(block.code, f"{page}:{block.line}", "exec")
    exec(code, namespace)  # noqa: S102 - the guide's own examples, run as a reader would


def run_sh(block: Block, page: str, cwd: Path) -> None:
    binary = barnvern_binary()
    if not binary.is_file():
        pytest.fail(
            f"{binary} not found: the shell examples need the CLI; build it with "
            "`cargo build -p barnvern-cli` (scripts/test does, in its cargo test step)"
        )
    env = {k: v for k, v in os.environ.items() if k != "BARNVERN_KEY"}
    env["PATH"] = f"{binary.parent}{os.pathsep}{env.get('PATH', '')}"
    result = subprocess.run(
        ["bash", "-e", "-o", "pipefail", "-c", block.code],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=SHELL_TIMEOUT_SECONDS,
        check=False,
    )
    assert result.returncode == block.expect_exit, (
        f"{page}:{block.line}: exit status {result.returncode}, expected {block.expect_exit}\n"
        f"--- block ---\n{block.code}--- stdout ---\n{result.stdout}--- stderr ---\n{result.stderr}"
    )


def test_the_conventions_hold() -> None:
    """Every page has runnable blocks, and an expect-exit comment only ever precedes sh."""
    for name in PAGES:
        found = blocks(DOCS / name)
        assert any(b.language == "python" for b in found), f"{name} has no python example"
        for b in found:
            if b.expect_exit:
                assert b.language == "sh", f"{name}:{b.line}: expect-exit before a {b.language} block"
    assert any(b.language == "sh" for b in blocks(DOCS / "extracts.md"))


@pytest.mark.parametrize("name", PAGES)
def test_examples_run(name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("BARNVERN_KEY", raising=False)
    namespace: dict[str, object] = {"__name__": f"docs.{name}"}
    ran = 0
    for block in blocks(DOCS / name):
        if block.language == "python":
            run_python(block, namespace, name)
        elif block.language == "sh":
            run_sh(block, name, tmp_path)
        else:
            continue
        ran += 1
    assert ran > 0
