#!/usr/bin/env python3
"""Checks what a release and a forge depend on (run by scripts/test; offline, a few seconds).

versions    Cargo.toml's version = Cargo.lock = the Dockerfile's ARG VERSION = CHANGELOG.md's
            newest release heading = the image tag in deploy/kubernetes (kustomization.yaml and
            deployment.yaml); CHANGELOG.md in the Keep a Changelog form.
files       LICENSE is the licence Cargo.toml names (the Apache-2.0 text, byte for byte), and
            CHANGELOG.md, CONTRIBUTING.md, SECURITY.md and the workflows exist.
addresses   every file that embeds the repository URL or the image carries Cargo.toml's
            (scripts/generate_references.py --check, and the PrometheusRule generated from the
            rules); no other address of this project anywhere in the repository; no example.com
            placeholder except the Alertmanager example's webhook host.
workflows   .github/workflows/*.yml and dependabot.yml valid under their JSON schemas
            (check-jsonschema's built-in copies, offline); zizmor's audits (offline); shellcheck on
            every run: block, none of which expands ${{ }} itself; every script, subcommand and
            cargo subcommand they run exists; CI runs the test command in the Dockerfile's
            toolchain image with a cargo cache keyed by Cargo.lock; the release checks the tag,
            builds both architectures, the SBOM, checksums and notes.
Usage: check_release.py [--only SECTION]   (with the venv's python: PyYAML, check-jsonschema,
       zizmor and shellcheck come from scripts/requirements-test.txt)
"""

from __future__ import annotations

import argparse
import hashlib
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import yaml

import generate_kubernetes
import generate_references
import project
from testlib import ROOT, CheckFailed, Checks, dockerfile_stages, runtime_stage_values

BIN_DIR = Path(sys.executable).parent  # the venv: check-jsonschema, zizmor, shellcheck
WORKFLOWS = ROOT / ".github" / "workflows"
DEPENDABOT = ROOT / ".github" / "dependabot.yml"
# sha256 of the Apache License 2.0 as apache.org publishes it (LICENSE-2.0.txt).
LICENSE_TEXTS = {"Apache-2.0": "cfc7749b96f63bd31c3c42b5c471bf756814053e847c10f3eb003417bc523d30"}
# Keep a Changelog's kinds of change.
CHANGE_KINDS = {"Added", "Changed", "Deprecated", "Removed", "Fixed", "Security"}
# example.com hosts that stand for something the reader must supply, and why they may stay.
EXAMPLE_HOSTS: dict[str, str] = {}
# Where example.com names are certificate identities of the TLS tests (client_allowed_sans, SANs
# of the test certificates, header values in tests), not placeholders a reader must replace.
TLS_TEST_IDENTITIES = ("tests/web.rs", "crates/exporter-toolkit-web/")
# Not scanned for addresses: lock files (registry URLs only) and the licence text.
UNSCANNED = {"Cargo.lock", "fuzz/Cargo.lock", "LICENSE"}
# cargo subcommands that come with cargo; any other must be installed earlier in the same job.
CARGO_BUILTINS = {"build", "check", "clippy", "doc", "fetch", "fmt", "install", "metadata", "run", "test",
                  "tree", "update"}

# Every check prints its line; the failures are in check.failures.
check = Checks()


def git(*args: str) -> str | None:
    """The output of a git command in the repository; None outside a work tree git will read."""
    r = subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True)
    return r.stdout if r.returncode == 0 else None


def tracked_files() -> list[Path]:
    """The files git tracks; outside git, everything but .git/ and target/."""
    out = git("ls-files", "-z")
    if out is None:
        return [p for p in ROOT.rglob("*") if p.is_file() and p.relative_to(ROOT).parts[0] not in {".git", "target"}]
    return [ROOT / name for name in out.split("\0") if name and (ROOT / name).is_file()]


def executable_in_git(path: str) -> bool:
    """Executable as committed (a fresh clone gets the mode git records, not this file system's)."""
    out = git("ls-files", "--stage", "--", path)
    return out.startswith("100755 ") if out is not None else os.access(ROOT / path, os.X_OK)


# ------------------------------------------------------------------------------------ versions


