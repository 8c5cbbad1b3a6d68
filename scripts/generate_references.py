#!/usr/bin/env python3
"""Writes the repository URL and image name from Cargo.toml (through scripts/project.py) into
every file that embeds them, then regenerates deploy/kubernetes (scripts/generate_kubernetes.py)
so the PrometheusRule carries the new runbook links too.

  alerts/adobe-status-alerts.yml       runbook_url: <repository>/blob/main/docs/runbook.md#<alert>
  alerts/adobe-status-alerts.test.yml  the same URLs in the expected alerts
  Dockerfile                           LABEL org.opencontainers.image.source="<repository>"
  deploy/kubernetes/deployment.yaml    image: <image>:<tag>   (the tag is left alone: it is the
  deploy/kubernetes/kustomization.yaml images: - name: <image>  version, checked by check_release.py)
  deploy/helm/adobe-status-exporter    Chart.yaml sources: <repository>; values.yaml image.repository: <image>
  README.md                            the CI and licence badges under the title
  CHANGELOG.md                         the version links at the bottom (compare/…, releases/tag/…)
  SECURITY.md                          the link for a private security advisory

Only those spots are touched; the rest of each file is left as written. `--check` writes nothing
and exits 1 naming the files that differ (scripts/check_release.py runs it, and also looks for
any other address of this project that no rule covers).
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path
from typing import Callable

import generate_kubernetes
import project
from testlib import ROOT, CheckFailed, write_generated

Rewrite = Callable[[str, project.Project], str]


def substitute(pattern: str, replacement: Callable[[re.Match, project.Project], str], flags: int = re.M) -> Rewrite:
    """A rewrite that replaces every match of `pattern`; finding none is an error (the spot the
    rule is for has moved or been reworded, and the address there would go stale unnoticed)."""

    def rewrite(text: str, p: project.Project) -> str:
        new, count = re.subn(pattern, lambda m: replacement(m, p), text, flags=flags)
        if count == 0:
            raise CheckFailed(f"nothing matches {pattern!r}")
        return new

    return rewrite


def retag(m: re.Match, p: project.Project) -> str:
    _, tag = project.image_tag(m.group(2))
    return m.group(1) + p.image + (f":{tag}" if tag else "")


def badges(p: project.Project) -> str:
    ci = f"{p.repository}/actions/workflows/ci.yml"
    licence = p.license.replace("-", "--")
    return (f"[![CI]({ci}/badge.svg?branch={project.DEFAULT_BRANCH})]({ci}) "
            f"[![Licence: {p.license}](https://img.shields.io/badge/licence-{licence}-blue.svg)](LICENSE)")


def changelog_links(text: str, p: project.Project) -> str:
    """Keep a Changelog's link references, one per heading: Unreleased compares the newest tag
    with HEAD, each release the tag before it with its own, the first one is its tag."""
    versions = [v for v, _ in project.changelog_releases(text)]
    if not versions:
        raise CheckFailed("no release heading")
    links = [f"[Unreleased]: {p.repository}/compare/v{versions[0]}...HEAD"]
    for newer, older in zip(versions, versions[1:]):
        links.append(f"[{newer}]: {p.repository}/compare/v{older}...v{newer}")
    links.append(f"[{versions[-1]}]: {p.repository}/releases/tag/v{versions[-1]}")
    body = re.sub(r"(?:^\[[^\]]+\]: \S+\n)+\Z", "", text, flags=re.M).rstrip("\n")
    return body + "\n\n" + "\n".join(links) + "\n"


RUNBOOK_URL = substitute(r"^(\s*runbook_url:\s*)\S*?(#[a-z0-9-]+)$", lambda m, p: m.group(1) + p.runbook_base + m.group(2))

RULES: dict[str, list[Rewrite]] = {
    "alerts/adobe-status-alerts.yml": [RUNBOOK_URL],
    "alerts/adobe-status-alerts.test.yml": [RUNBOOK_URL],
    "Dockerfile": [substitute(r'(org\.opencontainers\.image\.source=)"[^"]*"', lambda m, p: f'{m.group(1)}"{p.repository}"')],
    "deploy/kubernetes/deployment.yaml": [substitute(r"^(\s+image:\s*)(\S+)", retag)],
    "deploy/kubernetes/kustomization.yaml": [substitute(r"^(images:\n\s+- name:\s*)(\S+)", retag)],
    "deploy/helm/adobe-status-exporter/Chart.yaml": [substitute(r"^(sources:\n\s+- )(\S+)", lambda m, p: m.group(1) + p.repository)],
    "deploy/helm/adobe-status-exporter/values.yaml": [substitute(r"^(image:\n(?:\s+#.*\n)*\s+repository:\s*)(\S+)",
                                                                 lambda m, p: m.group(1) + p.image)],
    "README.md": [substitute(r"^\[!\[CI\]\(.*$", lambda m, p: badges(p))],
    "CHANGELOG.md": [changelog_links],
    "SECURITY.md": [substitute(r"\(\S*/security/advisories/new\)", lambda m, p: f"({p.repository}/security/advisories/new)")],
}


def outputs() -> dict[Path, str]:
    """Every file a rule covers, as the rules write it."""
    p = project.load()
    out = {}
    for name, rewrites in RULES.items():
        text = (ROOT / name).read_text(encoding="utf-8")
        for rewrite in rewrites:
            try:
                text = rewrite(text, p)
            except CheckFailed as e:
                raise CheckFailed(f"{name}: {e}") from e
        out[ROOT / name] = text
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if a file does not carry Cargo.toml's values")
    opts = parser.parse_args()
    try:
        files = outputs()
    except CheckFailed as e:
        print(f"FAIL: {e}", file=sys.stderr)
        return 1
    if write_generated(files, opts.check,
                       "files without Cargo.toml's repository URL or image (run scripts/generate_references.py)"):
        return 1
    if opts.check:
        return 0
    # The PrometheusRule embeds the alert rules, runbook links included.
    sys.argv = [sys.argv[0]]
    return generate_kubernetes.main()


if __name__ == "__main__":
    sys.exit(main())
