#!/usr/bin/env python3
"""Rerun the hostile-client attacks of issue 14 against a running slotd you own.

Each attack uses only the documented protocol (docs/PROTOCOL.md), creates its own resources (ids start with a
per-run prefix, so reruns do not collide), prints what it sent and what came back, and then whether the server
still answers a ping and how long that took. While an attack runs, a second connection pings the server every
100 ms; the slowest of those pings says whether an unrelated client was still served.

Every loop and every wait is bounded. The target must be a loopback address unless --i-own-this-server is
given. A refusal the protocol documents (too_many_rules, reply_too_large, booking_too_long, line_timeout, ...) is
reported as such: it is what a correct server does. Exit status: 0 if the server kept answering and every attack
stayed within its documented bounds; 1 if it stopped answering (the remaining attacks are skipped), a ping during
an attack went unanswered, an attack's own connection failed or got no reply within --timeout, or an attack got
past a documented bound (printed as NOT BOUNDED); 2 for bad arguments.

    scripts/hostile.py --port 7420 --attack all
    scripts/hostile.py --port 7420 --attack reply-size --pid "$(pidof slotd)"   # also show the server's RSS
"""

import argparse
import ipaddress
import json
import socket
import sys
import threading
import time

PING_TIMEOUT_SECONDS = 5.0
SHOWN_BYTES = 300
REPLY_BYTES_MAX = 8 * 1024 * 1024  # slotd's default --max-reply-bytes, newline included (PROTOCOL.md section 10)
LINE_COMPLETION_SECONDS = 10  # slotd's default --line-completion-seconds
IDLE_TIMEOUT_SECONDS = 300  # slotd's default --idle-timeout-seconds


def shorten(data):
    text = data.decode("utf-8", "replace") if isinstance(data, bytes) else str(data)
    text = text.rstrip("\n")
    if len(text) > SHOWN_BYTES:
        return f"{text[:SHOWN_BYTES]}… ({len(text)} bytes)"
    return text


class ServerGone(Exception):
    """The server closed the connection or stopped answering."""


class Connection:
    """One TCP connection speaking line-delimited JSON. Replies longer than `keep` bytes are counted, not kept."""

    def __init__(self, host, port, timeout):
        self.sock = socket.create_connection((host, port), timeout=timeout)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buffer = b""

    def send(self, request):
        line = request if isinstance(request, bytes) else json.dumps(request, separators=(",", ":")).encode()
        if not line.endswith(b"\n"):
            line += b"\n"
        self.sock.sendall(line)

    def read_line(self, keep=1 << 20):
        """The next reply line: (the first `keep` bytes, its whole length). Raises ServerGone on close."""
        kept = b""
        length = 0
        while True:
            newline = self.buffer.find(b"\n")
            if newline >= 0:
                piece, self.buffer = self.buffer[:newline], self.buffer[newline + 1 :]
                length += len(piece)
                if len(kept) < keep:
                    kept += piece[: keep - len(kept)]
                return kept, length
            length += len(self.buffer)
            if len(kept) < keep:
                kept += self.buffer[: keep - len(kept)]
            self.buffer = b""
            try:
                chunk = self.sock.recv(1 << 20)
            except socket.timeout as error:
                raise ServerGone(f"no reply within {self.sock.gettimeout()} s") from error
            except OSError as error:
                raise ServerGone(f"connection failed: {error}") from error
            if not chunk:
                raise ServerGone("the server closed the connection")
            self.buffer = chunk

    def request(self, request, keep=1 << 20):
        self.send(request)
        kept, length = self.read_line(keep)
        return kept, length

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass


