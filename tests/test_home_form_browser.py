"""The home rating form in a real browser: Debian's Chromium, driven by Selenium.

The file is loaded from disk, rated with the keyboard and with the pointer, its code read
off the page and entered with ``fittui enter``: the saved scores must equal the marks, and
the browser's network log must hold no request but the file itself. On a machine without
Chromium, its driver or Selenium the tests say so and are skipped (CI installs them).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from fittui.storage.store import Store

webdriver = pytest.importorskip("selenium.webdriver", reason="selenium is not installed")
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
DRIVER = shutil.which("chromedriver")
pytestmark = pytest.mark.skipif(
    not (CHROMIUM and DRIVER),
    reason="Debian's chromium and chromium-driver are not installed (apt-get install them)",
)


@pytest.fixture
def browser():
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    options = Options()
    options.binary_location = CHROMIUM
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-dev-shm-usage",
        "--window-size=800,1200",
    ):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"performance": "ALL", "browser": "ALL"})
    driver = webdriver.Chrome(service=Service(DRIVER), options=options)
    try:
        yield driver
    finally:
        driver.quit()


def _requests(driver) -> list[str]:
    urls = []
    for entry in driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message["method"] == "Network.requestWillBeSent":
            urls.append(message["params"]["request"]["url"])
    return urls


def _form(cli, db: Path, tmp_path: Path, instrument: str) -> Path:
    assert cli("add-client", "H1", "--label", "Home client").code == 0
    page = tmp_path / f"form-{instrument}.html"
    assert cli("form", "H1", instrument, "-o", str(page)).code == 0
    return page


def _code(driver) -> str:
    from selenium.webdriver.common.by import By

    driver.find_element(By.ID, "done").click()
    return driver.find_element(By.ID, "code").text


def test_keyboard_rating_round_trips_and_sends_nothing(browser, cli, db, tmp_path):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    page = _form(cli, db, tmp_path, "ORS")
    browser.get(page.as_uri())
    assert "H1" not in browser.page_source and "Home client" not in browser.page_source
    lines = browser.find_elements(By.CSS_SELECTOR, ".line")
    assert [line.get_attribute("aria-valuetext") for line in lines] == ["not marked yet"] * 4
    browser.find_element(By.ID, "done").click()
    assert "Individually" in browser.find_element(By.ID, "problem").text
    lines[0].send_keys(Keys.ARROW_RIGHT, Keys.ARROW_RIGHT)  # the middle, then half a point up
    lines[1].send_keys("7")
    lines[2].send_keys(Keys.END)
    lines[3].send_keys(Keys.ARROW_LEFT, Keys.HOME)
    code = _code(browser)
    assert code.startswith("ORS 5.5 7.0 10.0 0.0 · ")

    assert cli("enter", code, "--yes").code == 0
    [saved] = Store(db).administrations("H1")
    assert saved.items == {"individually": 55, "interpersonally": 70, "socially": 100, "overall": 0}
    assert saved.mode == "remote_form"
    assert _requests(browser) == [page.as_uri()]
    problems = [e for e in browser.get_log("browser") if e["level"] == "SEVERE"]
    assert problems == []  # no script error, nothing blocked by the page's own policy


def test_pointer_marks_where_the_line_is_touched(browser, cli, db, tmp_path):
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By

    page = _form(cli, db, tmp_path, "SRS")
    browser.get(page.as_uri())
    lines = browser.find_elements(By.CSS_SELECTOR, ".line")
    marks = []
    for line, share in zip(lines, (0.2, 0.5, 0.9, 0.35)):
        width = line.size["width"]
        # Selenium's offsets count from the element's centre.
        ActionChains(browser).move_to_element_with_offset(
            line, int(width * share - width / 2), 0
        ).click().perform()
        marks.append(round(float(line.get_attribute("aria-valuenow")) * 10))
    for mark, share in zip(marks, (0.2, 0.5, 0.9, 0.35)):
        assert abs(mark - share * 100) <= 1
    # A drag moves the mark: press at 20%, release at 60%.
    line, width = lines[0], lines[0].size["width"]
    ActionChains(browser).move_to_element_with_offset(
        line, int(width * 0.2 - width / 2), 0
    ).click_and_hold().move_by_offset(int(width * 0.4), 0).release().perform()
    marks[0] = round(float(line.get_attribute("aria-valuenow")) * 10)
    assert abs(marks[0] - 60) <= 1

    code = _code(browser)
    assert cli("enter", code, "--yes").code == 0
    [saved] = Store(db).administrations("H1")
    assert list(saved.items.values()) == marks
    assert _requests(browser) == [page.as_uri()]


def test_likert_questions_are_answered_with_the_keyboard(browser, cli, db, tmp_path):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    page = _form(cli, db, tmp_path, "GAD-7")
    browser.get(page.as_uri())
    answers = [0, 1, 2, 3, 1, 0, 2]
    for n, answer in enumerate(answers):
        first = browser.find_element(By.CSS_SELECTOR, f"input[name=item-{n}]")
        first.send_keys(Keys.SPACE)  # choose the first answer, then arrow down to the wanted one
        for _ in range(answer):
            browser.switch_to.active_element.send_keys(Keys.ARROW_DOWN)
    code = _code(browser)
    assert code.startswith("GAD-7 0 1 2 3 1 0 2 · ")
    assert cli("enter", code, "--yes").code == 0
    [saved] = Store(db).administrations("H1")
    assert [v // 10 for v in saved.items.values()] == answers


def test_phone_sized_viewport_keeps_the_lines_on_screen(browser, cli, db, tmp_path):
    from selenium.webdriver.common.by import By

    page = _form(cli, db, tmp_path, "ORS")
    browser.set_window_size(375, 667)
    browser.get(page.as_uri())
    width = browser.execute_script("return document.documentElement.clientWidth")
    scroll = browser.execute_script("return document.documentElement.scrollWidth")
    assert scroll <= width  # nothing sideways on a phone
    for line in browser.find_elements(By.CSS_SELECTOR, ".line"):
        assert line.size["height"] >= 44  # a finger's target
        assert line.location["x"] + line.size["width"] <= width


def test_the_page_reflows_at_200_percent_zoom(browser, cli, db, tmp_path):
    """200% zoom on a 640-pixel-wide window is a 320-pixel page: the lines, the words and
    Done must still fit without scrolling sideways (WCAG's reflow width)."""
    from selenium.webdriver.common.by import By

    page = _form(cli, db, tmp_path, "SRS")
    browser.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": 320, "height": 640, "deviceScaleFactor": 2, "mobile": True},
    )
    browser.get(page.as_uri())
    width = browser.execute_script("return document.documentElement.clientWidth")
    assert width == 320
    assert browser.execute_script("return document.documentElement.scrollWidth") <= width
    for element in browser.find_elements(By.CSS_SELECTOR, ".line, .ends, #done, h2"):
        assert element.location["x"] + element.size["width"] <= width


