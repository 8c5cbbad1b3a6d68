#!/usr/bin/env python3
"""Checks deploy/ (run by scripts/test): Kubernetes manifests, the Compose stack, the systemd unit.

kubernetes  generated copies up to date (scripts/generate_kubernetes.py --check); core objects
            valid under the Kubernetes JSON schemas, strict (kubernetes-validate, offline, oldest
            and newest release it carries); ServiceMonitor and PrometheusRule valid under the
            Prometheus Operator's schemas (Node, @kubernetes-models, pinned in
            scripts/kubernetes/package-lock.json); the rule groups pass `promtool check rules`;
            the hardening and wiring that matter (non-root, read-only root, no capabilities,
            probes, ports, selectors, secret as a file, job label, resources); and the
            container's args and env run with the real binary against the demo simulator,
            probed as the kubelet would and scraped on the ServiceMonitor's path.
compose     the Compose specification schema (check-jsonschema, offline), mounts and build
            context exist, images pinned, and the wiring between the services' configs.
            (promtool/amtool check those configs in scripts/test-monitoring.)
systemd     `systemd-analyze verify` clean, `systemd-analyze security` exposure <= 1.x, and the
            ExecStart line with its credential and environment file run against the simulator.
Usage: check_deploy.py --binary target/debug/adobe_status_exporter [--only SECTION]
"""

from __future__ import annotations

import argparse
import fnmatch
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

from testlib import (DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, ROOT, CheckFailed, Checks, check_serves, free_port, request,
                     running, runtime_stage_values, simulator, stop_process, upstream_flags)

K8S = ROOT / "deploy" / "kubernetes"
COMPOSE = ROOT / "deploy" / "compose"
SYSTEMD = ROOT / "deploy" / "systemd"
BIN_DIR = Path(sys.executable).parent  # the venv with kubernetes-validate and check-jsonschema

# Every check prints its line; the failures are in check.failures.
check = Checks()


def load_all(path: Path) -> list[dict]:
    return [d for d in yaml.safe_load_all(path.read_text(encoding="utf-8")) if d]


def dockerfile_port() -> str:
    (port,) = runtime_stage_values("EXPOSE")
    return port


def alerts_job() -> str:
    return re.search(r'up\{job="([^"]+)"\}', (ROOT / "alerts/adobe-status-alerts.yml").read_text()).group(1)


def check_serves_from_simulator(binary: Path, command: list[str], env: dict[str, str], what: str,
                                liveness: str, readiness: str, metrics: str,
                                wrap=lambda port: []) -> None:
    """`command`, pointed at the demo simulator and given a free port, probed and scraped (check_serves).
    `wrap(port)` goes before the command (systemd-socket-activate listening on the port)."""
    with simulator(binary) as sim:
        port = free_port()
        with running([*wrap(port), *command, *upstream_flags(sim), f"--web.listen-address=127.0.0.1:{port}"],
                     env) as process:
            check_serves(port, process, what, liveness, readiness, metrics)


# -------------------------------------------------------------------------------- Kubernetes


def kubernetes(binary: Path) -> None:
    r = subprocess.run([sys.executable, ROOT / "scripts/generate_kubernetes.py", "--check"],
                       capture_output=True, text=True)
    check(r.returncode == 0, "generated PrometheusRule and dashboards ConfigMap match alerts/ and dashboards/",
          r.stderr.strip())

    kustomization = yaml.safe_load((K8S / "kustomization.yaml").read_text())
    files = sorted(p.name for p in K8S.glob("*.yaml") if p.name != "kustomization.yaml")
    check(sorted(kustomization["resources"]) == files, "kustomization.yaml lists every manifest",
          f"{kustomization['resources']} vs {files}")
    objects = {}
    for name in files:
        for doc in load_all(K8S / name):
            objects[doc["kind"]] = doc

    validate_schemas(objects)
    rule = objects["PrometheusRule"]
    with tempfile.NamedTemporaryFile("w", suffix=".yml") as f:
        yaml.safe_dump(rule["spec"], f)
        f.flush()
        r = subprocess.run(["promtool", "check", "rules", f.name], capture_output=True, text=True)
    check(r.returncode == 0, "PrometheusRule groups pass promtool check rules", r.stdout + r.stderr)

    deployment, service, monitor = objects["Deployment"], objects["Service"], objects["ServiceMonitor"]
    check_pod_hardening(deployment)
    check_wiring(deployment, service, monitor, objects["ConfigMap"])
    check_network_policy(objects["NetworkPolicy"], deployment)
    check_readme_resources(deployment)
    run_container(deployment, monitor, binary)


