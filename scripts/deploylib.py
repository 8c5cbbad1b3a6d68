"""Helpers shared by scripts/check_container.py and scripts/check_deploy.py: read the Dockerfile,
run the exporter the way a deployment file says, against the demo simulator, and probe it like an
orchestrator."""

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


# ---------------------------------------------------------------------------------- Dockerfile


def parse_dockerfile(text: str) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs; continuation lines joined, comments and blanks dropped."""
    instructions, pending = [], ""
    for raw in text.splitlines():
        line = raw.strip()
        if not pending and (not line or line.startswith("#")):
            continue
        if pending and line.startswith("#"):
            continue  # comment lines inside a continued instruction are dropped by Docker
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        full = (pending + line).strip()
        pending = ""
        keyword, _, args = full.partition(" ")
        instructions.append((keyword.upper(), args.strip()))
    if pending:
        raise CheckFailed("Dockerfile ends inside a continued line")
    return instructions


def substitute(value: str, variables: dict[str, str]) -> str:
    def repl(m: re.Match) -> str:
        name = m.group(1) or m.group(2)
        if name not in variables:
            raise CheckFailed(f"Dockerfile uses ${name}, which no ARG or ENV defines")
        return variables[name]

    return re.sub(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)", repl, value)


def split_stages(instructions):
    """Global ARGs, then one dict per stage: name, image, instructions."""
    global_args, stages = {}, []
    for keyword, args in instructions:
        if keyword == "FROM":
            parts = args.split()
            image = substitute(parts[0], global_args)
            name = parts[2] if len(parts) == 3 and parts[1].upper() == "AS" else None
            stages.append({"name": name, "image": image, "steps": []})
        elif not stages:
            if keyword != "ARG":
                raise CheckFailed(f"{keyword} before the first FROM")
            key, _, default = args.partition("=")
            global_args[key] = default
        else:
            stages[-1]["steps"].append((keyword, args))
    return global_args, stages


def runtime_stage_values(keyword: str) -> list[str]:
    """The arguments of every `keyword` instruction in the Dockerfile's last (runtime) stage."""
    _, stages = split_stages(parse_dockerfile((ROOT / "Dockerfile").read_text()))
    return [args for k, args in stages[-1]["steps"] if k == keyword]
