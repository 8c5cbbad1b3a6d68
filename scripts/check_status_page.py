#!/usr/bin/env python3
"""The status page at `/` in a real browser (headless Chromium), against the demo simulator.

Installs Debian's `chromium` when it is missing (as root, or through sudo), starts the exporter in
demo mode with an empty world, sets up known data through the simulator's control API (a Major
incident on a watched product, a maintenance in progress, an incident that is then closed, a
product whose name is an HTML tag with an ongoing incident, an incident in APAC only while the
exporter's scope is EMEA), and checks the DOM the browser built:
  - the Major incident's product and title are there with the word "Major", and Adobe's impact,
  - the maintenance in progress is there, marked "In progress",
  - the closed incident is not among the ongoing ones, but in the history's resolved list, and the
    day strip of its product says "Major" for today in a cell's title,
  - the APAC-only incident is nowhere, and the page says one incident is outside the scope,
  - the hostile product name is text, and the DOM has no `img` (nor `script`) element,
  - the health section says adobe_status_up 1, and the headline gives the data's age,
then takes a wide and a phone-width screenshot (target/status-page*.png) and checks they are
real, non-trivial PNGs of the requested size.

Usage:
  check_status_page.py path/to/adobe_status_exporter
  check_status_page.py --screenshot-only docs/status-page.png path/to/adobe_status_exporter
      (the live demo's page, for the README; nothing is checked but the PNG itself)
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import struct
import subprocess
import sys
import tempfile
import time
from html.parser import HTMLParser
from pathlib import Path

from testlib import ROOT, Checks, CheckFailed, Processes, demo_command, free_port, request, wait_for, wait_until

HOSTILE_NAME = "<img src=x onerror=alert(1)>"
HOSTILE_ID = "999003"
ANALYTICS = "503467"  # Adobe Analytics in the simulator's catalogue
MARKETO = "503491"  # Adobe Marketo Engage
MAJOR_TITLE = "Reports are delayed for the status page check"
HOSTILE_TITLE = "Logins fail on the tag-named product"
CLOSED_TITLE = "This incident was closed before the check"
MAINTENANCE_TITLE = "Database upgrade for the status page check"
APAC_TITLE = "Only Sydney is affected, outside the scope"
SCOPE = "EMEA"
BROWSER_TIMEOUT = 60  # s, per Chromium run
WIDE = (1280, 1000)
PHONE = (390, 1400)


# --------------------------------------------------------------------------------------- chromium


def chromium() -> str:
    """Path of Chromium, installed from Debian when missing."""
    found = shutil.which("chromium")
    if found:
        return found
    sudo = [] if os.geteuid() == 0 else ["sudo"]
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    print("installing chromium (apt-get)")
    subprocess.run([*sudo, "apt-get", "update", "-qq"], check=True, env=env)
    subprocess.run([*sudo, "apt-get", "install", "-y", "-qq", "--no-install-recommends", "chromium"], check=True,
                   env=env, stdout=subprocess.DEVNULL)
    found = shutil.which("chromium")
    if not found:
        raise CheckFailed("chromium is not on PATH after installing it")
    return found


def browse(browser: str, url: str, *action: str, window: tuple[int, int] = WIDE) -> str:
    """Run headless Chromium on `url` with `action` (--dump-dom, --screenshot=…); its stdout.
    A fresh profile each time, no network but the page, a timeout."""
    with tempfile.TemporaryDirectory(prefix="status-page-chromium-") as profile:
        command = [browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                   "--disable-extensions", "--no-first-run", "--hide-scrollbars", f"--user-data-dir={profile}",
                   f"--window-size={window[0]},{window[1]}", *action, url]
        try:
            done = subprocess.run(command, capture_output=True, text=True, timeout=BROWSER_TIMEOUT)
        except subprocess.TimeoutExpired as e:
            raise CheckFailed(f"chromium did not finish within {BROWSER_TIMEOUT} s: {' '.join(command)}") from e
        if done.returncode != 0:
            raise CheckFailed(f"chromium exited with {done.returncode}: {done.stderr.strip()[-2000:]}")
        return done.stdout


def png_size(path: Path) -> tuple[int, int]:
    """(width, height) from a PNG's IHDR; CheckFailed when it is not a PNG."""
    data = path.read_bytes()[:24]
    if len(data) < 24 or data[:8] != b"\x89PNG\r\n\x1a\n" or data[12:16] != b"IHDR":
        raise CheckFailed(f"{path} is not a PNG")
    return struct.unpack(">II", data[16:24])


def screenshot(browser: str, url: str, path: Path, window: tuple[int, int]) -> tuple[int, int]:
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists():
        path.unlink()
    browse(browser, url, f"--screenshot={path.resolve()}", window=window)
    if not path.exists():
        raise CheckFailed(f"chromium wrote no screenshot to {path}")
    return png_size(path)


