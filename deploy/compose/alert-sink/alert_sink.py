"""The Compose stack's pager: an Alertmanager webhook receiver that prints every notification.

Alertmanager posts its webhook JSON (version 4) here; each alert becomes one line on stdout, so
`docker compose logs -f alert-sink` shows a page land. The path names the receiver
(/adobe-status/pager, /ticket, /chat). Standard library only; port from argv (default 9095).
"""

import json
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Handler(BaseHTTPRequestHandler):
    def do_POST(self):  # noqa: N802 (http.server's name)
        length = int(self.headers.get("Content-Length") or 0)
        try:
            message = json.loads(self.rfile.read(length))
            alerts = message["alerts"]
        except (ValueError, KeyError, TypeError):
            self.send_response(400)
            self.end_headers()
            return
        receiver = self.path.rstrip("/").rsplit("/", 1)[-1]
        for alert in alerts:
            labels, annotations = alert.get("labels", {}), alert.get("annotations", {})
            print(f"[{receiver}] {alert.get('status', '?').upper()} {labels.get('alertname', '?')} "
                  f"severity={labels.get('severity', '')} product={labels.get('product_name', '')}: "
                  f"{annotations.get('summary', '')}", flush=True)
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args):  # one line per alert above is enough
        pass


if __name__ == "__main__":
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 9095
    print(f"alert-sink: listening on :{port}", flush=True)
    ThreadingHTTPServer(("", port), Handler).serve_forever()
