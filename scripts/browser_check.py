"""Real-browser check: start the app headless on a local port, ask the example question in
Debian's Chromium (through chromedriver), assert the citation shows, save a screenshot.

    python scripts/browser_check.py [--index embeddings] [--out docs/screenshot.png]
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
QUESTION = "Who signed for the Đảng ủy Khối?"
EXPECT = "Lê Thị Hồng Nga"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--index", default=str(ROOT / "embeddings"))
    ap.add_argument("--out", default=str(ROOT / "docs" / "screenshot.png"))
    ap.add_argument("--timeout", type=float, default=120)
    args = ap.parse_args()

    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    port = free_port()
    env = {**os.environ, "NEWSQA_INDEX_DIR": args.index}
    app = subprocess.Popen([sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"),
                            "--server.headless", "true", "--server.port", str(port),
                            "--server.address", "127.0.0.1",
                            "--browser.gatherUsageStats", "false"],
                           cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL)
    opts = webdriver.ChromeOptions()
    opts.binary_location = "/usr/bin/chromium"
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--window-size=1400,2300",
                 "--disable-dev-shm-usage"):
        opts.add_argument(flag)
    driver = None
    try:
        deadline = time.monotonic() + args.timeout
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.5)
        driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=opts)
        driver.get(f"http://127.0.0.1:{port}/")
        wait = WebDriverWait(driver, args.timeout)
        box = wait.until(ec.element_to_be_clickable(
            (By.CSS_SELECTOR, "[data-testid='stChatInputTextArea']")))
        box.send_keys(QUESTION)
        box.send_keys(Keys.ENTER)
        wait.until(lambda d: EXPECT in d.find_element(By.TAG_NAME, "body").text and
                   len(d.find_elements(By.TAG_NAME, "mark")) > 0)
        time.sleep(1.5)
        Path(args.out).parent.mkdir(parents=True, exist_ok=True)
        driver.save_screenshot(args.out)
        body = driver.find_element(By.TAG_NAME, "body").text
        assert EXPECT in body and "[1]" in body, "citation text not on the page"
        print(f"browser check passed: citation with {EXPECT!r} shown; screenshot {args.out}")
        return 0
    finally:
        if driver is not None:
            driver.quit()
        app.terminate()
        app.wait(timeout=20)


if __name__ == "__main__":
    raise SystemExit(main())
