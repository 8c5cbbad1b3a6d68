#!/usr/bin/env python3
"""Checks the Dockerfile without a Docker engine (run by scripts/test).

1. hadolint with .hadolint.yaml (every finding fails; OCI labels required).
2. The rules hadolint does not know: numeric non-root USER, EXPOSE = the default listen port,
   exec-form ENTRYPOINT, `cargo build --release --locked`, toolchain >= rust-version, and a
   .dockerignore that keeps target/, .git/ and secrets out of the build context.
3. A replay of the builder stage: its COPY and RUN steps, in order, in a scratch root
   (target/container/), from a build context filtered by .dockerignore, with file times kept
   as Docker keeps them. The host's toolchain stands in for the rust image; the steps, paths
   and layer-caching tricks are the Dockerfile's own.
4. The runtime stage rebuilt from the Debian 12 packages the distroless image is made of
   (libc6, libgcc-s1, ca-certificates): the copied binary's ELF interpreter and every NEEDED
   library must be in it, its GLIBC symbol versions no newer than that libc, and it must run
   there: chroot, as the image's USER, `--version` and then `--demo` serving /metrics with
   `adobe_status_up 1` and the revision passed as a build argument.
Usage: check_container.py --hadolint PATH [--keep]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import time
from pathlib import Path

from testlib import (ROOT, CheckFailed, check_serves, dockerfile_stages, free_port, fresh_dir, http_get, running,
                     stage_values, stop_process, substitute)

WORK = ROOT / "target" / "container"

# The Debian packages each supported runtime image is built from, and its Debian release.
RUNTIME_IMAGES = {
    "gcr.io/distroless/cc-debian12": ("bookworm", ["libc6", "libgcc-s1", "ca-certificates"]),
}


def step(msg: str) -> None:
    print(f"--- {msg}", flush=True)


# ----------------------------------------------------------------------------------- Dockerfile


def key_values(args: str) -> dict[str, str]:
    return dict(item.split("=", 1) for item in shlex.split(args))


# ------------------------------------------------------------------------------- static checks


def default_listen_port(binary: Path) -> int:
    help_text = subprocess.check_output([binary, "--help"], text=True)
    m = re.search(r"--web\.listen-address <ADDRESS>.*?\[default: [^\]]*:(\d+)\]", help_text, re.S)
    if not m:
        raise CheckFailed("cannot find the default of --web.listen-address in --help")
    return int(m.group(1))


def check_rules(global_args, stages, help_binary: Path) -> None:
    builder, runtime = stages[0], stages[-1]
    if len(stages) < 2:
        raise CheckFailed("expected a multi-stage build (builder + runtime)")
    runs = " ".join(stage_values(builder, "RUN"))
    if "cargo build --release --locked" not in runs:
        raise CheckFailed("the builder stage must run `cargo build --release --locked`")

    cargo = (ROOT / "Cargo.toml").read_text()
    msrv = re.search(r'^rust-version\s*=\s*"([\d.]+)"', cargo, re.M)
    toolchain = global_args.get("RUST_VERSION", "")
    if not msrv or not toolchain:
        raise CheckFailed("need ARG RUST_VERSION in the Dockerfile and rust-version in Cargo.toml")
    if tuple(map(int, toolchain.split("."))) < tuple(map(int, msrv.group(1).split("."))):
        raise CheckFailed(f"RUST_VERSION {toolchain} is older than rust-version {msrv.group(1)}")

    crate_version = re.search(r'^version\s*=\s*"([^"]+)"', cargo, re.M)
    image_version = [a.partition("=")[2] for a in stage_values(runtime, "ARG") if a.startswith("VERSION=")]
    if not crate_version or image_version != [crate_version.group(1)]:
        raise CheckFailed(f"ARG VERSION {image_version} of the runtime stage should be the crate's version")

    users = stage_values(runtime, "USER")
    if not users or not re.fullmatch(r"[1-9]\d*(:\d+)?", users[-1]):
        raise CheckFailed(f"the runtime stage must end with a numeric non-root USER, got {users}")

    exposed = stage_values(runtime, "EXPOSE")
    port = default_listen_port(help_binary)
    if exposed != [str(port)]:
        raise CheckFailed(f"EXPOSE {exposed} should be the default listen port {port}")

    entry = stage_values(runtime, "ENTRYPOINT")
    try:
        entrypoint = json.loads(entry[-1]) if entry else None
    except json.JSONDecodeError:
        entrypoint = None
    if not isinstance(entrypoint, list) or not entrypoint:
        raise CheckFailed("ENTRYPOINT must be exec form (a JSON array)")
    # The state file must be somewhere writable under a read-only root filesystem: a VOLUME.
    volumes = [v for raw in stage_values(runtime, "VOLUME") for v in json.loads(raw)]
    state_files = [a.split("=", 1)[1] for a in entrypoint if a.startswith("--status.state-file=")]
    if any(str(Path(f).parent) not in volumes for f in state_files):
        raise CheckFailed(f"--status.state-file {state_files} is not in a VOLUME {volumes}")

    ignore = dockerignore_patterns()
    for must in ["target/release/x", ".git/HEAD", "client-secret.txt", "deploy/adobe-secret.txt", ".env",
                 "src/client-secret.txt", "crates/x/server.key"]:
        if not ignored(must, ignore):
            raise CheckFailed(f".dockerignore lets {must!r} into the build context")
    # ...and lets in every source file the build needs, whatever its name.
    sources = subprocess.check_output(["git", "ls-files", "src", "crates", "Cargo.toml", "Cargo.lock", "build.rs"],
                                      cwd=ROOT, text=True).split()
    dropped = [f for f in sources if (f.endswith(".rs") or f.endswith("Cargo.toml")) and ignored(f, ignore)]
    if dropped:
        raise CheckFailed(f".dockerignore keeps sources out of the build context: {', '.join(dropped)}")
    print(f"ok: rules (USER {users[-1]}, EXPOSE {port}, ENTRYPOINT {entrypoint}, Rust {toolchain})")


def dockerignore_patterns() -> list[tuple[bool, re.Pattern]]:
    """(exclude, regex) per .dockerignore line, in order; `!` lines re-include."""
    patterns = []
    for line in (ROOT / ".dockerignore").read_text().splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        exclude = not line.startswith("!")
        pattern = line.lstrip("!").strip("/")
        regex = ""
        i = 0
        while i < len(pattern):
            if pattern.startswith("**/", i):
                regex += "(?:.*/)?"
                i += 3
            elif pattern.startswith("**", i):
                regex += ".*"
                i += 2
            elif pattern[i] == "*":
                regex += "[^/]*"
                i += 1
            elif pattern[i] == "?":
                regex += "[^/]"
                i += 1
            else:
                regex += re.escape(pattern[i])
                i += 1
        patterns.append((exclude, re.compile(regex)))
    return patterns


def ignored(path: str, patterns: list[tuple[bool, re.Pattern]]) -> bool:
    """Docker's rule: a pattern applies when it matches the path or one of its parent
    directories, and the last pattern that applies decides."""
    parts = path.split("/")
    prefixes = ["/".join(parts[: i + 1]) for i in range(len(parts))]
    excluded = False
    for exclude, regex in patterns:
        if any(regex.fullmatch(prefix) for prefix in prefixes):
            excluded = exclude
    return excluded


# ------------------------------------------------------------------------------ builder replay


def inside(root: Path, container_path: str, workdir: str) -> Path:
    path = container_path if container_path.startswith("/") else f"{workdir.rstrip('/')}/{container_path}"
    return root / path.lstrip("/")


def copy_from_context(sources: list[str], dest: Path, patterns) -> None:
    for source in sources:
        src = ROOT / source
        if not src.exists():
            raise CheckFailed(f"COPY {source}: not in the build context")
        files = [src] if src.is_file() else sorted(p for p in src.rglob("*") if p.is_file())
        for f in files:
            rel = f.relative_to(ROOT).as_posix()
            if ignored(rel, patterns):
                if src.is_file():
                    raise CheckFailed(f"COPY {source}: excluded by .dockerignore")
                continue
            if src.is_file():
                target = dest / f.name if (len(sources) > 1 or dest.is_dir()) else dest
            else:
                target = dest / f.relative_to(src)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(f, target)  # Docker's COPY keeps the context's modification times


def replay_builder(stage, global_args, build_args, rootfs: Path) -> None:
    fresh_dir(rootfs)
    variables = dict(global_args)
    env = {k: v for k, v in os.environ.items() if not k.startswith("CARGO_TARGET") and k != "RUSTFLAGS"}
    workdir = "/"
    patterns = dockerignore_patterns()
    for keyword, args in stage["steps"]:
        if keyword == "WORKDIR":
            workdir = substitute(args, variables)
            inside(rootfs, workdir, "/").mkdir(parents=True, exist_ok=True)
        elif keyword == "ARG":
            key, _, default = args.partition("=")
            variables[key] = build_args.get(key, variables.get(key, default))
        elif keyword == "ENV":
            for key, value in key_values(args).items():
                variables[key] = env[key] = substitute(value, variables)
        elif keyword == "COPY":
            parts = shlex.split(substitute(args, variables))
            if any(p.startswith("--") for p in parts):
                raise CheckFailed(f"builder COPY flags are not replayed: {args}")
            dest = inside(rootfs, parts[-1], workdir)
            if parts[-1].endswith("/") or len(parts) > 2:
                dest.mkdir(parents=True, exist_ok=True)
            copy_from_context(parts[:-1], dest, patterns)
        elif keyword == "RUN":
            command = substitute(args, variables)
            if command.startswith("--") or re.search(r"(^|[\s>])/(?!dev/null)", command):
                raise CheckFailed(f"the replay runs builder RUN steps in a scratch root; keep them "
                                  f"free of absolute paths and flags: {command}")
            print(f"RUN {command}", flush=True)
            started = time.monotonic()
            subprocess.run(["sh", "-c", command], cwd=inside(rootfs, workdir, "/"), env=env, check=True)
            print(f"    ({time.monotonic() - started:.0f} s)", flush=True)
        elif keyword in {"LABEL"}:
            pass
        else:
            raise CheckFailed(f"builder instruction {keyword} is not replayed")


# ----------------------------------------------------------------------------------- runtime


def runtime_packages(image: str) -> tuple[str, list[str]]:
    base = image.split("@")[0].rsplit(":", 1)[0]
    if base not in RUNTIME_IMAGES:
        raise CheckFailed(f"runtime image {image} is not one this check knows how to rebuild")
    return RUNTIME_IMAGES[base]


def build_runtime_root(image: str, root: Path) -> str:
    release, packages = runtime_packages(image)
    host = dict(line.split("=", 1) for line in Path("/etc/os-release").read_text().split() if "=" in line)
    if host.get("VERSION_CODENAME", "").strip('"') != release:
        raise CheckFailed(f"the runtime check downloads Debian {release} packages; this machine is "
                          f"{host.get('PRETTY_NAME', 'not Debian')}")
    debs = WORK / "debs"
    debs.mkdir(parents=True, exist_ok=True)
    have = {p: sorted(debs.glob(f"{p}_*.deb")) for p in packages}
    missing = [p for p, files in have.items() if not files]
    if missing:
        download = ["apt-get", "-o", "APT::Sandbox::User=root", "download", *missing]
        if subprocess.run(download, cwd=debs).returncode != 0:
            subprocess.run(["apt-get", "update", "-qq"], check=True)
            subprocess.run(download, cwd=debs, check=True)
    fresh_dir(root)
    libc_version = ""
    for p in packages:
        deb = sorted(debs.glob(f"{p}_*.deb"))[-1]
        subprocess.run(["dpkg-deb", "-x", deb, root], check=True)
        if p == "libc6":
            version = subprocess.check_output(["dpkg-deb", "-f", deb, "Version"], text=True).strip()
            libc_version = version.split("-")[0]
    # What ca-certificates' postinst and the distroless image add: the bundle, /tmp, the user.
    certs = sorted((root / "usr/share/ca-certificates").rglob("*.crt"))
    (root / "etc/ssl/certs").mkdir(parents=True, exist_ok=True)
    (root / "etc/ssl/certs/ca-certificates.crt").write_text("".join(c.read_text() for c in certs))
    (root / "tmp").mkdir(mode=0o1777, exist_ok=True)
    (root / "etc/passwd").write_text("root:x:0:0:root:/root:/sbin/nologin\n"
                                     "nonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n")
    (root / "etc/group").write_text("root:x:0:\nnonroot:x:65532:\n")
    print(f"ok: runtime root from {', '.join(packages)} (Debian {release}, glibc {libc_version}, "
          f"{len(certs)} CA certificates)")
    return libc_version


def check_linkage(binary: Path, root: Path, libc_version: str) -> None:
    headers = subprocess.check_output(["readelf", "-lW", binary], text=True)
    interp = re.search(r"Requesting program interpreter: ([^\]]+)\]", headers)
    if interp and not (root / interp.group(1).lstrip("/")).exists():
        raise CheckFailed(f"ELF interpreter {interp.group(1)} is not in the runtime image")
    dynamic = subprocess.check_output(["readelf", "-dW", binary], text=True)
    needed = re.findall(r"\(NEEDED\)\s+Shared library: \[([^\]]+)\]", dynamic)
    lib_dirs = ["lib/x86_64-linux-gnu", "usr/lib/x86_64-linux-gnu", "lib64", "lib", "usr/lib"]
    absent = [n for n in needed if not any((root / d / n).exists() for d in lib_dirs)]
    if absent:
        raise CheckFailed(f"libraries the binary needs but the runtime image lacks: {absent}")
    symbols = subprocess.check_output(["objdump", "-T", binary], text=True)
    versions = {tuple(map(int, v.split("."))) for v in re.findall(r"GLIBC_(\d+(?:\.\d+)+)", symbols)}
    newest = max(versions, default=(0,))
    if newest > tuple(map(int, libc_version.split("."))):
        raise CheckFailed(f"the binary needs GLIBC_{'.'.join(map(str, newest))}, the runtime has {libc_version}")
    print(f"ok: linkage (interpreter {interp.group(1) if interp else 'none: static'}, needs {needed}, "
          f"newest glibc symbol {'.'.join(map(str, newest))} <= {libc_version})")


def run_in_runtime(root: Path, user: str, entrypoint: list[str], revision: str) -> None:
    chroot = ["chroot", f"--userspec={user if ':' in user else user + ':' + user}", str(root)]
    version = subprocess.run([*chroot, *entrypoint, "--version"], capture_output=True, text=True)
    if version.returncode != 0:
        raise CheckFailed(f"`--version` in the runtime root failed: {version.stderr.strip()}")
    print(f"ok: runs in the runtime root as {user}: {version.stdout.strip()}")

    port = free_port()
    with running([*chroot, *entrypoint, "--demo", f"--web.listen-address=127.0.0.1:{port}"]) as process:
        check_serves(port, process, "--demo in the runtime root", "/-/healthy", "/-/ready", "/metrics")
        _, body = http_get(f"http://127.0.0.1:{port}/metrics")
        if not re.search(rf'^adobe_status_exporter_build_info\{{[^}}]*revision="{re.escape(revision)}"', body, re.M):
            raise CheckFailed(f"adobe_status_exporter_build_info does not carry the revision {revision}")
        state_files = [Path(a.split("=", 1)[1]) for a in entrypoint if a.startswith("--status.state-file=")]
        deadline = time.monotonic() + 10
        while any(not inside(root, str(f), "/").is_file() for f in state_files) and time.monotonic() < deadline:
            time.sleep(0.1)
        missing = [str(f) for f in state_files if not inside(root, str(f), "/").is_file()]
        if missing:
            raise CheckFailed(f"the image's user could not write the state file {missing}")
        if not stop_process(process) or process.returncode != 0:
            raise CheckFailed(f"exit status {process.returncode} after SIGTERM: {process.stderr.read()}")
    print(f"ok: --demo in the runtime root serves /metrics (adobe_status_up 1, revision {revision}), "
          f"writes its state file {[a for a in entrypoint if a.startswith('--status.state-file')]} and exits 0 on SIGTERM")


# -------------------------------------------------------------------------------------- main


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--hadolint", required=True, help="hadolint executable")
    parser.add_argument("--help-binary", default=str(ROOT / "target/debug/adobe_status_exporter"),
                        help="a built exporter whose --help gives the default port")
    opts = parser.parse_args()
    try:
        step("hadolint")
        subprocess.run([opts.hadolint, "--config", ROOT / ".hadolint.yaml", ROOT / "Dockerfile"], check=True)
        print("ok: hadolint")

        step("Dockerfile rules")
        global_args, stages = dockerfile_stages()
        check_rules(global_args, stages, Path(opts.help_binary))

        step("replay of the builder stage")
        builder, runtime = stages[0], stages[-1]
        revision = "check-container-0"
        rootfs = WORK / "builder"
        replay_builder(builder, global_args, {"REVISION": revision}, rootfs)

        step("runtime stage on the runtime image's libc")
        root = WORK / "runtime"
        libc_version = build_runtime_root(runtime["image"], root)
        variables = dict(global_args)
        user, entrypoint = "", []
        for keyword, args in runtime["steps"]:
            if keyword == "ARG":
                key, _, default = args.partition("=")
                variables[key] = {"REVISION": revision}.get(key, default)
            elif keyword == "COPY":
                parts = shlex.split(substitute(args, variables))
                chown = [p.split("=", 1)[1] for p in parts if p.startswith("--chown=")]
                parts = [p for p in parts if not p.startswith("--chown=")]
                if parts[0] != f"--from={builder['name']}" or len(parts) != 3:
                    raise CheckFailed(f"runtime COPY should take one file or directory from the builder: {args}")
                source, dest = inside(rootfs, parts[1], "/"), inside(root, parts[2], "/")
                dest.parent.mkdir(parents=True, exist_ok=True)
                if source.is_dir() and chown:
                    # The state directory: empty, owned by the runtime user.
                    dest.mkdir(exist_ok=True)
                    uid, _, gid = chown[0].partition(":")
                    os.chown(dest, int(uid), int(gid or uid))
                    continue
                if not source.is_file():
                    raise CheckFailed(f"COPY --from: the builder stage did not produce {parts[1]}")
                shutil.copy2(source, dest)
                check_linkage(dest, root, libc_version)
            elif keyword == "USER":
                user = args
            elif keyword == "ENTRYPOINT":
                entrypoint = json.loads(args)
        run_in_runtime(root, user, entrypoint, revision)
    except (CheckFailed, subprocess.CalledProcessError) as e:
        print(f"FAIL: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
