#!/usr/bin/env python3
"""Validate every body the simulator serves against Adobe's own OpenAPI description.

The simulator (crates/adobe-status-sim, behind the exporter's --demo) is the project's model of
Adobe; it must speak Adobe's spec exactly. This check starts it through the exporter's --demo
(Live scenario, so the 40 days of history, impacts, environments and root-cause statements are
all in the bodies), adds incidents and maintenances through its control API with every optional
field, then requests every Adobe endpoint the simulator serves, with and without query
parameters, and validates each 200 body against the response schema that
docs/adobe-status-api/statusapi-spec.yaml (vendored, unchanged) gives for that operation.

The schemas are OpenAPI 3.0 Schema Objects, the JSON Schema draft 4 dialect (boolean
`exclusiveMinimum`, no `nullable` used), checked with jsonschema's Draft4Validator; `$ref`s
resolve inside the spec document. Before anything is requested, the validator is shown to
reject deliberately wrong bodies, so a broken validator cannot pass everything.

Usage: check_sim_spec.py path/to/adobe_status_exporter
"""
import json
import sys
import time
import urllib.error
from pathlib import Path
from urllib.parse import urlencode

import jsonschema
import referencing
import referencing.jsonschema
import yaml

from testlib import CheckFailed, request, simulator

SPEC = Path(__file__).resolve().parent.parent / "docs" / "adobe-status-api" / "statusapi-spec.yaml"
SPEC_URI = "urn:adobe-status:statusapi-spec"
API_KEY = "StatusAdobeIOClient"


def load_spec() -> dict:
    return yaml.safe_load(SPEC.read_text(encoding="utf-8"))


class SpecValidator:
    """Validates a body against the 200 response schema of one GET operation of the spec."""

    def __init__(self, spec: dict):
        self.spec = spec
        resource = referencing.Resource(contents=spec, specification=referencing.jsonschema.DRAFT4)
        self.registry = referencing.Registry().with_resource(SPEC_URI, resource)

    def errors(self, path_template: str, body) -> list[str]:
        operation = self.spec["paths"][path_template]["get"]
        operation["responses"]["200"]["content"]["application/json"]["schema"]  # must exist
        pointer = "/".join(
            part.replace("~", "~0").replace("/", "~1")
            for part in ("paths", path_template, "get", "responses", "200", "content",
                         "application/json", "schema"))
        validator = jsonschema.Draft4Validator({"$ref": f"{SPEC_URI}#/{pointer}"}, registry=self.registry)
        return [f"{'/'.join(str(p) for p in e.absolute_path) or '(root)'}: {e.message}"
                for e in validator.iter_errors(body)]


def prove_validator_rejects(validator: SpecValidator) -> None:
    """The validator must catch wrong bodies, or a pass would prove nothing."""
    history = {"status": "Closed", "severity": "Major", "customerImpact": "Most",
               "operationsImpact": "Availability", "messageType": "CFS", "messageTime": "1",
               "cfsId": "CFS1", "cfsSource": "ServiceNow", "cfsURL": "https://status.adobe.com/cfs/CFS1",
               "locationImpact": {"serviceRegions": ["EMEA"], "serviceEnvironments": ["530001"]}}
    good = {"incidents": [{"id": "1", "products": [{"id": "503467", "status": "Closed", "severity": "Major",
                                                    "history": [history]}]}], "maintenances": []}
    assert not validator.errors("/api/v1/events", good), validator.errors("/api/v1/events", good)
    wrong_bodies = {
        "events as an array": ("/api/v1/events", []),
        "unknown customerImpact": ("/api/v1/events", json.loads(
            json.dumps(good).replace('"Most"', '"Everyone"'))),
        "cfsURL as a number": ("/api/v1/events", json.loads(
            json.dumps(good).replace('"https://status.adobe.com/cfs/CFS1"', "7"))),
        "repeated region": ("/api/v1/events", json.loads(json.dumps(good).replace('["EMEA"]', '["EMEA","EMEA"]'))),
        "product status Dismissed": ("/api/v1/events/incidents", [{"products": [{"status": "Dismissed"}]}]),
        "maintenance history time as a string": (
            "/api/v1/events/scheduled", [{"products": [{"history": [{
                "status": "Scheduled", "customerImpact": "None", "operationsImpact": "None",
                "messageType": "Canned", "showEnvironment": False, "messageTime": "1700000000"}]}]}]),
        "maintenance history without showEnvironment": (
            "/api/v1/events/maintenance", [{"products": [{"history": [{
                "status": "Started", "customerImpact": "None", "operationsImpact": "None",
                "messageType": "Canned", "messageTime": 1700000000}]}]}]),
        "locale code as a number": ("/api/v1/locales", [{"localeCode": 1, "languageName": "English"}]),
        "event type name as a number": ("/api/v1/eventTypes", {"1": 1}),
        "message text as an object": ("/api/v1/messages/{locale}", [{"languageCode": "fr", "incidentMessages": {
            "t": {"token": "t", "textMessage": {"fr": "x"}}}}]),
        "environment regions as a string": ("/api/v1/products", [{"environments": [{"regionId": "EMEA"}]}]),
    }
    for what, (path, body) in wrong_bodies.items():
        if not validator.errors(path, body):
            raise CheckFailed(f"the validator accepted a wrong body ({what}); it proves nothing")
    print(f"ok: the validator rejects {len(wrong_bodies)} deliberately wrong bodies")


