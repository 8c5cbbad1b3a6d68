#!/usr/bin/env python3
"""Checks the Helm chart deploy/helm/adobe-status-exporter with Helm's own engine (run by scripts/test).

Helm v4's library, through the PyPI wheel helm-python-sdk (no helm binary, offline):
  lint        `helm lint --strict` clean with the defaults and with every ci/*-values.yaml
  versions    Chart.yaml's version and appVersion are Cargo.toml's; image and sources are its image
              and repository
  render      every ci/*-values.yaml, and a release name of 53 characters: each object valid under
              the Kubernetes schemas (kubernetes-validate, strict, oldest and newest release) or the
              Prometheus Operator's (scripts/kubernetes, Node); names and label values DNS-1123
              and at most 63 characters; the PrometheusRule's groups are alerts/ (the job selector
              as serviceMonitor.jobLabel says) and pass `promtool check rules`; the dashboards
              ConfigMap holds dashboards/ byte for byte
  refusals    a typo in values, a wrong type and missing credentials are errors
  kustomize   the chart's defaults describe the same objects as deploy/kubernetes/ (no drift
              between the two install paths)
  run         the rendered Deployment's args, volumes (Secrets as the kubelet writes them) and
              web config start the real binary, probed as the kubelet would (scheme, headers)
Usage: check_helm.py --binary target/debug/adobe_status_exporter
"""

from __future__ import annotations

import argparse
import base64
import copy
import os
import re
import ssl
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

import yaml

import project
from check_deploy import validate_operator_objects
from testlib import DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, ROOT, Checks, free_port, running, simulator, upstream_flags

CHART = ROOT / "deploy" / "helm" / "adobe-status-exporter"
K8S = ROOT / "deploy" / "kubernetes"
RULES = ROOT / "alerts" / "adobe-status-alerts.yml"
TLS_FIXTURES = ROOT / "crates" / "exporter-toolkit-web" / "tests" / "fixtures" / "tls"
NAMESPACE = "monitoring"
LONG_RELEASE = "a-release-name-of-fifty-three-characters-for-the-test"  # 53: Helm's limit
DNS_1123 = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
# Labels only Helm adds; the kustomize manifests carry the rest.
HELM_LABELS = {"helm.sh/chart", "app.kubernetes.io/instance", "app.kubernetes.io/version",
               "app.kubernetes.io/managed-by"}

check = Checks()


def render(chart, values: dict, name: str = "adobe-status-exporter") -> dict[str, dict]:
    """The chart's objects, as `kind/name`, for `values` (NOTES.txt left out)."""
    objects = {}
    for path, text in chart.render(values, name=name, namespace=NAMESPACE).items():
        if path.endswith("NOTES.txt"):
            continue
        for doc in yaml.safe_load_all(text):
            if doc:
                objects[f"{doc['kind']}/{doc['metadata']['name']}"] = doc
    return objects


def ci_values() -> dict[str, dict]:
    return {p.name: yaml.safe_load(p.read_text(encoding="utf-8")) or {} for p in sorted((CHART / "ci").glob("*-values.yaml"))}


def lint(helm) -> None:
    for name, values in {"defaults (demo)": {"demo": True}, **ci_values()}.items():
        report = helm.lint(CHART, values, strict=True, namespace=NAMESPACE)
        findings = [m for m in report["messages"] if m["severity"] >= 2] + report["errors"]
        check(not findings, f"helm lint --strict clean: {name}", str(findings))


def versions(chart) -> None:
    p = project.load()
    meta = chart.metadata
    check(meta["version"] == p.version and meta["appVersion"] == p.version,
          "Chart.yaml version and appVersion are Cargo.toml's", f"{meta['version']}, {meta['appVersion']} vs {p.version}")
    check(chart.values["image"]["repository"] == p.image, "values.yaml image is Cargo.toml's", p.image)
    check(meta.get("sources") == [p.repository], "Chart.yaml sources is Cargo.toml's repository", str(meta.get("sources")))