def versions() -> None:
    strings = project.version_strings()
    want = strings["Cargo.toml [package] version"]
    for where, found in strings.items():
        check(found == want, f"version: {where} = {want}", f"found {found!r}")

    text = project.CHANGELOG.read_text(encoding="utf-8") if project.CHANGELOG.exists() else ""
    headings = re.findall(r"^## (.*)$", text, re.M)
    check(bool(headings) and headings[0] == "[Unreleased]", "CHANGELOG.md: `## [Unreleased]` first",
          f"headings {headings[:3]}")
    releases = project.changelog_releases(text)
    check(len(releases) == len(headings) - 1, "CHANGELOG.md: every other heading is `## [x.y.z] - YYYY-MM-DD`",
          f"{[h for h in headings[1:] if not project.RELEASE_HEADING.match('## ' + h)]}")
    keys = [tuple(map(int, re.findall(r"\d+", v)[:3])) for v, _ in releases]
    dates = [d for _, d in releases]
    check(keys == sorted(keys, reverse=True) and len(set(keys)) == len(keys)
          and dates == sorted(dates, reverse=True), "CHANGELOG.md: releases newest first")
    kinds = set(re.findall(r"^### (.*)$", text, re.M))
    check(kinds <= CHANGE_KINDS, "CHANGELOG.md: sections are Keep a Changelog's kinds of change",
          f"{sorted(kinds - CHANGE_KINDS)}")
    try:
        project.release_notes(want)
        check(True, f"CHANGELOG.md: release notes for {want}")
    except CheckFailed as e:
        check(False, f"CHANGELOG.md: release notes for {want}", str(e))


# --------------------------------------------------------------------------------------- files


def files() -> None:
    p = project.load()
    for name in ["LICENSE", "CHANGELOG.md", "CONTRIBUTING.md", "SECURITY.md", ".github/workflows/ci.yml",
                 ".github/workflows/release.yml"]:
        check((ROOT / name).is_file(), f"{name} exists")
    licence = ROOT / "LICENSE"
    if p.license in LICENSE_TEXTS and licence.is_file():
        check(hashlib.sha256(licence.read_bytes()).hexdigest() == LICENSE_TEXTS[p.license],
              f"LICENSE is the {p.license} text Cargo.toml names")
    labels = " ".join(runtime_stage_values("LABEL"))
    check(f'org.opencontainers.image.licenses="{p.license}"' in labels,
          f"the image's licences label is Cargo.toml's {p.license}")


# ----------------------------------------------------------------------------------- addresses

URL_TOKEN = re.compile(r"(?:https?://)?(?:[A-Za-z0-9-]+\.)+[A-Za-z]{2,}(?::\d+)?/[^\s\"'<>()\[\]`,;]*")
# An example.com address: with a scheme, a subdomain, a port or a path (the bare domain in prose,
# as in this file and CONTRIBUTING.md, is the rule being described, not a placeholder).
EXAMPLE_HOST = re.compile(r"(?:https?://)?(?:[A-Za-z0-9-]+\.)*example\.(?:com|org|net)\b(?=[:/])"
                          r"|(?:https?://|\b)(?:[A-Za-z0-9-]+\.)+example\.(?:com|org|net)\b"
                          r"|https?://example\.(?:com|org|net)\b", re.I)


def addresses() -> None:
    p = project.load()
    try:
        stale = [str(path.relative_to(ROOT)) for path, text in
                 {**generate_references.outputs(), **generate_kubernetes.outputs()}.items()
                 if path.read_text(encoding="utf-8") != text]
        check(not stale, "files embedding the repository URL or image carry Cargo.toml's "
              "(scripts/generate_references.py --check, PrometheusRule included)",
              f"stale: {', '.join(stale)}; run scripts/generate_references.py")
    except CheckFailed as e:
        check(False, "scripts/generate_references.py finds every spot it rewrites", str(e))

    repository = re.sub(r"^https?://", "", p.repository)
    strays, placeholders = [], []
    for path in tracked_files():
        name = path.relative_to(ROOT).as_posix()
        if name in UNSCANNED:
            continue
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue
        for number, line in enumerate(text.splitlines(), 1):
            for token in URL_TOKEN.findall(line):
                bare = re.sub(r"^https?://", "", token).rstrip(".:")
                if not re.search(r"adobe[_-]status[_-]exporter", bare):
                    continue
                if re.match(rf"{re.escape(repository)}(?:[/#?]|$)", bare) or \
                        re.match(rf"{re.escape(p.image)}(?:[:@]|$)", bare):
                    continue
                strays.append(f"{name}:{number}: {token}")
            if name.startswith(TLS_TEST_IDENTITIES):
                continue
            for host in EXAMPLE_HOST.findall(line):
                if re.sub(r"^https?://", "", host).lower() not in EXAMPLE_HOSTS:
                    placeholders.append(f"{name}:{number}: {host}")
    check(not strays, f"no address of this project other than {p.repository} and {p.image}", "; ".join(strays))
    check(not placeholders, "no example.com placeholder (allowed: " + "; ".join(
        f"{h}: {why}" for h, why in EXAMPLE_HOSTS.items()) + ")", "; ".join(placeholders))