class Sim:
    def __init__(self, base: str):
        self.base = base
        self.control = f"{base}/__sim"
        self.token = json.loads(request(f"{base}/ims/token/v3", form={
            "grant_type": "client_credentials", "client_id": "demo-client", "client_secret": "demo-secret",
            "scope": "openid,AdobeID"}).body)["access_token"]

    def get(self, path: str, params: list[tuple[str, str]] | None = None):
        query = "?" + urlencode(params) if params else ""
        for _ in range(5):
            try:
                response = request(f"{self.base}{path}{query}", headers={
                    "Authorization": f"Bearer {self.token}", "x-api-key": API_KEY, "Accept": "application/json"})
            except urllib.error.HTTPError as e:
                if e.code != 429:  # the simulator's rate limit, as Adobe's: wait as it says
                    raise CheckFailed(f"GET {path}{query} answered {e.code}") from e
                time.sleep(float(e.headers.get("Retry-After", "5")))
                continue
            return json.loads(response.body)
        raise CheckFailed(f"GET {path}{query} stayed throttled")

    def post(self, path: str, data: dict) -> dict:
        return json.loads(request(f"{self.control}{path}", data=data).body)


def inject(sim: Sim) -> dict:
    """Events through the control API, with every optional field it takes."""
    now = int(time.time())
    products = {p["id"]: p for p in sim.get("/api/v1/products")}
    aem = products["503470"]
    env_ids = [e["id"] for e in aem.get("environments", [])][:2]
    ids = {}
    ids["basic"] = sim.post("/incidents", {"product_ids": ["503467"], "severity": "Major", "title": "Reports fail"})["id"]
    ids["full"] = sim.post("/incidents", {
        "product_ids": ["503470", "503491"], "severity": "Minor", "title": "Publishing is slow",
        "titles": {"fr": "La publication est lente", "de": "Die Veröffentlichung ist langsam"},
        "regions": ["EMEA"], "environments": env_ids, "service_ids": [s["id"] for s in aem["productServices"][:2]],
        "customer_impact": "Most", "operations_impact": "Availability", "started": now - 3 * 86400})["id"]
    sim.post(f"/incidents/{ids['full']}/update", {
        "severity": "Major", "customer_impact": "Some", "operations_impact": "Performance",
        "regions": ["EMEA", "APAC"], "environments": env_ids[:1]})
    sim.post(f"/incidents/{ids['full']}/close", {"at": now - 2 * 86400})
    sim.post(f"/incidents/{ids['full']}/root-cause", {"url": "https://status.adobe.com/cfs/CFS0042042"})
    ids["apac"] = sim.post("/incidents", {"product_ids": ["503473"], "severity": "Potential", "title": "",
                                          "regions": ["APAC"]})["id"]
    sim.post(f"/incidents/{ids['apac']}/severity", {"severity": "Trivial"})
    ids["maintenance"] = sim.post("/maintenances", {"product_ids": ["503467"], "status": "Scheduled",
                                                    "title": "Database upgrade", "start": now + 3600,
                                                    "end": now + 7200})["id"]
    ids["started"] = sim.post("/maintenances", {"product_ids": ["503476"], "status": "Started",
                                                "maintenance_type": "Urgent", "title": "Hotfix",
                                                "start": now - 600, "end": now + 600})["id"]
    return ids