def validate_schemas(objects: dict[str, dict]) -> None:
    import kubernetes_validate
    from kubernetes_validate.utils import all_versions

    versions = sorted(all_versions(), key=lambda v: tuple(map(int, v.split("."))))
    for kind, obj in objects.items():
        if obj["apiVersion"].startswith("monitoring.coreos.com/"):
            continue
        for version in (versions[0], versions[-1]):
            try:
                kubernetes_validate.validate(obj, version, strict=True)
                check(True, f"{kind} valid under the Kubernetes {version} schema (strict)")
            except Exception as e:  # ValidationError, or a schema the package lacks
                check(False, f"{kind} valid under the Kubernetes {version} schema (strict)", str(e)[:500])

    crds = [o for o in objects.values() if o["apiVersion"].startswith("monitoring.coreos.com/")]
    r = validate_operator_objects(crds)
    print(r.stdout, end="")
    check(r.returncode == 0 and len(crds) == 2, "ServiceMonitor and PrometheusRule valid under the "
          "Prometheus Operator schemas", r.stderr.strip())


def validate_operator_objects(objects: list[dict]) -> subprocess.CompletedProcess:
    """scripts/kubernetes/validate_crds.mjs on `objects` (installed with npm ci the first time)."""
    work = ROOT / "target" / "k8s-node"
    work.mkdir(parents=True, exist_ok=True)
    for name in ["package.json", "package-lock.json", "validate_crds.mjs"]:
        shutil.copy2(ROOT / "scripts/kubernetes" / name, work / name)
    installed = work / "node_modules" / ".package-lock.json"
    if not installed.exists() or installed.stat().st_mtime < (work / "package-lock.json").stat().st_mtime:
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=work, check=True)
    return subprocess.run(["node", "validate_crds.mjs"], cwd=work, input=json.dumps(objects), capture_output=True,
                          text=True)


def check_pod_hardening(deployment: dict) -> None:
    pod = deployment["spec"]["template"]["spec"]
    psc = pod.get("securityContext", {})
    (container,) = pod["containers"]
    csc = container.get("securityContext", {})
    check(psc.get("runAsNonRoot") is True and psc.get("runAsUser", 0) > 0, "pod runs as a non-root uid")
    image_user = runtime_stage_values("USER")[-1].split(":")[0]
    check(str(psc.get("runAsUser")) == image_user, "runAsUser is the image's USER", image_user)
    check(psc.get("seccompProfile", {}).get("type") == "RuntimeDefault", "seccomp RuntimeDefault")
    check(pod.get("automountServiceAccountToken") is False, "no service account token mounted")
    check(csc.get("readOnlyRootFilesystem") is True, "read-only root filesystem")
    check(csc.get("allowPrivilegeEscalation") is False, "no privilege escalation")
    check(csc.get("capabilities", {}).get("drop") == ["ALL"] and not csc["capabilities"].get("add"),
          "every capability dropped, none added")
    resources = container.get("resources", {})
    for kind in ("requests", "limits"):
        check({"cpu", "memory"} <= set(resources.get(kind, {})), f"cpu and memory {kind} set")


