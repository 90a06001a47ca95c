"""Start `streamlit run app.py` on a free loopback port with its own data home, for the browser
test and the browser benchmark; Debian's Chromium and the flags it needs in a container."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def running_app(home: Path, log_path: Path, env: dict[str, str] | None = None) -> Iterator[str]:
    """A running app (its URL) with `home` as FORECAST_LAB_HOME; stopped on exit."""
    port = free_port()
    variables = dict(os.environ)
    variables.update(
        FORECAST_LAB_HOME=str(home), TF_CPP_MIN_LOG_LEVEL="2", CUDA_VISIBLE_DEVICES="-1"
    )
    variables.update(env or {})
    command = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        "app.py",
        "--server.headless",
        "true",
        "--server.address",
        "127.0.0.1",
        "--server.port",
        str(port),
        "--browser.gatherUsageStats",
        "false",
    ]
    url = f"http://127.0.0.1:{port}"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            command, cwd=REPO, env=variables, stdout=log, stderr=subprocess.STDOUT
        )
        try:
            deadline = time.time() + 60
            while True:
                try:
                    urllib.request.urlopen(url + "/_stcore/health", timeout=1)
                    break
                except OSError:
                    if time.time() > deadline or process.poll() is not None:
                        raise RuntimeError(
                            f"streamlit did not start within 60 s; see {log_path}"
                        ) from None
                    time.sleep(0.3)
            yield url
        finally:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
