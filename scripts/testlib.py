"""Helpers shared by the Python checks and benchmarks under scripts/ (check_openmetrics.py,
check_sim_spec.py, check_status_page.py, check_deploy.py, check_container.py, bench_system.py, monitoring/e2e.py)
and the generators: ports, child processes, HTTP, waiting for a server, the exporter in demo mode,
the Dockerfile parser, and writing or checking generated files.

Standard library only."""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from http.client import HTTPException, HTTPMessage
from pathlib import Path
from typing import Callable, NamedTuple

ROOT = Path(__file__).resolve().parent.parent

# The demo simulator's credentials (src/config.rs DEMO_CLIENT_ID / DEMO_CLIENT_SECRET).
DEMO_CLIENT_ID = "demo-client"
DEMO_CLIENT_SECRET = "demo-secret"

# The Accept header of a Prometheus scrape, and the Content-Type the exporter answers it with.
SCRAPE_ACCEPT = "application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5,*/*;q=0.1"
OPENMETRICS_CONTENT_TYPE = "application/openmetrics-text; version=1.0.0; charset=utf-8"


class CheckFailed(Exception):
    pass


class Checks:
    """A script's checks: each prints `ok: what` or `FAIL: what: detail`; failures are kept."""

    def __init__(self) -> None:
        self.failures: list[str] = []

    def __call__(self, ok: bool, what: str, detail: str = "") -> bool:
        if ok:
            print(f"ok: {what}")
        else:
            self.failures.append(f"{what}{': ' + detail if detail else ''}")
            print(f"FAIL: {what}{': ' + detail if detail else ''}")
        return ok

    def summary(self, name: str) -> int:
        """Print `name: N failed` and the failures again; the exit status (1 if any failed)."""
        print(f"{name}: {len(self.failures)} failed")
        for f in self.failures:
            print(f"  FAIL {f}")
        return 1 if self.failures else 0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def write_generated(files: dict[Path, str], check: bool, stale_message: str) -> int:
    """The generators' last step: write each file whose text differs (`wrote PATH`), or with
    `check` write nothing and return 1 if any differs, naming them after `stale_message`."""
    stale = []
    for path, text in files.items():
        if path.exists() and path.read_text(encoding="utf-8") == text:
            continue
        if check:
            stale.append(str(path.relative_to(ROOT)))
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
            print(f"wrote {path.relative_to(ROOT)}")
    if stale:
        print(f"{stale_message}: " + ", ".join(stale), file=sys.stderr)
        return 1
    return 0


def fresh_dir(path: Path) -> Path:
    """`path` as a new, empty directory: whatever was there is removed."""
    if path.exists():
        shutil.rmtree(path)
    path.mkdir(parents=True)
    return path


# ----------------------------------------------------------------------------------- processes


