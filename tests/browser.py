"""Headless Chromium (Debian's ``chromium`` package) driven by Playwright, for checking the HTML
report as a browser shows it. Used by the tests and by ``scripts/render-report``."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from playwright.sync_api import ConsoleMessage, Page, Request, sync_playwright

#: Flags for a closed network: no background requests, no updates, no sync, no QUIC; no sandbox
#: (CI runs as root); no GPU.
CHROMIUM_ARGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
)
INSTALL_HINT = "sudo apt-get install chromium  (Debian's package; ./scripts/test installs it)"


def chromium_path() -> str | None:
    """The Chromium executable on PATH, if any."""
    return shutil.which("chromium") or shutil.which("chromium-browser")


@dataclass
class PageLog:
    """What the browser reported while loading a page."""

    console: list[ConsoleMessage] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    failed_requests: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)

    def problems(self) -> list[str]:
        """Console errors and warnings, script errors and failed requests, as text."""
        return [
            *(
                f"console {m.type}: {m.text}"
                for m in self.console
                if m.type in ("error", "warning")
            ),
            *(f"page error: {e}" for e in self.page_errors),
            *(f"request failed: {r}" for r in self.failed_requests),
        ]


@contextmanager
def open_page(path: Path, width: int = 1100) -> Iterator[tuple[Page, PageLog]]:
    """Load the file ``path`` in headless Chromium and yield the page with its log; the load
    has finished (``load`` event: every image decoded or failed) when the block starts."""
    executable = chromium_path()
    if executable is None:
        raise RuntimeError(f"Chromium is needed for the browser checks: {INSTALL_HINT}")
    log = PageLog()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=list(CHROMIUM_ARGS))
        try:
            page = browser.new_page(viewport={"width": width, "height": 900})
            page.on("console", lambda message: log.console.append(message))
            page.on("pageerror", lambda error: log.page_errors.append(str(error)))

            def failed(request: Request) -> None:
                log.failed_requests.append(f"{request.url[:80]} ({request.failure})")

            page.on("requestfailed", failed)
            page.on("request", lambda request: log.requests.append(request.url))
            page.goto(path.resolve().as_uri(), wait_until="load")
            yield page, log
        finally:
            browser.close()
