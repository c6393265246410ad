"""Helpers for the browser tests: launching Debian's chromium and recording what pages do.

Playwright cannot download its own browsers here, so we always drive the system chromium.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import time
from dataclasses import dataclass, field
from urllib.parse import urlsplit

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]

# A personnummer with or without century and hyphen (12 or 10 digits).
PERSONNUMMER_RE = re.compile(r"\b\d{8}-?\d{4}\b|\b\d{6}-?\d{4}\b")


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}


def chromium_problem() -> str | None:
    """None when chromium is usable, else why not. Installs it once when allowed to."""
    if os.path.exists(CHROMIUM) and os.access(CHROMIUM, os.X_OK):
        return None
    may_install = (in_ci() or os.environ.get("BISTAND_INSTALL_BROWSER")) and hasattr(os, "geteuid")
    if may_install and os.geteuid() == 0 and shutil.which("apt-get"):
        result = subprocess.run(
            ["apt-get", "install", "-y", "--no-install-recommends", "chromium"],
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        if os.path.exists(CHROMIUM):
            return None
        error = result.stderr.strip()[-500:]
        return f"{CHROMIUM} missing and `apt-get install chromium` failed: {error}"
    return f"{CHROMIUM} missing (set BISTAND_INSTALL_BROWSER=1 and run as root to install it)"


def origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


@dataclass
class Recorder:
    """Everything the pages of one or more contexts asked for or complained about."""

    requests: list[tuple[str, str, str]] = field(default_factory=list)  # (who, method, url)
    failed: list[tuple[str, str, str]] = field(default_factory=list)  # (who, url, error)
    console_errors: list[tuple[str, str, str]] = field(default_factory=list)  # (who, text, url)
    page_errors: list[tuple[str, str]] = field(default_factory=list)
    htmx: list[str] = field(default_factory=list)  # urls fetched by htmx (HX-Request header)

    def attach(self, context, who: str) -> None:
        context.on("request", lambda r: self._on_request(r, who))
        context.on("requestfailed", lambda r: self.failed.append((who, r.url, r.failure or "")))
        context.on("page", lambda p: self._attach_page(p, who))
        for page in context.pages:
            self._attach_page(page, who)

    def _on_request(self, request, who: str) -> None:
        self.requests.append((who, request.method, request.url))
        if request.headers.get("hx-request") == "true":
            self.htmx.append(request.url)

    def _attach_page(self, page, who: str) -> None:
        def on_console(msg) -> None:
            if msg.type == "error":
                self.console_errors.append((who, msg.text, (msg.location or {}).get("url", "")))

        page.on("console", on_console)
        page.on("pageerror", lambda exc: self.page_errors.append((who, str(exc))))

    def foreign_requests(self, allowed_origin: str) -> list[str]:
        return [
            url
            for _who, _m, url in self.requests
            if not url.startswith("data:") and origin(url) != allowed_origin
        ]

    def personnummer_in_urls(self) -> list[str]:
        return [url for _who, _m, url in self.requests if PERSONNUMMER_RE.search(url)]

    def real_failures(self) -> list[tuple[str, str, str]]:
        # ERR_ABORTED is a request the browser itself cancelled (an htmx poll in flight while the
        # page navigates or its context closes): not a server or network failure.
        return [f for f in self.failed if "ERR_ABORTED" not in f[2]]


WIDEST_JS = """(limit) => [...document.querySelectorAll('body *')]
  .filter((el) => el.getBoundingClientRect().right > limit + 1)
  .slice(-5).map((el) => el.tagName + '.' + el.className + ' ' +
    Math.round(el.getBoundingClientRect().right))"""


def settled_width(page, width: int, seconds: float = 5) -> tuple[int, list[str]]:
    """The page's scroll width once it has settled: after the load event, polled for up to
    `seconds` while it is wider than `width` (two CI runs measured a phone page 453 and 880 px
    wide just after it appeared, never again). With the widest elements, for the message."""
    page.wait_for_load_state("load")
    measure = "() => Math.max(document.documentElement.scrollWidth, document.body.scrollWidth)"
    deadline = time.monotonic() + seconds
    scroll = int(page.evaluate(measure))
    while scroll > width and time.monotonic() < deadline:
        page.wait_for_timeout(100)
        scroll = int(page.evaluate(measure))
    return scroll, (page.evaluate(WIDEST_JS, width) if scroll > width else [])
