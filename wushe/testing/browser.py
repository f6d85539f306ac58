"""Phone-sized pages in Debian's Chromium (/usr/bin/chromium) through Playwright; no browser download.

Tests use the `phone_page` / `phone_pages` fixtures from conftest.py and mark themselves with
`pytestmark = BROWSER_MARKS`.
"""

import os
import shutil
from contextlib import contextmanager

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run"]
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True,
         "device_scale_factor": 2, "locale": "zh-CN"}

# CI must run these: without Chromium they fail there instead of skipping.
BROWSER_MARKS = [
    pytest.mark.browser,
    pytest.mark.skipif(not shutil.which("chromium") and not os.path.exists(CHROMIUM) and not os.environ.get("CI"),
                       reason="Debian chromium is not installed (make browser-deps)"),
]


@contextmanager
def phone_browser(server_url: str):
    """Yield a factory of phone pages; each page records requests that leave the live server."""
    # Playwright's sync API runs an event loop in this thread; the ORM calls made by the test itself are safe.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS, headless=True)

        def new_page():
            page = browser.new_context(**PHONE).new_page()
            external: list[str] = []
            page.on("request", lambda request: external.append(request.url)
                    if not request.url.startswith((server_url, "data:")) else None)
            page.external_requests = external
            return page

        try:
            yield new_page
        finally:
            browser.close()