class Attacker:
    def __init__(self, args):
        self.host = args.host
        self.port = args.port
        self.pid = args.pid
        self.timeout = args.timeout
        self.scale = args.scale
        self.prefix = f"h{int(time.time()) % 100000}"
        self.findings = []  # what the current attack found not bounded; run() reports and clears it

    def not_bounded(self, what):
        """Record that the attack got past a bound the server should have kept (makes the exit status 1)."""
        print(f"  NOT BOUNDED: {what}")
        self.findings.append(what)

    # Helpers shared by the attacks.

    def connect(self, timeout=None):
        return Connection(self.host, self.port, timeout or self.timeout)

    def ping(self):
        """(answered, milliseconds) for a ping on a new connection."""
        started = time.monotonic()
        try:
            connection = Connection(self.host, self.port, PING_TIMEOUT_SECONDS)
            try:
                reply, _ = connection.request({"id": "ping", "op": "ping"})
            finally:
                connection.close()
            answered = json.loads(reply).get("ok") is True
        except (OSError, ServerGone, ValueError):
            answered = False
        return answered, (time.monotonic() - started) * 1000

    def rss(self):
        if self.pid is None:
            return None
        try:
            with open(f"/proc/{self.pid}/status") as status:
                for line in status:
                    if line.startswith("VmRSS:"):
                        return int(line.split()[1]) // 1024
        except OSError:
            return None
        return None

    def show_rss(self, when):
        megabytes = self.rss()
        if megabytes is not None:
            print(f"  server RSS {when}: {megabytes} MB")

    def say(self, connection, request, keep=1 << 20, quiet=False):
        """Send one request, print it and the reply, return the parsed reply (None if it was too long to keep)."""
        if not quiet:
            print(f"  sent: {shorten(json.dumps(request) if not isinstance(request, bytes) else request)}")
        started = time.monotonic()
        reply, length = connection.request(request, keep)
        elapsed = (time.monotonic() - started) * 1000
        if not quiet:
            print(f"  got ({length} bytes, {elapsed:.0f} ms): {shorten(reply)}")
        if length > len(reply):
            return None
        try:
            return json.loads(reply)
        except ValueError:
            return None

    def connections_in_stats(self, connection):
        """The server's open connections as `stats` counts them (the asking one included), or None."""
        reply = self.say(connection, {"op": "stats"}, quiet=True) or {}
        return reply.get("stats", {}).get("connections")

    def create(self, connection, name, **settings):
        resource = f"{self.prefix}-{name}"
        request = {"op": "create_resource", "resource": resource, "tz": settings.pop("tz", "UTC")}
        request.update(settings)
        reply = self.say(connection, request)
        if not reply or not reply.get("ok"):
            print(f"  (could not create {resource}; the attack goes on)")
        return resource

    def pipeline(self, connection, requests, batch=500, sizes=None, first_refusals=None):
        """Send requests in pipelined batches and read every reply; returns the replies' codes counted.

        With `sizes` (a dict), adds the replies' total and largest length in bytes; with `first_refusals` (a dict),
        keeps the first reply (its first 4 KB) of each refusal code."""
        codes = {}
        for start in range(0, len(requests), batch):
            chunk = requests[start : start + batch]
            connection.sock.sendall(b"".join(json.dumps(r, separators=(",", ":")).encode() + b"\n" for r in chunk))
            for _ in chunk:
                reply, length = connection.read_line(4096)
                if sizes is not None:
                    sizes["total"] = sizes.get("total", 0) + length
                    sizes["largest"] = max(sizes.get("largest", 0), length)
                try:
                    parsed = json.loads(reply)
                    code = "ok" if parsed.get("ok") else parsed.get("error", {}).get("code", "?")
                except ValueError:
                    # A reply longer than the 4 KB kept (set_override and add_block echo all the rules) is cut.
                    code = "ok" if b'"ok":true' in reply[:64] else "unreadable"
                if first_refusals is not None and code != "ok" and code not in first_refusals:
                    first_refusals[code] = reply
                codes[code] = codes.get(code, 0) + 1
        return codes

    # The attacks. Each returns nothing; a ServerGone on the way is reported by the caller.

    def attack_series_dates(self):
        """book_series (and other local-date paths) near year 1 and 9999, request tz unlike the resource's."""
        connection = self.connect()
        resource = self.create(connection, "series", tz="Europe/Berlin", slot_minutes=60, horizon_days=3660)
        far = self.create(connection, "kiritimati", tz="Pacific/Kiritimati", slot_minutes=60, horizon_days=3660)
        attempts = [
            {"op": "book_series", "resource": resource, "start": "9999-12-25T10:00:00Z",
             "end": "9999-12-25T11:00:00Z", "customer": "c", "rule": {"freq": "daily", "count": 20}},
            {"op": "book_series", "resource": resource, "tz": "Pacific/Kiritimati",
             "start_local": "9999-12-31T10:00", "end_local": "9999-12-31T11:00", "customer": "c",
             "rule": {"freq": "weekly", "until": "9999-12-31"}},
            {"op": "book_series", "resource": resource, "tz": "America/Adak", "start": "0001-01-01T00:00:00Z",
             "end": "0001-01-01T01:00:00Z", "customer": "c", "rule": {"freq": "daily", "count": 3}},
            {"op": "availability", "resource": far, "tz": "America/Adak", "from": "9999-12-31T00:00:00Z",
             "to": "9999-12-31T23:00:00Z", "duration_minutes": 60},
            {"op": "list_bookings", "resource": resource, "tz": "Pacific/Kiritimati", "from": "9999-12-30T00:00:00Z",
             "to": "9999-12-31T23:59:59Z"},
            {"op": "set_override", "resource": far, "date": "9999-12-31", "closed": True},
            {"op": "add_block", "resource": far, "start": "9999-12-31T10:00:00Z", "end": "9999-12-31T23:00:00Z",
             "label": "far"},
            {"op": "waitlist_join", "resource": far, "tz": "America/Adak", "start": "0001-01-01T00:00:00Z",
             "end": "0001-01-01T01:00:00Z", "customer": "c"},
            # Last: this one stopped the process before the fix (a local date in year 10000); now beyond_horizon.
            {"op": "book_series", "resource": far, "start": "9999-12-31T09:00:00Z",
             "end": "9999-12-31T10:00:00Z", "customer": "c", "rule": {"freq": "daily", "count": 2}},
        ]
        for request in attempts:
            self.say(connection, request)
            answered, milliseconds = self.ping()
            print(f"  ping after it: {'answered' if answered else 'NO ANSWER'} ({milliseconds:.0f} ms)")
            if not answered:
                raise ServerGone("the server stopped answering after the request above")
        connection.close()

    def attack_long_bookings(self):
        """Year-long bookings on a 1-minute resource, booked and canceled in a loop (memory nothing frees)."""
        connection = self.connect()
        resource = self.create(connection, "long", slot_minutes=1, horizon_days=3660)
        start = int(time.time()) // 86400 * 86400 + 2 * 86400
        rounds = {"small": 5, "full": 30}[self.scale]
        self.show_rss("before")
        codes = {}
        for round_number in range(rounds):
            request = {"op": "book", "resource": resource, "customer": "c",
                       "start": iso(start), "end": iso(start + 3000 * 86400)}
            reply = self.say(connection, request, quiet=round_number > 0) or {}
            code = "ok" if reply.get("ok") else reply.get("error", {}).get("code", "?")
            codes[code] = codes.get(code, 0) + 1
            if reply.get("ok"):
                self.say(connection, {"op": "cancel", "booking": reply["booking"]["id"]}, quiet=round_number > 0)
        print(f"  {rounds} bookings of 3000 days each: {codes}")
        if codes.get("ok"):
            self.not_bounded(f"{codes['ok']} bookings of 3000 days accepted (bookingLengthDaysMax is 31)")
        elif codes == {"booking_too_long": rounds}:
            print("  refused with booking_too_long as documented (at most 31 days a booking)")
        self.show_rss("after")
        connection.close()

    def attack_reply_size(self):
        """One multi-resource availability over 50 one-minute resources: how big is the reply?"""
        connection = self.connect()
        resources = [f"{self.prefix}-wide-{n}" for n in range(50)]
        codes = self.pipeline(connection, [
            {"op": "create_resource", "resource": r, "tz": "UTC", "slot_minutes": 1} for r in resources])
        print(f"  created 50 resources with 1-minute slots: {codes}")
        start = int(time.time()) // 86400 * 86400 + 86400
        days = {"small": 7, "full": 92}[self.scale]
        request = {"op": "availability", "resources": resources, "mode": "any", "from": iso(start),
                   "to": iso(start + days * 86400), "duration_minutes": 1}
        self.show_rss("before")
        print(f"  request is {len(json.dumps(request))} bytes ({days} days)")
        started = time.monotonic()
        reply, length = connection.request(request, keep=2048)
        print(f"  got ({length} bytes, {(time.monotonic() - started) * 1000:.0f} ms): {shorten(reply)}")
        self.show_rss("after")
        if length + 1 > REPLY_BYTES_MAX:
            self.not_bounded(f"a {length}-byte reply, past the documented {REPLY_BYTES_MAX} (--max-reply-bytes)")
        elif b'"reply_too_large"' in reply:
            print("  refused with reply_too_large as documented (the reply would pass --max-reply-bytes)")
        connection.close()

    def attack_no_read(self):
        """Many connections pipeline big queries and never read the replies (server-wide memory)."""
        setup = self.connect()
        resource = self.create(setup, "noread", slot_minutes=1)
        before = self.connections_in_stats(setup)
        setup.close()
        start = int(time.time()) // 86400 * 86400 + 86400
        line = json.dumps({"op": "availability", "resource": resource, "from": iso(start),
                           "to": iso(start + 92 * 86400), "duration_minutes": 1}).encode() + b"\n"
        count = {"small": 10, "full": 60}[self.scale]
        hold_seconds = {"small": 5, "full": 20}[self.scale]
        self.show_rss("before")
        print(f"  {count} connections each send up to 64 × {len(line)}-byte availability requests, never read")
        connections = []
        for _ in range(count):
            connection = self.connect(timeout=2)
            connection.sock.setblocking(False)
            sent = 0
            for _ in range(64):
                try:
                    connection.sock.send(line)
                    sent += 1
                except (BlockingIOError, OSError):
                    break
            connections.append(connection)
        deadline = time.monotonic() + hold_seconds
        while time.monotonic() < deadline:
            time.sleep(1)
        self.show_rss(f"after holding them {hold_seconds} s")
        closed = sum(is_closed(c) for c in connections)
        print(f"  the server had closed {closed}/{count} of them (it closes the furthest behind only once"
              " --max-buffered-bytes stays used up for --overload-grace-seconds)")
        for connection in connections:
            connection.close()
        # The server may still be deciding the requests it had read when the client hung up; until it is done the
        # connection counts in stats (and against the connection limits). Wait, bounded, for the count to drop.
        closed_at = time.monotonic()
        self.show_rss("just after closing them")
        watcher = self.connect(timeout=PING_TIMEOUT_SECONDS)
        now = self.connections_in_stats(watcher)
        while now is not None and before is not None and now > before and time.monotonic() - closed_at < 60:
            time.sleep(0.5)
            now = self.connections_in_stats(watcher)
        watcher.close()
        waited = time.monotonic() - closed_at
        print(f"  stats connections: {before} before (this one included), {now} {waited:.1f} s after the client"
              " closed them")
        self.show_rss(f"{waited:.1f} s after closing them")
        if now is not None and before is not None and now > before:
            self.not_bounded(f"{now - before} connections closed by the client still counted after {waited:.0f} s")

    def attack_huge_duration(self):
        """availability with a huge duration_minutes on a partly booked capacity-2 resource (starts × duration)."""
        connection = self.connect()
        resource = self.create(connection, "duration", slot_minutes=1, capacity=2)
        start = int(time.time()) // 86400 * 86400 + 86400
        bookings = [{"op": "book", "resource": resource, "customer": "c", "start": iso(start + day * 86400 + 3600),
                     "end": iso(start + day * 86400 + 7200)} for day in range(0, 92, 2)]
        print(f"  booked one hour every other day: {self.pipeline(connection, bookings)}")
        days = {"small": 20, "full": 92}[self.scale]
        self.say(connection, {"op": "availability", "resource": resource, "from": iso(start),
                              "to": iso(start + days * 86400), "duration_minutes": days * 1440}, keep=2048)
        connection.close()

    def attack_list_limit(self):
        """list_resources with limit 1, after many resources exist (sorting every id on every call?)."""
        connection = self.connect()
        count = {"small": 5_000, "full": 50_000}[self.scale]
        requests = [{"op": "create_resource", "resource": f"{self.prefix}-l{n:06d}", "tz": "UTC"}
                    for n in range(count)]
        started = time.monotonic()
        codes = self.pipeline(connection, requests)
        print(f"  created {count} resources in {time.monotonic() - started:.1f} s: {codes}")
        self.say(connection, {"op": "list_resources", "limit": 1})
        calls = 20
        started = time.monotonic()
        for _ in range(calls):
            connection.request({"op": "list_resources", "limit": 1, "after": f"{self.prefix}-l000100"})
        print(f"  {calls} more list_resources limit 1: {(time.monotonic() - started) * 1000 / calls:.1f} ms each")
        connection.close()

    def attack_reschedule_loop(self):
        """Reschedule one booking back and forth, then get_booking: does each step cost more, the reply grow?"""
        connection = self.connect()
        resource = self.create(connection, "resched", slot_minutes=30, capacity=1)
        start = int(time.time()) // 86400 * 86400 + 86400 + 9 * 3600
        reply = self.say(connection, {"op": "book", "resource": resource, "customer": "c", "start": iso(start),
                                      "end": iso(start + 1800)})
        if not reply or not reply.get("ok"):
            return
        booking = reply["booking"]["id"]
        rounds = {"small": 1_000, "full": 10_000}[self.scale]
        print(f"  then {rounds} reschedules of {booking}, alternating between two times")
        step = 500
        for first in range(0, rounds, step):
            requests = [{"op": "reschedule", "booking": booking,
                         "start": iso(start + 3600 * (n % 2 + 1)), "end": iso(start + 3600 * (n % 2 + 1) + 1800)}
                        for n in range(first, first + step)]
            started = time.monotonic()
            codes = self.pipeline(connection, requests)
            per_call = (time.monotonic() - started) * 1000 / step
            if first % (step * 4) == 0 or first + step >= rounds:
                print(f"  reschedules {first + 1}–{first + step}: {per_call:.2f} ms each, {codes}")
        self.say(connection, {"op": "get_booking", "booking": booking}, keep=2048)
        connection.close()

    def attack_idempotency_flood(self):
        """No-op confirms of one confirmed booking, each with a new idempotency key (state a client can grow)."""
        connection = self.connect()
        resource = self.create(connection, "keys")
        start = int(time.time()) // 86400 * 86400 + 86400 + 9 * 3600
        reply = self.say(connection, {"op": "book", "resource": resource, "customer": "c", "start": iso(start),
                                      "end": iso(start + 900)})
        if not reply or not reply.get("ok"):
            return
        booking = reply["booking"]["id"]
        stats = self.say(connection, {"op": "stats"}, quiet=True) or {}
        before = stats.get("stats", {}).get("idempotency_keys")
        count = {"small": 20_000, "full": 200_000}[self.scale]
        self.show_rss("before")
        print(f"  sent {count} confirms of {booking}, each with key {self.prefix}-k<n>")
        started = time.monotonic()
        codes = self.pipeline(connection, [{"op": "confirm", "booking": booking, "idempotency_key": f"{self.prefix}-k{n}"}
                                           for n in range(count)], batch=1000)
        print(f"  replies in {time.monotonic() - started:.1f} s: {codes}")
        stats = self.say(connection, {"op": "stats"}, quiet=True) or {}
        after = stats.get("stats", {}).get("idempotency_keys")
        print(f"  idempotency_keys in stats: {before} before, {after} after")
        self.show_rss("after")
        if isinstance(before, int) and isinstance(after, int):
            if after - before > 100_000:
                self.not_bounded(f"{after - before} keys kept for one resource (idempotencyKeysPerResourceMax 100,000)")
            elif after == before and codes.get("ok") == count:
                print("  no key kept for confirms that changed nothing, as documented (OPERATIONS.md, Memory)")
        connection.close()

    def attack_slowloris(self):
        """Idle connections and one-byte-a-second senders: are they ever closed?"""
        count = {"small": 10, "full": 50}[self.scale]
        # Longer than the line completion time (10 s) plus the 250 ms deadline sweep, so slow senders are due.
        seconds = {"small": LINE_COMPLETION_SECONDS + 3, "full": 40}[self.scale]
        idle = [self.connect(timeout=1) for _ in range(count)]
        slow = [self.connect(timeout=1) for _ in range(count)]
        line = b'{"id":"slow","op":"ping"}\n'
        print(f"  {count} idle connections and {count} sending '{line.decode().strip()}' one byte a second,"
              f" for {seconds} s")
        for second in range(seconds):
            for connection in slow:
                try:
                    connection.sock.send(line[second % len(line) : second % len(line) + 1])
                except OSError:
                    pass
            time.sleep(1)
        idle_codes, slow_codes = {}, {}
        closed_idle = sum(is_closed(c, idle_codes) for c in idle)
        closed_slow = sum(is_closed(c, slow_codes) for c in slow)
        print(f"  after {seconds} s the server had closed {closed_idle}/{count} idle and {closed_slow}/{count} slow"
              f" connections; last lines before the close: idle {idle_codes or '-'}, slow {slow_codes or '-'}")
        if closed_slow == count and slow_codes.get("line_timeout") == count:
            print(f"  slow senders closed with line_timeout as documented ({LINE_COMPLETION_SECONDS} s by default)")
        elif closed_slow < count:
            self.not_bounded(f"{count - closed_slow}/{count} one-byte-a-second senders still open after {seconds} s"
                             f" (default --line-completion-seconds {LINE_COMPLETION_SECONDS})")
        if closed_idle == 0:
            print(f"  idle connections still open, as expected: the default idle timeout ({IDLE_TIMEOUT_SECONDS} s)"
                  " is longer than this attack")
        for connection in idle + slow:
            connection.close()

    def attack_rule_flood(self):
        """Pipelined add_blocks and set_overrides past the per-resource limits, then holds on that resource."""
        connection = self.connect()
        resource = self.create(connection, "rules", slot_minutes=15, horizon_days=3660)
        plain = self.create(connection, "norules", slot_minutes=15, horizon_days=3660)
        limit = 1_000  # blocksPerResourceMax and dateOverridesPerResourceMax (PROTOCOL.md section 10)
        count = {"small": 1_200, "full": 5_000}[self.scale]
        # Blocks of 15 minutes every 30 minutes from tomorrow on (1,000 of them cover about 21 days); overrides
        # close distinct dates from day 100 on, after the blocks, so holds in the gaps between blocks still fit.
        first = int(time.time()) // 86400 * 86400 + 86400
        self.show_rss("before")
        sizes, refusals = {}, {}
        started = time.monotonic()
        codes = self.pipeline(connection, [
            {"op": "add_block", "resource": resource, "start": iso(first + n * 1800),
             "end": iso(first + n * 1800 + 900), "label": f"b{n}"} for n in range(count)],
            sizes=sizes, first_refusals=refusals)
        print(f"  {count} add_block in {time.monotonic() - started:.1f} s: {codes}; replies {sizes['total']} bytes"
              f" in all, the largest {sizes['largest']}")
        self.judge_rules("blocks", codes, refusals, limit, count)
        sizes, refusals = {}, {}
        started = time.monotonic()
        codes = self.pipeline(connection, [
            {"op": "set_override", "resource": resource, "date": iso(first + (100 + n) * 86400)[:10], "closed": True}
            for n in range(count)], sizes=sizes, first_refusals=refusals)
        print(f"  {count} set_override on distinct dates in {time.monotonic() - started:.1f} s: {codes}; replies"
              f" {sizes['total']} bytes in all, the largest {sizes['largest']}")
        self.judge_rules("overrides", codes, refusals, limit, count)
        self.show_rss("after the rules")
        # At the limit, replacing a date's override must still work (PROTOCOL.md section 11).
        reply = self.say(connection, {"op": "set_override", "resource": resource, "date": iso(first + 100 * 86400)[:10],
                                      "hours": [["09:00", "17:00"]]})
        if not reply or not reply.get("ok"):
            print("  CONTRADICTS PROTOCOL.md section 11: replacing an existing date's override was refused")
        else:
            print("  replacing an existing date's override at the limit: accepted, as documented")
        # Holds: in the gaps between blocks (placement through the block index), on a block (a refusal reads
        # every block to name the first one hit), and the same gaps on a resource without rules.
        holds = 20
        for name, target, offset in (("in gaps between blocks", resource, 900), ("on blocks", resource, 0),
                                     ("on a resource without rules", plain, 900)):
            tally = {}
            started = time.monotonic()
            for n in range(holds):
                start = first + (n * 47 % limit) * 1800 + offset
                reply, _ = connection.request({"op": "hold", "resource": target, "customer": "c", "start": iso(start),
                                               "end": iso(start + 900), "ttl_seconds": 60}, keep=4096)
                try:
                    parsed = json.loads(reply)
                    code = "ok" if parsed.get("ok") else parsed.get("error", {}).get("code", "?")
                except ValueError:
                    code = "unreadable"
                tally[code] = tally.get(code, 0) + 1
            per_hold = (time.monotonic() - started) * 1000 / holds
            print(f"  {holds} holds {name}: {per_hold:.2f} ms each, {tally}")
        connection.close()

    def judge_rules(self, rule, codes, refusals, limit, count):
        """Say whether a flood of one kind of rule stopped at the documented limit with too_many_rules."""
        accepted = codes.get("ok", 0)
        refused = codes.get("too_many_rules", 0)
        if accepted > limit:
            self.not_bounded(f"{accepted} {rule} accepted on one resource, past the documented {limit}")
        elif accepted == limit and refused == count - limit:
            details = {}
            try:
                details = json.loads(refusals["too_many_rules"]).get("error", {})
            except (KeyError, ValueError):
                pass
            as_documented = details.get("rule") == rule and str(details.get("limit")) == str(limit)
            print(f"  {rule}: {accepted} accepted, the other {refused} refused with too_many_rules"
                  f" (rule {details.get('rule')!r}, limit {details.get('limit')!r})"
                  f"{', as documented' if as_documented else ' -- CONTRADICTS PROTOCOL.md section 9'}")
        else:
            print(f"  {rule}: UNEXPECTED: {accepted} accepted and {refused} too_many_rules of {count}"
                  f" (documented: {limit} accepted, the rest too_many_rules); first refusals:"
                  f" {[shorten(r) for r in refusals.values()]}")

    def attack_lenient(self):
        """Inputs outside the documented grammar; each should be refused (or echoed in the accepted form)."""
        connection = self.connect()
        resource = self.create(connection, "lenient", slot_minutes=60)
        start = int(time.time()) // 86400 * 86400 + 86400 + 9 * 3600
        self.say(connection, {"op": "book", "resource": resource, "customer": "c", "start": iso(start),
                              "end": iso(start + 3600)})
        attempts = [
            (b'{"id":"\\u+041","op":"ping"}', "a \\u escape with a sign"),
            (b'{"id":"\\u-000","op":"ping"}', "a \\u escape with a sign"),
            ({"op": "get_booking", "booking": f"{resource}/+1"}, "a booking number with a sign"),
            ({"op": "get_booking", "booking": f"{resource}/01"}, "a booking number with a leading zero"),
            ({"op": "set_override", "resource": resource, "date": "+202-01-01", "closed": True}, "a signed year"),
            ({"op": "set_weekly_hours", "resource": resource, "weekly_hours": {"mon": [["+9:00", "17:00"]]}},
             "an hour with a sign"),
        ]
        for request, why in attempts:
            print(f"  -- {why}")
            reply = self.say(connection, request)
            if reply and reply.get("ok") is False:
                print(f"  refused with {reply.get('error', {}).get('code')}, as it should be")
            else:
                print("  ACCEPTED: outside the documented grammar")
        # A valid YYYY-MM-DD date whose year is below 1000: accepting it is right, if it is echoed as sent.
        print("  -- a year before 1000, in the documented four-digit form (check the echoed date below)")
        reply = self.say(connection, {"op": "set_override", "resource": resource, "date": "0999-01-01", "closed": True})
        print(f"  {'accepted' if reply and reply.get('ok') else 'refused'}: both are within the documented grammar")
        rules = self.say(connection, {"op": "get_rules", "resource": resource}) or {}
        for override in rules.get("rules", {}).get("overrides", []):
            date = override.get("date")
            print(f"  -- clear_override with the date as echoed: {date!r}")
            reply = self.say(connection, {"op": "clear_override", "resource": resource, "date": date})
            print(f"  {'accepted' if reply and reply.get('ok') else 'REFUSED: the echoed form is not accepted'}")
        connection.close()