def test_a_form_in_the_clients_language_gives_the_same_code(browser, cli, db, tmp_path):
    """A German client's form: German words and numbers on the page, the script's messages
    in German, and a response code that saves exactly what an English one would."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    assert cli("add-client", "H1", "--language", "de").code == 0
    page = tmp_path / "form-de.html"
    assert cli("form", "H1", "ORS", "-o", str(page)).code == 0
    browser.get(page.as_uri())
    assert browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == "de"
    lines = browser.find_elements(By.CSS_SELECTOR, ".line")
    assert lines[0].get_attribute("aria-valuetext") == "noch nicht markiert"
    browser.find_element(By.ID, "done").click()
    assert browser.find_element(By.ID, "problem").text == "Bitte markieren Sie zuerst „Persönlich“."
    lines[0].send_keys(Keys.ARROW_RIGHT, Keys.ARROW_RIGHT)
    assert lines[0].get_attribute("aria-valuetext") == "markiert bei 5,5 von 10,0"
    lines[1].send_keys("7")
    lines[2].send_keys(Keys.END)
    lines[3].send_keys(Keys.HOME)
    code = _code(browser)
    assert code.startswith("ORS 5.5 7.0 10.0 0.0 · ")  # the code is the same in every language
    assert cli("enter", code, "--yes").code == 0
    [saved] = Store(db).administrations("H1")
    assert saved.items == {"individually": 55, "interpersonally": 70, "socially": 100, "overall": 0}
    assert _requests(browser) == [page.as_uri()]
    assert [e for e in browser.get_log("browser") if e["level"] == "SEVERE"] == []


def test_without_scripts_the_page_says_to_open_it_in_a_browser(cli, db, tmp_path):
    """A mail app's preview, or a browser with scripts switched off, shows the lines but
    cannot mark them: the page says so and what to do, rather than leaving a Done that
    does nothing."""
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By

    page = _form(cli, db, tmp_path, "ORS")
    options = Options()
    options.binary_location = CHROMIUM
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"):
        options.add_argument(flag)
    options.add_experimental_option(
        "prefs", {"profile.managed_default_content_settings.javascript": 2}
    )
    driver = webdriver.Chrome(service=Service(DRIVER), options=options)
    try:
        driver.get(page.as_uri())
        warning = driver.find_element(By.ID, "no-script")
        assert warning.is_displayed() and "open this file in a browser" in warning.text
        assert not driver.find_element(By.ID, "done").is_displayed()
    finally:
        driver.quit()


def test_the_users_own_wording_cannot_break_the_page(browser, cli, db, tmp_path):
    """An item label in an instrument file holding '<!--<script>' (pasted markup, say)
    put the browser's reading of the page's data past its own end: the script never ran
    and Done did nothing."""
    from selenium.webdriver.common.by import By

    folder = tmp_path / "config" / "instruments"  # the cli fixture's FITTUI_CONFIG
    folder.mkdir(parents=True)
    (folder / "ors.toml").write_text(
        'key = "ORS"\nname = "Outcome Rating Scale"\n'
        '[[items]]\nkey = "individually"\nlabel = "Me <!--<script>"\n'
        'description = "x"\nlow = "low"\nhigh = "high"\n',
        encoding="utf-8",
    )
    page = _form(cli, db, tmp_path, "ORS")
    browser.get(page.as_uri())
    browser.find_element(By.ID, "done").click()
    assert "Me <!--<script>" in browser.find_element(By.ID, "problem").text
    for line in browser.find_elements(By.CSS_SELECTOR, ".line"):
        line.send_keys("5")
    assert _code(browser).startswith("ORS 5.0 5.0 5.0 5.0 · ")