def validate(objects: dict[str, dict], what: str) -> None:
    import kubernetes_validate
    from kubernetes_validate.utils import all_versions

    releases = sorted(all_versions(), key=lambda v: tuple(map(int, v.split("."))))
    core = {k: o for k, o in objects.items() if not o["apiVersion"].startswith("monitoring.coreos.com/")}
    failures = []
    for key, obj in core.items():
        for release in (releases[0], releases[-1]):
            try:
                kubernetes_validate.validate(obj, release, strict=True)
            except Exception as e:  # ValidationError, or a schema the package lacks
                failures.append(f"{key} ({release}): {str(e)[:300]}")
    check(not failures, f"{what}: {len(core)} objects valid under the Kubernetes {releases[0]} and "
          f"{releases[-1]} schemas (strict)", "; ".join(failures))
    crds = [o for o in objects.values() if o["apiVersion"].startswith("monitoring.coreos.com/")]
    if crds:
        r = validate_operator_objects(crds)
        check(r.returncode == 0, f"{what}: {len(crds)} objects valid under the Prometheus Operator schemas",
              (r.stdout + r.stderr).strip())
    long = []
    for key, obj in objects.items():
        meta = obj["metadata"]
        if not (DNS_1123.match(meta["name"]) and len(meta["name"]) <= 63):
            long.append(f"name {meta['name']}")
        for labels in label_maps(obj):
            long += [f"{key} label {k}={v}" for k, v in labels.items() if len(str(v)) > 63]
    check(not long, f"{what}: names DNS-1123 and names and label values at most 63 characters", "; ".join(long))


def label_maps(node) -> list[dict]:
    found = []
    if isinstance(node, dict):
        for key, value in node.items():
            if key in ("labels", "matchLabels") and isinstance(value, dict):
                found.append(value)
            else:
                found += label_maps(value)
    elif isinstance(node, list):
        for item in node:
            found += label_maps(item)
    return found


def of_kind(objects: dict[str, dict], kind: str) -> list[dict]:
    return [o for o in objects.values() if o["kind"] == kind]


def rules_and_dashboards(objects: dict[str, dict], values: dict, what: str) -> None:
    rules = of_kind(objects, "PrometheusRule")
    if values.get("prometheusRule", {}).get("enabled", True):
        job = values.get("serviceMonitor", {}).get("jobLabel", "adobe_status")
        source = RULES.read_text(encoding="utf-8").replace('job="adobe_status"', f'job="{job}"')
        expected = yaml.safe_load(source)["groups"]
        (rule,) = rules
        groups = rule["spec"]["groups"]
        extra = values.get("prometheusRule", {}).get("rules", [])
        check(groups[:len(expected)] == expected and [g["rules"] for g in groups[len(expected):]] == ([extra] if extra else []),
              f"{what}: the PrometheusRule's groups are alerts/ (job=\"{job}\"), then prometheusRule.rules")
        with tempfile.NamedTemporaryFile("w", suffix=".yml") as f:
            yaml.safe_dump(rule["spec"], f)
            f.flush()
            r = subprocess.run(["promtool", "check", "rules", f.name], capture_output=True, text=True)
        check(r.returncode == 0, f"{what}: the PrometheusRule passes promtool check rules", r.stdout + r.stderr)
    else:
        check(not rules, f"{what}: no PrometheusRule")
    maps = [o for o in of_kind(objects, "ConfigMap") if o["metadata"]["name"].endswith("-dashboards")]
    if values.get("dashboards", {}).get("enabled", True):
        expected = {p.name: p.read_text(encoding="utf-8") for p in sorted((ROOT / "dashboards").glob("*.json"))}
        check(len(maps) == 1 and maps[0]["data"] == expected
              and maps[0]["metadata"]["labels"].get("grafana_dashboard") == "1",
              f"{what}: the dashboards ConfigMap (grafana_dashboard=\"1\") holds dashboards/ byte for byte")