def stop_process(process: subprocess.Popen, timeout: float = 10) -> bool:
    """SIGTERM, then SIGKILL when it has not exited within `timeout` s. False if it had to be killed."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
            return False
    return True


@contextlib.contextmanager
def running(command: list[str], env: dict[str, str] | None = None):
    """A process whose stderr is kept for error messages; stopped (stop_process) on exit."""
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        yield process
    finally:
        stop_process(process)


class Processes:
    """Named child processes, each with its stdout and stderr in WORKDIR/NAME.log."""

    def __init__(self, workdir: Path | str):
        self.workdir = Path(workdir)
        self.procs: dict[str, tuple[subprocess.Popen, object]] = {}

    def start(self, name: str, argv: list[str], env: dict[str, str] | None = None) -> subprocess.Popen:
        """Starts `argv` in the work directory, with `env` added to this process's environment.
        A relative program path (`target/debug/…`) means relative to where we were started."""
        if name in self.procs:
            raise ValueError(f"{name} is already running")
        if "/" in argv[0] and not os.path.isabs(argv[0]):
            argv = [os.path.abspath(argv[0]), *argv[1:]]
        log = open(self.workdir / f"{name}.log", "wb")
        process = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                   cwd=self.workdir, env={**os.environ, **(env or {})})
        self.procs[name] = (process, log)
        return process

    def stop(self, name: str) -> None:
        process, log = self.procs.pop(name)
        stop_process(process)
        log.close()

    def stop_all(self) -> None:
        for name in list(self.procs):
            self.stop(name)

    def check_alive(self) -> None:
        """CheckFailed when one of them has exited."""
        for name, (process, _) in self.procs.items():
            if process.poll() is not None:
                raise CheckFailed(f"{name} exited with status {process.returncode} "
                                  f"(see {self.workdir / (name + '.log')})")


# ---------------------------------------------------------------------------------------- HTTP


class Response(NamedTuple):
    status: int
    headers: HTTPMessage
    body: bytes


def request(url: str, data=None, form: dict | None = None, headers: dict[str, str] | None = None,
            timeout: float = 30) -> Response:
    """A GET, or a POST of `data` as JSON or of `form` URL-encoded. Raises urllib.error.HTTPError
    on a 4xx or 5xx answer, OSError when nothing answers."""
    headers = dict(headers or {})
    body = None
    if data is not None:
        body, headers["Content-Type"] = json.dumps(data).encode(), "application/json"
    elif form is not None:
        body, headers["Content-Type"] = urllib.parse.urlencode(form).encode(), "application/x-www-form-urlencoded"
    with urllib.request.urlopen(urllib.request.Request(url, data=body, headers=headers), timeout=timeout) as r:
        return Response(r.status, r.headers, r.read())


def http_get(url: str) -> tuple[int, str]:
    """(status, body) of a GET; status 0 when nothing answered. Never raises."""
    try:
        response = request(url, timeout=5)
        return response.status, response.body.decode()
    except urllib.error.HTTPError as e:
        return e.code, ""
    except OSError:
        return 0, ""


def wait_until(what: str, probe: Callable, alive: Callable[[], None] | None = None, timeout: float = 60,
               interval: float = 0.25):
    """Calls probe() until it returns something true, and returns that; a connection or JSON error
    counts as not yet. alive(), called before each try, raises when something the wait depends on
    has died. CheckFailed after `timeout` s."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        if alive is not None:
            alive()
        try:
            last = probe()
            if last:
                return last
        except (OSError, HTTPException, json.JSONDecodeError) as e:
            last = e
        time.sleep(interval)
    raise CheckFailed(f"timed out after {timeout:.0f} s waiting for {what} (last: {str(last)[:300]})")


def wait_for(url: str, what: str, process: subprocess.Popen | None = None, timeout: float = 30,
             interval: float = 0.2) -> None:
    """Waits until `url` answers 200. CheckFailed when `process` (the server) exits first, or after
    `timeout` s."""

    def alive() -> None:
        if process is not None and process.poll() is not None:
            stderr = f": {process.stderr.read()}" if process.stderr else ""
            raise CheckFailed(f"{what} exited with {process.returncode}{stderr}")

    wait_until(f"{what}: {url} to answer 200", lambda: request(url, timeout=5).status == 200, alive, timeout,
               interval)


# ------------------------------------------------------------------------------------ exporter


def demo_command(binary: Path | str, sim_port: int, web_port: int, *flags: str) -> list[str]:
    """The exporter in --demo mode: its simulated IMS and Status API on `sim_port`, /metrics on
    `web_port`."""
    return [str(binary), "--demo", f"--demo.listen-address=127.0.0.1:{sim_port}",
            f"--web.listen-address=127.0.0.1:{web_port}", *flags]


@contextlib.contextmanager
def simulator(binary: Path):
    """The exporter in --demo mode, used only for its embedded simulated IMS + Status API.
    Yields the simulator's base URL."""
    sim_port, web_port = free_port(), free_port()
    with running(demo_command(binary, sim_port, web_port, "--demo.scenario=live")) as process:
        wait_for(f"http://127.0.0.1:{web_port}/-/ready", "demo simulator", process)
        yield f"http://127.0.0.1:{sim_port}"


def upstream_flags(simulator_url: str) -> list[str]:
    return [f"--adobe.ims-url={simulator_url}/ims/token/v3", f"--adobe.status-url={simulator_url}"]


def check_serves(port: int, process: subprocess.Popen, what: str, liveness: str, readiness: str,
                 metrics: str) -> None:
    """Probe like an orchestrator (liveness, readiness) and scrape like Prometheus."""
    base = f"http://127.0.0.1:{port}"
    wait_for(base + liveness, f"{what} liveness {liveness}", process)
    wait_for(base + readiness, f"{what} readiness {readiness}", process)
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


def dockerfile_stages():
    """The repository's Dockerfile as split_stages gives it: global ARGs, stages."""
    return split_stages(parse_dockerfile((ROOT / "Dockerfile").read_text()))


def stage_values(stage: dict, keyword: str) -> list[str]:
    """The arguments of every `keyword` instruction of a stage, in order."""
    return [args for k, args in stage["steps"] if k == keyword]


def runtime_stage_values(keyword: str) -> list[str]:
    """The arguments of every `keyword` instruction in the Dockerfile's last (runtime) stage."""
    _, stages = dockerfile_stages()
    return stage_values(stages[-1], keyword)
