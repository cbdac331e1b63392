"""A real Streamlit server on 127.0.0.1 and Debian's Chromium driven by Playwright."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from playwright.sync_api import expect

# two cores shared by many processes: a page, an assertion or a screenshot can take a minute
expect.set_options(timeout=60_000)

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage"]  # fmt: skip


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(
    tmp: Path,
    *options: str,
    command: tuple[str, ...] = (sys.executable, "-m", "streamlit", "run", "app.py"),
    env: dict[str, str] | None = None,
) -> tuple[subprocess.Popen, str]:
    """Start `streamlit run app.py` on a free loopback port; return (process, url) once healthy.

    ``options`` are more ``--server.x=y`` flags (the load benchmark's session TTL); ``command``
    replaces what runs the app (a launcher that sets up a fake first), ``env`` adds variables."""
    port = _free_port()
    log = (tmp / "streamlit.log").open("w+")
    env = {
        **os.environ,
        "MUSICREC_FEEDBACK_DB": str(tmp / "feedback.sqlite3"),
        "MUSICREC_CACHE_DIR": str(tmp / "cache"),
        "MUSICREC_DATA_DIR": str(tmp / "data"),
        # several browser contexts at once are several people: the served setting keeps them apart
        "MUSICREC_SERVED": "1",
        **(env or {}),
    }
    proc = subprocess.Popen(
        [*command, "--server.headless=true", f"--server.port={port}",
         "--server.address=127.0.0.1", "--browser.gatherUsageStats=false", "--server.fileWatcherType=none",
         *options],
        cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, env=env,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    deadline = time.monotonic() + 90
    while True:
        try:
            if opener.open(f"{url}/_stcore/health", timeout=2).read() == b"ok":
                return proc, url
        except OSError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            log.seek(0)
            proc.kill()
            raise RuntimeError(f"streamlit did not start:\n{log.read()}")
        time.sleep(0.2)


def stop_server(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


@pytest.fixture(scope="session")
def streamlit_url(tmp_path_factory):
    proc, url = start_server(tmp_path_factory.mktemp("server"))
    yield url
    stop_server(proc)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is missing: apt-get install -y chromium (CI installs it)")
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


@pytest.fixture(autouse=True)
def _patient(request):
    """Pages from the ``page`` fixture wait up to 90 s (screenshots of long pages included)."""
    if "page" in request.fixturenames:
        request.getfixturevalue("context").set_default_timeout(90_000)
    yield