# In this order for --attack all: series-dates, which stopped the server before its fix, comes last, so that the
# others report if it ever does again.
ATTACKS = {
    "lenient": Attacker.attack_lenient,
    "long-bookings": Attacker.attack_long_bookings,
    "reply-size": Attacker.attack_reply_size,
    "no-read": Attacker.attack_no_read,
    "huge-duration": Attacker.attack_huge_duration,
    "list-limit": Attacker.attack_list_limit,
    "reschedule-loop": Attacker.attack_reschedule_loop,
    "idempotency-flood": Attacker.attack_idempotency_flood,
    "rule-flood": Attacker.attack_rule_flood,
    "slowloris": Attacker.attack_slowloris,
    "series-dates": Attacker.attack_series_dates,
}


def iso(seconds):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(seconds))


def is_closed(connection, codes=None):
    """True when the server has closed the connection (reads the end of stream, or a reset).

    With `codes` (a dict), counts the error code of the last line the server sent before closing."""
    connection.sock.setblocking(False)
    received = b""
    closed = False
    try:
        while len(received) < 1 << 20:
            data = connection.sock.recv(65536)
            if not data:
                closed = True
                break
            received += data
    except BlockingIOError:
        pass
    except OSError:
        closed = True
    if closed and codes is not None:
        lines = received.strip().split(b"\n")
        try:
            code = json.loads(lines[-1]).get("error", {}).get("code", "ok") if lines[-1] else "nothing"
        except ValueError:
            code = "unreadable"
        codes[code] = codes.get(code, 0) + 1
    return closed