def requests_to_check(sim: Sim, ids: dict) -> list[tuple[str, str, list[tuple[str, str]]]]:
    """(path template, path, query) of every request, with and without query parameters."""
    locales = [entry["localeCode"] for entry in sim.get("/api/v1/locales")]
    full = next(i for i in sim.get("/api/v1/events")["incidents"] if i["id"] == ids["full"])
    env = (full.get("environment") or [{"id": "none"}])[0]["id"]
    service = (full.get("services") or [{"id": "none"}])[0]["id"]
    offering = (full.get("offering") or [{"id": "none"}])[0]["id"]
    today = time.strftime("%Y-%m-%d", time.gmtime())
    month_ago = time.strftime("%Y-%m-%d", time.gmtime(time.time() - 30 * 86400))
    event_queries = [
        [], [("productIds", "503467")], [("productIds", "503467"), ("productIds", "503470")],
        [("productIds", "503467,503491")], [("cloudIds", "503461")], [("regionIds", "APAC")],
        [("regionIds", "EMEA")], [("environmentIds", env)], [("serviceIds", service)], [("offeringIds", offering)],
        [("from", month_ago), ("to", today)], [("search", "Experience")], [("locale", "fr")],
    ]
    checks = []
    for name in ["events", "events/incidents", "events/maintenance", "events/scheduled"]:
        for query in event_queries:
            checks.append((f"/api/v1/{name}", f"/api/v1/{name}", query))
    checks += [
        ("/api/v1/clouds", "/api/v1/clouds", []), ("/api/v1/clouds", "/api/v1/clouds", [("cloudId", "503461")]),
        ("/api/v1/clouds", "/api/v1/clouds", [("cloudName", "Creative")]),
        ("/api/v1/products", "/api/v1/products", []),
        ("/api/v1/products", "/api/v1/products", [("productId", "503467"), ("productId", "503496")]),
        ("/api/v1/products", "/api/v1/products", [("cloudId", "503460")]),
        ("/api/v1/products", "/api/v1/products", [("productName", "Acrobat")]),
        ("/api/v1/regions", "/api/v1/regions", []), ("/api/v1/eventTypes", "/api/v1/eventTypes", []),
        ("/api/v1/locales", "/api/v1/locales", []), ("/api/v1/messages", "/api/v1/messages", []),
        ("/api/v1/messages", "/api/v1/messages", [("messageToken", "message.CI0001001")]),
    ]
    for locale in locales:
        checks.append(("/api/v1/messages/{locale}", f"/api/v1/messages/{locale}", []))
    checks.append(("/api/v1/messages/{locale}", "/api/v1/messages/fr", [("messageToken", "message.CI0002002")]))
    return checks


def check(sim: Sim, validator: SpecValidator, ids: dict) -> int:
    failures, count = [], 0
    for template, path, query in requests_to_check(sim, ids):
        body = sim.get(path, query)
        count += 1
        for error in validator.errors(template, body)[:5]:
            failures.append(f"GET {path}?{urlencode(query)}: {error}")
    if failures:
        raise CheckFailed("bodies that do not match Adobe's spec:\n  " + "\n  ".join(failures[:40]))
    # The checked bodies carry what the spec describes, or the check would be hollow.
    events = sim.get("/api/v1/events")
    entries = [h for i in events["incidents"] for p in i["products"] for h in p.get("history", [])]
    cfs = [h for h in entries if h.get("messageType") == "CFS" and h.get("cfsURL")]
    envs = [h for h in entries if h.get("locationImpact", {}).get("serviceEnvironments")]
    if not cfs or not envs:
        raise CheckFailed(f"/events lacks root-cause entries ({len(cfs)}) or environments ({len(envs)})")
    return count


def main() -> int:
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    validator = SpecValidator(load_spec())
    try:
        prove_validator_rejects(validator)
        with simulator(Path(sys.argv[1])) as base:
            sim = Sim(base)
            ids = inject(sim)
            count = check(sim, validator, ids)
            sim.post("/locales", {"english_code": "en-US"})
            count += check(sim, validator, ids)
            if [e["localeCode"] for e in sim.get("/api/v1/locales")][0] != "en-US":
                raise CheckFailed("/locales does not name English en-US after the control call")
    except CheckFailed as e:
        print(f"FAIL: {e}", file=sys.stderr)
        return 1
    print(f"ok: {count} simulator bodies valid against {SPEC.name} (Adobe's OpenAPI description)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