def check_wiring(deployment: dict, service: dict, monitor: dict, dashboards: dict) -> None:
    pod_template = deployment["spec"]["template"]
    (container,) = pod_template["spec"]["containers"]
    pod_labels = pod_template["metadata"]["labels"]
    selector = deployment["spec"]["selector"]["matchLabels"]
    check(selector.items() <= pod_labels.items(), "Deployment selector matches its pod labels")
    check(service["spec"]["selector"].items() <= pod_labels.items(), "Service selects the exporter pods")
    check(monitor["spec"]["selector"]["matchLabels"].items() <= service["metadata"]["labels"].items(),
          "ServiceMonitor selects the Service")

    (port,) = container["ports"]
    check(str(port["containerPort"]) == dockerfile_port(), "containerPort is the image's EXPOSE port")
    (service_port,) = service["spec"]["ports"]
    check(service_port["targetPort"] in (port["name"], port["containerPort"]), "Service targets the container port")
    (endpoint,) = monitor["spec"]["endpoints"]
    check(endpoint["port"] == service_port["name"], "ServiceMonitor scrapes the Service's named port")
    for probe, path in (("livenessProbe", "/-/healthy"), ("readinessProbe", "/-/ready")):
        get = container.get(probe, {}).get("httpGet", {})
        check(get.get("path") == path and get.get("port") in (port["name"], port["containerPort"]),
              f"{probe} is GET {path} on the exporter port")

    job = alerts_job()
    relabel = {r.get("targetLabel"): r for r in endpoint.get("relabelings", [])}
    check(relabel.get("job", {}).get("replacement") == job, f'ServiceMonitor sets job="{job}" as the alerts expect')
    if "instance" in relabel:
        check(deployment["spec"]["replicas"] == 1 and deployment["spec"]["strategy"]["type"] == "Recreate",
              "a stable instance label goes with one replica replaced, not overlapped")

    mounts = {m["name"]: m for m in container.get("volumeMounts", [])}
    secret_args = [a.split("=", 1)[1] for a in container.get("args", []) if a.startswith("--adobe.client-secret-file=")]
    secret_volumes = {v["name"]: v["secret"] for v in pod_template["spec"].get("volumes", []) if "secret" in v}
    mounted_files = {f"{mounts[name]['mountPath']}/{item['path']}" for name, s in secret_volumes.items()
                     if name in mounts for item in s.get("items", [])}
    check(len(secret_args) == 1 and secret_args[0] in mounted_files,
          "the client secret is a file mounted from a Secret", f"{secret_args} vs {mounted_files}")
    check(all(m.get("readOnly") for n, m in mounts.items() if n in secret_volumes), "the secret mount is read-only")
    # The state file: on a writable volume of its own (the root filesystem is read-only).
    state_args = [a.split("=", 1)[1] for a in container.get("args", []) if a.startswith("--status.state-file=")]
    state_mounts = [m for m in mounts.values() if state_args and str(Path(state_args[0]).parent) == m["mountPath"]]
    state_volumes = {v["name"]: v for v in pod_template["spec"].get("volumes", [])}
    check(len(state_args) == 1 and len(state_mounts) == 1 and not state_mounts[0].get("readOnly")
          and "secret" not in state_volumes.get(state_mounts[0]["name"], {}),
          "--status.state-file is on a writable volume mounted at its directory", f"{state_args}")
    env_names = {e["name"] for e in container.get("env", [])}
    check(not env_names & {"ADOBE_CLIENT_SECRET"} and not any("secret=" in a.lower() and "file" not in a
                                                             for a in container.get("args", [])),
          "the secret is never in the environment or the arguments")
    check(dashboards["metadata"]["labels"].get("grafana_dashboard") == "1", "dashboards ConfigMap has the sidecar label")


