#!/usr/bin/env python3
"""The project's version and addresses, read from their one place: Cargo.toml.

  [package] version                     the release version; its tag is v<version>
  [package] repository                  the forge URL: runbook links, the image's source label,
                                        README badges, CHANGELOG and SECURITY links
  [package.metadata.container] image    where the release workflow pushes the container image

scripts/generate_references.py writes the URL and image into the files that embed them;
scripts/check_release.py and scripts/monitoring/lint.py check against them; the release workflow
asks this script. Standard library only (Python >= 3.11 for tomllib): the workflows and
monitoring/lint.py run it with a plain python3.

  project.py get version|repository|image|runbook-base
  project.py check-tag TAG               TAG is v<version> and every version string agrees
  project.py release-notes [VERSION]     the CHANGELOG.md section of VERSION, as release notes
  project.py check-binary BINARY --revision REV
                                         `--version` and adobe_status_exporter_build_info
                                         name this version and revision REV
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path

from testlib import ROOT, CheckFailed, demo_command, free_port, http_get, running, runtime_stage_values, wait_for

NAME = "adobe_status_exporter"
# Runbook and other documentation links point into this branch on the forge.
DEFAULT_BRANCH = "main"
CHANGELOG = ROOT / "CHANGELOG.md"
# Keep a Changelog release headings: "## [1.2.3] - 2025-01-31" (and "## [Unreleased]" above them).
RELEASE_HEADING = re.compile(r"^## \[(\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?)\] - (\d{4}-\d{2}-\d{2})$", re.M)


@dataclass(frozen=True)
class Project:
    version: str
    repository: str
    image: str
    license: str

    def docs_url(self, path: str) -> str:
        """The URL of a file of this repository on the forge, on the default branch."""
        return f"{self.repository}/blob/{DEFAULT_BRANCH}/{path}"

    @property
    def runbook_base(self) -> str:
        return self.docs_url("docs/runbook.md")


def load(cargo_toml: Path = ROOT / "Cargo.toml") -> Project:
    package = tomllib.loads(cargo_toml.read_text(encoding="utf-8"))["package"]
    try:
        return Project(version=package["version"], repository=package["repository"].rstrip("/"),
                       image=package["metadata"]["container"]["image"], license=package["license"])
    except KeyError as e:
        raise CheckFailed(f"{cargo_toml.name}: [package] needs version, repository, license and "
                          f"[package.metadata.container] image; {e} is missing") from e


# ------------------------------------------------------------------------------------ versions


def changelog_releases(text: str | None = None) -> list[tuple[str, str]]:
    """(version, date) of CHANGELOG.md's release headings, newest first as written."""
    if text is None:
        text = CHANGELOG.read_text(encoding="utf-8") if CHANGELOG.exists() else ""
    return RELEASE_HEADING.findall(text)


def image_tag(reference: str) -> tuple[str, str]:
    """("registry/name", "tag") of an image reference; the tag is "" when there is none."""
    name, sep, tag = reference.rpartition(":")
    if not sep or "/" in tag:  # no colon, or the colon is a registry's port
        return reference, ""
    return name, tag


def version_strings() -> dict[str, str | None]:
    """Every place that states the release version, and what it says there (None: not found)."""
    lock = (ROOT / "Cargo.lock").read_text(encoding="utf-8")
    lock_version = re.search(rf'^name = "{NAME}"\nversion = "([^"]+)"', lock, re.M)
    dockerfile = [a.partition("=")[2] for a in runtime_stage_values("ARG") if a.startswith("VERSION=")]
    releases = changelog_releases()
    kustomization = (ROOT / "deploy/kubernetes/kustomization.yaml").read_text(encoding="utf-8")
    new_tag = re.search(r"^\s+newTag:\s*\"?([^\s\"#]+)", kustomization, re.M)
    deployment = (ROOT / "deploy/kubernetes/deployment.yaml").read_text(encoding="utf-8")
    image = re.search(r"^\s+image:\s*(\S+)", deployment, re.M)
    return {
        "Cargo.toml [package] version": load().version,
        "Cargo.lock": lock_version.group(1) if lock_version else None,
        "Dockerfile ARG VERSION (runtime stage)": dockerfile[0] if len(dockerfile) == 1 else None,
        "CHANGELOG.md newest release heading": releases[0][0] if releases else None,
        "deploy/kubernetes/kustomization.yaml images: newTag": new_tag.group(1) if new_tag else None,
        "deploy/kubernetes/deployment.yaml image tag": image_tag(image.group(1))[1] or None if image else None,
    }