def refusals(chart, helm) -> None:
    for values, what, expect in (
            ({"demo": True, "serviceMonitor": {"enabeld": False}}, "a misspelt key", "enabeld"),
            ({"demo": True, "exporter": {"port": "10042"}}, "a port given as a string", "port"),
            ({"demo": True, "exporter": {"logFormat": "text"}}, "an unknown log format", "logFormat"),
            ({}, "no credentials and no demo", "credentials.existingSecret")):
        try:
            render(chart, values)
            check(False, f"values with {what} are refused")
        except helm.HelmError as e:
            check(expect in str(e), f"values with {what} are refused, naming it", str(e)[:300])


# ------------------------------------------------------------------------------ kustomize


def strip_helm(node):
    """`node` without Helm's own labels (and comments are gone already: YAML was parsed)."""
    if isinstance(node, dict):
        out = {}
        for key, value in node.items():
            if key in ("labels", "matchLabels", "selector") and isinstance(value, dict):
                value = {k: v for k, v in value.items() if k not in HELM_LABELS}
            out[key] = strip_helm(value)
        return out
    if isinstance(node, list):
        return [strip_helm(v) for v in node]
    return node


def kustomize_objects() -> dict[str, dict]:
    kustomization = yaml.safe_load((K8S / "kustomization.yaml").read_text(encoding="utf-8"))
    objects = {}
    for name in kustomization["resources"]:
        for doc in yaml.safe_load_all((K8S / name).read_text(encoding="utf-8")):
            if doc:
                doc.setdefault("metadata", {})["namespace"] = kustomization["namespace"]
                objects[f"{doc['kind']}/{doc['metadata']['name']}"] = doc
    return objects


def same_as_kustomize(chart) -> None:
    """The chart's defaults (release adobe-status-exporter, the Secret the kustomize README asks
    for) and deploy/kubernetes/ describe the same objects, Helm's bookkeeping labels aside."""
    rendered = strip_helm(render(chart, {"credentials": {"existingSecret": "adobe-status-exporter"}}))
    kustomize = kustomize_objects()
    check(sorted(rendered) == sorted(kustomize), "the chart's defaults and deploy/kubernetes/ have the same objects",
          f"{sorted(rendered)} vs {sorted(kustomize)}")
    for key in sorted(set(rendered) & set(kustomize)):
        a, b = rendered[key], kustomize[key]
        check(a == b, f"{key}: the chart's defaults and deploy/kubernetes/ agree", first_difference(a, b))


def first_difference(a, b, path: str = "") -> str:
    if isinstance(a, dict) and isinstance(b, dict):
        for key in sorted(set(a) | set(b)):
            if a.get(key) != b.get(key):
                return first_difference(a.get(key), b.get(key), f"{path}.{key}")
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        for i, (x, y) in enumerate(zip(a, b)):
            if x != y:
                return first_difference(x, y, f"{path}[{i}]")
    return f"{path}: chart {str(a)[:200]!r} vs kustomize {str(b)[:200]!r}"


# ----------------------------------------------------------------------------------- run


def secret_files(objects: dict[str, dict], secret_name: str) -> dict[str, bytes]:
    """What the kubelet writes for a Secret volume: the rendered Secret's data, or for a Secret made
    outside the chart the test's stand-in (demo credentials, the TLS test certificate)."""
    rendered = objects.get(f"Secret/{secret_name}")
    if rendered:
        return {k: base64.b64decode(v) for k, v in rendered.get("data", {}).items()}
    return {"tls.crt": (TLS_FIXTURES / "server.crt").read_bytes(), "tls.key": (TLS_FIXTURES / "server.key").read_bytes()}