# ----------------------------------------------------------------------------------- workflows


def load_workflow(path: Path) -> dict:
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    if True in doc:  # YAML 1.1 reads the key `on` as a boolean
        doc["on"] = doc.pop(True)
    return doc


def run_blocks(workflow: dict):
    """(job id, step index, step, run text) of every run: step."""
    for job_id, job in workflow.get("jobs", {}).items():
        for index, step in enumerate(job.get("steps", [])):
            if "run" in step:
                yield job_id, index, step, str(step["run"])


def commands_exist(path: Path, workflow: dict) -> None:
    missing, installed_by_job = [], {}
    for job_id, index, step, run in run_blocks(workflow):
        where = f"{path.name} {job_id} step {index + 1}"
        installed = installed_by_job.setdefault(job_id, set())
        # One logical line per command: continuation lines joined.
        for line in run.replace("\\\n", " ").splitlines():
            try:
                words = shlex.split(line, comments=True)
            except ValueError as e:
                missing.append(f"{where}: cannot split {line!r}: {e}")
                continue
            for i, word in enumerate(words):
                if re.match(r"(?:\./)?(?:scripts|\.ci)/[\w./-]+$", word):
                    relative = word.removeprefix("./")
                    if not (ROOT / relative).is_file():
                        missing.append(f"{where}: {word} is not in the repository")
                        continue
                    direct = i == 0 or words[i - 1] in {"exec", "sudo", "env", "time", "$(", "&&", "||", ";"}
                    if direct and not executable_in_git(relative):
                        missing.append(f"{where}: {word} is run directly but not executable in git")
                    if relative.endswith(".py") and i > 0 and words[i - 1] in {"python3", "python"} and \
                            i + 1 < len(words) and re.fullmatch(r"[a-z][a-z-]*", words[i + 1]):
                        r = subprocess.run([sys.executable, ROOT / relative, words[i + 1], "--help"],
                                           capture_output=True, text=True)
                        if r.returncode != 0:
                            missing.append(f"{where}: {relative} has no subcommand {words[i + 1]!r}")
            if len(words) >= 2 and words[0] == "cargo" and not words[1].startswith("-"):
                if words[1] == "install":
                    installed.update(w.split("@")[0].removeprefix("cargo-") for w in words[2:] if w.startswith("cargo-"))
                elif words[1] not in CARGO_BUILTINS and words[1] not in installed:
                    missing.append(f"{where}: `cargo {words[1]}` without an earlier `cargo install cargo-{words[1]}`")
    check(not missing, f"{path.name}: every script, subcommand and cargo subcommand it runs exists", "; ".join(missing))


def shellcheck(path: Path, workflow: dict) -> None:
    problems = []
    for job_id, index, step, run in run_blocks(workflow):
        where = f"{path.name} {job_id} step {index + 1} ({step.get('name', run.splitlines()[0])})"
        if "${{" in run:
            problems.append(f"{where}: expands ${{{{ }}}} in the script; pass it through env:")
            continue
        # What `shell: bash` runs: bash --noprofile --norc -eo pipefail.
        r = subprocess.run([BIN_DIR / "shellcheck", "--shell=bash", "--severity=style", "--format=gcc", "-"],
                           input="set -eo pipefail\n" + run, capture_output=True, text=True)
        if r.returncode != 0:  # line numbers of the run: block, not of the script with its `set` line
            findings = re.sub(r"^-:(\d+):", lambda m: f"line {int(m.group(1)) - 1}:", r.stdout.strip(), flags=re.M)
            problems.append(f"{where}:\n{findings}")
    check(not problems, f"{path.name}: shellcheck clean on every run: block", "\n".join(problems))


def steps_of(job: dict) -> list[str]:
    return [str(s.get("run", "")) + " " + str(s.get("uses", "")) for s in job.get("steps", [])]


