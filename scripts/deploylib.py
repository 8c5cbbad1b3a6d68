"""Helpers shared by scripts/check_container.py and scripts/check_deploy.py: run the exporter
the way a deployment file says, against the demo simulator, and probe it like an orchestrator."""

from __future__ import annotations

import contextlib
import re
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# The demo simulator's credentials (src/config.rs DEMO_CLIENT_ID / DEMO_CLIENT_SECRET).
DEMO_CLIENT_ID = "demo-client"
DEMO_CLIENT_SECRET = "demo-secret"


class CheckFailed(Exception):
    pass


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def http_get(url: str) -> tuple[int, str]:
    """(status, body); status 0 when nothing answered."""
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, ""
    except OSError:
        return 0, ""


def wait_for(url: str, process: subprocess.Popen, what: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while http_get(url)[0] != 200:
        if process.poll() is not None:
            raise CheckFailed(f"{what} exited with {process.returncode}: {process.stderr.read()}")
        if time.monotonic() > deadline:
            raise CheckFailed(f"{what}: {url} did not answer 200 within {timeout:.0f} s")
        time.sleep(0.2)


@contextlib.contextmanager
def running(command: list[str], env: dict[str, str] | None = None):
    """A process whose stderr is kept for error messages; SIGTERM, then kill, on exit."""
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        yield process
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@contextlib.contextmanager
def simulator(binary: Path):
    """The exporter in --demo mode, used only for its embedded simulated IMS + Status API.
    Yields the simulator's base URL."""
    sim_port, web_port = free_port(), free_port()
    command = [str(binary), "--demo", "--demo.scenario=live", f"--demo.listen-address=127.0.0.1:{sim_port}",
               f"--web.listen-address=127.0.0.1:{web_port}"]
    with running(command) as process:
        wait_for(f"http://127.0.0.1:{web_port}/-/ready", process, "demo simulator")
        yield f"http://127.0.0.1:{sim_port}"


def upstream_flags(simulator_url: str) -> list[str]:
    return [f"--adobe.ims-url={simulator_url}/ims/token/v3", f"--adobe.status-url={simulator_url}"]


def check_serves(port: int, process: subprocess.Popen, what: str, liveness: str, readiness: str,
                 metrics: str) -> None:
    """Probe like an orchestrator (liveness, readiness) and scrape like Prometheus."""
    base = f"http://127.0.0.1:{port}"
    wait_for(base + liveness, process, f"{what} liveness {liveness}")
    wait_for(base + readiness, process, f"{what} readiness {readiness}")
    status, body = http_get(base + metrics)
    if status != 200 or not re.search(r"^adobe_status_up 1$", body, re.M):
        raise CheckFailed(f"{what}: {metrics} answered {status} without `adobe_status_up 1`")