def check_network_policy(policy: dict, deployment: dict) -> None:
    pod_template = deployment["spec"]["template"]
    (container,) = pod_template["spec"]["containers"]
    (port,) = container["ports"]
    check(policy["spec"]["podSelector"]["matchLabels"].items() <= pod_template["metadata"]["labels"].items(),
          "NetworkPolicy selects the exporter pods")
    ingress_ports = [p["port"] for rule in policy["spec"]["ingress"] for p in rule.get("ports", [])]
    check(ingress_ports in ([port["name"]], [port["containerPort"]]), "NetworkPolicy lets scrapes in on the metrics port only")
    egress = {(p["port"], p.get("protocol", "TCP")) for rule in policy["spec"]["egress"] for p in rule.get("ports", [])}
    check({(53, "UDP"), (53, "TCP"), (443, "TCP")} <= egress, "NetworkPolicy lets DNS and HTTPS (Adobe) out", str(egress))


def check_readme_resources(deployment: dict) -> None:
    """The README quotes the requests and limits; keep it in step with the manifest."""
    (container,) = deployment["spec"]["template"]["spec"]["containers"]
    r = container["resources"]
    quoted = (f"requests {r['requests']['cpu']} CPU / {r['requests']['memory']}, "
              f"limits {r['limits']['cpu']} / {r['limits']['memory']}")
    check(quoted in (ROOT / "README.md").read_text(), "README quotes the Deployment's resources", quoted)


def run_container(deployment: dict, monitor: dict, binary: Path) -> None:
    """The container's args and env, run as the kubelet would start it, against the simulator."""
    pod = deployment["spec"]["template"]["spec"]
    (container,) = pod["containers"]
    with tempfile.TemporaryDirectory() as tmp:
        args = []
        for arg in container.get("args", []):
            flag, _, value = arg.partition("=")
            if flag == "--web.listen-address":  # replaced by a free local port below (the flag is repeatable)
                continue
            if flag == "--adobe.client-secret-file":  # the Secret volume, recreated under tmp
                path = Path(tmp) / value.lstrip("/")
                path.parent.mkdir(parents=True)
                path.write_text(DEMO_CLIENT_SECRET)
                arg = f"{flag}={path}"
            if flag == "--status.state-file":  # the state volume, recreated under tmp
                path = Path(tmp) / value.lstrip("/")
                path.parent.mkdir(parents=True)
                arg = f"{flag}={path}"
            args.append(arg)
        env = {"PATH": os.environ["PATH"]}
        for item in container.get("env", []):
            ref = item.get("valueFrom", {}).get("secretKeyRef", {})
            env[item["name"]] = DEMO_CLIENT_ID if ref.get("key") == "client-id" else item.get("value", "")
        probes = (container["livenessProbe"]["httpGet"]["path"], container["readinessProbe"]["httpGet"]["path"])
        check_serves_from_simulator(binary, [str(binary), *args], env, "the Deployment's container", *probes,
                                    monitor["spec"]["endpoints"][0]["path"])
    check(True, "the Deployment's args and env run against the simulator: probes 200, /metrics adobe_status_up 1")


# ----------------------------------------------------------------------------------- Compose