# -------------------------------------------------------------------------------------------- DOM


class Element:
    def __init__(self, tag: str, attrs: dict[str, str], parent: "Element | None"):
        self.tag, self.attrs, self.parent = tag, attrs, parent
        self.children: list[Element | str] = []

    @property
    def classes(self) -> set[str]:
        return set(self.attrs.get("class", "").split())

    def text(self) -> str:
        return "".join(c if isinstance(c, str) else c.text() for c in self.children)

    def walk(self):
        yield self
        for child in self.children:
            if isinstance(child, Element):
                yield from child.walk()


VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class Dom(HTMLParser):
    """The serialized DOM Chromium dumps, as a tree (it is well nested: the browser wrote it)."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.root = Element("#document", {}, None)
        self.current = self.root
        self.feed(html)
        self.close()

    def handle_starttag(self, tag, attrs):
        element = Element(tag, {k: v or "" for k, v in attrs}, self.current)
        self.current.children.append(element)
        if tag not in VOID:
            self.current = element

    def handle_endtag(self, tag):
        node = self.current
        while node is not None and node.tag != tag:
            node = node.parent
        if node is not None and node.parent is not None:
            self.current = node.parent

    def handle_data(self, data):
        self.current.children.append(data)

    def elements(self, tag: str | None = None, cls: str | None = None) -> list[Element]:
        return [e for e in self.root.walk()
                if (tag is None or e.tag == tag) and (cls is None or cls in e.classes)]

    def by_id(self, ident: str) -> Element | None:
        return next((e for e in self.root.walk() if e.attrs.get("id") == ident), None)


# ---------------------------------------------------------------------------------------- checks


def set_up_known_data(sim: str) -> None:
    """The data the checks look for, through the simulator's control API."""
    control = f"{sim}/__sim"
    request(f"{control}/products", {"id": HOSTILE_ID, "name": HOSTILE_NAME, "cloud_id": "503461"})
    request(f"{control}/incidents", {"product_ids": [ANALYTICS], "severity": "Major", "title": MAJOR_TITLE,
                                     "regions": ["EMEA"]})
    request(f"{control}/incidents", {"product_ids": [HOSTILE_ID], "severity": "Minor", "title": HOSTILE_TITLE})
    request(f"{control}/incidents", {"product_ids": [MARKETO], "severity": "Major", "title": APAC_TITLE,
                                     "regions": ["APAC"]})
    closed = request(f"{control}/incidents", {"product_ids": [ANALYTICS], "severity": "Major",
                                              "title": CLOSED_TITLE})
    incident_id = json.loads(closed.body)["id"]
    request(f"{control}/incidents/{incident_id}/close", {})
    now = int(time.time())
    request(f"{control}/maintenances", {"product_ids": [MARKETO], "status": "Started", "title": MAINTENANCE_TITLE,
                                        "start": now - 600, "end": now + 3600})