def ci_workflow(workflow: dict) -> None:
    triggers = workflow.get("on", {})
    check({"push", "pull_request"} <= set(triggers), "ci.yml runs on push and pull_request", f"{list(triggers)}")
    test_jobs = [j for j in workflow["jobs"].values() if any(".ci/run" in s for s in steps_of(j))]
    check(len(test_jobs) == 1, "ci.yml runs the test command (.ci/run, which runs scripts/test)")
    if not test_jobs:
        return
    job = test_jobs[0]
    rust_version = dockerfile_stages()[0].get("RUST_VERSION", "")
    image = (job.get("container") or {}).get("image", "") if isinstance(job.get("container"), dict) else job.get("container", "")
    check(image == f"rust:{rust_version}-bookworm", "ci.yml tests in the Dockerfile's toolchain image "
          f"(rust:{rust_version}-bookworm: Debian 12, as root)", image)
    caches = [s for s in job["steps"] if str(s.get("uses", "")).startswith("actions/cache@")]
    check(len(caches) == 1 and "hashFiles('Cargo.lock')" in str(caches[0].get("with", {}).get("key", "")),
          "ci.yml caches cargo with a key of Cargo.lock")


def release_workflow(workflow: dict) -> None:
    tags = (workflow.get("on", {}).get("push") or {}).get("tags", [])
    check(tags == ["v*"], "release.yml runs on a version tag (v*)", f"{tags}")
    jobs = workflow["jobs"]
    first = [j for j in jobs if not jobs[j].get("needs")]
    check(len(first) == 1 and any("scripts/project.py check-tag" in s for s in steps_of(jobs[first[0]])),
          "release.yml first checks the tag against the crate version; every other job needs it",
          f"jobs without needs: {first}")
    runs = " ".join(s for j in jobs.values() for s in steps_of(j))
    arches = {str(i.get("arch")) for j in jobs.values()
              for i in ((j.get("strategy") or {}).get("matrix") or {}).get("include", [])}
    check({"x86_64", "aarch64"} <= arches, "release.yml builds x86_64 and aarch64", f"{sorted(arches)}")
    for what, needle in [("the image with docker buildx, by digest", "push-by-digest=true"),
                         ("one multi-arch image tag", "docker buildx imagetools create"),
                         ("--version and build_info checked against the tag's commit", "scripts/project.py check-binary"),
                         ("an SBOM (cargo cyclonedx)", "cargo cyclonedx"),
                         ("checksums", "sha256sum"),
                         ("CHANGELOG.md's section as release notes", "scripts/project.py release-notes"),
                         ("a GitHub release", "gh release create")]:
        check(needle in runs, f"release.yml: {what}")


def workflows() -> None:
    paths = sorted(WORKFLOWS.glob("*.yml")) + sorted(WORKFLOWS.glob("*.yaml"))
    if not check(bool(paths), "workflows in .github/workflows"):
        return
    for schema, targets in [("vendor.github-workflows", paths), ("vendor.dependabot", [DEPENDABOT])]:
        r = subprocess.run([BIN_DIR / "check-jsonschema", "--builtin-schema", schema, *targets],
                           capture_output=True, text=True)
        check(r.returncode == 0, f"{', '.join(t.name for t in targets)} valid under the {schema} schema (offline)",
              (r.stdout + r.stderr).strip())
    r = subprocess.run([BIN_DIR / "zizmor", "--offline", "--no-progress", "--color=never", WORKFLOWS],
                       capture_output=True, text=True)
    check(r.returncode == 0, "zizmor (offline): no findings", (r.stdout + r.stderr).strip()[-3000:])
    for path in paths:
        workflow = load_workflow(path)
        commands_exist(path, workflow)
        shellcheck(path, workflow)
    ci_workflow(load_workflow(WORKFLOWS / "ci.yml"))
    release_workflow(load_workflow(WORKFLOWS / "release.yml"))


SECTIONS = {"versions": versions, "files": files, "addresses": addresses, "workflows": workflows}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--only", choices=list(SECTIONS))
    opts = parser.parse_args()
    for name, section in SECTIONS.items():
        if opts.only in (None, name):
            print(f"--- {name}", flush=True)
            try:
                section()
            except (CheckFailed, OSError, KeyError, yaml.YAMLError) as e:
                check(False, f"{name}: could not finish", f"{type(e).__name__}: {e}")
    if check.failures:
        print(f"\n{len(check.failures)} release check(s) failed:", file=sys.stderr)
        for f in check.failures:
            print(f"  {f}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