def version_mismatches() -> list[str]:
    """One line per place whose version differs from Cargo.toml's (empty when they all agree)."""
    strings = version_strings()
    want = strings["Cargo.toml [package] version"]
    return [f"{where} says {found!r}, Cargo.toml says {want!r}" for where, found in strings.items() if found != want]


def check_tag(tag: str) -> None:
    project = load()
    if tag != f"v{project.version}":
        raise CheckFailed(f"tag {tag} is not v + the crate version {project.version} (bump Cargo.toml or re-tag)")
    mismatches = version_mismatches()
    if mismatches:
        raise CheckFailed("version strings disagree:\n  " + "\n  ".join(mismatches))


# ------------------------------------------------------------------------------- release notes


def release_notes(version: str) -> str:
    """The body of CHANGELOG.md's section for `version`, then where the image and files are."""
    text = CHANGELOG.read_text(encoding="utf-8")
    heading = re.search(rf"^## \[{re.escape(version)}\] - \d{{4}}-\d{{2}}-\d{{2}}\n", text, re.M)
    if not heading:
        raise CheckFailed(f"CHANGELOG.md has no release heading for {version}")
    following = re.search(r"^## |^\[[^\]]+\]: ", text[heading.end():], re.M)
    body = text[heading.end(): heading.end() + following.start() if following else len(text)].strip()
    if not body:
        raise CheckFailed(f"CHANGELOG.md's section for {version} is empty")
    project = load()
    return (f"{body}\n\n"
            f"Container image: `{project.image}:{version}` (linux/amd64, linux/arm64).\n"
            f"Binaries: x86_64 and aarch64 Linux, glibc >= 2.36 (see CONTRIBUTING.md, \"Release binaries\"); "
            f"`SHA256SUMS` has their checksums, `*.cdx.json` their CycloneDX SBOMs.\n")


# -------------------------------------------------------------------------------- the binary


def check_binary(binary: Path, revision: str) -> None:
    """`--version` and the build_info series name this version and `revision`."""
    version = load().version
    out = subprocess.run([binary, "--version"], capture_output=True, text=True, check=True).stdout.strip()
    if not re.match(rf"{NAME} {re.escape(version)} \(revision {re.escape(revision)}[,)]", out):
        raise CheckFailed(f"--version says {out!r}; want {NAME} {version} (revision {revision}, …)")
    print(f"ok: --version: {out}")
    sim_port, web_port = free_port(), free_port()
    with running(demo_command(binary, sim_port, web_port)) as process:
        wait_for(f"http://127.0.0.1:{web_port}/-/healthy", "the exporter in --demo", process)
        _, body = http_get(f"http://127.0.0.1:{web_port}/metrics")
    info = re.search(rf"^{NAME}_build_info\{{([^}}]*)\}} 1$", body, re.M)
    labels = dict(re.findall(r'(\w+)="([^"]*)"', info.group(1))) if info else {}
    if labels.get("version") != version or labels.get("revision") != revision:
        raise CheckFailed(f"{NAME}_build_info has {labels or 'no series'}; want version={version}, "
                          f"revision={revision}")
    print(f"ok: {NAME}_build_info{{version={version!r}, revision={revision!r}}}")


# ------------------------------------------------------------------------------------------ CLI


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    get = sub.add_parser("get", help="print one value")
    get.add_argument("key", choices=["version", "repository", "image", "runbook-base"])
    tag = sub.add_parser("check-tag", help="the tag is v<version> and every version string agrees")
    tag.add_argument("tag")
    notes = sub.add_parser("release-notes", help="CHANGELOG.md's section of a version")
    notes.add_argument("version", nargs="?")
    binary = sub.add_parser("check-binary", help="--version and build_info name the version and revision")
    binary.add_argument("binary", type=Path)
    binary.add_argument("--revision", required=True)
    opts = parser.parse_args()
    try:
        project = load()
        if opts.command == "get":
            print({"version": project.version, "repository": project.repository, "image": project.image,
                   "runbook-base": project.runbook_base}[opts.key])
        elif opts.command == "check-tag":
            check_tag(opts.tag)
            print(f"ok: tag {opts.tag} = v + crate version; Cargo.lock, Dockerfile, CHANGELOG.md and "
                  f"deploy/kubernetes agree")
        elif opts.command == "release-notes":
            print(release_notes(opts.version or project.version), end="")
        elif opts.command == "check-binary":
            check_binary(opts.binary.resolve(), opts.revision)
    except (CheckFailed, subprocess.CalledProcessError) as e:
        print(f"FAIL: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
