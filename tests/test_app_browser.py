"""The live view in a real browser: Debian's Chromium driven by Playwright, offline.

Runs where the `viz` extra is installed (Mesa >= 3.5, Python >= 3.12; `.ci/run` sets this up);
elsewhere it is skipped for that reason only. A missing Chromium or Playwright is a failure.
The screenshot goes to tests/artifacts/live_view.png (docs/live_view.png is a copy of one).
"""

import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from sim.viz.live import missing_view_requirement

pytestmark = pytest.mark.skipif(missing_view_requirement() is not None,
                                reason="the viz extra is not installed: " + str(missing_view_requirement()))

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"]
ROOT = Path(__file__).resolve().parents[1]
SCREENSHOT = ROOT / "tests" / "artifacts" / "live_view.png"
LOOPBACK = re.compile(r"^(https?|wss?)://(127\.0\.0\.1|localhost)(:\d+)?/")
COMPILE_AND_START_S = 240  # a cold Numba cache compiles the kernels on the first Step


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def app_url(tmp_path):
    """`python -m sim.app` on a free loopback port, in its own process group, stopped afterwards."""
    port = free_port()
    log = open(tmp_path / "app.log", "w")  # noqa: SIM115 (closed below)
    proc = subprocess.Popen([sys.executable, "-m", "sim.app", "--port", str(port)], cwd=ROOT, stdout=log,
                            stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + 120
        while True:
            assert proc.poll() is None, f"the app exited: {(tmp_path / 'app.log').read_text()}"
            try:
                with urllib.request.urlopen(url, timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            assert time.monotonic() < deadline, "the app did not answer within 120 s"
            time.sleep(0.5)
        yield url
    finally:
        os.killpg(proc.pid, signal.SIGTERM)  # only the group this fixture started
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        log.close()


def summaries(page):
    """Each arm's summary line, by arm."""
    lines = page.locator(".arm-summary").all_inner_texts()
    return {line.split(",", 1)[0]: line for line in lines}


def day_of(page, arm):
    return int(re.search(r"day (\d+)", summaries(page)[arm]).group(1))


def values_of(line):
    """The line without its day: what the model's state says."""
    return re.sub(r"day \d+", "", line)


def images(page):
    return page.locator("img").evaluate_all("nodes => nodes.map(n => n.src)")


def test_live_view_in_chromium(app_url, tmp_path):
    assert Path(CHROMIUM).exists(), f"{CHROMIUM} is missing: apt-get install -y chromium"
    from playwright.sync_api import sync_playwright

    left_loopback, page_errors = [], []

    def only_loopback(route):
        if LOOPBACK.match(route.request.url):
            route.continue_()
        else:
            left_loopback.append(route.request.url)
            route.abort()

    with sync_playwright() as p:
        context = p.chromium.launch_persistent_context(
            str(tmp_path / "profile"), executable_path=CHROMIUM, headless=True, args=CHROMIUM_FLAGS,
            viewport={"width": 1600, "height": 1000})
        try:
            context.route("**/*", only_loopback)
            page = context.new_page()
            page.on("pageerror", lambda error: page_errors.append(str(error)))
            page.on("websocket", lambda ws: None if LOOPBACK.match(ws.url) else left_loopback.append(ws.url))
            page.goto(app_url)
            page.get_by_text("Time: 0.0").wait_for(timeout=60_000)
            page.locator(".arm-summary").first.wait_for(timeout=60_000)
            before, images_before = summaries(page), images(page)
            assert set(before) == {"usual_care", "discharge_support"}, before

            page.get_by_role("button", name="Step").click()
            page.get_by_text("Time: 1.0").wait_for(timeout=COMPILE_AND_START_S * 1000)  # the day counter
            page.get_by_text("usual_care, day 1:").wait_for(timeout=30_000)
            # both arms' values and both figures change as days pass
            render_interval = page.get_by_role("slider").nth(1)
            render_interval.focus()
            page.keyboard.press("End")
            page.get_by_role("button", name="Step").click()
            page.get_by_text(re.compile(r"^Time: \d{2,}")).wait_for(timeout=60_000)
            after = summaries(page)
            page.wait_for_timeout(500)
            for arm in before:
                assert values_of(after[arm]) != values_of(before[arm]), (arm, before[arm], after[arm])
            assert values_of(after["usual_care"]).split(":", 1)[1] != values_of(after["discharge_support"]).split(
                ":", 1)[1], after
            changed = [a != b for a, b in zip(images_before, images(page), strict=True)]
            assert len(changed) == 2 and all(changed), changed
            page.screenshot(path=tmp_path / "stepped.png", full_page=True)

            # a control changes the model once Reset rebuilds it
            page.get_by_role("button", name="discharge_support").click()
            page.get_by_role("option", name="self_management").click()
            page.get_by_role("button", name="Reset").click()
            page.get_by_text("Time: 0.0").wait_for(timeout=60_000)
            page.get_by_text("self_management, day 0:").wait_for(timeout=60_000)
            for _ in range(2):  # two Steps of the render interval's days each
                day = day_of(page, "self_management")
                page.get_by_role("button", name="Step").click()
                page.wait_for_function(
                    "day => [...document.querySelectorAll('.arm-summary')].some(n => "
                    "n.innerText.startsWith('self_management, day ') && parseInt(n.innerText.split('day ')[1]) > day)",
                    arg=day, timeout=60_000)
            assert day_of(page, "self_management") >= 150
            page.wait_for_timeout(1500)
            SCREENSHOT.parent.mkdir(exist_ok=True)
            page.screenshot(path=SCREENSHOT, full_page=True)
        finally:
            context.close()
    assert page_errors == []
    assert left_loopback == []