def run_deployment(objects: dict[str, dict], binary: Path, what: str) -> None:
    (deployment,) = of_kind(objects, "Deployment")
    pod = deployment["spec"]["template"]["spec"]
    (container,) = pod["containers"]
    volumes = {v["name"]: v for v in pod.get("volumes", [])}
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        # Each mount under tmp, filled as the kubelet fills it.
        mounts = {}
        for mount in container.get("volumeMounts", []):
            where = root / mount["mountPath"].lstrip("/")
            where.mkdir(parents=True)
            mounts[mount["mountPath"]] = where
            secret = volumes[mount["name"]].get("secret")
            if secret:
                files = secret_files(objects, secret["secretName"])
                items = secret.get("items") or [{"key": k, "path": k} for k in files]
                for item in items:
                    key = item["key"]
                    content = DEMO_CLIENT_SECRET.encode() if mount["name"] == "credentials" else files[key]
                    (where / item["path"]).write_bytes(content)

        def relocate(text: str) -> str:
            for path, where in mounts.items():
                text = text.replace(path + "/", f"{where}/")
            return text

        for where in mounts.values():  # the web config names files by their in-pod paths
            for f in where.iterdir():
                if f.suffix in (".yml", ".yaml"):
                    f.write_text(relocate(f.read_text()))
        listen = [a for a in container["args"] if a.startswith("--web.listen-address=")]
        (container_port,) = container["ports"]
        check(listen == [f"--web.listen-address=:{container_port['containerPort']}"],
              f"{what}: one --web.listen-address, on the containerPort", str(listen))
        port = free_port()
        args = []
        for arg in container["args"]:
            if arg.startswith("--web.listen-address="):
                arg = f"--web.listen-address=127.0.0.1:{port}"
            args.append(relocate(arg))
        env = {"PATH": os.environ["PATH"]}
        for item in container.get("env", []):
            env[item["name"]] = DEMO_CLIENT_ID if "secretKeyRef" in item.get("valueFrom", {}) else item.get("value", "")
        if "--demo" in args:
            probe_until_ready(binary, args, env, port, container, what)
        else:
            with simulator(binary) as sim:
                probe_until_ready(binary, [*args, *upstream_flags(sim)], env, port, container, what)


def probe_until_ready(binary: Path, args: list[str], env: dict, port: int, container: dict, what: str) -> None:
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE  # the kubelet does not verify HTTPS probes either

    def get(probe: dict) -> int:
        http = probe["httpGet"]
        url = f"{http.get('scheme', 'HTTP').lower()}://127.0.0.1:{port}{http['path']}"
        headers = {h["name"]: h["value"] for h in http.get("httpHeaders", [])}
        try:
            with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=5, context=context) as r:
                return r.status
        except urllib.error.HTTPError as e:
            return e.code
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            return 0

    with running([str(binary), *args], env) as process:
        statuses = (0, 0)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and process.poll() is None:
            statuses = (get(container["livenessProbe"]), get(container["readinessProbe"]))
            if statuses == (200, 200):
                break
            time.sleep(0.2)
        check(statuses == (200, 200), f"{what}: the rendered args start the binary; liveness and readiness "
              "probes answer 200 as the kubelet sends them", f"statuses {statuses}, exit {process.poll()}, "
              f"args {args}: {process.stderr.read()[-800:] if process.poll() is not None else ''}")
        if container["readinessProbe"]["httpGet"].get("httpHeaders"):
            bare = copy.deepcopy(container["readinessProbe"])
            del bare["httpGet"]["httpHeaders"]
            check(get(bare) == 401, f"{what}: without the probe's Authorization header the exporter answers 401")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--binary", required=True, type=Path, help="the exporter to run")
    opts = parser.parse_args()
    import helm_python as helm

    r = subprocess.run([sys.executable, ROOT / "scripts/generate_kubernetes.py", "--check"], capture_output=True, text=True)
    check(r.returncode == 0, "the chart's copies of alerts/ and dashboards/, its values.schema.json and the README "
          "values table are up to date", r.stderr.strip())
    chart = helm.Chart.load(CHART)
    lint(helm)
    versions(chart)
    cases = {**ci_values(), f"release name of {len(LONG_RELEASE)} characters": {"demo": True}}
    for name, values in cases.items():
        release = LONG_RELEASE if name.startswith("release name") else "adobe-status-exporter"
        objects = render(chart, copy.deepcopy(values), name=release)
        validate(objects, name)
        rules_and_dashboards(objects, values, name)
        if name in ("default-values.yaml", "tls-basic-auth-values.yaml", "scope-values.yaml",
                    "existing-secret-values.yaml"):
            run_deployment(objects, opts.binary.resolve(), name)
    refusals(chart, helm)
    same_as_kustomize(chart)
    return check.summary("helm")


if __name__ == "__main__":
    sys.exit(main())
