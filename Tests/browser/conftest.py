"""Fixtures of the explorer tests: a `quadform serve` on a free loopback port, started here and
stopped after the session, and a headless Chromium driven by Selenium through Debian's
/usr/bin/chromedriver (given explicitly, so Selenium Manager never runs and nothing is downloaded)."""

import json
import os
import re
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BINARY = Path(os.environ.get("QUADFORM_BIN", ROOT / ".build" / "debug" / "quadform"))
CHROMEDRIVER = os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver")
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")


@pytest.fixture(scope="session")
def quadform():
    """The path of the quadform executable (built by `swift build` before the tests)."""
    assert BINARY.exists(), f"{BINARY} is missing: run `swift build` first"
    return str(BINARY)


@pytest.fixture(scope="session")
def server_process(quadform):
    """A `quadform serve --port 0` started for the session, with its printed base URL as `.url`."""
    process = subprocess.Popen([quadform, "serve", "--port", "0"], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
    try:
        line = process.stdout.readline()
        match = re.search(r"(http://127\.0\.0\.1:\d+/)", line)
        assert match, f"serve printed {line!r}, stderr {process.stderr.read() if process.poll() is not None else ''}"
        process.url = match.group(1)
        yield process
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture(scope="session")
def server(server_process):
    """The base URL of the session's `quadform serve`."""
    return server_process.url


def children(pid):
    """The process ids whose parent is `pid` (read from /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat[stat.rindex(")") + 2:].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def post(base, path, body, raw=None, headers=None):
    """POSTs `body` as JSON (or the bytes `raw`); returns (status, parsed JSON answer)."""
    data = raw if raw is not None else json.dumps(body).encode()
    request = urllib.request.Request(base.rstrip("/") + path, data=data, method="POST",
                                     headers=headers or {"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


@pytest.fixture(scope="session")
def browser():
    """A headless Chromium (Debian's) with its console log readable."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for argument in ["--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                     "--window-size=1400,1000", "--no-first-run", "--disable-extensions"]:
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(30)
    try:
        yield driver
    finally:
        driver.quit()


@pytest.fixture
def wait_for():
    """Polls `condition()` until it is truthy (returns it) or `seconds` pass (fails)."""
    def wait(condition, seconds=30, message="condition"):
        deadline = time.monotonic() + seconds
        last = None
        while time.monotonic() < deadline:
            try:
                last = condition()
                if last:
                    return last
            except Exception as error:  # a stale element while the page re-renders
                last = error
            time.sleep(0.1)
        raise AssertionError(f"timed out waiting for {message}; last: {last!r}")
    return wait


SCREENSHOTS = Path(os.environ.get("EXPLORER_SCREENSHOTS", ROOT / ".build-screenshots"))


def chromium(width, height, mobile=False):
    """A new headless Chromium; `mobile`: a 390 px phone (device metrics and touch emulated, so the
    viewport meta tag and mobile Chrome's shrink-to-fit apply)."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for argument in ["--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                     f"--window-size={width},{height}", "--no-first-run", "--disable-extensions"]:
        options.add_argument(argument)
    if mobile:
        options.add_experimental_option("mobileEmulation", {
            "deviceMetrics": {"width": width, "height": height, "pixelRatio": 2.0, "touch": True, "mobile": True},
            "userAgent": "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Mobile Safari/537.36",
        })
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(30)
    return driver


@pytest.fixture(scope="session")
def phone():
    """A headless Chromium emulating a 390 × 844 px phone."""
    driver = chromium(390, 844, mobile=True)
    try:
        yield driver
    finally:
        driver.quit()


@pytest.fixture
def new_browser():
    """Starts a second, fresh headless Chromium (no shared history or storage) on demand."""
    started = []

    def start():
        driver = chromium(1366, 900)
        started.append(driver)
        return driver
    try:
        yield start
    finally:
        for driver in started:
            driver.quit()


@pytest.fixture
def screenshot():
    """Saves the whole page of `driver` as .build-screenshots/NAME.png (a test artifact, git-ignored)."""
    def save(driver, name, full=True, height=6000, scale=1):
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{name}.png"
        if full:
            try:
                # The whole page, not just the window (Chrome DevTools Protocol).
                import base64
                metrics = driver.execute_cdp_cmd("Page.getLayoutMetrics", {})
                size = metrics.get("cssContentSize") or metrics["contentSize"]
                shot = driver.execute_cdp_cmd("Page.captureScreenshot", {
                    "format": "png", "captureBeyondViewport": True,
                    "clip": {"x": 0, "y": 0, "width": size["width"], "height": min(size["height"], height), "scale": scale}})
                path.write_bytes(base64.b64decode(shot["data"]))
                return path
            except Exception:
                pass
        driver.save_screenshot(str(path))
        return path
    return save