def check_dom(check: Checks, dom: Dom) -> None:
    text = dom.root.text()
    cards = dom.elements("li", "card")

    def card(cls: str, *needles: str) -> Element | None:
        return next((c for c in cards if cls in c.classes and all(n in c.text() for n in needles)), None)

    major = card("sev-major", "Adobe Analytics", MAJOR_TITLE)
    check(major is not None, "the Major incident's card names the product and the title",
          f"cards: {[c.text()[:80] for c in cards]}")
    if major is not None:
        badges = [b.text() for b in major.walk() if "badge" in b.classes]
        check(badges == ["Major"], "the Major incident's badge says Major in words", f"{badges}")
    maintenance = card("maint-in-progress", MAINTENANCE_TITLE, "Adobe Marketo Engage")
    check(maintenance is not None and "In progress" in maintenance.text(),
          "the maintenance in progress is listed, marked In progress")
    incidents = dom.by_id("incidents")
    ongoing_text = incidents.text() if incidents else ""
    check(bool(ongoing_text) and CLOSED_TITLE not in ongoing_text,
          "the closed incident is not among the ongoing incidents")
    if major is not None:
        check("Availability, for most customers" in major.text(),
              "the Major incident's card says what Adobe states of its impact", major.text()[:300])
    check(APAC_TITLE not in text, "the incident outside the scope is nowhere on the page")
    scope = dom.elements("p", "scope")
    check(len(scope) == 1 and f"region {SCOPE}" in scope[0].text() and "1 incident outside your scope" in scope[0].text(),
          "the page says what the scope hides", f"{[e.text() for e in scope]}")
    history = dom.by_id("history")
    history_text = history.text() if history else ""
    check("Last 30 days" in history_text, "the history section covers the last 30 days", history_text[:200])
    resolved = dom.elements("li", "resolved-item")
    check(any(CLOSED_TITLE in r.text() and "Adobe Analytics" in r.text() for r in resolved),
          "the closed incident is in the resolved list", f"{[r.text()[:80] for r in resolved]}")
    rows = [r for r in (history.walk() if history else []) if r.tag == "tr"]
    analytics = next((r for r in rows if "Adobe Analytics" in r.text()), None)
    cells = [c for c in analytics.walk() if "day" in c.classes] if analytics else []
    check(len(cells) == 30 and cells[-1].attrs.get("title", "").endswith(": Major")
          and "sev-major" in cells[-1].classes,
          "Adobe Analytics' day strip has 30 cells and today's says Major in its title",
          f"{len(cells)} cells, last {cells[-1].attrs if cells else None}")
    hostile = card("sev-minor", HOSTILE_TITLE)
    check(hostile is not None and HOSTILE_NAME in hostile.text(),
          "the hostile product name is shown as text on its incident")
    check(not dom.elements("img"), "the DOM has no img element", f"{[e.attrs for e in dom.elements('img')]}")
    check(not dom.elements("script"), "the DOM has no script element")
    health = dom.by_id("health")
    health_text = health.text() if health else ""
    check("adobe_status_up" in health_text and "1 – the data comes from a recent successful refresh" in health_text,
          "the health section says adobe_status_up 1", health_text[:300])
    ages = [e.text() for e in dom.elements("strong", "age")]
    check(len(ages) == 1 and ages[0][:1].isdigit(), "the headline gives the data's age", f"{ages}")
    ups = [e.text() for e in dom.elements("strong", "up")]
    check(ups == ["1"], "the headline says adobe_status_up 1", f"{ups}")


def check_screenshots(check: Checks, browser: str, url: str) -> None:
    for name, window in (("status-page.png", WIDE), ("status-page-phone.png", PHONE)):
        path = ROOT / "target" / name
        size = screenshot(browser, url, path, window)
        bytes_ = path.stat().st_size
        # A blank page of this size compresses to a few KB; the page's text makes it tens of KB.
        check(size == window and bytes_ > 20_000, f"screenshot {path.relative_to(ROOT)} at {window[0]}×{window[1]}",
              f"{size[0]}×{size[1]}, {bytes_} bytes")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("binary", help="path to adobe_status_exporter")
    parser.add_argument("--screenshot-only", metavar="PNG", type=Path,
                        help="only write a screenshot of the live demo's page to PNG")
    args = parser.parse_args()

    browser = chromium()
    version = subprocess.run([browser, "--version"], capture_output=True, text=True).stdout.strip()
    print(f"browser: {version}")
    check = Checks()
    sim_port, web_port = free_port(), free_port()
    scenario = "live" if args.screenshot_only else "empty"
    with tempfile.TemporaryDirectory(prefix="status-page-check-") as workdir:
        processes = Processes(workdir)
        try:
            exporter = processes.start("exporter", demo_command(
                args.binary, sim_port, web_port, f"--demo.scenario={scenario}", "--status.min-interval=1s",
                "--status.registry-interval=1s", "--log.level=warn",
                *([] if args.screenshot_only else [f"--adobe.region={SCOPE}"])))
            url = f"http://127.0.0.1:{web_port}/"
            wait_for(f"{url}-/ready", "exporter", exporter, timeout=60)
            if args.screenshot_only:
                size = screenshot(browser, url, args.screenshot_only, WIDE)
                print(f"wrote {args.screenshot_only} ({size[0]}×{size[1]}, {args.screenshot_only.stat().st_size} bytes)")
                return 0
            set_up_known_data(f"http://127.0.0.1:{sim_port}")
            # Refreshes come at most once a second: wait until one has seen all of it.
            def everything_shown() -> bool:
                body = request(url).body.decode()
                return all(title in body for title in (MAJOR_TITLE, MAINTENANCE_TITLE, HOSTILE_TITLE))

            wait_until("the known data on the page", everything_shown, processes.check_alive, timeout=30,
                       interval=0.5)
            check_dom(check, Dom(browse(browser, url, "--dump-dom")))
            check_screenshots(check, browser, url)
        except CheckFailed as e:
            check(False, "status page check ran to the end", str(e))
            print(f"exporter log: {Path(workdir) / 'exporter.log'}:\n{(Path(workdir) / 'exporter.log').read_text()[-3000:]}")
        finally:
            processes.stop_all()
    if check.failures:
        print(f"\n{len(check.failures)} status page check(s) failed", file=sys.stderr)
        return 1
    print("\nstatus page: all checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
