"""Headless Chromium for browser tests (Debian's chromium, driven by Playwright)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def require(binary: str, install_hint: str) -> str:
    """The path of a server binary the test needs; skip (or fail in CI) when it is missing."""
    path = binary if os.path.isabs(binary) and os.path.exists(binary) else shutil.which(binary)
    if path:
        return path
    message = f"{binary} is not installed; {install_hint}"
    if os.environ.get("CI_REQUIRE_SERVERS") == "1":
        pytest.fail(message)
    pytest.skip(message)


@contextmanager
def chromium_page(width: int = 1400, height: int = 1000) -> Iterator[object]:
    """A Playwright page in Debian's headless Chromium."""
    from playwright.sync_api import sync_playwright

    executable = require(CHROMIUM, "install Debian's chromium: apt-get install chromium")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=ARGS)
        try:
            page = browser.new_page(viewport={"width": width, "height": height})
            yield page
        finally:
            browser.close()
