"""Run the Streamlit app and a real browser against it (tests and scripts).

Shared by ``tests/test_live_browser.py`` and ``scripts/screenshots.py``:

* :func:`free_port`: a free TCP port on localhost.
* :func:`streamlit_app`: ``streamlit run app.py`` headless on such a port,
  waiting for ``/_stcore/health`` before handing out the URL.
* :func:`chromium_context`: Debian Chromium (:data:`CHROMIUM`, never a
  browser downloaded by Playwright) in a persistent Playwright context with
  the flags in :data:`CHROMIUM_ARGS`.
* :func:`server_tracebacks`: the Python tracebacks in the server's log (a
  browser test fails on any: Streamlit logs and survives many errors).

Importing this module is cheap: it does not import Streamlit at all, and
Playwright only inside :func:`chromium_context`.
"""

from __future__ import annotations

import io
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from playwright.sync_api import BrowserContext

__all__ = [
    "CHROMIUM",
    "CHROMIUM_ARGS",
    "BrowserNotFoundError",
    "StreamlitStartError",
    "chromium_context",
    "free_port",
    "server_tracebacks",
    "streamlit_app",
]

#: The system Chromium (Debian package ``chromium``).
CHROMIUM = Path("/usr/bin/chromium")

#: Flags for a quiet, headless Chromium that makes no outside connections.
CHROMIUM_ARGS: tuple[str, ...] = (
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-quic",
    "--disable-sync",
)


class StreamlitStartError(RuntimeError):
    """``streamlit run`` exited or did not answer its health check in time."""


class BrowserNotFoundError(FileNotFoundError):
    """The Chromium executable is not installed."""


def free_port() -> int:
    """Return a TCP port on ``127.0.0.1`` that is free right now.

    Returns:
        The port number the operating system picked.
    """
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def streamlit_app(
    app_dir: Path,
    log_path: Path,
    *,
    env: Mapping[str, str] | None = None,
    script: str = "app.py",
    startup_timeout_s: float = 60.0,
    port: int | None = None,
    extra_args: Sequence[str] = (),
) -> Iterator[str]:
    """Run ``streamlit run <script>`` headless on a free localhost port.

    The server runs with this interpreter (``sys.executable -m streamlit``),
    without file watcher or usage statistics, and with its output going to
    ``log_path``. It is terminated (killed after 15 s) on leaving the block.

    Args:
        app_dir: Working directory of the server (the folder holding
            ``script``).
        log_path: File that receives the server's stdout and stderr
            (overwritten).
        env: Variables added to the current environment for the server,
            such as ``FORMCHECK_HOME``; ``PYTHONUNBUFFERED=1`` is always set.
        script: The Streamlit script, relative to ``app_dir``.
        startup_timeout_s: How long to wait for ``/_stcore/health`` to
            answer 200.
        port: The port to listen on (default: a free one). Pass one chosen
            with :func:`free_port` when a setting must name the app's URL
            before it starts (e.g. the login's ``redirect_uri``).
        extra_args: More ``streamlit run`` options, such as
            ``("--secrets.files", "/tmp/x/secrets.toml")``.

    Yields:
        The app's base URL, ``http://localhost:<port>``.

    Raises:
        StreamlitStartError: If the server exits or does not become healthy
            within ``startup_timeout_s``.
    """
    port = free_port() if port is None else port
    full_env = {**os.environ, **(env or {}), "PYTHONUNBUFFERED": "1"}
    command = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        script,
        "--server.headless",
        "true",
        "--server.port",
        str(port),
        "--server.address",
        "127.0.0.1",
        "--server.fileWatcherType",
        "none",
        "--browser.gatherUsageStats",
        "false",
        *extra_args,
    ]
    with log_path.open("w") as out:
        proc = subprocess.Popen(
            command, cwd=app_dir, env=full_env, stdout=out, stderr=subprocess.STDOUT
        )
        url = f"http://localhost:{port}"
        try:
            _wait_healthy(proc, url, log_path, startup_timeout_s)
            yield url
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=5)


