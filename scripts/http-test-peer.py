#!/usr/bin/env python3
"""An HTTP peer that misbehaves on purpose, for the calendar client's failure tests.

Listens on 127.0.0.1 (port 0: the system picks one), prints `port N` on stdout once it accepts connections, and
answers every request, whatever its method, as --mode says:

    hang        reads the request, never answers (until the process is killed)
    drip N      a 207 head with a Content-Length far past N, N bytes of body, then nothing more
    flood N     a 207 without Content-Length, then N bytes of body, then closes
    ics ETAG    a small calendar with ETag ETAG, or 304 when If-None-Match names it
    redirect    307 to /redirected on this same peer

    scripts/http-test-peer.py --mode "flood 10000000"
"""

import argparse
import http.server
import sys
import time

HANG_SECONDS = 3600  # "never": far longer than any test; the test kills the peer
CALENDAR = (
    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//slotd tests//EN\r\nBEGIN:VEVENT\r\nUID:peer-1\r\n"
    "DTSTAMP:20270101T000000Z\r\nDTSTART:20270111T080000Z\r\nDTEND:20270111T090000Z\r\nEND:VEVENT\r\n"
    "END:VCALENDAR\r\n"
)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--mode", required=True, help="how to answer (see above)")
    arguments = parser.parse_args()
    name, _, argument = arguments.mode.partition(" ")

    class Peer(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def answer(self):
            self.rfile.read(int(self.headers.get("Content-Length", "0")))
            if name == "hang":
                time.sleep(HANG_SECONDS)
            elif name == "drip":
                self.send_response(207)
                self.send_header("Content-Length", str(int(argument) * 1000))
                self.end_headers()
                self.wfile.write(b" " * int(argument))
                self.wfile.flush()
                time.sleep(HANG_SECONDS)
            elif name == "flood":
                self.send_response(207)
                self.send_header("Connection", "close")
                self.end_headers()
                chunk = b" " * 65536
                try:
                    for _ in range(int(argument) // len(chunk) + 1):
                        self.wfile.write(chunk)
                except OSError:
                    pass  # the client stopped reading, as it should past its limit
                self.close_connection = True
            elif name == "redirect":
                self.send_response(307)
                self.send_header("Location", "/redirected")
                self.send_header("Content-Length", "0")
                self.end_headers()
            elif name == "ics":
                if self.headers.get("If-None-Match") == argument:
                    self.send_response(304)
                    self.send_header("ETag", argument)
                    self.end_headers()
                    return
                body = CALENDAR.encode()
                self.send_response(200)
                self.send_header("Content-Type", "text/calendar; charset=utf-8")
                self.send_header("ETag", argument)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        do_GET = do_PUT = do_DELETE = do_PROPFIND = do_REPORT = do_POST = answer

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Peer)
    server.daemon_threads = True
    print(f"port {server.server_address[1]}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    sys.exit(main())
