"""Fixtures for Zhimei's end-to-end browser test (pytest + selenium + Debian chromium).

The server is started by scripts/test.sh (ZHIMEI_E2E_BASE_URL). Run alone, start one yourself:
    ZHIMEI_DATA_DIR=$(mktemp -d) ZHIMEI_BCRYPT_COST=6 .build/debug/zhimei demo
    ZHIMEI_DATA_DIR=... ZHIMEI_PUBLIC_URL=http://localhost:18080 .build/debug/zhimei serve --port 18080
    ZHIMEI_E2E_BASE_URL=http://localhost:18080 python3 -m pytest tests/e2e/test_browser.py
"""
import os
import shutil

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service


def _find(*names):
    for n in names:
        p = shutil.which(n) or (n if os.path.isabs(n) and os.path.exists(n) else None)
        if p:
            return p
    return None


@pytest.fixture(scope="session")
def base_url():
    # `localhost`, not 127.0.0.1: the session cookie is Secure, which Chromium allows on http://localhost only.
    return os.environ.get("ZHIMEI_E2E_BASE_URL", "http://localhost:18080").rstrip("/")


@pytest.fixture(scope="session")
def screenshot_dir():
    d = os.environ.get("ZHIMEI_SCREENSHOT_DIR") or os.path.join(
        os.path.dirname(__file__), "..", "..", "docs", "screenshots")
    os.makedirs(d, exist_ok=True)
    return os.path.abspath(d)


@pytest.fixture(scope="session")
def driver():
    opts = webdriver.ChromeOptions()
    binary = _find("chromium", "chromium-browser", "/usr/lib/chromium/chromium", "google-chrome")
    if binary:
        opts.binary_location = binary
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                "--window-size=1280,800", "--lang=zh-CN", "--force-device-scale-factor=1",
                "--disable-search-engine-choice-screen", "--no-first-run"):
        opts.add_argument(arg)
    opts.add_experimental_option("prefs", {"intl.accept_languages": "zh-CN,zh"})
    driver_path = _find("chromedriver", "/usr/lib/chromium/chromedriver", "/usr/bin/chromedriver")
    service = Service(executable_path=driver_path) if driver_path else Service()
    d = webdriver.Chrome(options=opts, service=service)
    # Make the viewport (not the window) 1280x800, so screenshots have that size.
    d.set_window_size(1280, 800)
    iw, ih = d.execute_script("return [window.innerWidth, window.innerHeight]")
    if (iw, ih) != (1280, 800):
        d.set_window_size(1280 + 1280 - iw, 800 + 800 - ih)
    d.implicitly_wait(0)
    d.set_page_load_timeout(30)
    yield d
    d.quit()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """On a failure, keep a screenshot and the page source next to the test logs."""
    outcome = yield
    rep = outcome.get_result()
    if rep.when == "call" and rep.failed and "driver" in item.funcargs:
        d = item.funcargs["driver"]
        out = os.environ.get("ZHIMEI_LOG_DIR", "/tmp")
        try:
            d.save_screenshot(os.path.join(out, f"fail-{item.name}.png"))
            with open(os.path.join(out, f"fail-{item.name}.html"), "w") as f:
                f.write(d.page_source)
            rep.sections.append(("page", f"url: {d.current_url}"))
        except Exception:  # the browser itself may be gone
            pass
