"""Real-browser check of the app in Debian's Chromium (through chromedriver).

Builds an index of the seed article plus one undated article, starts the app headless on
a free local port, and as a person would: asks the example question, clicks ``[1]`` and
checks that its card scrolls into view, saves ``docs/screenshot.png``; asks a follow-up
and saves ``docs/screenshot-followup.png``; switches to English and checks the labels;
asks about the undated article. Exits non-zero when any step fails.

    python scripts/browser_check.py [--out-dir docs]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
QUESTION = "Who signed for the Đảng ủy Khối?"
SIGNER = "Lê Thị Hồng Nga"
FOLLOW_UP = "Còn phía Tập đoàn thì ai ký?"
OTHER_SIGNER = "Nguyễn Phú Cường"
UNDATED = {"id": "ho-tay", "title": "Hồ Tây đón đàn chim di cư",
           "text": "Sáng nay, hàng trăm con cò trắng đã bay về Hồ Tây. Ông Trần Văn Bình, "
                   "người trông coi khu vực, cho biết đàn cò năm nay đông gấp đôi năm ngoái."}
UNDATED_QUESTION = "Ai trông coi khu vực Hồ Tây?"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def build_mixed_index(tmp: Path) -> Path:
    corpus = tmp / "corpus"
    corpus.mkdir()
    shutil.copy(ROOT / "corpus" / "000_168de5f92c45ac6d.txt", corpus)
    (corpus / "undated.jsonl").write_text(json.dumps(UNDATED, ensure_ascii=False),
                                          encoding="utf-8")
    subprocess.run([sys.executable, "-m", "newsqa", "build", "--corpus", str(corpus),
                    "--index", str(tmp / "index"), "--quiet"], check=True, cwd=ROOT)
    return tmp / "index"


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--out-dir", default=str(ROOT / "docs"))
    ap.add_argument("--timeout", type=float, default=120)
    args = ap.parse_args()

    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    out = Path(args.out_dir)
    out.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix="newsqa-browser-"))
    index = build_mixed_index(tmp)
    port = free_port()
    env = {**os.environ, "NEWSQA_INDEX_DIR": str(index), "NEWSQA_CORPUS_DIR": str(tmp)}
    app = subprocess.Popen([sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"),
                            "--server.headless", "true", "--server.port", str(port),
                            "--server.address", "127.0.0.1"],
                           cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL)
    opts = webdriver.ChromeOptions()
    opts.binary_location = "/usr/bin/chromium"
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--window-size=1400,1000",
                 "--disable-dev-shm-usage", f"--user-data-dir={tmp / 'chrome'}"):
        opts.add_argument(flag)
    driver: Any = None
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

        def body() -> str:
            return str(driver.find_element(By.TAG_NAME, "body").text)

        def shoot(path: Path, message: int) -> None:
            """A tall window from chat message ``message`` on, then back to 1400×1000."""
            driver.set_window_size(1400, 1900)
            time.sleep(0.5)
            first = driver.find_elements(By.CSS_SELECTOR, "[data-testid='stChatMessage']")
            driver.execute_script("arguments[0].scrollIntoView({block: 'start'})",
                                  first[message])
            time.sleep(0.8)
            driver.save_screenshot(str(path))
            driver.set_window_size(1400, 1000)
            time.sleep(0.5)

        def ask(question: str, expect: str, answers: int) -> None:
            box = wait.until(ec.element_to_be_clickable(
                (By.CSS_SELECTOR, "[data-testid='stChatInputTextArea']")))
            box.send_keys(question)
            box.send_keys(Keys.ENTER)
            wait.until(lambda d: expect in body() and len(d.find_elements(
                By.CSS_SELECTOR, "[data-testid='stChatMessage']")) >= 2 * answers)
            time.sleep(1.0)

        # 1. The example question, its [1] marker clicked: the card scrolls into view.
        ask(QUESTION, SIGNER, 1)
        shoot(out / "screenshot.png", 0)
        marker = wait.until(ec.element_to_be_clickable((By.CSS_SELECTOR, "a.cite")))
        target = marker.get_attribute("href").split("#", 1)[1]
        card = driver.find_element(By.ID, target)
        top = "return arguments[0].getBoundingClientRect().top;"
        # The marker mid-screen: its card starts further down, then moves up to the top.
        driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", marker)
        time.sleep(0.3)
        before = driver.execute_script(top, card)
        marker.click()
        time.sleep(1.0)
        after = driver.execute_script(top, card)
        assert before > 300 and 0 <= after <= 200, \
            f"card {target} not scrolled into view by [1] (top {before:.0f} → {after:.0f})"
        assert "[1]" in card.text, "the card does not say which [n] it is"

        # 2. A follow-up conversation.
        ask(FOLLOW_UP, OTHER_SIGNER, 2)
        shoot(out / "screenshot-followup.png", 2)

        # 3. English labels from the switch, for every answer on the page.
        driver.find_element(By.XPATH, "//label[.//p[text()='English']]").click()
        wait.until(lambda d: "News Q&A" in body())
        text = body()
        assert "Sources" in text and "Nguồn trích dẫn" not in text, "labels not in English"

        # 4. An undated article of a mixed corpus is answered with no filter set.
        ask(UNDATED_QUESTION, "Trần Văn Bình", 3)
        print(f"browser check passed: [1] scrolls to its card, labels follow the switch, "
              f"the undated article is answered; screenshots in {out}")
        return 0
    finally:
        if driver is not None:
            driver.quit()
        app.terminate()
        app.wait(timeout=20)
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