class Prober(threading.Thread):
    """Pings on a connection of its own every 100 ms while an attack runs; keeps the slowest and the failures."""

    def __init__(self, attacker):
        super().__init__(daemon=True)
        self.attacker = attacker
        self.stopping = threading.Event()
        self.slowest = 0.0
        self.count = 0
        self.failures = 0

    def run(self):
        while not self.stopping.is_set():
            answered, milliseconds = self.attacker.ping()
            self.count += 1
            self.slowest = max(self.slowest, milliseconds)
            if not answered:
                self.failures += 1
            self.stopping.wait(0.1)

    def stop(self):
        self.stopping.set()
        self.join(PING_TIMEOUT_SECONDS * 2)


def run(attacker, name):
    print(f"== {name}: {ATTACKS[name].__doc__}")
    prober = Prober(attacker)
    prober.start()
    started = time.monotonic()
    attacker.findings = []
    try:
        ATTACKS[name](attacker)
    except ServerGone as error:
        attacker.not_bounded(f"the attack's connection failed: {error}")
    except OSError as error:
        attacker.not_bounded(f"the attack could not go on: {error}")
    prober.stop()
    print(f"  took {time.monotonic() - started:.1f} s; pings during it: {prober.count}, {prober.failures} failed,"
          f" slowest {prober.slowest:.0f} ms")
    if prober.failures:
        attacker.findings.append(f"{prober.failures} pings during the attack got no answer")
    answered, milliseconds = attacker.ping()
    print(f"  server answers a ping now: {'yes' if answered else 'NO'} ({milliseconds:.0f} ms)")
    return answered, list(attacker.findings)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=7420)
    parser.add_argument("--attack", default="all", choices=["all", *ATTACKS], help="one attack, or all in turn")
    parser.add_argument("--scale", default="small", choices=["small", "full"],
                        help="small: seconds per attack; full: larger sizes, closer to the issue's (minutes, GBs)")
    parser.add_argument("--timeout", type=float, default=120, help="seconds to wait for one reply")
    parser.add_argument("--pid", type=int, help="the server's process id, to print its RSS (same machine only)")
    parser.add_argument("--i-own-this-server", action="store_true",
                        help="allow a host that is not a loopback address")
    args = parser.parse_args()
    try:
        loopback = all(ipaddress.ip_address(info[4][0]).is_loopback
                       for info in socket.getaddrinfo(args.host, args.port, proto=socket.IPPROTO_TCP))
    except (OSError, ValueError):
        loopback = False
    if not loopback and not args.i_own_this_server:
        print(f"refusing to attack {args.host}: not a loopback address (say --i-own-this-server if it is yours)",
              file=sys.stderr)
        return 2
    attacker = Attacker(args)
    answered, milliseconds = attacker.ping()
    if not answered:
        print(f"no slotd answers a ping at {args.host}:{args.port}", file=sys.stderr)
        return 1
    print(f"slotd at {args.host}:{args.port} answers a ping in {milliseconds:.0f} ms; resource prefix {attacker.prefix}")
    failed = []
    for name in ATTACKS if args.attack == "all" else [args.attack]:
        answered, findings = run(attacker, name)
        failed += [f"{name}: {finding}" for finding in findings]
        if not answered:
            print(f"the server stopped answering after '{name}'; the remaining attacks were not run")
            return 1
    if failed:
        print("not bounded:\n  " + "\n  ".join(failed))
        return 1
    print("the server kept answering and every attack stayed within its documented bounds")
    return 0


if __name__ == "__main__":
    sys.exit(main())
