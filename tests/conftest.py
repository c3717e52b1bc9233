"""What the browser tests share: a headless Chromium (Debian's `chromium` and `chromium-driver`,
installed by scripts/test when missing)."""

from __future__ import annotations

import shutil
from collections.abc import Callable

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service


def _open_chromium(width: int, height: int) -> webdriver.Chrome:
    chromium = shutil.which("chromium")
    driver_path = shutil.which("chromedriver")
    if chromium is None or driver_path is None:
        pytest.fail("chromium and chromium-driver are needed (scripts/test installs them)")
    options = Options()
    options.binary_location = chromium
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                f"--window-size={width},{height}", "--lang=en"):
        options.add_argument(arg)
    return webdriver.Chrome(service=Service(executable_path=driver_path), options=options)


@pytest.fixture(scope="session")
def open_chromium() -> Callable[[int, int], webdriver.Chrome]:
    """Opens a headless Chromium with a window of the given size; the caller quits it."""
    return _open_chromium