def compose() -> None:
    path = COMPOSE / "compose.yaml"
    r = subprocess.run([BIN_DIR / "check-jsonschema", "--builtin-schema", "vendor.compose-spec", path],
                       capture_output=True, text=True)
    check(r.returncode == 0, "compose.yaml valid under the Compose specification schema", r.stdout + r.stderr)
    spec = yaml.safe_load(path.read_text())
    services = spec["services"]

    mounts: dict[str, dict[str, Path]] = {}  # service -> container path -> host path
    for name, svc in services.items():
        if "build" in svc:
            context = (COMPOSE / svc["build"]["context"]).resolve()
            check((context / svc["build"].get("dockerfile", "Dockerfile")).is_file(),
                  f"{name}: build context has the Dockerfile")
        else:
            image = svc.get("image", "")
            check(re.search(r":[\w.-]+$", image) is not None and not image.endswith(":latest"),
                  f"{name}: image pinned to a version", image)
        for volume in svc.get("volumes", []):
            source, target = volume.split(":")[:2]
            if not source.startswith((".", "/")):  # a named volume
                check(source in (spec.get("volumes") or {}), f"{name}: named volume {source} is declared")
                continue
            host = (COMPOSE / source).resolve()
            check(host.exists(), f"{name}: mounted {source} exists")
            mounts.setdefault(name, {})[target] = host

    exporter = next(n for n, s in services.items() if "build" in s)
    check("--demo" in services[exporter].get("command", []), f"{exporter} runs --demo (no credentials needed)")
    image_state = [a.split("=", 1)[1] for a in json.loads(runtime_stage_values("ENTRYPOINT")[-1])
                   if a.startswith("--status.state-file=")]
    check(bool(image_state) and any(v.split(":")[1] == str(Path(image_state[0]).parent)
                                    for v in services[exporter].get("volumes", [])),
          f"{exporter} keeps the image's state file on a named volume", str(image_state))
    check(f"{dockerfile_port()}:{dockerfile_port()}" in services[exporter].get("ports", []),
          f"{exporter} publishes the exporter port")

    prom = mounts["prometheus"]
    config_path = next(a.split("=", 1)[1] for a in services["prometheus"]["command"] if a.startswith("--config.file="))
    config = yaml.safe_load(prom[config_path].read_text())
    (job,) = [j for j in config["scrape_configs"] if j["job_name"] == alerts_job()]
    targets = [t for sc in job["static_configs"] for t in sc["targets"]]
    check(targets == [f"{exporter}:{dockerfile_port()}"], "Prometheus scrapes the exporter service", str(targets))
    am_targets = [t for a in config["alerting"]["alertmanagers"] for sc in a["static_configs"] for t in sc["targets"]]
    check(am_targets == ["alertmanager:9093"] and "alertmanager" in services, "Prometheus sends to the Alertmanager service")
    rule_files = [t for t in prom if any(fnmatch.fnmatch(t, g) for g in config["rule_files"])]
    check(any(prom[t] == (ROOT / "alerts/adobe-status-alerts.yml").resolve() for t in rule_files),
          "the alert rules are mounted where rule_files looks", str(config["rule_files"]))

    check_alert_sink(services, mounts)

    grafana = mounts["grafana"]
    provisioning = {t: h for t, h in grafana.items() if t.startswith("/etc/grafana/provisioning")}
    datasource = yaml.safe_load((provisioning["/etc/grafana/provisioning/datasources"] / "adobe-status.yml").read_text())
    check(datasource["datasources"][0]["url"] == "http://prometheus:9090", "Grafana queries the Prometheus service")
    provider = yaml.safe_load((provisioning["/etc/grafana/provisioning/dashboards"] / "adobe-status.yml").read_text())
    dashboards_dir = provider["providers"][0]["options"]["path"]
    check(grafana.get(dashboards_dir) == (ROOT / "dashboards").resolve(),
          "dashboards/ is mounted where the Grafana provider reads", dashboards_dir)
    home = services["grafana"].get("environment", {}).get("GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH", "")
    check(not home or (home.startswith(dashboards_dir + "/") and (ROOT / "dashboards" / Path(home).name).is_file()),
          "Grafana's home dashboard exists", home)


