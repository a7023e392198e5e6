#!/usr/bin/env python3
"""A webhook receiver for tests: verifies each delivery with the reference Standard Webhooks implementation.

Listens on 127.0.0.1 (port 0 by default: the system picks one) and prints `port N` on stdout once it accepts
connections. For each POST it appends one JSON line to --log: the webhook-id, webhook-timestamp, whether the
`standardwebhooks` package (PyPI; .ci/run installs it) verified the signature under --secret, the error if not, the
body as text, and the user-agent and content-type headers. Then it answers as the mode says, read from --mode-file
at each request (a missing file means `ok`), so that a test can switch modes while slotd keeps sending:

    ok          204, no body
    fail        500
    hang        never answers (until the process is killed)
    slow N      waits N seconds (a decimal), then 204
    drip N      200 with a Content-Length far past N, sends N bytes of it, then never sends the rest
    redirect    307 to /redirected on this same receiver

    scripts/webhook-receiver.py --secret whsec_... --log /tmp/received.jsonl --mode-file /tmp/mode
"""

import argparse
import http.server
import json
import sys
import threading
import time

from standardwebhooks.webhooks import Webhook, WebhookVerificationError

HANG_SECONDS = 3600  # "never": far longer than any test; the test kills the receiver


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--secret", required=True, help="the endpoint's signing secret (whsec_...)")
    parser.add_argument("--log", required=True, help="file to append one JSON line per request to")
    parser.add_argument("--mode-file", required=True, help="file holding the mode (see above)")
    parser.add_argument("--port", type=int, default=0)
    arguments = parser.parse_args()
    verifier = Webhook(arguments.secret)
    log_lock = threading.Lock()

    class Receiver(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            entry = {
                "id": self.headers.get("webhook-id"),
                "timestamp": self.headers.get("webhook-timestamp"),
                "user_agent": self.headers.get("user-agent"),
                "content_type": self.headers.get("content-type"),
                "body": body.decode("utf-8", "replace"),
                "verified": False,
            }
            try:
                verifier.verify(body, dict(self.headers.items()), json_parse=False)
                entry["verified"] = True
            except WebhookVerificationError as error:
                entry["error"] = str(error)
            with log_lock, open(arguments.log, "a") as log:
                log.write(json.dumps(entry) + "\n")
            self.answer(read_mode(arguments.mode_file))

        def answer(self, mode):
            name, _, argument = mode.partition(" ")
            if name == "hang":
                time.sleep(HANG_SECONDS)
                return
            if name == "slow":
                time.sleep(float(argument))
            if name == "drip":
                sent = int(argument)
                self.send_response(200)
                self.send_header("Content-Length", str(sent * 1000))
                self.end_headers()
                self.wfile.write(b"x" * sent)
                self.wfile.flush()
                time.sleep(HANG_SECONDS)
                return
            if name == "fail":
                self.send_response(500)
                self.send_header("Content-Length", "0")
            elif name == "redirect":
                self.send_response(307)
                self.send_header("Location", "/redirected")
                self.send_header("Content-Length", "0")
            else:
                self.send_response(204)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", arguments.port), Receiver)
    server.daemon_threads = True
    print(f"port {server.server_address[1]}", flush=True)
    server.serve_forever()


def read_mode(path):
    try:
        with open(path) as file:
            return file.read().strip() or "ok"
    except FileNotFoundError:
        return "ok"


if __name__ == "__main__":
    sys.exit(main())
