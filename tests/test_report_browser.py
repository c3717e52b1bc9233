"""The HTML report of ``barnvern demo`` in a real headless Chromium.

Runs ``barnvern demo`` on a small synthetic cohort with every count shown (``--min-cell 1``),
opens ``report/report.html``, and checks what a reader sees: no chart label is clipped (every
SVG text lies inside its picture; long labels used to lose their first characters on the
left), and the heat map of deadlines by year and kind shows the counts computed here from the
dataset's Parquet files with pyarrow. Screenshots go to ``target/test-artefacts/`` (gitignored).
Needs Debian's ``chromium`` and ``chromium-driver`` (scripts/test installs them) and the CLI
built by ``cargo test``/``cargo build -p barnvern-cli``.
"""

from __future__ import annotations

import os
import subprocess
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

import pyarrow.dataset as ds
import pytest
from selenium import webdriver
from selenium.webdriver.common.by import By

REPO_ROOT = Path(__file__).resolve().parents[1]
TARGET = Path(os.environ.get("CARGO_TARGET_DIR") or REPO_ROOT / "target")
ARTEFACTS = TARGET / "test-artefacts"

ON_TIME = {"met", "met_after_extension"}


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    binary = TARGET / "debug" / "barnvern"
    if not binary.is_file():
        pytest.fail(f"{binary} not found: build it with `cargo build -p barnvern-cli`")
    out = tmp_path_factory.mktemp("report") / "demo"
    subprocess.run(
        [str(binary), "demo", "--out", str(out), "--children", "600", "--seed", "7",
         "--min-cell", "1"],
        check=True,
        capture_output=True,
        text=True,
    )
    return out


@pytest.fixture(scope="module")
def browser(open_chromium: Callable[[int, int], webdriver.Chrome]) -> Iterator[webdriver.Chrome]:
    driver = open_chromium(1366, 2400)
    try:
        yield driver
    finally:
        driver.quit()


def expected_heat_map(dataset: Path) -> dict[tuple[str, str], str]:
    """``(row label, kind label) -> "on time / due"`` from table ``deadlines`` itself."""
    table = ds.dataset(dataset / "deadlines", format="parquet", partitioning="hive").to_table(
        columns=["jurisdiction", "kind", "status", "start_on"]
    )
    on_time: Counter[tuple[str, str]] = Counter()
    due: Counter[tuple[str, str]] = Counter()
    for row in table.to_pylist():
        key = (f"{row['jurisdiction']} {row['start_on'].year}", row["kind"].replace("_", " "))
        due[key] += 0
        on_time[key] += 0
        if row["status"] != "pending":
            due[key] += 1
        if row["status"] in ON_TIME:
            on_time[key] += 1
    return {key: f"{on_time[key]} / {due[key]}" for key in due}


def test_labels_are_not_clipped_and_the_heat_map_shows_the_counts(
    demo: Path, browser: webdriver.Chrome
) -> None:
    page = demo / "report" / "report.html"
    browser.get(page.as_uri())
    assert browser.title.startswith("barnvern demo")

    # Every text of every chart lies inside its SVG (half a pixel of rounding allowed).
    clipped = browser.execute_script(
        """
        const out = [];
        let n = 0;
        for (const t of document.querySelectorAll('svg text')) {
            n += 1;
            const b = t.getBoundingClientRect();
            const s = t.closest('svg').getBoundingClientRect();
            if (b.left < s.left - 0.5 || b.right > s.right + 0.5
                || b.top < s.top - 0.5 || b.bottom > s.bottom + 0.5) {
                out.push([t.textContent, b.left - s.left, s.right - b.right]);
            }
        }
        return [n, out];
        """
    )
    count, outside = clipped
    assert count > 20, "the report should draw charts with labels"
    assert outside == [], f"labels outside their chart: {outside}"

    # The heat map: one row per jurisdiction and year, one column per kind, each cell
    # "on time / due" as counted from the Parquet files.
    heat = browser.find_element(By.CSS_SELECTOR, "table.heatmap")
    columns = [th.text for th in heat.find_elements(By.CSS_SELECTOR, "thead th")][1:]
    shown: dict[tuple[str, str], str] = {}
    for tr in heat.find_elements(By.CSS_SELECTOR, "tbody tr"):
        label = tr.find_element(By.CSS_SELECTOR, "th").text
        for kind, td in zip(columns, tr.find_elements(By.CSS_SELECTOR, "td"), strict=True):
            counts = td.find_elements(By.CSS_SELECTOR, ".counts")
            if counts:
                shown[(label, kind)] = counts[0].text
    expected = expected_heat_map(demo / "dataset")
    assert len(expected) > 4
    assert shown == expected
    # A row label is whole, e.g. "SE 2020", not cut.
    assert all(label[:3] in {"SE ", "NO "} for label, _ in shown)

    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    browser.save_screenshot(str(ARTEFACTS / "report.png"))
    section = browser.find_element(By.ID, "deadlines")
    browser.execute_script("arguments[0].scrollIntoView();", section)
    section.screenshot(str(ARTEFACTS / "report-deadlines.png"))