def check_alert_sink(services: dict, mounts: dict[str, dict[str, Path]]) -> None:
    """Every Alertmanager receiver is a service of the stack, and the alert sink prints a page."""
    am_config = next(h for t, h in mounts["alertmanager"].items() if t.endswith("alertmanager.yml"))
    config = yaml.safe_load(am_config.read_text())
    urls = [w["url"] for r in config["receivers"] for w in r.get("webhook_configs", [])]
    hosts = {re.match(r"https?://([^:/]+)", u).group(1) for u in urls}
    check(bool(urls) and hosts <= set(services), "every Alertmanager webhook receiver is a service of the stack",
          f"{sorted(hosts)}")
    sink = next(iter(hosts))
    script = next(h for h in mounts[sink].values() if h.suffix == ".py")
    port = free_port()
    alert = {"status": "firing", "labels": {"alertname": "AdobeStatusProductMajorIncident", "severity": "critical",
                                             "product_name": "Adobe Analytics"},
             "annotations": {"summary": "Major incident on Adobe Analytics"}}
    body = {"version": "4", "status": "firing", "receiver": "pager", "alerts": [alert]}
    process = subprocess.Popen([sys.executable, "-u", script, str(port)], stdout=subprocess.PIPE, text=True)
    try:
        status = 0
        for _ in range(50):
            try:
                status = request(f"http://127.0.0.1:{port}/adobe-status/pager", data=body).status
                break
            except OSError:
                time.sleep(0.1)
    finally:
        stop_process(process)
    out = process.stdout.read()
    check(status == 200 and "[pager] FIRING AdobeStatusProductMajorIncident" in out and "Adobe Analytics" in out,
          f"{sink} answers Alertmanager's webhook 200 and prints the page", f"status {status}: {out!r}")


# ----------------------------------------------------------------------------------- systemd


