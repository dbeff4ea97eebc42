"""The web page in a real headless browser (Debian's chromium, driven by Selenium and chromedriver).

The test types a query, sees results, switches tabs (by mouse and by keyboard), and opens a
remark in its context, at desktop and at phone width. ``.ci/run`` installs chromium and
chromium-driver; nothing is downloaded at test time.
"""

from __future__ import annotations

import shutil
import socket
import threading
import time
from pathlib import Path

import pytest

from api.app import create_app
from rag.engine import Engine
from tests.conftest import SAMPLE, fake_encoder, make_settings

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def server(tmp_path_factory, sudachi):
    import uvicorn

    settings = make_settings(tmp_path_factory.mktemp("browser") / "index")
    table = tmp_path_factory.mktemp("table") / "kaigiroku.csv"  # remarks with no topic
    table.write_text("発言者,発言内容\n佐藤議員,公園の遊具の点検について伺います。\n", encoding="utf-8")
    Engine(settings, encoder=fake_encoder(), tokenize=sudachi).ingest([SAMPLE, table])
    app = create_app(settings, engine_factory=lambda s: Engine(s, encoder=fake_encoder(), tokenize=sudachi))
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    srv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    for _ in range(200):
        if srv.started:
            break
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    srv.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    if not (Path(CHROMIUM).exists() and Path(CHROMEDRIVER).exists()):
        pytest.skip("Debian's chromium and chromium-driver are not installed (.ci/run installs them)")
    webdriver = pytest.importorskip("selenium.webdriver")
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={tmp_path_factory.mktemp('chromium')}",
        "--window-size=1200,900",
    ):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.implicitly_wait(0)
    yield driver
    driver.quit()


def wait_for(driver, css: str, timeout: float = 15.0):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(driver, timeout).until(ec.presence_of_element_located((By.CSS_SELECTOR, css)))
    return driver.find_elements(By.CSS_SELECTOR, css)


def test_search_ask_who_and_context(server, browser):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    browser.get(server + "/")
    wait_for(browser, "#meeting option[value]:not([value=''])")  # filters filled from /meetings
    box = browser.find_element(By.ID, "q")
    box.send_keys("南海トラフ", Keys.ENTER)
    hits = wait_for(browser, "[data-testid=hit]")
    assert "村井 純" in hits[0].text and "南海トラフ" in hits[0].find_element(By.TAG_NAME, "mark").text

    tab = browser.find_element(By.ID, "tab-search")
    tab.send_keys(Keys.ARROW_RIGHT)  # keyboard: to 質問, which re-runs the query as a question
    answer = wait_for(browser, "[data-testid=answer]")[0]
    assert browser.switch_to.active_element.get_attribute("id") == "tab-ask"
    assert "村井 純" in answer.text
    quotes = [q.text for q in browser.find_elements(By.CSS_SELECTOR, "[data-testid=citation] blockquote")]
    assert quotes

    browser.find_element(By.ID, "tab-who").click()
    speakers = wait_for(browser, "[data-testid=speaker]")
    assert browser.find_element(By.ID, "tab-who").get_attribute("aria-selected") == "true"
    assert speakers and speakers[0].find_element(By.CLASS_NAME, "badge").text

    speakers[0].find_element(By.CSS_SELECTOR, "a[data-remark]").click()
    current = wait_for(browser, "[data-testid=current]")[0]
    assert current.text and len(browser.find_elements(By.CSS_SELECTOR, "[data-testid=context] > div")) >= 2
    assert "#/remarks/" in browser.current_url


def test_errors_are_shown_and_phone_width_fits(server, browser):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    browser.set_window_size(390, 844)
    try:
        browser.get(server + "/#/search?q=" + "あ" * 1001)
        error = wait_for(browser, "#status .error")[0]
        assert "1000" in error.text
        box = browser.find_element(By.ID, "q")
        box.clear()
        box.send_keys("防災", Keys.ENTER)
        wait_for(browser, "[data-testid=hit]")
        overflow = browser.execute_script("return document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0
    finally:
        browser.set_window_size(1200, 900)


def test_a_remark_without_a_topic_leaves_no_empty_separator(server, browser):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    browser.get(server + "/")
    box = browser.find_element(By.ID, "q")
    box.clear()
    box.send_keys("公園の遊具の点検", Keys.ENTER)
    wait_for(browser, "[data-testid=hit]")
    browser.find_element(By.ID, "tab-who").click()
    speaker = next(s for s in wait_for(browser, "[data-testid=speaker]") if "佐藤" in s.text)
    assert "件 ・" not in speaker.text
    speaker.find_element(By.CSS_SELECTOR, "a[data-remark]").click()
    wait_for(browser, "[data-testid=current]")
    status = browser.find_element(By.ID, "status").text
    assert "・ ・" not in status and "・  ・" not in status
