"""The caseworker's page of ``barnvern serve`` in a real headless Chromium.

Starts ``barnvern serve --demo`` (a synthetic cohort dated to today, a fresh signing key, tokens
printed), signs in with the printed caseworker token, checks the worklist (sorted by due date,
status colours, keyboard access), opens a case, checks its deadlines and timeline, and keeps
screenshots under ``target/test-artefacts/`` (gitignored). Needs Debian's ``chromium`` and
``chromium-driver`` (scripts/test installs them when missing) and the CLI built by
``cargo test``/``cargo build -p barnvern-cli``.
"""

from __future__ import annotations

import os
import signal
import subprocess
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.common.exceptions import StaleElementReferenceException, WebDriverException
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support.ui import WebDriverWait

REPO_ROOT = Path(__file__).resolve().parents[1]
TARGET = Path(os.environ.get("CARGO_TARGET_DIR") or REPO_ROOT / "target")
ARTEFACTS = TARGET / "test-artefacts"


@dataclass
class Demo:
    url: str
    tokens: dict[str, str]
    process: subprocess.Popen[str]


@pytest.fixture(scope="module")
def demo() -> Iterator[Demo]:
    binary = TARGET / "debug" / "barnvern"
    if not binary.is_file():
        pytest.fail(f"{binary} not found: build it with `cargo build -p barnvern-cli`")
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    log = (ARTEFACTS / "serve-demo.log").open("w")
    process = subprocess.Popen(
        [str(binary), "serve", "--demo", "--demo-children", "400", "--addr", "127.0.0.1:0"],
        stdout=subprocess.PIPE,
        stderr=log,
        text=True,
    )
    tokens: dict[str, str] = {}
    url = ""
    who = ""
    assert process.stdout is not None
    # The demo prints its tokens, then the URL once it listens (readline returns "" if the
    # process dies, which fails below).
    for line in process.stdout:
        if line.startswith("token, "):
            who = line.removeprefix("token, ").split(" (")[0]
        elif who:
            tokens[who] = line.strip()
            who = ""
        elif line.startswith("barnvern serve --demo: http://"):
            url = line.split(": ", 1)[1].strip()
            break
    if not url:
        process.kill()
        process.wait()
        log.close()
        tail = (ARTEFACTS / "serve-demo.log").read_text()[-2000:]
        pytest.fail(f"barnvern serve --demo did not start (exit {process.returncode}): {tail}")
    try:
        yield Demo(url=url, tokens=tokens, process=process)
    finally:
        # Graceful shutdown on SIGTERM: the service exits 0.
        process.send_signal(signal.SIGTERM)
        code = process.wait(timeout=60)
        log.close()
        assert code == 0, f"serve exited {code} on SIGTERM"


@pytest.fixture(scope="module")
def browser(open_chromium: Callable[[int, int], webdriver.Chrome]) -> Iterator[webdriver.Chrome]:
    driver = open_chromium(1366, 900)
    driver.implicitly_wait(10)
    try:
        yield driver
    finally:
        driver.quit()


def click_and_wait(browser: webdriver.Chrome, element: WebElement) -> None:
    """Clicks a link or button, waits until the page it leaves is gone and the next one has
    loaded. The old page can be gone before the next document is final: an element found in
    between may be detached again ("Node with given id does not belong to the document")."""
    page = browser.find_element(By.TAG_NAME, "html")
    element.click()
    WebDriverWait(browser, 20).until(lambda _: is_gone(page))
    WebDriverWait(browser, 20).until(
        lambda b: b.execute_script("return document.readyState") == "complete"
    )


def is_gone(element: WebElement) -> bool:
    """Whether `element` has left the page, as Selenium's `staleness_of` asks; chromedriver also
    answers for an element of a replaced document with "Node with given id does not belong to the
    document", an unknown error rather than a stale reference."""
    try:
        element.is_enabled()
    except StaleElementReferenceException:
        return True
    except WebDriverException as err:
        if "does not belong to the document" in (err.msg or ""):
            return True
        raise
    return False


def test_sign_in_worklist_and_case(demo: Demo, browser: webdriver.Chrome) -> None:
    assert set(demo.tokens) >= {"caseworker", "team leader", "auditor"}
    browser.get(demo.url)
    assert browser.title.startswith("Sign in")
    # The form is labelled, and the first Tab reaches the skip link.
    label = browser.find_element(By.CSS_SELECTOR, "label[for=token]")
    assert label.text == "Token"
    browser.find_element(By.TAG_NAME, "body").send_keys(Keys.TAB)
    assert browser.switch_to.active_element.text == "Skip to content"

    # A forged token is refused with a message.
    browser.find_element(By.ID, "token").send_keys("abc.def.ghi")
    click_and_wait(browser, browser.find_element(By.CSS_SELECTOR, "form.signin button"))
    assert "not valid" in browser.find_element(By.CSS_SELECTOR, "[role=alert]").text

    browser.find_element(By.ID, "token").send_keys(demo.tokens["caseworker"])
    click_and_wait(browser, browser.find_element(By.CSS_SELECTOR, "form.signin button"))
    assert browser.find_element(By.TAG_NAME, "h1").text == "Worklist"
    assert "demo-caseworker" in browser.find_element(By.CSS_SELECTOR, "form.signout").text

    rows = browser.find_elements(By.CSS_SELECTOR, "#worklist tbody tr")
    assert rows, "the demo caseworker has deadlines due within 14 days or overdue"
    dues = [r.find_element(By.TAG_NAME, "time").get_attribute("datetime") or "" for r in rows]
    assert dues == sorted(dues), "sorted by due date"
    statuses = {r.find_element(By.CSS_SELECTOR, ".status").text for r in rows}
    assert statuses <= {"overdue", "due soon", "pending"}, statuses
    overdue = browser.find_elements(By.CSS_SELECTOR, "#worklist .status.overdue")
    if overdue:
        # Status colours: dark red on light red (contrast above 7:1).
        assert overdue[0].value_of_css_property("color") == "rgba(138, 16, 32, 1)"
        assert overdue[0].value_of_css_property("background-color") == "rgba(253, 231, 233, 1)"
    browser.save_screenshot(str(ARTEFACTS / "caseworker-worklist.png"))

    first = rows[0].find_element(By.CSS_SELECTOR, "td a")
    case_id = first.text
    click_and_wait(browser, first)
    assert browser.find_element(By.TAG_NAME, "h1").text == f"Case {case_id}"
    facts = browser.find_element(By.CSS_SELECTOR, "dl.facts").text
    assert "Municipality" in facts and "Opened" in facts
    deadlines = browser.find_elements(By.CSS_SELECTOR, "#deadlines tbody tr")
    assert deadlines, "the case page lists its deadlines"
    events = browser.find_elements(By.CSS_SELECTOR, "#timeline li")
    assert events and "imported" in events[0].text
    # No identity number on the page or in its address.
    digits = "".join(c if c.isdigit() else " " for c in browser.page_source + browser.current_url)
    assert not [d for d in digits.split() if len(d) >= 10], "no identity number shown"
    browser.save_screenshot(str(ARTEFACTS / "caseworker-case.png"))

    # Signing out ends the session.
    click_and_wait(browser, browser.find_element(By.CSS_SELECTOR, "form.signout button"))
    assert browser.title.startswith("Sign in")
