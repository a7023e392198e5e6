/// `GET /`: the operator page, one HTML document with its style and script inline (nothing is loaded from
/// elsewhere, and its Content-Security-Policy forbids it). The script fills it from `/api/overview` and
/// `/api/day` (docs/OPERATIONS.md, "Operator page"); every value from the server is written as text, never as
/// markup, since customer names and resource ids come from clients.
enum OperatorPage {
    static let reply: HTTPReply = {
        var reply = HTTPReply(status: .ok, contentType: "text/html; charset=utf-8", body: Array(html.utf8))
        reply.headers += [
            (
                "Content-Security-Policy",
                "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'; "
                    + "img-src data:; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
            ),
            ("Cache-Control", "no-store"),
            ("X-Content-Type-Options", "nosniff"),
            ("Referrer-Policy", "no-referrer"),
        ]
        return reply
    }()

    static let html = """
        <!doctype html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <link rel="icon" href="data:,">
        <title>slotd</title>
        <style>
        \(style)
        </style>
        </head>
        <body>
        \(body)
        <script>
        \(OperatorPageScript.common)
        \(OperatorPageScript.overview)
        \(OperatorPageScript.day)
        </script>
        </body>
        </html>

        """

    static let style = """
        :root { color-scheme: light dark; --fg: #1d2330; --muted: #667085; --bg: #f5f6f8; --card: #fff;
          --line: #d0d5dd; --a: #2f6fdd; --b: #d9480f; --hold: #f0a830; --booked: #2f6fdd; }
        @media (prefers-color-scheme: dark) { :root { --fg: #e4e7ec; --muted: #98a2b3; --bg: #12151c;
          --card: #1b1f29; --line: #344054; --a: #6ea0ff; --b: #ff8c5a; } }
        * { box-sizing: border-box; }
        body { margin: 0; font: 14px/1.4 system-ui, sans-serif; color: var(--fg); background: var(--bg); }
        header { display: flex; gap: 1rem; align-items: baseline; padding: .75rem 1.25rem; }
        h1 { font-size: 1.25rem; margin: 0; }
        h2 { font-size: 1rem; margin: 0 0 .5rem; }
        h2 small, .muted { color: var(--muted); font-weight: normal; }
        main { display: grid; gap: 1rem; padding: 0 1.25rem 1.25rem;
          grid-template-columns: repeat(auto-fit, minmax(18rem, 1fr)); }
        .card { background: var(--card); border: 1px solid var(--line); border-radius: 6px; padding: .75rem 1rem; }
        .wide { grid-column: 1 / -1; }
        dl { display: grid; grid-template-columns: max-content 1fr; gap: .2rem 1rem; margin: 0; }
        dt { color: var(--muted); }
        dd { margin: 0; font-variant-numeric: tabular-nums; overflow-wrap: anywhere; }
        table { border-collapse: collapse; width: 100%; font-variant-numeric: tabular-nums; }
        th, td { text-align: left; padding: .2rem .5rem; border-bottom: 1px solid var(--line); }
        tbody tr.pick { cursor: pointer; }
        tbody tr.pick:hover { background: var(--bg); }
        svg { width: 100%; display: block; }
        svg text { fill: var(--muted); font-size: 11px; }
        .grid { stroke: var(--line); stroke-width: 1; }
        .series-a { fill: none; stroke: var(--a); stroke-width: 1.5; }
        .series-b { fill: none; stroke: var(--b); stroke-width: 1.5; }
        .bar-pending_confirmation { fill: var(--hold); }
        .bar-confirmed, .bar-rescheduled { fill: var(--booked); }
        svg text.bar-label { fill: #fff; }
        form { display: flex; flex-wrap: wrap; gap: .75rem; align-items: end; margin-bottom: .5rem; }
        label { display: flex; flex-direction: column; color: var(--muted); font-size: .85rem; }
        input, button { font: inherit; padding: .25rem .5rem; }
        .error { color: var(--b); }
        .key-a { color: var(--a); } .key-b { color: var(--b); }
        """

    static let body = """
        <header><h1>slotd</h1><span id="status" class="muted">loading…</span></header>
        <main>
        <section class="card" id="server"><h2>Server</h2><dl>
        <dt>Uptime</dt><dd id="uptime">…</dd>
        <dt>Started</dt><dd id="started-at">…</dd>
        <dt>Server time</dt><dd id="now">…</dd>
        <dt>Resources</dt><dd id="resources">…</dd>
        <dt>Active bookings</dt><dd id="active-bookings">…</dd>
        <dt>Active holds</dt><dd id="active-holds">…</dd>
        <dt>Connections</dt><dd id="connections">…</dd>
        <dt>Idempotency keys</dt><dd id="idempotency-keys">…</dd>
        </dl></section>
        <section class="card" id="journal"><h2>Journal</h2><dl>
        <dt>Journal id</dt><dd id="journal-id">…</dd>
        <dt>Appended</dt><dd id="journal-sequence">…</dd>
        <dt>Durable</dt><dd id="durable-sequence">…</dd>
        <dt>Queue depth</dt><dd id="queue-depth">…</dd>
        <dt>Commits</dt><dd id="journal-commits">…</dd>
        </dl></section>
        <section class="card" id="snapshot"><h2>Last snapshot</h2><dl id="snapshot-fields"><dt>…</dt></dl></section>
        <section class="card wide"><h2>Requests per second <small>last 15 minutes:
        <span class="key-a">replies</span>, <span class="key-b">errors</span></small></h2>
        <svg id="chart-rate" viewBox="0 0 900 130" preserveAspectRatio="none" role="img"
        aria-label="requests per second"></svg><p id="rate-caption" class="muted"></p></section>
        <section class="card wide"><h2>Latency <small>last 15 minutes, milliseconds:
        <span class="key-a">p99</span>, <span class="key-b">p50</span></small></h2>
        <svg id="chart-p99" viewBox="0 0 900 130" preserveAspectRatio="none" role="img"
        aria-label="p99 latency"></svg><p id="p99-caption" class="muted"></p></section>
        <section class="card wide" id="busiest"><h2>Busiest resources <small id="busiest-note"></small></h2>
        <table><thead><tr><th>Resource</th><th>Tenant</th><th>Time zone</th><th>Active bookings</th><th>Holds</th>
        </tr></thead><tbody id="busiest-rows"></tbody></table></section>
        <section class="card wide" id="day"><h2>Day view <small>bookings and holds by local time</small></h2>
        <form id="day-form"><label>Resource<input id="day-resource" name="resource" required></label>
        <label>Tenant<input id="day-tenant" name="tenant"></label>
        <label>Date<input id="day-date" name="date" type="date"></label><button>Show</button></form>
        <p id="day-title" class="muted"></p><p id="day-error" class="error"></p>
        <svg id="day-timeline" viewBox="0 0 960 60" role="img" aria-label="the day's bookings"></svg>
        <table><thead><tr><th>Start</th><th>End</th><th>State</th><th>Customer</th><th>Booking</th>
        <th>Hold expires</th></tr></thead><tbody id="day-rows"></tbody></table></section>
        </main>
        """
}
