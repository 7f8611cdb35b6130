"""report.html and the history page opened as a person would: in headless Chromium (Debian's
chromium and chromium-driver, installed by .ci/run), from the file system, no server. The page
must show the annotated video, the timeline image and the fault table, and a click on a fault's
time must move the video there."""

from __future__ import annotations

import json
import os
import shutil
import time
from pathlib import Path

import pytest
from cli_helpers import formcheck

PLANK = "plank/plank_forearm_BAD_sag_pike_headdrop_woman.mp4"  # a sag, a pike and a dropped head: faults
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
DRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    if not (Path(CHROMIUM).is_file() and Path(DRIVER).is_file()):
        pytest.skip("Debian's chromium and chromium-driver are not installed (.ci/run installs them)")
    webdriver = pytest.importorskip("selenium.webdriver", reason="selenium is in formcheck[test]")
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    # headless as root, with no network: the flags that keep Chromium from reaching out
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--window-size=1280,2300",
        f"--user-data-dir={tmp_path_factory.mktemp('chromium')}",
    ):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(DRIVER), options=options)  # the given driver: nothing downloaded
    yield driver
    driver.quit()


def wait_for(driver, script: str, timeout_s: float = 20.0):
    """Poll a JavaScript expression until it is truthy; return its value."""
    end = time.monotonic() + timeout_s
    while True:
        value = driver.execute_script(f"return {script}")
        if value or time.monotonic() > end:
            return value
        time.sleep(0.1)


@pytest.fixture(scope="module")
def plank_page(videos, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("html")
    result = formcheck("analyze", str(videos / PLANK), "-e", "plank", "--out", str(out), "--no-history")
    assert result.returncode == 0, result.stderr
    return out / Path(PLANK).stem


def test_report_html_shows_the_video_timeline_and_faults_and_a_time_seeks(browser, plank_page, tmp_path):
    from selenium.webdriver.common.by import By

    report = json.loads((plank_page / "report.json").read_text())
    page = plank_page / "report.html"
    assert page.is_file()
    browser.get(page.as_uri())
    assert browser.title.startswith("formcheck: Plank")
    # the annotated video beside it plays: its metadata loads and its length is the clip's
    assert wait_for(browser, "document.getElementById('video').readyState >= 1"), "the video did not load"
    duration = browser.execute_script("return document.getElementById('video').duration")
    assert abs(duration - report["duration_s"]) < 0.5
    assert browser.find_element(By.ID, "video").get_attribute("src").endswith("/annotated.mp4")
    # the timeline is embedded, decoded at its own size
    size = browser.execute_script(
        "var i = document.getElementById('timeline'); return [i.naturalWidth, i.naturalHeight]"
    )
    assert size[0] > 600 and size[1] > 300
    assert browser.find_element(By.ID, "timeline").get_attribute("src").startswith("data:image/png;base64,")
    # one row per fault in report.json, and the cues
    rows = browser.find_elements(By.CSS_SELECTOR, "#faults tbody tr")
    assert len(rows) == len(report["faults"]) >= 3
    assert rows[0].find_element(By.TAG_NAME, "td").text == report["faults"][0]["name"].replace("_", " ")
    cues = browser.find_element(By.ID, "cues").text
    assert all(f["cue"] in cues for f in report["faults"])
    shot = tmp_path / "report.png"
    browser.save_screenshot(str(shot))
    if os.environ.get("FORMCHECK_SCREENSHOTS"):  # to look at it: FORMCHECK_SCREENSHOTS=folder
        shutil.copy(shot, Path(os.environ["FORMCHECK_SCREENSHOTS"]) / "report.png")
    assert shot.stat().st_size > 50_000
    # a click on a fault's start moves the video there
    third = report["faults"][2]
    button = rows[2].find_element(By.CSS_SELECTOR, "button.seek")
    assert float(button.get_attribute("data-t")) == pytest.approx(third["start_s"], abs=0.001)
    before = browser.execute_script("return document.getElementById('video').currentTime")
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", button)
    button.click()
    now = wait_for(
        browser,
        f"Math.abs(document.getElementById('video').currentTime - {third['start_s']}) < 0.05 && "
        "document.getElementById('video').currentTime",
    )
    assert now and now != before, f"currentTime {now} (was {before}), wanted {third['start_s']}"
    assert wait_for(browser, "!document.getElementById('video').seeking")
    if os.environ.get("FORMCHECK_SCREENSHOTS"):
        browser.save_screenshot(str(Path(os.environ["FORMCHECK_SCREENSHOTS"]) / "report-after-click.png"))


def test_the_history_page_shows_the_plot_and_links_each_report(browser, plank_page, tmp_path, monkeypatch):
    from selenium.webdriver.common.by import By

    from formcheck.history import record

    monkeypatch.setenv("FORMCHECK_HISTORY", str(tmp_path / "history.sqlite"))
    report = json.loads((plank_page / "report.json").read_text())
    record(report, report_path=plank_page / "report.json")
    page = tmp_path / "history.html"
    result = formcheck("history", "--html", str(page))
    assert result.returncode == 0, result.stderr
    browser.get(page.as_uri())
    size = browser.execute_script("var i = document.getElementById('progress'); return i.naturalWidth")
    assert size > 600
    rows = browser.find_elements(By.CSS_SELECTOR, "#sessions tbody tr")
    assert len(rows) == 1
    link = rows[0].find_element(By.TAG_NAME, "a")
    assert link.text == report["source"]
    link.click()
    assert wait_for(browser, "document.getElementById('faults') !== null"), "the link did not open the report"