def systemd(binary: Path) -> None:
    unit = SYSTEMD / "adobe_status_exporter.service"
    text = unit.read_text()
    directives = [(k.strip(), v.strip()) for k, _, v in
                  (line.partition("=") for line in text.splitlines() if "=" in line and not line.startswith("#"))]
    values = {}
    for key, value in directives:
        values.setdefault(key, []).append(value)
    exec_start = shlex.split(values["ExecStart"][0])

    socket, drop_in = SYSTEMD / "adobe_status_exporter.socket", SYSTEMD / "socket-activated.conf"
    with tempfile.TemporaryDirectory() as root:
        # verify needs the unit's binary and the distribution's units under one root.
        for src, dest in ((binary, exec_start[0]), (unit, f"/etc/systemd/system/{unit.name}")):
            target = Path(root) / dest.lstrip("/")
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, target)
        shutil.copytree("/lib/systemd/system", Path(root) / "lib/systemd/system", symlinks=True)
        r = subprocess.run(["systemd-analyze", "verify", f"--root={root}", f"/etc/systemd/system/{unit.name}"],
                           capture_output=True, text=True)
        check(r.returncode == 0 and not (r.stdout + r.stderr).strip(), "systemd-analyze verify: no finding",
              (r.stdout + r.stderr).strip())
        # The socket-activated variant: the .socket and the service with its drop-in.
        for src, dest in ((socket, f"/etc/systemd/system/{socket.name}"),
                          (drop_in, f"/etc/systemd/system/{unit.name}.d/{drop_in.name}")):
            target = Path(root) / dest.lstrip("/")
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, target)
        r = subprocess.run(["systemd-analyze", "verify", f"--root={root}", f"/etc/systemd/system/{socket.name}",
                            f"/etc/systemd/system/{unit.name}"], capture_output=True, text=True)
        check(r.returncode == 0 and not (r.stdout + r.stderr).strip(),
              "systemd-analyze verify: the socket-activated variant (socket, service with drop-in), no finding",
              (r.stdout + r.stderr).strip())
    r = subprocess.run(["systemd-analyze", "security", "--offline=yes", "--threshold=19", unit],
                       capture_output=True, text=True)
    score = re.search(r"Overall exposure level for \S+: ([\d.]+)", r.stdout)
    check(r.returncode == 0 and score is not None, "systemd-analyze security: exposure below 2.0",
          score.group(1) if score else r.stderr.strip())
    if score:
        check(f"`systemd-analyze security` rates it {score.group(1)}" in (ROOT / "README.md").read_text(),
              "README quotes the unit's exposure score", score.group(1))
    check("LoadCredential" in values and "%d/" in values["ExecStart"][0],
          "the secret arrives by LoadCredential and is read from the credentials directory")
    check(values.get("DynamicUser") == ["yes"] or "User" in values, "runs as an unprivileged user")

    # The ExecStart line as systemd would run it: %d and $ARGS from the environment file.
    env_file = SYSTEMD / "adobe_status_exporter.env"
    env = {"PATH": os.environ["PATH"]}
    for line in env_file.read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            key, _, value = line.partition("=")
            env[key] = value
    check(env.get("ADOBE_CLIENT_ID") is not None and "SECRET" not in " ".join(env),
          "the environment file has the client id and no secret")
    env["ADOBE_CLIENT_ID"] = DEMO_CLIENT_ID
    with tempfile.TemporaryDirectory() as credentials:
        credential, _, source = values["LoadCredential"][0].partition(":")
        (Path(credentials) / credential).write_text(DEMO_CLIENT_SECRET)
        command = [str(binary)]
        for word in exec_start[1:]:
            if word == "$ARGS":
                command += [a for a in env["ARGS"].split() if not a.startswith("--web.listen-address")]
            else:
                command.append(word.replace("%d", credentials).replace("%S", credentials))
        check(f"{credentials}/{credential}" in " ".join(command), "ExecStart reads the credential LoadCredential names")
        state_dirs = values.get("StateDirectory", [])
        check(any(a.startswith(f"--status.state-file={credentials}/{d}/") for d in state_dirs for a in command),
              "--status.state-file is in the unit's StateDirectory", str(state_dirs))
        for d in state_dirs:
            (Path(credentials) / d).mkdir()
        check_serves_from_simulator(binary, command, env, "the systemd ExecStart line", "/-/healthy", "/-/ready",
                                    "/metrics")
    check(True, "the unit's command line runs against the simulator and serves adobe_status_up 1")

    # The drop-in's ExecStart under systemd-socket-activate, which passes the socket as systemd does.
    socket_exec = [v.strip() for k, _, v in (line.partition("=") for line in drop_in.read_text().splitlines()
                                             if line.startswith("ExecStart="))]
    check(socket_exec[0] == "" and "--web.systemd-socket" in socket_exec[-1],
          "the drop-in resets ExecStart and serves the socket (--web.systemd-socket)", socket_exec)
    check(any(line.startswith("ListenStream=") for line in socket.read_text().splitlines()),
          "the socket unit listens on a stream socket")
    with tempfile.TemporaryDirectory() as credentials:
        (Path(credentials) / credential).write_text(DEMO_CLIENT_SECRET)
        command = [str(binary)]
        for word in shlex.split(socket_exec[-1])[1:]:
            if word == "$ARGS":
                command += [a for a in env["ARGS"].split() if not a.startswith("--web.listen-address")]
            else:
                command.append(word.replace("%d", credentials))
        check_serves_from_simulator(binary, command, env, "the socket-activated ExecStart line", "/-/healthy",
                                    "/-/ready", "/metrics",
                                    # It passes on only the environment it is told to (systemd: EnvironmentFile=).
                                    wrap=lambda port: ["systemd-socket-activate", f"--listen=127.0.0.1:{port}",
                                                       *(f"--setenv={k}" for k in env if k != "PATH")])
    check(True, "the socket-activated command line serves the socket systemd-socket-activate passes")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--binary", required=True, type=Path, help="the exporter to run")
    parser.add_argument("--only", choices=["kubernetes", "compose", "systemd"])
    opts = parser.parse_args()
    sections = {"kubernetes": lambda: kubernetes(opts.binary.resolve()), "compose": compose,
                "systemd": lambda: systemd(opts.binary.resolve())}
    for name, run in sections.items():
        if opts.only in (None, name):
            print(f"--- {name}")
            try:
                run()
            except (CheckFailed, subprocess.CalledProcessError, KeyError, ValueError, StopIteration) as e:
                check(False, f"{name}: check could not finish", f"{type(e).__name__}: {e}")
    return check.summary("deploy")


if __name__ == "__main__":
    sys.exit(main())