def server_tracebacks(log_text: str) -> list[str]:
    """The Python tracebacks in a server log, each with its exception line.

    Args:
        log_text: The log, e.g. the file :func:`streamlit_app` wrote.

    Returns:
        One text per traceback, from ``Traceback (most recent call last):``
        to the first line that is not indented (the exception); ``[]`` when
        there is none.
    """
    lines = log_text.splitlines()
    found: list[str] = []
    for start, line in enumerate(lines):
        if not line.lstrip().startswith("Traceback (most recent call last):"):
            continue
        end = start + 1
        while end < len(lines) and (lines[end].startswith(" ") or not lines[end]):
            end += 1
        found.append("\n".join(lines[start : end + 1]))
    return found


def _wait_healthy(
    proc: subprocess.Popen[bytes], url: str, log_path: Path, timeout_s: float
) -> None:
    """Poll ``<url>/_stcore/health`` until it answers 200.

    Args:
        proc: The server process.
        url: The app's base URL.
        log_path: The server's log, named in the error.
        timeout_s: How long to wait.

    Raises:
        StreamlitStartError: If ``proc`` exits or ``timeout_s`` passes first.
    """
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            pass
        code = proc.poll()
        if code is not None:
            raise StreamlitStartError(
                f"streamlit did not start (exit code {code}): see {log_path}"
            )
        if time.monotonic() > deadline:
            raise StreamlitStartError(
                f"streamlit did not start (no healthy answer within "
                f"{timeout_s:g} s): see {log_path}"
            )
        time.sleep(0.3)


@contextmanager
def chromium_context(
    profile_dir: Path,
    *,
    viewport_wh: tuple[int, int],
    extra_args: Sequence[str] = (),
    executable: Path = CHROMIUM,
) -> Iterator[BrowserContext]:
    """Launch headless Chromium in a persistent Playwright context.

    Playwright is imported here, not when the module is imported.

    Args:
        profile_dir: The browser's (throw-away) profile folder.
        viewport_wh: Viewport width and height in CSS pixels.
        extra_args: Chromium flags put before :data:`CHROMIUM_ARGS`, such as
            the fake-camera ones.
        executable: The Chromium executable.

    Yields:
        The browser context; it is closed on leaving the block.

    Raises:
        BrowserNotFoundError: If ``executable`` does not exist.
    """
    if not executable.exists():
        raise BrowserNotFoundError(
            f"{executable} is missing (apt-get install chromium)"
        )
    from playwright.sync_api import ViewportSize, sync_playwright

    width, height = viewport_wh
    with sync_playwright() as p:
        context = p.chromium.launch_persistent_context(
            str(profile_dir),
            executable_path=str(executable),
            headless=True,
            args=[*extra_args, *CHROMIUM_ARGS],
            viewport=ViewportSize(width=width, height=height),
        )
        try:
            yield context
        finally:
            context.close()


#: Largest README screenshot, in bytes.
MAX_SCREENSHOT_BYTES = 300_000


def wait_idle(page: Any, timeout_s: float = 60.0) -> None:
    """Wait until Streamlit's "running" indicator has been gone for a second.

    Args:
        page: A Playwright page showing the app.
        timeout_s: Give up (silently) after this long.
    """
    deadline = time.monotonic() + timeout_s
    quiet_since: float | None = None
    while time.monotonic() < deadline:
        if page.locator("[data-testid='stStatusWidget']").count() == 0:
            quiet_since = quiet_since or time.monotonic()
            if time.monotonic() - quiet_since > 1.0:
                return
        else:
            quiet_since = None
        time.sleep(0.2)


def save_screenshot(
    png: bytes, path: Path, max_bytes: int = MAX_SCREENSHOT_BYTES
) -> int:
    """Write a README-sized PNG (256-colour palette, at most ``max_bytes``).

    Returns:
        The size written, in bytes.
    """
    from PIL import Image

    image = Image.open(io.BytesIO(png)).convert("RGB")
    while True:
        palette = image.quantize(colors=256, method=Image.Quantize.MEDIANCUT)
        buffer = io.BytesIO()
        palette.save(buffer, format="PNG", optimize=True)
        if buffer.tell() <= max_bytes or image.width < 400:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(buffer.getvalue())
            return buffer.tell()
        image = image.resize((int(image.width * 0.85), int(image.height * 0.85)))
